/* Directives, per-server config creation and merging.
 *
 * Every directive is checked while the configuration is parsed, so that
 * "apachectl configtest" shows the mistake with the directive's name. */
#include "config.h"
#include "input.h"
#include "log.h"
#include "quality.h"
#include "token.h"

#include <apr_escape.h>
#include <apr_file_io.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include <http_log.h>

/* A key file is a secret, not a document: refuse anything bigger. */
#define KEY_FILE_MAX 4096

void *pwreset_create_server_config(apr_pool_t *p, server_rec *s)
{
    pwreset_cfg *c = apr_pcalloc(p, sizeof(*c));

    (void)s;
    c->sendmail_timeout = PWRESET_UNSET;
    c->token_lifetime = PWRESET_UNSET;
    c->form_lifetime = PWRESET_UNSET;
    c->min_length = PWRESET_UNSET;
    c->bcrypt_cost = PWRESET_UNSET;
    c->account_limit.count = PWRESET_UNSET;
    c->client_limit.count = PWRESET_UNSET;
    return c;
}

#define PICK(field) (add->field ? add->field : base->field)
#define PICK_INT(field) \
    (add->field != PWRESET_UNSET ? add->field : base->field)

void *pwreset_merge_server_config(apr_pool_t *p, void *basev, void *addv)
{
    pwreset_cfg *base = basev, *add = addv;
    pwreset_cfg *c = apr_pcalloc(p, sizeof(*c));
    const pwreset_cfg *from;

    c->configured = base->configured || add->configured;
    c->keys = PICK(keys); /* a list set here replaces the inherited one */
    /* Settings that travel with what was derived from them. */
    from = add->link_url ? add : base;
    c->link_url = from->link_url;
    c->link_site = from->link_site;
    c->link_path = from->link_path;
    c->link_origin = from->link_origin;
    from = add->mail_from ? add : base;
    c->mail_from = from->mail_from;
    c->mail_domain = from->mail_domain;
    c->update_url = PICK(update_url);
    c->request_url = PICK(request_url);
    c->sendmail_argv = PICK(sendmail_argv);
    c->sendmail_timeout = PICK_INT(sendmail_timeout);
    c->token_lifetime = PICK_INT(token_lifetime);
    c->form_lifetime = PICK_INT(form_lifetime);
    c->min_length = PICK_INT(min_length);
    c->bcrypt_cost = PICK_INT(bcrypt_cost);
    c->q_by_email = PICK(q_by_email);
    c->q_by_name = PICK(q_by_name);
    c->q_update = PICK(q_update);
    c->quality = PICK(quality);
    c->cache = add->cache.spec ? add->cache : base->cache;
    c->account_limit = add->account_limit.count != PWRESET_UNSET
                           ? add->account_limit : base->account_limit;
    c->client_limit = add->client_limit.count != PWRESET_UNSET
                          ? add->client_limit : base->client_limit;
    return c;
}

static const char *statement_label(apr_pool_t *p, const char *prefix,
                                   const char *sql)
{
    unsigned char digest[APR_MD5_DIGESTSIZE];

    apr_md5(digest, sql, strlen(sql));
    return apr_pstrcat(p, prefix, apr_pescape_hex(p, digest, 8, 0), NULL);
}

void pwreset_cfg_finalize(pwreset_cfg *c, apr_pool_t *p)
{
    if (!c->sendmail_argv) {
        apr_tokenize_to_argv(PWRESET_DEFAULT_SENDMAIL,
                             (char ***)&c->sendmail_argv, p);
    }
    if (c->sendmail_timeout == PWRESET_UNSET) {
        c->sendmail_timeout = 60;
    }
    if (c->token_lifetime == PWRESET_UNSET) {
        c->token_lifetime = 1800;
    }
    if (c->form_lifetime == PWRESET_UNSET) {
        c->form_lifetime = 600;
    }
    if (c->min_length == PWRESET_UNSET) {
        c->min_length = 12;
    }
    if (c->bcrypt_cost == PWRESET_UNSET) {
        c->bcrypt_cost = 12;
    }
    if (!c->q_by_email) {
        c->q_by_email = "SELECT username, email, password FROM users "
                        "WHERE lower(email) = lower(%s)";
    }
    if (!c->q_by_name) {
        c->q_by_name = "SELECT username, email, password FROM users "
                       "WHERE username = %s";
    }
    if (!c->q_update) {
        c->q_update = "UPDATE users SET password = %s "
                      "WHERE username = %s AND password = %s";
    }
    if (c->request_url && c->request_url[0] != '/') {
        c->request_url_abs = c->request_url;
    }
    else if (c->request_url && c->link_origin) {
        c->request_url_abs = apr_pstrcat(p, c->link_origin, c->request_url,
                                         NULL);
    }
    if (c->account_limit.count == PWRESET_UNSET) {
        c->account_limit.count = 3;
        c->account_limit.window = 3600;
    }
    if (c->client_limit.count == PWRESET_UNSET) {
        c->client_limit.count = 20;
        c->client_limit.window = 600;
    }
    c->l_by_email = statement_label(p, "pwreset_by_email_", c->q_by_email);
    c->l_by_name = statement_label(p, "pwreset_by_name_", c->q_by_name);
    c->l_update = statement_label(p, "pwreset_update_", c->q_update);
}

int pwreset_cfg_limits_on(const pwreset_cfg *c)
{
    return c->account_limit.count > 0 || c->client_limit.count > 0;
}

pwreset_cfg *pwreset_cfg_get(server_rec *s)
{
    return ap_get_module_config(s->module_config, &pwreset_module);
}

static pwreset_cfg *cfg_of(cmd_parms *cmd)
{
    pwreset_cfg *c = pwreset_cfg_get(cmd->server);
    c->configured = 1;
    return c;
}

static const char *fail(cmd_parms *cmd, const char *fmt, const char *arg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ",
                       apr_psprintf(cmd->pool, fmt, arg), NULL);
}

static const char *set_secret_file(cmd_parms *cmd, void *dc, const char *arg)
{
    pwreset_cfg *c = cfg_of(cmd);
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t len;
    unsigned char *bytes;
    pwreset_key *key;
    apr_status_t rv;
    char err[120];

    (void)dc;
    if (!path) {
        return fail(cmd, "invalid path '%s'", arg);
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: cannot read '%s': %s",
                            cmd->cmd->name, path,
                            apr_strerror(rv, err, sizeof(err)));
    }
    if (fi.filetype != APR_REG || fi.size > KEY_FILE_MAX) {
        apr_file_close(f);
        return fail(cmd, "'%s' is not a regular file of at most 4096 bytes",
                    path);
    }
    len = (apr_size_t)fi.size;
    bytes = apr_palloc(cmd->pool, len + 1);
    rv = apr_file_read_full(f, bytes, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return fail(cmd, "cannot read '%s'", path);
    }
    if (len > 0 && bytes[len - 1] == '\n') {
        len--;
    }
    if (len < PWRESET_KEY_MIN) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' holds %" APR_SIZE_T_FMT " bytes of key; "
                            "at least %d are needed (for example: "
                            "openssl rand -base64 48 > %s)",
                            cmd->cmd->name, path, len, PWRESET_KEY_MIN, path);
    }
    if (!c->keys) {
        c->keys = apr_array_make(cmd->pool, 2, sizeof(pwreset_key));
    }
    key = apr_array_push(c->keys);
    if (pwreset_key_init(cmd->pool, key, bytes, len) != APR_SUCCESS) {
        return fail(cmd, "cannot derive a key from '%s'", path);
    }
    for (int i = 0; i < c->keys->nelts - 1; i++) {
        if (!strcmp(APR_ARRAY_IDX(c->keys, i, pwreset_key).kid, key->kid)) {
            return fail(cmd, "'%s' holds a key that is already listed", path);
        }
    }
    return NULL;
}

static int has_space_or_control(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
            return 1;
        }
    }
    return 0;
}

static const char *check_http_url(cmd_parms *cmd, const char *arg,
                                  apr_uri_t *u)
{
    if (has_space_or_control(arg)
        || apr_uri_parse(cmd->temp_pool, arg, u) != APR_SUCCESS
        || !u->scheme || (strcasecmp(u->scheme, "http")
                          && strcasecmp(u->scheme, "https"))
        || !u->hostname || !*u->hostname || u->user || u->password
        || u->fragment) {
        return fail(cmd, "'%s' is not an absolute http:// or https:// URL "
                         "(without user, password or #fragment)", arg);
    }
    return NULL;
}

static const char *set_link_url(cmd_parms *cmd, void *dc, const char *arg)
{
    pwreset_cfg *c = cfg_of(cmd);
    apr_uri_t u;
    const char *err = check_http_url(cmd, arg, &u);

    (void)dc;
    if (err) {
        return err;
    }
    /* The link handler takes exactly one parameter, the token. */
    if (u.query) {
        return fail(cmd, "'%s' must not have a query string", arg);
    }
    c->link_url = arg;
    c->link_site = apr_pstrdup(cmd->pool, u.hostname);
    c->link_path = apr_pstrdup(cmd->pool, u.path && *u.path ? u.path : "/");
    c->link_origin = apr_pstrcat(cmd->pool, u.scheme, "://", u.hostinfo,
                                 NULL);
    return NULL;
}

/* A local path that can also be a cookie's Path attribute. */
static const char *check_local_path(cmd_parms *cmd, const char *arg)
{
    if (arg[0] != '/' || arg[1] == '/' || has_space_or_control(arg)
        || strpbrk(arg, ";,?#\"\\")) {
        return fail(cmd, "'%s' must be a local path starting with a single "
                         "'/', without spaces, quotes, ';', ',', '?' or '#'",
                    arg);
    }
    return NULL;
}

static const char *set_update_url(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = check_local_path(cmd, arg);

    (void)dc;
    if (!err) {
        cfg_of(cmd)->update_url = arg;
    }
    return err;
}

static const char *set_request_url(cmd_parms *cmd, void *dc, const char *arg)
{
    apr_uri_t u;
    const char *err = arg[0] == '/' ? check_local_path(cmd, arg)
                                    : check_http_url(cmd, arg, &u);

    (void)dc;
    if (!err) {
        cfg_of(cmd)->request_url = arg;
    }
    return err;
}

static const char *set_mail_from(cmd_parms *cmd, void *dc, const char *arg)
{
    pwreset_cfg *c = cfg_of(cmd);

    (void)dc;
    if (!pwreset_addr_mailable(arg)) {
        return fail(cmd, "'%s' is not one plain ASCII address such as "
                         "no-reply@example.org", arg);
    }
    c->mail_from = arg;
    c->mail_domain = strchr(arg, '@') + 1;
    return NULL;
}

static const char *set_sendmail(cmd_parms *cmd, void *dc, const char *arg)
{
    pwreset_cfg *c = cfg_of(cmd);
    char **argv = NULL;

    (void)dc;
    if (apr_tokenize_to_argv(arg, &argv, cmd->pool) != APR_SUCCESS
        || !argv || !argv[0] || argv[0][0] != '/') {
        return fail(cmd, "'%s' must start with the absolute path of a "
                         "program (it is run without a shell)", arg);
    }
    c->sendmail_argv = (const char *const *)argv;
    return NULL;
}

static const char *parse_int(cmd_parms *cmd, const char *arg, int lo, int hi,
                             int *out)
{
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (!*arg || *end || v < lo || v > hi) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number from "
                            "%d to %d", cmd->cmd->name, arg, lo, hi);
    }
    *out = (int)v;
    return NULL;
}

typedef struct {
    apr_size_t offset;
    int lo, hi;
} int_setting;

static const int_setting sendmail_timeout = {
    APR_OFFSETOF(pwreset_cfg, sendmail_timeout), 1, 3600};
static const int_setting token_lifetime = {
    APR_OFFSETOF(pwreset_cfg, token_lifetime), 1, 604800};
static const int_setting form_lifetime = {
    APR_OFFSETOF(pwreset_cfg, form_lifetime), 1, 86400};
static const int_setting min_length = {
    APR_OFFSETOF(pwreset_cfg, min_length), 8, 64};
static const int_setting bcrypt_cost = {
    APR_OFFSETOF(pwreset_cfg, bcrypt_cost), 4, 15};

static const char *set_int(cmd_parms *cmd, void *dc, const char *arg)
{
    const int_setting *is = cmd->info;
    char *c = (char *)cfg_of(cmd);

    (void)dc;
    return parse_int(cmd, arg, is->lo, is->hi, (int *)(c + is->offset));
}

static const char *set_query(cmd_parms *cmd, void *dc, const char *arg)
{
    pwreset_cfg *c = cfg_of(cmd);
    const char *which = cmd->info;

    (void)dc;
    if (!*arg) {
        return fail(cmd, "%san SQL statement is needed", "");
    }
    if (!strcmp(which, "email")) {
        c->q_by_email = arg;
    }
    else if (!strcmp(which, "name")) {
        c->q_by_name = arg;
    }
    else {
        c->q_update = arg;
    }
    return NULL;
}

static const char *set_quality(cmd_parms *cmd, void *dc, const char *arg)
{
    pwreset_cfg *c = cfg_of(cmd);
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *err = NULL;

    (void)dc;
    if (!path || !(c->quality = pwreset_quality_create(cmd->pool, path,
                                                       &err))) {
        return apr_psprintf(cmd->pool, "%s: '%s': %s", cmd->cmd->name, arg,
                            err ? err : "invalid path");
    }
    return NULL;
}

static const char *set_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    pwreset_cfg *c = cfg_of(cmd);
    const char *err = pwreset_cache_parse(cmd->pool, &c->cache, arg);

    (void)dc;
    return err ? fail(cmd, "%s", err) : NULL;
}

static const apr_size_t account_limit = APR_OFFSETOF(pwreset_cfg,
                                                     account_limit);
static const apr_size_t client_limit = APR_OFFSETOF(pwreset_cfg,
                                                    client_limit);

/* "count seconds" or "off". */
static const char *set_limit(cmd_parms *cmd, void *dc, const char *count,
                             const char *seconds)
{
    pwreset_cfg *c = cfg_of(cmd);
    pwreset_limit *l = (pwreset_limit *)((char *)c
                                         + *(const apr_size_t *)cmd->info);
    const char *err;

    (void)dc;
    if (!seconds) {
        if (strcasecmp(count, "off")) {
            return fail(cmd, "'%s': give a count and a number of seconds, "
                             "or off", count);
        }
        l->count = 0;
        l->window = 0;
        return NULL;
    }
    if ((err = parse_int(cmd, count, 1, 1000000, &l->count))
        || (err = parse_int(cmd, seconds, 1, 604800, &l->window))) {
        return err;
    }
    return NULL;
}

const command_rec pwreset_cmds[] = {
    AP_INIT_TAKE1("PwResetSecretFile", set_secret_file, NULL, RSRC_CONF,
                  "file holding a signing key (at least 32 bytes); repeat to "
                  "rotate: the first signs, all verify"),
    AP_INIT_TAKE1("PwResetLinkURL", set_link_url, NULL, RSRC_CONF,
                  "absolute http(s) URL of the pwreset-link location"),
    AP_INIT_TAKE1("PwResetUpdateURL", set_update_url, NULL, RSRC_CONF,
                  "local path of the pwreset-update location"),
    AP_INIT_TAKE1("PwResetRequestURL", set_request_url, NULL, RSRC_CONF,
                  "where to ask for a new link, offered on error pages"),
    AP_INIT_TAKE1("PwResetMailFrom", set_mail_from, NULL, RSRC_CONF,
                  "From: address of every mail"),
    AP_INIT_TAKE1("PwResetSendmail", set_sendmail, NULL, RSRC_CONF,
                  "program and arguments the mail is piped to (no shell)"),
    AP_INIT_TAKE1("PwResetSendmailTimeout", set_int, (void *)&sendmail_timeout,
                  RSRC_CONF, "seconds sendmail may take before it is killed "
                  "(1-3600)"),
    AP_INIT_TAKE1("PwResetTokenLifetime", set_int, (void *)&token_lifetime, RSRC_CONF,
                  "seconds a mailed link stays valid (1-604800)"),
    AP_INIT_TAKE1("PwResetFormLifetime", set_int, (void *)&form_lifetime, RSRC_CONF,
                  "seconds the form stays valid after the click (1-86400)"),
    AP_INIT_TAKE1("PwResetMinLength", set_int, (void *)&min_length, RSRC_CONF,
                  "shortest new password in characters (8-64)"),
    AP_INIT_TAKE1("PwResetBcryptCost", set_int, (void *)&bcrypt_cost, RSRC_CONF,
                  "bcrypt cost of new hashes (4-15)"),
    AP_INIT_TAKE1("PwResetUserByEmailQuery", set_query, "email", RSRC_CONF,
                  "SQL: username, email, password of accounts by address"),
    AP_INIT_TAKE1("PwResetUserByNameQuery", set_query, "name", RSRC_CONF,
                  "SQL: username, email, password of an account by name"),
    AP_INIT_TAKE1("PwResetUpdateQuery", set_query, "update", RSRC_CONF,
                  "SQL: set new hash where username and old hash match"),
    AP_INIT_TAKE1("PwResetQualityConfig", set_quality, NULL, RSRC_CONF,
                  "a pwquality.conf for the password checks (the system's "
                  "is not read otherwise)"),
    AP_INIT_TAKE1("PwResetCache", set_cache, NULL, RSRC_CONF,
                  "ap_socache provider[:args] holding the abuse counters "
                  "(default shmcb)"),
    AP_INIT_TAKE12("PwResetAccountLimit", set_limit, (void *)&account_limit, RSRC_CONF,
                   "mails to one address: count seconds, or off "
                   "(default 3 3600)"),
    AP_INIT_TAKE12("PwResetClientLimit", set_limit, (void *)&client_limit, RSRC_CONF,
                   "POSTs from one client address: count seconds, or off "
                   "(default 20 600)"),
    {NULL}
};
