/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing the directive value parsers of src/core/settings.h.  The first
 * byte chooses a directive, a row of PWRESET_DIRECTIVES (so a new directive
 * is fuzzed as soon as it has a row); the rest is its argument, as httpd
 * hands it over (up to a NUL; PwResetAccountLimit and PwResetClientLimit
 * take a second argument after the NUL, when there is one).  The kinds that
 * name a file (a key, a pwquality.conf, a breach corpus, a template folder)
 * get one made of the rest of the input, in a folder of the process's own.
 *
 * Whatever a parser accepts must be usable as the module uses it: an INT
 * in its range, reading back the same; a link whose origin normalises (the
 * origin check compares with it); a sender whose From header every mail
 * can carry; an origin already normal; a key that signs tokens which
 * verify, and is refused when listed twice or readable by everyone; a
 * Content-Security-Policy that stays one policy, with no inline code; a
 * template folder read exactly when its file parses. */
#include "fuzz.h"
#include "breached.h"
#include "input.h"
#include "lang.h"
#include "mail.h"
#include "page.h"
#include "quality.h"
#include "settings.h"
#include "token.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum {
    KIND_KEYS, KIND_LINK, KIND_PATH, KIND_URL, KIND_SENDER, KIND_COMMAND,
    KIND_INT, KIND_QUERY, KIND_FILE, KIND_CACHE, KIND_LIMIT, KIND_ORIGINS,
    KIND_CORPUS, KIND_TEXT, KIND_LANG, KIND_TEMPLATES, KIND_CSP
} kind;

#define ROW_(name, k, field, a, b, def, help) {#name, KIND_##k, a, b},
static const struct {
    const char *name;
    kind k;
    int a, b;
} rows[] = {PWRESET_DIRECTIVES(ROW_)};
#define ROWS ((unsigned)(sizeof(rows) / sizeof(rows[0])))

/* The process's folder for the files the directives name. */
static const char *dir, *file_path, *tpl_dir, *tpl_path;

static void cleanup(void)
{
    unlink(file_path);
    unlink(tpl_path);
    rmdir(tpl_dir);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    dir = fuzz_tmpdir("settings");
    file_path = apr_pstrcat(fuzz_root, dir, "/file", NULL);
    tpl_dir = apr_pstrcat(fuzz_root, dir, "/templates", NULL);
    tpl_path = apr_pstrcat(fuzz_root, tpl_dir, "/reset.txt", NULL);
    if (mkdir(tpl_dir, 0755)) {
        abort();
    }
    atexit(cleanup);
    return 0;
}

static void write_file(const char *path, const uint8_t *d, size_t n,
                       mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0 || (n && write(fd, d, n) != (ssize_t)n) || fchmod(fd, mode)
        || close(fd)) {
        abort();
    }
}

static void check_int(const char *arg, int lo, int hi)
{
    int v = -7, again = -7;
    const char *err = pwreset_parse_int(fuzz_pool, arg, lo, hi, &v);

    if (err) {
        FUZZ_CHECK(v == -7 && *err);
        return;
    }
    FUZZ_CHECK(v >= lo && v <= hi);
    FUZZ_CHECK(!pwreset_parse_int(fuzz_pool, apr_itoa(fuzz_pool, v), lo, hi,
                                  &again) && again == v);
}

static void check_link(const char *arg)
{
    const pwreset_link *l = NULL;
    const char *o;

    if (pwreset_parse_link(fuzz_pool, arg, &l)) {
        return;
    }
    FUZZ_CHECK(l && !strcmp(l->url, arg) && l->site && *l->site);
    FUZZ_CHECK(l->path[0] == '/');
    FUZZ_CHECK(pwreset_chars_only(l->url, PWRESET_CHARS_WORD));
    /* The origin check of every POST compares the Origin header with
     * this, normalised: it must normalise, to itself. */
    o = pwreset_origin_normalize(fuzz_pool, l->origin);
    FUZZ_CHECK(o != NULL);
    FUZZ_CHECK(!strcmp(pwreset_origin_normalize(fuzz_pool, o), o));
    FUZZ_CHECK(pwreset_chars_only(l->site, PWRESET_CHARS_WORD));
}

static int local_path_ok(const char *arg)
{
    return arg[0] == '/' && arg[1] != '/'
           && pwreset_chars_only(arg, PWRESET_CHARS_WORD)
           && !strpbrk(arg, ";,?#\"\\");
}

static void check_sender(const char *arg)
{
    const pwreset_sender *s = NULL;
    pwreset_mail m = {0};

    if (pwreset_parse_sender(fuzz_pool, arg, &s)) {
        return;
    }
    FUZZ_CHECK(s && pwreset_addr_mailable(s->address));
    FUZZ_CHECK(strchr(s->address, '@') + 1 == s->domain);
    FUZZ_CHECK(s->header && *s->header);
    if (s->name) {
        FUZZ_CHECK(*s->name && pwreset_utf8_valid(s->name, strlen(s->name)));
        FUZZ_CHECK(strstr(s->header,
                          apr_pstrcat(fuzz_pool, " <", s->address, ">",
                                      NULL)));
    }
    else {
        FUZZ_CHECK(!strcmp(s->header, s->address));
    }
    /* Every mail goes out with it. */
    m.from = s->header;
    m.to = "bob@example.org";
    m.subject = "Reset";
    m.text = "text\n";
    m.html = "<p>html</p>\n";
    m.date = apr_time_from_sec(1700000000);
    m.message_id = apr_pstrcat(fuzz_pool, "0123.pwreset@", s->domain, NULL);
    m.boundary = "=_pwreset_0123";
    FUZZ_CHECK(pwreset_mail_compose(fuzz_pool, &m) != NULL);
}

static void check_key(const uint8_t *d, size_t n, int world_readable)
{
    apr_array_header_t *keys = NULL;
    const char *err;
    const pwreset_key *k;
    const char *t;
    pwreset_claims c;
    size_t len = n && d[n - 1] == '\n' ? n - 1 : n;

    write_file(file_path, d, n, world_readable ? 0604 : 0600);
    err = pwreset_parse_key_file(fuzz_pool, file_path, &keys);
    if (world_readable || n > 4096 || len < PWRESET_KEY_MIN) {
        FUZZ_CHECK(err && !keys);
        return;
    }
    FUZZ_CHECK(!err && keys && keys->nelts == 1);
    k = &APR_ARRAY_IDX(keys, 0, pwreset_key);
    FUZZ_CHECK(k->len == len && !memcmp(k->bytes, d, len));
    FUZZ_CHECK(k->kid && strlen(k->kid) == 16 && !strcmp(k->path, file_path));
    t = pwreset_token_issue(fuzz_pool, k, PWRESET_PURPOSE_LINK, "alice",
                            "$2y$04$hash", 1700000000, 600);
    FUZZ_CHECK(t && pwreset_token_verify(fuzz_pool, keys, t,
                                         PWRESET_PURPOSE_LINK, 1700000000,
                                         600, &c) == PWRESET_TOKEN_OK);
    /* The same key twice is refused, and leaves the list as it was. */
    FUZZ_CHECK(pwreset_parse_key_file(fuzz_pool, file_path, &keys) != NULL);
    FUZZ_CHECK(keys->nelts == 1);
}

/* 1 when the space-separated list holds `word`. */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *w = list; *w;) {
        size_t len = strcspn(w, " ");

        if (len == n && !strncmp(w, word, n)) {
            return 1;
        }
        w += len + (w[len] == ' ');
    }
    return 0;
}

static void check_csp(const char *arg)
{
    static const char *const directives[] = {
        "default-src", "style-src", "img-src", "font-src", "form-action",
        "base-uri", "frame-ancestors"};
    const pwreset_csp_extra *x = NULL;
    const char *csp, *d;
    int seen[7] = {0};

    if (pwreset_parse_csp_extra(fuzz_pool, arg, &x)) {
        return;
    }
    FUZZ_CHECK(x && (x->style_src || x->img_src || x->font_src));
    csp = pwreset_page_csp(fuzz_pool, NULL, x);
    /* One header value; the same directives, each once, and no other; no
     * quoted source but 'self' added (nothing like 'unsafe-inline'); no
     * data: for styles. */
    FUZZ_CHECK(pwreset_chars_only(csp, PWRESET_CHARS_HEADER));
    for (d = csp; *d;) {
        size_t n = strcspn(d, " ;");
        int i;

        for (i = 0; i < 7; i++) {
            if (strlen(directives[i]) == n && !strncmp(d, directives[i], n)) {
                break;
            }
        }
        FUZZ_CHECK(i < 7 && !seen[i]++);
        d += strcspn(d, ";");
        d += *d ? 2 : 0;
    }
    FUZZ_CHECK(seen[2] == (x->img_src != NULL)
               && seen[3] == (x->font_src != NULL));
    FUZZ_CHECK(fuzz_count(csp, "'") == 2 * fuzz_count(csp, "'self'") + 8);
    FUZZ_CHECK(!strchr(csp, ',') && !strchr(csp, '"'));
    FUZZ_CHECK(!x->style_src || !has_word(x->style_src, "data:"));
}

static void check_lang(const char *arg)
{
    const pwreset_lang *l = NULL, *n;
    char *tag = apr_pstrdup(fuzz_pool, arg);

    for (char *c = tag; *c; c++) {
        *c = *c == '_' ? '-' : *c;
    }
    if (!pwreset_parse_language(fuzz_pool, arg, &l)) {
        FUZZ_CHECK(l && l == pwreset_lang_get(arg) && !strcasecmp(l->tag, tag));
    }
    /* And the same text as an Accept-Language header. */
    n = pwreset_lang_negotiate(arg);
    FUZZ_CHECK(n != NULL);
    for (int i = 0; pwreset_languages[i] != n; i++) {
        FUZZ_CHECK(pwreset_languages[i + 1] != NULL);
    }
}

static void check_templates(const uint8_t *d, size_t n)
{
    const char *err = NULL, *perr = NULL;
    const pwreset_templates *ts;
    const pwreset_template *t;
    apr_array_header_t *styles = NULL;

    write_file(tpl_path, d, n, 0644);
    ts = pwreset_templates_load(fuzz_pool, tpl_dir, &err);
    t = pwreset_template_parse(fuzz_pool, PWRESET_TPL_RESET_TXT,
                               fuzz_memdup(d, n), n, &styles, &perr);
    FUZZ_CHECK(!ts == !t);
    FUZZ_CHECK(ts ? !err : err && *err);
    if (ts) {
        FUZZ_CHECK(pwreset_templates_find(ts, pwreset_lang_default(),
                                          PWRESET_TPL_RESET_TXT) != NULL);
        FUZZ_CHECK(!pwreset_templates_find(ts, pwreset_lang_default(),
                                           PWRESET_TPL_REQUEST));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned row;
    const uint8_t *rest;
    size_t n;
    const char *arg, *arg2 = NULL, *err;
    fuzz_fields f;

    if (size < 1) {
        return 0;
    }
    row = data[0] % ROWS;
    rest = data + 1;
    n = size - 1;
    fuzz_fields_init(&f, rest, n);
    arg = fuzz_field(&f);
    if (memchr(rest, '\0', n)) {
        arg2 = fuzz_field(&f);
    }
    switch (rows[row].k) {
    case KIND_KEYS:
        check_key(rest, n, data[0] >= 128);
        break;
    case KIND_LINK:
        check_link(arg);
        break;
    case KIND_PATH:
        err = pwreset_parse_local_path(fuzz_pool, arg);
        FUZZ_CHECK((err == NULL) == local_path_ok(arg));
        break;
    case KIND_URL:
        if (!pwreset_parse_url(fuzz_pool, arg)) {
            const pwreset_link *l;

            FUZZ_CHECK(arg[0] == '/' ? local_path_ok(arg)
                                     : pwreset_chars_only(arg,
                                                          PWRESET_CHARS_WORD));
            /* Absolute: a link but for its query. */
            FUZZ_CHECK(arg[0] == '/' || strchr(arg, '?')
                       || !pwreset_parse_link(fuzz_pool, arg, &l));
        }
        break;
    case KIND_SENDER:
        check_sender(arg);
        break;
    case KIND_COMMAND: {
        const char *const *argv = NULL;

        if (!pwreset_parse_command(fuzz_pool, arg, &argv)) {
            FUZZ_CHECK(argv && argv[0] && argv[0][0] == '/');
            for (int i = 0; argv[i]; i++) {
                FUZZ_CHECK(i < 1 + (int)strlen(arg));
            }
        }
        break;
    }
    case KIND_INT:
        check_int(arg, rows[row].a, rows[row].b);
        break;
    case KIND_QUERY:
        if (!pwreset_parse_query(fuzz_pool, arg, rows[row].a)) {
            FUZZ_CHECK(*arg && pwreset_parse_query(fuzz_pool, arg,
                                                   rows[row].a + 1));
        }
        break;
    case KIND_FILE: {
        pwreset_quality *q;

        write_file(file_path, rest, n, 0644);
        err = NULL;
        q = pwreset_quality_create(fuzz_pool, file_path, &err);
        FUZZ_CHECK(q ? 1 : err && *err);
        break;
    }
    case KIND_CACHE: {
        const pwreset_cache_spec *c = NULL;

        if (!pwreset_parse_cache_spec(fuzz_pool, arg, &c)) {
            FUZZ_CHECK(c && !strcmp(c->spec, arg) && *c->provider
                       && !strchr(c->provider, ':'));
            FUZZ_CHECK(c->args
                           ? !strcmp(apr_pstrcat(fuzz_pool, c->provider, ":",
                                                 c->args, NULL), arg)
                           : !strcmp(c->provider, arg));
        }
        break;
    }
    case KIND_LIMIT: {
        const pwreset_limit *l = NULL;

        if (!pwreset_parse_limit(fuzz_pool, arg, arg2, &l)) {
            FUZZ_CHECK(l);
            FUZZ_CHECK(arg2 ? l->count >= 1 && l->count <= 1000000
                              && l->window >= 1 && l->window <= 604800
                            : l->count == 0 && !strcasecmp(arg, "off"));
        }
        break;
    }
    case KIND_ORIGINS: {
        apr_array_header_t *origins = NULL;

        if (!pwreset_parse_origin(fuzz_pool, arg, &origins)) {
            const char *o;

            FUZZ_CHECK(origins && origins->nelts == 1);
            o = APR_ARRAY_IDX(origins, 0, const char *);
            FUZZ_CHECK(!strcmp(pwreset_origin_normalize(fuzz_pool, o), o));
            FUZZ_CHECK(!pwreset_parse_origin(fuzz_pool, o, &origins)
                       && origins->nelts == 2
                       && !strcmp(APR_ARRAY_IDX(origins, 1, const char *),
                                  o));
        }
        else {
            FUZZ_CHECK(!origins);
        }
        break;
    }
    case KIND_CORPUS:
        /* The glue maps the file; the core checks it. */
        err = pwreset_breached_check(fuzz_pool, fuzz_memdup(rest, n), n, 16);
        FUZZ_CHECK(!err || *err);
        break;
    case KIND_TEXT:
        if (!pwreset_parse_text(fuzz_pool, arg)) {
            size_t len = strlen(arg);

            FUZZ_CHECK(len >= 1 && len <= 100
                       && pwreset_utf8_valid(arg, len)
                       && pwreset_chars_only(arg, PWRESET_CHARS_TEXT));
        }
        break;
    case KIND_LANG:
        check_lang(arg);
        break;
    case KIND_TEMPLATES:
        check_templates(rest, n);
        break;
    case KIND_CSP:
        check_csp(arg);
        break;
    }
    fuzz_done();
    return 0;
}
