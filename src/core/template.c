/* SPDX-License-Identifier: Apache-2.0 */
/* Templates.  See template.h. */
#include "template.h"
#include "input.h"

#include <apr_encode.h>
#include <apr_escape.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/sha.h>
#include <string.h>

/* A file bigger than this is not a page. */
#define TEMPLATE_MAX (256 * 1024)

static const char *const files[PWRESET_TPL_COUNT] = {
    "request.html", "sent.html", "invalid.html", "update.html",
    "changed.html", "error.html", "reset.txt", "reset.html", "notice.txt",
    "notice.html"};

static const char *const names[PWRESET_PH_COUNT] = {
    "site", "lang", "title", "message", "invalid", "request_url",
    "username", "min_length", "seconds_left", "status", "link", "minutes",
    "when", "client"};

#define PH(x) (1u << PWRESET_PH_##x)
#define PAGE (PH(SITE) | PH(LANG) | PH(TITLE) | PH(REQUEST_URL))

/* What each file may say. */
static const unsigned int allowed[PWRESET_TPL_COUNT] = {
    [PWRESET_TPL_REQUEST] = PAGE | PH(MESSAGE) | PH(INVALID),
    [PWRESET_TPL_SENT] = PAGE | PH(MESSAGE),
    [PWRESET_TPL_INVALID] = PAGE | PH(MESSAGE),
    [PWRESET_TPL_UPDATE] = PAGE | PH(MESSAGE) | PH(INVALID) | PH(USERNAME)
                           | PH(MIN_LENGTH) | PH(SECONDS_LEFT),
    [PWRESET_TPL_CHANGED] = PAGE | PH(MESSAGE),
    [PWRESET_TPL_ERROR] = PAGE | PH(MESSAGE) | PH(STATUS),
    [PWRESET_TPL_RESET_TXT] = PH(SITE) | PH(LANG) | PH(USERNAME) | PH(LINK)
                              | PH(MINUTES),
    [PWRESET_TPL_RESET_HTML] = PH(SITE) | PH(LANG) | PH(USERNAME) | PH(LINK)
                               | PH(MINUTES),
    [PWRESET_TPL_NOTICE_TXT] = PH(SITE) | PH(LANG) | PH(USERNAME) | PH(WHEN)
                               | PH(CLIENT) | PH(REQUEST_URL),
    [PWRESET_TPL_NOTICE_HTML] = PH(SITE) | PH(LANG) | PH(USERNAME)
                                | PH(WHEN) | PH(CLIENT) | PH(REQUEST_URL),
};

/* What each file must say. */
static const unsigned int required[PWRESET_TPL_COUNT] = {
    [PWRESET_TPL_RESET_TXT] = PH(LINK),
    [PWRESET_TPL_RESET_HTML] = PH(LINK),
};

typedef struct {
    const char *text;        /* literal text, or NULL for a placeholder */
    apr_size_t len;
    int ph;
} segment;

struct pwreset_template {
    int html;
    apr_array_header_t *segments;
};

struct pwreset_templates {
    /* [0]: the folder itself; [1 + i]: pwreset_languages[i]'s folder. */
    const pwreset_template *(*by_lang)[PWRESET_TPL_COUNT];
    int langs;
    apr_array_header_t *styles;
};

const char *pwreset_tpl_file(pwreset_tpl_id id)
{
    return files[id];
}

const char *pwreset_ph_name(pwreset_placeholder ph)
{
    return names[ph];
}

static int is_html(pwreset_tpl_id id)
{
    return strstr(files[id], ".html") != NULL;
}

static int line_of(const char *text, const char *at)
{
    int line = 1;

    for (; text < at; text++) {
        line += *text == '\n';
    }
    return line;
}

static const char *known_names(apr_pool_t *p, pwreset_tpl_id id)
{
    const char *out = "";

    for (int i = 0; i < PWRESET_PH_COUNT; i++) {
        if (allowed[id] & (1u << i)) {
            out = apr_pstrcat(p, out, *out ? ", " : "", names[i], NULL);
        }
    }
    return out;
}

/* HTML's own whitespace (not \v, which browsers do not take for it). */
static int html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* An attribute named `name` in the tag [c, end): preceded by whitespace,
 * a quote or a slash, followed by optional whitespace and '='.  With
 * prefix, any name that starts with it ("on" for onclick). */
static const char *has_attribute(const char *c, const char *end,
                                 const char *name, int prefix)
{
    apr_size_t n = strlen(name);

    for (const char *a = c + 1; a + n < end; a++) {
        const char *e;

        if (!(html_space(a[-1]) || a[-1] == '"' || a[-1] == '\''
              || a[-1] == '/')
            || strncasecmp(a, name, n)) {
            continue;
        }
        e = a + n;
        if (prefix) {
            while (e < end && apr_isalpha(*e)) {
                e++;
            }
            if (e == a + n) {
                continue;
            }
        }
        while (e < end && html_space(*e)) {
            e++;
        }
        if (e < end && *e == '=') {
            return a;
        }
    }
    return NULL;
}

/* The end of the tag that starts at c: its '>' outside quoted values. */
static const char *tag_end(const char *c)
{
    char quote = 0;

    for (c++; *c; c++) {
        if (quote) {
            quote = *c == quote ? 0 : quote;
        }
        else if (*c == '"' || *c == '\'') {
            quote = *c;
        }
        else if (*c == '>') {
            return c;
        }
    }
    return NULL;
}

/* The HTML checks: comments skipped; <style> elements hashed (pages: for
 * the CSP) and free of placeholders; no style or on... attribute, no
 * <script>, no foreign content (<svg>, <math>, where <style> is markup),
 * no javascript: URL.  Mails have no CSP: the same rules keep them as
 * plain as pages. */
static const char *check_html(apr_pool_t *p, const char *text, int page,
                              apr_array_header_t **styles)
{
    const char *c = text;

    while ((c = strchr(c, '<'))) {
        const char *end, *a;

        if (!strncmp(c, "<!--", 4)) {
            const char *close = strstr(c + 4, "-->");

            if (!close) {
                return apr_psprintf(p, "line %d: a comment is not closed",
                                    line_of(text, c));
            }
            c = close + 3;
            continue;
        }
        if (!(end = tag_end(c))) {
            return apr_psprintf(p, "line %d: a tag is not closed",
                                line_of(text, c));
        }
        if (!strncasecmp(c, "<script", 7) || !strncasecmp(c, "<svg", 4)
            || !strncasecmp(c, "<math", 5)) {
            return apr_psprintf(p, "line %d: <script>, <svg> and <math> are "
                                "refused: the pages run no script",
                                line_of(text, c));
        }
        if ((a = has_attribute(c, end, "style", 0))) {
            return apr_psprintf(p, "line %d: a style attribute is refused "
                                "by the Content-Security-Policy; put the "
                                "rules in a <style> element",
                                line_of(text, a));
        }
        if ((a = has_attribute(c, end, "on", 1))) {
            return apr_psprintf(p, "line %d: an event handler attribute "
                                "(on...=) is refused: the pages run no "
                                "script", line_of(text, a));
        }
        if ((a = memmem(c, (apr_size_t)(end - c), "javascript:", 11))) {
            return apr_psprintf(p, "line %d: a javascript: URL is refused",
                                line_of(text, a));
        }
        if (!strncasecmp(c, "<style", 6)
            && (html_space(c[6]) || c[6] == '>' || c[6] == '/')) {
            const char *body = end + 1;
            const char *close = body;
            unsigned char md[SHA256_DIGEST_LENGTH];
            const char *src;

            while ((close = strchr(close, '<'))
                   && strncasecmp(close, "</style", 7)) {
                close++;
            }
            if (!close) {
                return apr_psprintf(p, "line %d: <style> is not closed",
                                    line_of(text, c));
            }
            if (memmem(body, (apr_size_t)(close - body), "{{", 2)) {
                return apr_psprintf(p, "line %d: a placeholder inside "
                                    "<style>: its hash in the Content-"
                                    "Security-Policy is made at start-up",
                                    line_of(text, body));
            }
            SHA256((const unsigned char *)body, (apr_size_t)(close - body),
                   md);
            src = apr_pstrcat(p, "'sha256-",
                              apr_pencode_base64_binary(p, md, sizeof(md),
                                                        APR_ENCODE_NONE,
                                                        NULL), "'", NULL);
            if (page) {
                int seen = 0;

                if (!*styles) {
                    *styles = apr_array_make(p, 2, sizeof(const char *));
                }
                for (int k = 0; k < (*styles)->nelts; k++) {
                    seen |= !strcmp(APR_ARRAY_IDX(*styles, k, const char *),
                                    src);
                }
                if (!seen) {
                    APR_ARRAY_PUSH(*styles, const char *) = src;
                }
            }
            c = close;
            continue;
        }
        c = end;
    }
    return NULL;
}

/* Where a placeholder at `at` stands in HTML: in text, or inside a
 * double-quoted attribute value; anywhere else in a tag (an attribute
 * name, an unquoted or single-quoted value) a value could add attributes. */
static int placeholder_place_ok(const char *text, const char *at)
{
    const char *lt = at, *gt = at;
    int quotes = 0;
    const char *q, *last = NULL;

    while (lt > text && lt[-1] != '<') {
        lt--;
    }
    while (gt > text && gt[-1] != '>') {
        gt--;
    }
    if (lt == text || gt > lt) {
        return 1; /* in text: no '<' since the last '>' */
    }
    if (!strncmp(lt, "!--", 3)) {
        return 1; /* in a comment */
    }
    for (q = lt; q < at; q++) {
        if (*q == '"') {
            quotes++;
            last = q;
        }
    }
    return quotes % 2 == 1 && last > lt && last[-1] == '=';
}

pwreset_template *pwreset_template_parse(apr_pool_t *p, pwreset_tpl_id id,
                                         const char *text, apr_size_t len,
                                         apr_array_header_t **styles,
                                         const char **err)
{
    pwreset_template *t = apr_pcalloc(p, sizeof(*t));
    const char *s = text, *end = text + len, *open;
    unsigned int used = 0;

    *err = NULL;
    if (memchr(text, '\0', len) || !pwreset_utf8_valid(text, len)) {
        *err = "it is not UTF-8 text";
        return NULL;
    }
    /* A byte-order mark goes; CR LF and CR become LF, as browsers read
     * them (the hash of a <style> must be of what the browser hashes). */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
    }
    {
        char *copy = apr_palloc(p, len + 1), *o = copy;

        for (apr_size_t k = 0; k < len; k++) {
            if (text[k] == '\r') {
                *o++ = '\n';
                if (k + 1 < len && text[k + 1] == '\n') {
                    k++;
                }
            }
            else {
                *o++ = text[k];
            }
        }
        *o = '\0';
        len = (apr_size_t)(o - copy);
        text = copy;
    }
    s = text;
    end = text + len;
    t->html = is_html(id);
    t->segments = apr_array_make(p, 8, sizeof(segment));
    /* The HTML checks first: a placeholder in <style> is said as such. */
    if (t->html && (*err = check_html(p, text, id < PWRESET_TPL_RESET_TXT,
                                      styles))) {
        return NULL;
    }
    while ((open = strstr(s, "{{"))) {
        const char *close = strstr(open + 2, "}}");
        const char *n = open + 2, *ne;
        segment *seg;
        int ph;

        if (!close || memchr(open, '\n', (apr_size_t)(close - open))) {
            *err = apr_psprintf(p, "line %d: {{ is not closed by }} on the "
                                "same line", line_of(text, open));
            return NULL;
        }
        while (n < close && *n == ' ') {
            n++;
        }
        for (ne = n; ne < close && (apr_islower(*ne) || *ne == '_'); ne++) {
        }
        for (ph = 0; ph < PWRESET_PH_COUNT; ph++) {
            if ((apr_size_t)(ne - n) == strlen(names[ph])
                && !strncmp(n, names[ph], (apr_size_t)(ne - n))) {
                break;
            }
        }
        while (ne < close && *ne == ' ') {
            ne++;
        }
        if (ph == PWRESET_PH_COUNT || ne != close
            || !(allowed[id] & (1u << ph))) {
            *err = apr_psprintf(p, "line %d: unknown placeholder %s in %s "
                                "(known there: %s)", line_of(text, open),
                                apr_pstrmemdup(p, open, close + 2 - open),
                                files[id], known_names(p, id));
            return NULL;
        }
        if (t->html && !placeholder_place_ok(text, open)) {
            *err = apr_psprintf(p, "line %d: %s inside a tag, but not in a "
                                "double-quoted attribute value: a value "
                                "could add attributes there",
                                line_of(text, open),
                                apr_pstrmemdup(p, open, close + 2 - open));
            return NULL;
        }
        used |= 1u << ph;
        seg = apr_array_push(t->segments);
        seg->text = s;
        seg->len = (apr_size_t)(open - s);
        seg->ph = -1;
        seg = apr_array_push(t->segments);
        seg->text = NULL;
        seg->len = 0;
        seg->ph = ph;
        s = close + 2;
    }
    {
        segment *seg = apr_array_push(t->segments);

        seg->text = s;
        seg->len = (apr_size_t)(end - s);
        seg->ph = -1;
    }
    if ((required[id] & used) != required[id]) {
        *err = apr_psprintf(p, "%s must hold {{link}}: the mail is for it",
                            files[id]);
        return NULL;
    }
    return t;
}

/* apr_pescape_entity() leaves ' alone: a value in a '...' value would end
 * it.  Placeholders are only allowed in "..." values, and this escapes '
 * all the same. */
static const char *escape_html(apr_pool_t *p, const char *v)
{
    const char *e = apr_pescape_entity(p, v, 0);
    const char *q = strchr(e, '\'');
    const char *out = "";

    while (q) {
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, e, q - e), "&#39;",
                          NULL);
        e = q + 1;
        q = strchr(e, '\'');
    }
    return *out ? apr_pstrcat(p, out, e, NULL) : e;
}

const char *pwreset_template_fill(apr_pool_t *p, const pwreset_template *t,
                                  const char *const *values)
{
    apr_size_t n = (apr_size_t)t->segments->nelts, total = 0;
    const char **part = apr_palloc(p, n * sizeof(*part));
    apr_size_t *plen = apr_palloc(p, n * sizeof(*plen));
    char *out, *o;

    for (apr_size_t i = 0; i < n; i++) {
        const segment *seg = &APR_ARRAY_IDX(t->segments, i, segment);

        if (seg->text) {
            part[i] = seg->text;
            plen[i] = seg->len;
        }
        else {
            const char *v = values[seg->ph] ? values[seg->ph] : "";

            part[i] = t->html ? escape_html(p, v) : v;
            plen[i] = strlen(part[i]);
        }
        total += plen[i];
    }
    out = o = apr_palloc(p, total + 1);
    for (apr_size_t i = 0; i < n; i++) {
        memcpy(o, part[i], plen[i]);
        o += plen[i];
    }
    *o = '\0';
    return out;
}

/* Read one file if it is there.  APR_SUCCESS with *text NULL when it is
 * not. */
static const char *read_file(apr_pool_t *p, const char *path,
                             const char **text, apr_size_t *len)
{
    apr_finfo_t fi;
    apr_file_t *f;
    char *buf;
    apr_status_t rv;
    char e[120];

    *text = NULL;
    /* Read as root at start-up and shown to anyone: never a link (to the
     * key file, to /etc/shadow), never a file just anyone may change. */
    rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE | APR_FINFO_PROT
                                 | APR_FINFO_LINK, p);
    if (APR_STATUS_IS_ENOENT(rv)) {
        return NULL;
    }
    if (rv == APR_SUCCESS && fi.filetype == APR_LNK) {
        return apr_psprintf(p, "%s: a symbolic link; templates are read as "
                            "root and shown to anyone, so links are refused",
                            path);
    }
    if (rv == APR_SUCCESS && (fi.protection & APR_WWRITE)) {
        return apr_psprintf(p, "%s: every local user may change it", path);
    }
    if (rv != APR_SUCCESS || fi.filetype != APR_REG
        || fi.size > TEMPLATE_MAX) {
        return apr_psprintf(p, "%s: not a readable file of at most %d bytes",
                            path, TEMPLATE_MAX);
    }
    buf = apr_palloc(p, (apr_size_t)fi.size + 1);
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_read_full(f, buf, (apr_size_t)fi.size, len);
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS && !(rv == APR_EOF && fi.size == 0)) {
        return apr_psprintf(p, "%s: %s", path, apr_strerror(rv, e, sizeof(e)));
    }
    buf[fi.size] = '\0';
    *len = (apr_size_t)fi.size;
    *text = buf;
    return NULL;
}

pwreset_templates *pwreset_templates_load(apr_pool_t *p, const char *dir,
                                          const char **err)
{
    pwreset_templates *ts = apr_pcalloc(p, sizeof(*ts));
    apr_finfo_t fi;
    int n = 0;

    while (pwreset_languages[n]) {
        n++;
    }
    if (apr_stat(&fi, dir, APR_FINFO_PROT, p) == APR_SUCCESS
        && (fi.protection & APR_WWRITE)) {
        *err = apr_psprintf(p, "%s: every local user may change it", dir);
        return NULL;
    }
    ts->langs = n + 1;
    ts->by_lang = apr_pcalloc(p, (apr_size_t)(n + 1) * sizeof(*ts->by_lang));
    for (int l = 0; l <= n; l++) {
        /* [0] is the folder itself, for every language; then each
         * language's own subfolder ("en/" too). */
        const char *sub = l == 0 ? dir
            : apr_pstrcat(p, dir, "/", pwreset_languages[l - 1]->tag, NULL);

        for (int id = 0; id < PWRESET_TPL_COUNT; id++) {
            const char *path = apr_pstrcat(p, sub, "/", files[id], NULL);
            const char *text, *e;
            apr_size_t len = 0;

            if ((*err = read_file(p, path, &text, &len))) {
                return NULL;
            }
            if (!text) {
                continue;
            }
            ts->by_lang[l][id] = pwreset_template_parse(p, (pwreset_tpl_id)id,
                                                        text, len,
                                                        &ts->styles, &e);
            if (!ts->by_lang[l][id]) {
                *err = apr_psprintf(p, "%s: %s", path, e);
                return NULL;
            }
        }
    }
    return ts;
}

const pwreset_template *pwreset_templates_find(const pwreset_templates *ts,
                                               const pwreset_lang *lang,
                                               pwreset_tpl_id id)
{
    if (!ts) {
        return NULL;
    }
    for (int l = 1; l < ts->langs; l++) {
        if (pwreset_languages[l - 1] == lang && ts->by_lang[l][id]) {
            return ts->by_lang[l][id];
        }
    }
    return ts->by_lang[0][id];
}

const apr_array_header_t *pwreset_templates_styles(
    const pwreset_templates *ts)
{
    return ts ? ts->styles : NULL;
}
