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
    /* [0]: the folder itself; [1 + i]: pwreset_languages[i + 1]'s. */
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

/* The HTML checks: <style> elements hashed for the CSP and free of
 * placeholders, no style attribute, no script. */
static const char *check_html(apr_pool_t *p, const char *text,
                              apr_array_header_t **styles)
{
    const char *c = text;

    while ((c = strchr(c, '<'))) {
        const char *end = strchr(c, '>');
        const char *a;

        if (!end) {
            break;
        }
        if (!strncasecmp(c, "<script", 7)) {
            return apr_psprintf(p, "line %d: <script> is refused by the "
                                "Content-Security-Policy", line_of(text, c));
        }
        /* An attribute named style: a space, "style", maybe spaces, '='. */
        for (a = c; a < end; a++) {
            if (apr_isspace(*a) && !strncasecmp(a + 1, "style", 5)) {
                const char *e = a + 6;

                while (e < end && apr_isspace(*e)) {
                    e++;
                }
                if (*e == '=') {
                    return apr_psprintf(p, "line %d: a style attribute is "
                                        "refused by the Content-Security-"
                                        "Policy; put the rules in a <style> "
                                        "element", line_of(text, a));
                }
            }
        }
        if (!strncasecmp(c, "<style", 6)
            && (apr_isspace(c[6]) || c[6] == '>')) {
            const char *body = end + 1;
            const char *close = body;
            unsigned char md[SHA256_DIGEST_LENGTH];

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
            if (!*styles) {
                *styles = apr_array_make(p, 2, sizeof(const char *));
            }
            APR_ARRAY_PUSH(*styles, const char *) = apr_pstrcat(p,
                "'sha256-", apr_pencode_base64_binary(p, md, sizeof(md),
                                                      APR_ENCODE_NONE, NULL),
                "'", NULL);
            c = close;
            continue;
        }
        c = end;
    }
    return NULL;
}

pwreset_template *pwreset_template_parse(apr_pool_t *p, pwreset_tpl_id id,
                                         const char *text, apr_size_t len,
                                         apr_array_header_t **styles,
                                         const char **err)
{
    pwreset_template *t = apr_pcalloc(p, sizeof(*t));
    const char *s = text, *end = text + len, *open;

    *err = NULL;
    if (memchr(text, '\0', len) || !pwreset_utf8_valid(text, len)) {
        *err = "it is not UTF-8 text";
        return NULL;
    }
    text = apr_pstrmemdup(p, text, len);
    s = text;
    end = text + len;
    t->html = is_html(id);
    t->segments = apr_array_make(p, 8, sizeof(segment));
    /* The HTML checks first: a placeholder in <style> is said as such. */
    if (t->html && (*err = check_html(p, text, styles))) {
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
    return t;
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

            part[i] = t->html ? apr_pescape_entity(p, v, 0) : v;
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
    rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE, p);
    if (APR_STATUS_IS_ENOENT(rv)) {
        return NULL;
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
    int n = 0;

    while (pwreset_languages[n]) {
        n++;
    }
    ts->langs = n;
    ts->by_lang = apr_pcalloc(p, (apr_size_t)n * sizeof(*ts->by_lang));
    for (int l = 0; l < n; l++) {
        /* [0] is the folder itself, for every language; then each
         * language but English (the source) has its subfolder. */
        const char *sub = l == 0 ? dir
            : apr_pstrcat(p, dir, "/", pwreset_languages[l]->tag, NULL);

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
        if (pwreset_languages[l] == lang && ts->by_lang[l][id]) {
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
