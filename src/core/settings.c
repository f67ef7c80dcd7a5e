/* SPDX-License-Identifier: Apache-2.0 */
/* Settings: defaults, merging, getters and the value parsers.  See
 * settings.h. */
#include "settings.h"
#include "input.h"
#include "mail.h"
#include "token.h"

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include <errno.h>
#include <string.h>

/* A key file is a secret, not a document: refuse anything bigger. */
#define KEY_FILE_MAX 4096

/* ---- defaults, merging, getters -------------------------------------- */

/* The one place defaults live: nothing writes them into a server's
 * settings, so a merged configuration shared by virtual hosts only ever
 * holds what an admin wrote. */
#define PWRESET_DEFAULT_(name, kind, field, a, b, def, help) .field = def,
static const pwreset_settings defconf = {
    0, PWRESET_DIRECTIVES(PWRESET_DEFAULT_)
};

#define PWRESET_IS_SET_INT(v) ((v) != PWRESET_UNSET)
#define PWRESET_IS_SET_KEYS(v) ((v) != NULL)
#define PWRESET_IS_SET_LINK(v) ((v) != NULL)
#define PWRESET_IS_SET_PATH(v) ((v) != NULL)
#define PWRESET_IS_SET_URL(v) ((v) != NULL)
#define PWRESET_IS_SET_SENDER(v) ((v) != NULL)
#define PWRESET_IS_SET_COMMAND(v) ((v) != NULL)
#define PWRESET_IS_SET_QUERY(v) ((v) != NULL)
#define PWRESET_IS_SET_FILE(v) ((v) != NULL)
#define PWRESET_IS_SET_CACHE(v) ((v) != NULL)
#define PWRESET_IS_SET_LIMIT(v) ((v) != NULL)
#define PWRESET_IS_SET_ORIGINS(v) ((v) != NULL)
#define PWRESET_IS_SET_CORPUS(v) ((v) != NULL)
#define PWRESET_IS_SET_TEXT(v) ((v) != NULL)
#define PWRESET_IS_SET_LANG(v) ((v) != NULL)
#define PWRESET_IS_SET_TEMPLATES(v) ((v) != NULL)
#define PWRESET_IS_SET_CSP(v) ((v) != NULL)

#define PWRESET_UNSET_INT PWRESET_UNSET
#define PWRESET_UNSET_KEYS NULL
#define PWRESET_UNSET_LINK NULL
#define PWRESET_UNSET_PATH NULL
#define PWRESET_UNSET_URL NULL
#define PWRESET_UNSET_SENDER NULL
#define PWRESET_UNSET_COMMAND NULL
#define PWRESET_UNSET_QUERY NULL
#define PWRESET_UNSET_FILE NULL
#define PWRESET_UNSET_CACHE NULL
#define PWRESET_UNSET_LIMIT NULL
#define PWRESET_UNSET_ORIGINS NULL
#define PWRESET_UNSET_CORPUS NULL
#define PWRESET_UNSET_TEXT NULL
#define PWRESET_UNSET_LANG NULL
#define PWRESET_UNSET_TEMPLATES NULL
#define PWRESET_UNSET_CSP NULL

void pwreset_settings_init(pwreset_settings *c)
{
    memset(c, 0, sizeof(*c));
#define PWRESET_INIT_(name, kind, field, a, b, def, help)                    \
    c->field = PWRESET_UNSET_##kind;
    PWRESET_DIRECTIVES(PWRESET_INIT_)
}

void pwreset_settings_merge(pwreset_settings *c, const pwreset_settings *base,
                            const pwreset_settings *add)
{
    c->configured = base->configured || add->configured;
#define PWRESET_MERGE_(name, kind, field, a, b, def, help)                   \
    c->field = PWRESET_IS_SET_##kind(add->field) ? add->field : base->field;
    PWRESET_DIRECTIVES(PWRESET_MERGE_)
}

#define PWRESET_GETTER_(name, kind, field, a, b, def, help)                  \
    PWRESET_TYPE_##kind pwreset_cfg_##field(const pwreset_settings *c)       \
    {                                                                        \
        return PWRESET_IS_SET_##kind(c->field) ? c->field : defconf.field;   \
    }
PWRESET_DIRECTIVES(PWRESET_GETTER_)

int pwreset_cfg_limits_on(const pwreset_settings *c)
{
    return pwreset_cfg_account_limit(c)->count > 0
           || pwreset_cfg_client_limit(c)->count > 0;
}

const char *pwreset_cfg_site(const pwreset_settings *c)
{
    const pwreset_link *link = pwreset_cfg_link(c);

    return c->site_name ? c->site_name : link ? link->site : NULL;
}

const char *pwreset_cfg_request_url_abs(apr_pool_t *p,
                                        const pwreset_settings *c)
{
    if (!c->request_url) {
        return NULL;
    }
    if (c->request_url[0] != '/') {
        return c->request_url;
    }
    return c->link ? apr_pstrcat(p, c->link->origin, c->request_url, NULL)
                   : NULL;
}

/* ---- value parsers ---------------------------------------------------- */

const char *pwreset_parse_int(apr_pool_t *p, const char *arg, int lo, int hi,
                              int *out)
{
    char *end;
    apr_int64_t v;

    errno = 0;
    v = apr_strtoi64(arg, &end, 10);
    if (!*arg || *end || errno || v < lo || v > hi) {
        return apr_psprintf(p, "'%s' is not a whole number from %d to %d",
                            arg, lo, hi);
    }
    *out = (int)v;
    return NULL;
}

static const char *parse_http_url(apr_pool_t *p, const char *arg,
                                  apr_uri_t *u)
{
    if (!pwreset_chars_only(arg, PWRESET_CHARS_WORD)
        || apr_uri_parse(p, arg, u) != APR_SUCCESS
        || !u->scheme || (strcasecmp(u->scheme, "http")
                          && strcasecmp(u->scheme, "https"))
        || !u->hostname || !*u->hostname || strpbrk(u->hostname, "[]")
        || u->user || u->password
        || u->fragment || (u->port_str && !pwreset_port_ok(u->port_str))) {
        return apr_psprintf(p, "'%s' is not an absolute http:// or https:// "
                            "URL (without user, password or #fragment)", arg);
    }
    return NULL;
}

const char *pwreset_parse_link(apr_pool_t *p, const char *arg,
                               const pwreset_link **out)
{
    pwreset_link *l;
    apr_uri_t u;
    const char *err = parse_http_url(p, arg, &u);

    if (err) {
        return err;
    }
    /* The link handler takes exactly one parameter, the token. */
    if (u.query) {
        return apr_psprintf(p, "'%s' must not have a query string", arg);
    }
    l = apr_palloc(p, sizeof(*l));
    l->url = apr_pstrdup(p, arg);
    l->site = apr_pstrdup(p, u.hostname);
    l->path = apr_pstrdup(p, u.path && *u.path ? u.path : "/");
    l->origin = apr_pstrcat(p, u.scheme, "://", u.hostinfo, NULL);
    *out = l;
    return NULL;
}

const char *pwreset_parse_local_path(apr_pool_t *p, const char *arg)
{
    if (arg[0] != '/' || arg[1] == '/'
        || !pwreset_chars_only(arg, PWRESET_CHARS_WORD)
        || strpbrk(arg, ";,?#\"\\")) {
        return apr_psprintf(p, "'%s' must be a local path starting with a "
                            "single '/', without spaces, quotes, ';', ',', "
                            "'?' or '#'", arg);
    }
    return NULL;
}

const char *pwreset_parse_url(apr_pool_t *p, const char *arg)
{
    apr_uri_t u;

    return arg[0] == '/' ? pwreset_parse_local_path(p, arg)
                         : parse_http_url(p, arg, &u);
}

/* Longest display name: one line of header, whatever its encoding. */
#define DISPLAY_MAX 64

const char *pwreset_parse_sender(apr_pool_t *p, const char *arg,
                                 const pwreset_sender **out)
{
    const char *lt = strrchr(arg, '<');
    apr_size_t len = strlen(arg);
    pwreset_sender *s = apr_pcalloc(p, sizeof(*s));
    const char *address = arg;

    /* "Name <address>": the name is everything before '<', trimmed. */
    if (lt && len > 0 && arg[len - 1] == '>') {
        s->name = pwreset_trim(p, apr_pstrmemdup(p, arg, lt - arg));
        address = apr_pstrmemdup(p, lt + 1, len - (lt - arg) - 2);
        if (s->name[0] == '"' && strlen(s->name) >= 2
            && s->name[strlen(s->name) - 1] == '"') {
            s->name = apr_pstrmemdup(p, s->name + 1, strlen(s->name) - 2);
        }
        if (!*s->name) {
            s->name = NULL;
        }
    }
    if (!pwreset_addr_mailable(address)) {
        return apr_psprintf(p, "'%s' is not one plain ASCII address such as "
                            "no-reply@example.org, or a name and one such as "
                            "\"Example Shop <no-reply@example.org>\"", arg);
    }
    if (s->name && (strlen(s->name) > DISPLAY_MAX
                    || !pwreset_utf8_valid(s->name, strlen(s->name))
                    || !pwreset_chars_only(s->name, PWRESET_CHARS_TEXT)
                    || strpbrk(s->name, "<>\\"))) {
        return apr_psprintf(p, "the name in '%s' must be UTF-8 text of at "
                            "most %d bytes, without control characters, "
                            "angle brackets or backslashes", arg,
                            DISPLAY_MAX);
    }
    s->address = apr_pstrdup(p, address);
    s->domain = strchr(s->address, '@') + 1;
    s->header = s->name ? apr_pstrcat(p, pwreset_mail_display_name(p, s->name),
                                      " <", s->address, ">", NULL)
                        : s->address;
    *out = s;
    return NULL;
}

const char *pwreset_parse_text(apr_pool_t *p, const char *arg)
{
    if (!*arg || strlen(arg) > 100 || !pwreset_utf8_valid(arg, strlen(arg))
        || !pwreset_chars_only(arg, PWRESET_CHARS_TEXT)) {
        return apr_psprintf(p, "'%s' must be UTF-8 text of 1 to 100 bytes, "
                            "without control characters", arg);
    }
    return NULL;
}

/* One source of a CSP source list that cannot let inline code or another
 * kind of content in: 'self', a scheme ("https:", "data:" for img-src and
 * font-src), or a host with a scheme ("https://cdn.example.org"). */
static int csp_source_ok(const char *s, int data_ok)
{
    if (!strcmp(s, "'self'") || !strcmp(s, "https:")
        || (data_ok && !strcmp(s, "data:"))) {
        return 1;
    }
    return (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7))
           && !strpbrk(s, "'\";,")
           && pwreset_chars_only(s, PWRESET_CHARS_WORD);
}

const char *pwreset_parse_csp_extra(apr_pool_t *p, const char *arg,
                                    const pwreset_csp_extra **out)
{
    pwreset_csp_extra *x = apr_pcalloc(p, sizeof(*x));
    char *copy = apr_pstrdup(p, arg), *last = NULL, *part;

    for (part = apr_strtok(copy, ";", &last); part;
         part = apr_strtok(NULL, ";", &last)) {
        char *wlast = NULL, *word = apr_strtok(part, " \t", &wlast);
        const char **slot;
        const char *list = NULL;
        int data_ok;

        if (!word) {
            continue;
        }
        slot = !strcmp(word, "style-src") ? &x->style_src
             : !strcmp(word, "img-src") ? &x->img_src
             : !strcmp(word, "font-src") ? &x->font_src : NULL;
        if (!slot) {
            return apr_psprintf(p, "'%s': only style-src, img-src and "
                                "font-src can be added to; the rest of the "
                                "policy stays", word);
        }
        data_ok = slot != &x->style_src;
        while ((word = apr_strtok(NULL, " \t", &wlast))) {
            if (!csp_source_ok(word, data_ok)) {
                return apr_psprintf(p, "'%s' is not a source that can be "
                                    "added: 'self', https:, %sor a URL such "
                                    "as https://cdn.example.org", word,
                                    data_ok ? "data:, " : "");
            }
            list = list ? apr_pstrcat(p, list, " ", word, NULL) : word;
        }
        if (!list) {
            return "name at least one source after the directive";
        }
        *slot = *slot ? apr_pstrcat(p, *slot, " ", list, NULL) : list;
    }
    if (!x->style_src && !x->img_src && !x->font_src) {
        return "give style-src, img-src or font-src and their sources";
    }
    *out = x;
    return NULL;
}

const char *pwreset_parse_language(apr_pool_t *p, const char *arg,
                                   const pwreset_lang **out)
{
    const pwreset_lang *l = pwreset_lang_get(arg);
    const char *known = "";
    char *tag = apr_pstrdup(p, arg);

    for (char *c = tag; *c; c++) {
        *c = *c == '_' ? '-' : *c;
    }
    /* Exactly a language there is, not one it would fall back to. */
    if (!l || strcasecmp(l->tag, tag)) {
        for (int i = 0; pwreset_languages[i]; i++) {
            known = apr_pstrcat(p, known, i ? ", " : "",
                                pwreset_languages[i]->tag, NULL);
        }
        return apr_psprintf(p, "'%s' is not a language there are pages and "
                            "mails in (%s; see po/ to add one)", arg, known);
    }
    *out = l;
    return NULL;
}

const char *pwreset_parse_command(apr_pool_t *p, const char *arg,
                                  const char *const **out)
{
    char **argv = NULL;

    if (apr_tokenize_to_argv(arg, &argv, p) != APR_SUCCESS || !argv
        || !argv[0] || argv[0][0] != '/') {
        return apr_psprintf(p, "'%s' must start with the absolute path of a "
                            "program (it is run without a shell)", arg);
    }
    *out = (const char *const *)argv;
    return NULL;
}

/* As apr_dbd_prepare() counts them: '%' and a letter is a parameter, "%%"
 * a literal percent sign. */
static int count_conversions(const char *sql)
{
    int n = 0;

    for (; *sql; sql++) {
        if (sql[0] == '%') {
            if (apr_isalpha(sql[1])) {
                n++;
            }
            else if (sql[1] == '%') {
                sql++;
            }
        }
    }
    return n;
}

const char *pwreset_parse_query(apr_pool_t *p, const char *sql,
                                int conversions)
{
    int n;

    if (!*sql) {
        return "an SQL statement is needed";
    }
    n = count_conversions(sql);
    if (n != conversions) {
        return apr_psprintf(p, "the statement has %d parameter%s (%%s) where "
                            "%d %s needed; write %%%% for a literal percent "
                            "sign", n, n == 1 ? "" : "s", conversions,
                            conversions == 1 ? "is" : "are");
    }
    return NULL;
}

const char *pwreset_parse_cache_spec(apr_pool_t *p, const char *arg,
                                     const pwreset_cache_spec **out)
{
    const char *colon = strchr(arg, ':');
    pwreset_cache_spec *c;

    if (!*arg || colon == arg) {
        return apr_psprintf(p, "'%s': name a cache provider, as in shmcb or "
                            "memcache:host:port", arg);
    }
    c = apr_palloc(p, sizeof(*c));
    c->spec = apr_pstrdup(p, arg);
    c->provider = colon ? apr_pstrmemdup(p, arg, colon - arg) : c->spec;
    c->args = colon ? c->spec + (colon - arg) + 1 : NULL;
    *out = c;
    return NULL;
}

const char *pwreset_parse_limit(apr_pool_t *p, const char *count,
                                const char *seconds,
                                const pwreset_limit **out)
{
    pwreset_limit *l = apr_pcalloc(p, sizeof(*l));
    const char *err;

    if (!seconds) {
        if (strcasecmp(count, "off")) {
            return apr_psprintf(p, "'%s': give a count and a number of "
                                "seconds, or off", count);
        }
    }
    else if ((err = pwreset_parse_int(p, count, 1, 1000000, &l->count))
             || (err = pwreset_parse_int(p, seconds, 1, 604800,
                                         &l->window))) {
        return err;
    }
    *out = l;
    return NULL;
}

/* APR's permission bits as the octal mode people know. */
static unsigned int octal_mode(apr_fileperms_t perms)
{
    return (((perms >> 8) & 7) << 6) | (((perms >> 4) & 7) << 3)
           | (perms & 7);
}

const char *pwreset_parse_origin(apr_pool_t *p, const char *arg,
                                 apr_array_header_t **origins)
{
    const char *origin = pwreset_origin_normalize(p, arg);

    if (!origin) {
        return apr_psprintf(p, "'%s' is not an origin such as "
                            "https://www.example.org (a scheme, a host and "
                            "maybe a port; no path)", arg);
    }
    if (!*origins) {
        *origins = apr_array_make(p, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(*origins, const char *) = origin;
    return NULL;
}

const char *pwreset_parse_key_file(apr_pool_t *p, const char *path,
                                   apr_array_header_t **keys)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t len;
    unsigned char *bytes;
    pwreset_key *key;
    apr_status_t rv;
    char err[120];

    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE
                                        | APR_FINFO_PROT | APR_FINFO_OWNER,
                               f);
        if (rv != APR_SUCCESS) {
            apr_file_close(f);
        }
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read '%s': %s", path,
                            apr_strerror(rv, err, sizeof(err)));
    }
    if (fi.filetype != APR_REG || fi.size > KEY_FILE_MAX) {
        apr_file_close(f);
        return apr_psprintf(p, "'%s' is not a regular file of at most %d "
                            "bytes", path, KEY_FILE_MAX);
    }
    /* A signing key that any local user may read lets them mint links for
     * every account; one they may write lets them plant their own. */
    if (fi.protection & (APR_WREAD | APR_WWRITE | APR_WEXECUTE)) {
        apr_file_close(f);
        return apr_psprintf(p, "'%s' may be read or written by every local "
                            "user (mode %04o): chmod 600 '%s' (httpd reads "
                            "it as root, before it drops privileges)", path,
                            octal_mode(fi.protection), path);
    }
    len = (apr_size_t)fi.size;
    bytes = apr_palloc(p, len + 1);
    rv = apr_file_read_full(f, bytes, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(p, "cannot read '%s'", path);
    }
    if (len > 0 && bytes[len - 1] == '\n') {
        len--;
    }
    if (len < PWRESET_KEY_MIN) {
        return apr_psprintf(p, "'%s' holds %" APR_SIZE_T_FMT " bytes of key; "
                            "at least %d are needed (for example: openssl "
                            "rand -base64 48 > %s)", path, len,
                            PWRESET_KEY_MIN, path);
    }
    if (!*keys) {
        *keys = apr_array_make(p, 2, sizeof(pwreset_key));
    }
    key = apr_array_push(*keys);
    key->path = apr_pstrdup(p, path);
    key->uid = fi.user;
    key->gid = fi.group;
    key->perms = fi.protection;
    if (pwreset_key_init(p, key, bytes, len) != APR_SUCCESS) {
        apr_array_pop(*keys);
        return apr_psprintf(p, "cannot derive a key from '%s'", path);
    }
    for (int i = 0; i < (*keys)->nelts - 1; i++) {
        if (!strcmp(APR_ARRAY_IDX(*keys, i, pwreset_key).kid, key->kid)) {
            apr_array_pop(*keys);
            return apr_psprintf(p, "'%s' holds a key that is already listed",
                                path);
        }
    }
    return NULL;
}
