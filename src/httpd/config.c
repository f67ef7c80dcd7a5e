/* SPDX-License-Identifier: Apache-2.0 */
/* The directives: the command table made from src/core/settings.h's
 * PWRESET_DIRECTIVES, one setter per kind of value, and the per-server
 * create and merge.  The checks themselves are the core's parsers; here
 * they get the directive's name and httpd's paths and providers. */
#include "config.h"
#include "breached.h"
#include "mod_pwreset_private.h"
#include "core/quality.h"
#include "core/token.h"

#include <ap_provider.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_core.h>
#include <stdarg.h>
#include <unistd.h>
#include <unixd.h>

void *pwreset_create_server_config(apr_pool_t *p, server_rec *s)
{
    pwreset_settings *c = apr_palloc(p, sizeof(*c));

    (void)s;
    pwreset_settings_init(c);
    return c;
}

void *pwreset_merge_server_config(apr_pool_t *p, void *basev, void *addv)
{
    pwreset_settings *c = apr_palloc(p, sizeof(*c));

    pwreset_settings_merge(c, basev, addv);
    return c;
}

const pwreset_settings *pwreset_cfg_get(server_rec *s)
{
    return ap_get_module_config(s->module_config, &pwreset_module);
}

/* Where a directive's value goes, and the a and b of its row. */
typedef struct {
    apr_size_t offset;
    int a, b;
} directive_info;

/* The settings a directive writes to; being written, they are configured. */
static void *field_of(cmd_parms *cmd)
{
    pwreset_settings *c = ap_get_module_config(cmd->server->module_config,
                                               &pwreset_module);
    c->configured = 1;
    return (char *)c + ((const directive_info *)cmd->info)->offset;
}

static const directive_info *info_of(cmd_parms *cmd)
{
    return cmd->info;
}

/* "PwResetX: " and the message. */
static const char *fail(cmd_parms *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *fail(cmd_parms *cmd, const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    va_start(ap, fmt);
    msg = apr_pvsprintf(cmd->pool, fmt, ap);
    va_end(ap);
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

static const char *checked(cmd_parms *cmd, const char *err)
{
    return err ? fail(cmd, "%s", err) : NULL;
}

static const char *set_KEYS(cmd_parms *cmd, void *dc, const char *arg)
{
    apr_array_header_t **keys = field_of(cmd);
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);

    (void)dc;
    if (!path) {
        return fail(cmd, "invalid path '%s'", arg);
    }
    return checked(cmd, pwreset_parse_key_file(cmd->pool, path, keys));
}

static const char *set_LINK(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    return checked(cmd, pwreset_parse_link(cmd->pool, arg, field_of(cmd)));
}

static const char *set_PATH(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = pwreset_parse_local_path(cmd->temp_pool, arg);

    (void)dc;
    if (!err) {
        *(const char **)field_of(cmd) = arg;
    }
    return checked(cmd, err);
}

static const char *set_URL(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = pwreset_parse_url(cmd->temp_pool, arg);

    (void)dc;
    if (!err) {
        *(const char **)field_of(cmd) = arg;
    }
    return checked(cmd, err);
}

static const char *set_SENDER(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    return checked(cmd, pwreset_parse_sender(cmd->pool, arg, field_of(cmd)));
}

static const char *set_COMMAND(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    return checked(cmd, pwreset_parse_command(cmd->pool, arg, field_of(cmd)));
}

static const char *set_INT(cmd_parms *cmd, void *dc, const char *arg)
{
    const directive_info *info = info_of(cmd);

    (void)dc;
    return checked(cmd, pwreset_parse_int(cmd->temp_pool, arg, info->a,
                                          info->b, field_of(cmd)));
}

static const char *set_QUERY(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = pwreset_parse_query(cmd->temp_pool, arg,
                                          info_of(cmd)->a);

    (void)dc;
    if (!err) {
        *(const char **)field_of(cmd) = arg;
    }
    return checked(cmd, err);
}

/* PwResetQualityConfig: read now, so that a mistake in it is the
 * directive's error; the checks used at run time are made in post_config. */
static const char *set_FILE(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *err = NULL;

    (void)dc;
    if (!path) {
        return fail(cmd, "invalid path '%s'", arg);
    }
    if (!pwreset_quality_create(cmd->temp_pool, path, &err)) {
        return fail(cmd, "'%s': %s", arg, err);
    }
    *(const char **)field_of(cmd) = path;
    return NULL;
}

static const char *set_CACHE(cmd_parms *cmd, void *dc, const char *arg)
{
    const pwreset_cache_spec *spec;
    const char *err = pwreset_parse_cache_spec(cmd->pool, arg, &spec);

    (void)dc;
    if (err) {
        return fail(cmd, "%s", err);
    }
    if (!ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, spec->provider,
                            AP_SOCACHE_PROVIDER_VERSION)) {
        return fail(cmd, "unknown cache provider '%s': load mod_socache_%s "
                    "(Debian: a2enmod socache_%s)", spec->provider,
                    spec->provider, spec->provider);
    }
    *(const pwreset_cache_spec **)field_of(cmd) = spec;
    return NULL;
}

static const char *set_ORIGINS(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    return checked(cmd, pwreset_parse_origin(cmd->pool, arg, field_of(cmd)));
}

/* PwResetBreachedList: mapped and checked now, so that a wrong file is
 * the directive's error; mapped for good in post_config. */
static const char *set_CORPUS(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const pwreset_corpus *c;
    const char *err;

    (void)dc;
    if (!path) {
        return fail(cmd, "invalid path '%s'", arg);
    }
    if ((err = pwreset_corpus_open(cmd->temp_pool, path, &c))) {
        return fail(cmd, "%s", err);
    }
    *(const char **)field_of(cmd) = path;
    return NULL;
}

static const char *set_TEXT(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = pwreset_parse_text(cmd->temp_pool, arg);

    (void)dc;
    if (!err) {
        *(const char **)field_of(cmd) = arg;
    }
    return checked(cmd, err);
}

static const char *set_LANG(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    return checked(cmd, pwreset_parse_language(cmd->temp_pool, arg,
                                               field_of(cmd)));
}

/* PwResetTemplateDir: every template read and parsed now, so that a broken
 * one stops httpd naming the file and the line. */
static const char *set_TEMPLATES(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *dir = ap_server_root_relative(cmd->pool, arg);
    const char *err = NULL;
    apr_finfo_t fi;
    const pwreset_templates *ts;

    (void)dc;
    if (!dir || apr_stat(&fi, dir, APR_FINFO_TYPE, cmd->temp_pool)
                    != APR_SUCCESS
        || fi.filetype != APR_DIR) {
        return fail(cmd, "'%s' is not a folder", arg);
    }
    if (!(ts = pwreset_templates_load(cmd->pool, dir, &err))) {
        return fail(cmd, "%s", err);
    }
    *(const pwreset_templates **)field_of(cmd) = ts;
    return NULL;
}

static const char *set_CSP(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    return checked(cmd, pwreset_parse_csp_extra(cmd->pool, arg,
                                                field_of(cmd)));
}

static const char *set_LIMIT(cmd_parms *cmd, void *dc, const char *count,
                             const char *seconds)
{
    (void)dc;
    return checked(cmd, pwreset_parse_limit(cmd->pool, count, seconds,
                                            field_of(cmd)));
}

/* How each kind is declared to httpd, and its help text: an INT's says
 * its range and default, from the same row. */
#define PWRESET_AP_INIT_KEYS AP_INIT_TAKE1
#define PWRESET_AP_INIT_LINK AP_INIT_TAKE1
#define PWRESET_AP_INIT_PATH AP_INIT_TAKE1
#define PWRESET_AP_INIT_URL AP_INIT_TAKE1
#define PWRESET_AP_INIT_SENDER AP_INIT_TAKE1
#define PWRESET_AP_INIT_COMMAND AP_INIT_TAKE1
#define PWRESET_AP_INIT_INT AP_INIT_TAKE1
#define PWRESET_AP_INIT_QUERY AP_INIT_TAKE1
#define PWRESET_AP_INIT_FILE AP_INIT_TAKE1
#define PWRESET_AP_INIT_CACHE AP_INIT_TAKE1
#define PWRESET_AP_INIT_LIMIT AP_INIT_TAKE12
#define PWRESET_AP_INIT_ORIGINS AP_INIT_TAKE1
#define PWRESET_AP_INIT_CORPUS AP_INIT_TAKE1
#define PWRESET_AP_INIT_TEXT AP_INIT_TAKE1
#define PWRESET_AP_INIT_LANG AP_INIT_TAKE1
#define PWRESET_AP_INIT_TEMPLATES AP_INIT_TAKE1
#define PWRESET_AP_INIT_CSP AP_INIT_TAKE1

#define PWRESET_HELP_INT(help, a, b, def)                                    \
    help " (" #a " to " #b "; default " #def ")"
#define PWRESET_HELP_OTHER(help, a, b, def) help
#define PWRESET_HELP_KEYS PWRESET_HELP_OTHER
#define PWRESET_HELP_LINK PWRESET_HELP_OTHER
#define PWRESET_HELP_PATH PWRESET_HELP_OTHER
#define PWRESET_HELP_URL PWRESET_HELP_OTHER
#define PWRESET_HELP_SENDER PWRESET_HELP_OTHER
#define PWRESET_HELP_COMMAND PWRESET_HELP_OTHER
#define PWRESET_HELP_QUERY PWRESET_HELP_OTHER
#define PWRESET_HELP_FILE PWRESET_HELP_OTHER
#define PWRESET_HELP_CACHE PWRESET_HELP_OTHER
#define PWRESET_HELP_LIMIT PWRESET_HELP_OTHER
#define PWRESET_HELP_ORIGINS PWRESET_HELP_OTHER
#define PWRESET_HELP_CORPUS PWRESET_HELP_OTHER
#define PWRESET_HELP_TEXT PWRESET_HELP_OTHER
#define PWRESET_HELP_LANG PWRESET_HELP_OTHER
#define PWRESET_HELP_TEMPLATES PWRESET_HELP_OTHER
#define PWRESET_HELP_CSP PWRESET_HELP_OTHER

#define PWRESET_COMMAND_(name, kind, field, a, b, def, help)                 \
    PWRESET_AP_INIT_##kind(#name, set_##kind,                                \
        ((void *)&(const directive_info){                                    \
            APR_OFFSETOF(pwreset_settings, field), a, b}),                   \
        RSRC_CONF, PWRESET_HELP_##kind(help, a, b, def)),

const command_rec pwreset_cmds[] = {
    PWRESET_DIRECTIVES(PWRESET_COMMAND_)
    {NULL}
};

/* When httpd starts as root, it reads the key files as root, before it
 * drops privileges: then the user and group it runs as need no access, and
 * should have none (a compromised child could read the key and mint links
 * for every account).  Said once per file. */
int pwreset_config_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *s)
{
    apr_hash_t *seen = apr_hash_make(ptemp);

    (void)pconf;
    /* httpd runs post_config twice at start-up: say it on the second. */
    if (geteuid() != 0
        || ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    for (server_rec *sp = s; sp; sp = sp->next) {
        const pwreset_settings *cfg = pwreset_cfg_get(sp);
        const apr_array_header_t *keys = pwreset_cfg_keys(cfg);

        for (int i = 0; cfg->configured && keys && i < keys->nelts; i++) {
            const pwreset_key *k = &APR_ARRAY_IDX(keys, i, pwreset_key);
            int by_user = k->uid == ap_unixd_config.user_id
                          && (k->perms & (APR_UREAD | APR_UWRITE));
            int by_group = k->gid == ap_unixd_config.group_id
                           && (k->perms & (APR_GREAD | APR_GWRITE));

            if (!k->path || !(by_user || by_group)
                || apr_hash_get(seen, k->path, APR_HASH_KEY_STRING)) {
                continue;
            }
            apr_hash_set(seen, k->path, APR_HASH_KEY_STRING, k->path);
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, sp, PWRLOGNO(0009)
                         "PwResetSecretFile '%s' can be read or written by "
                         "the %s httpd runs as (%s); httpd reads it as root "
                         "at start-up, so chown root:root and chmod 600 it",
                         k->path, by_user ? "user" : "group",
                         by_user ? ap_unixd_config.user_name
                                 : ap_unixd_config.group_name);
        }
    }
    return OK;
}
