/* mod_pwreset: a complete "forgot my password" flow inside httpd.
 *
 * The front door: the module record, the hooks and the start-up checks.
 * Directives live in src/config.c, the flows in src/handlers.c, and the
 * parts that need no request (tokens, pages, mail, input, password rules)
 * in src/ without any httpd header.  DESIGN.md is the contract. */
#define PWRESET_MODULE_FILE
#include "src/config.h"
#include "src/delivery.h"
#include "src/handlers.h"
#include "src/log.h"
#include "src/quality.h"
#include "src/store.h"

#include <apr_strings.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

static int any_configured(server_rec *s)
{
    for (; s; s = s->next) {
        if (pwreset_cfg_get(s)->configured) {
            return 1;
        }
    }
    return 0;
}

/* Shared by configtest and start-up: a configured module needs mod_dbd. */
static int check_dbd(server_rec *s)
{
    if (any_configured(s) && !pwreset_store_init()) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "PWR0001: PwReset "
                     "directives are used but mod_dbd is not loaded: add "
                     "\"LoadModule dbd_module .../mod_dbd.so\" (Debian: "
                     "a2enmod dbd) and DBDriver/DBDParams");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static void pwreset_test_config(apr_pool_t *pconf, server_rec *s)
{
    (void)pconf;
    if (check_dbd(s) != OK) {
        /* configtest has no way to fail but to say so and exit. */
        exit(1);
    }
}

static void prepare_once(apr_pool_t *ptemp, apr_hash_t *done, void *dbd_cfg,
                         server_rec *s, const char *sql, const char *label)
{
    const char *key = apr_psprintf(ptemp, "%pp %s", dbd_cfg, label);

    if (!apr_hash_get(done, key, APR_HASH_KEY_STRING)) {
        apr_hash_set(done, key, APR_HASH_KEY_STRING, key);
        pwreset_store_prepare(s, sql, label);
    }
}

/* The password checks of servers without PwResetQualityConfig. */
static pwreset_quality *default_quality;

static apr_status_t forget_default_quality(void *data)
{
    (void)data;
    default_quality = NULL;
    return APR_SUCCESS;
}

/* Every configured server gets password checks that work: a missing
 * cracklib dictionary stops httpd here rather than letting weak passwords
 * through later. */
static int check_quality(apr_pool_t *pconf, server_rec *s, pwreset_cfg *cfg)
{
    const char *err = NULL;

    if (!cfg->quality) {
        /* One default for every server, made once per configuration cycle
         * (httpd clears and reuses pconf on a restart). */
        if (!default_quality) {
            default_quality = pwreset_quality_create(pconf, NULL, &err);
            apr_pool_cleanup_register(pconf, NULL, forget_default_quality,
                                      apr_pool_cleanup_null);
        }
        cfg->quality = default_quality;
    }
    if (cfg->quality) {
        err = pwreset_quality_selftest(pconf, cfg->quality);
    }
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "PWR0007: password "
                     "checks unavailable: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Runs before mod_dbd's post_config, which prepares what it was handed:
 * only servers where the module is configured get our statements, since a
 * statement that fails to prepare takes the server's connections down. */
static int pwreset_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *done = apr_hash_make(ptemp);
    module *dbd;
    server_rec *sp;
    int rc;

    (void)plog;
    /* Even an unconfigured handler answers (500) with the usual headers. */
    pwreset_handlers_init(pconf);
    rc = check_dbd(s);
    if (rc != OK || !any_configured(s)) {
        return rc;
    }
    dbd = ap_find_linked_module("mod_dbd.c");
    for (sp = s; sp; sp = sp->next) {
        pwreset_cfg *cfg = pwreset_cfg_get(sp);
        /* Virtual hosts without DBD directives share the main server's
         * mod_dbd configuration: hand each statement to it once. */
        void *dbd_cfg = ap_get_module_config(sp->module_config, dbd);

        if (!cfg->configured) {
            continue;
        }
        pwreset_cfg_finalize(cfg, pconf);
        prepare_once(ptemp, done, dbd_cfg, sp, cfg->q_by_email,
                     cfg->l_by_email);
        prepare_once(ptemp, done, dbd_cfg, sp, cfg->q_by_name,
                     cfg->l_by_name);
        prepare_once(ptemp, done, dbd_cfg, sp, cfg->q_update, cfg->l_update);
        if ((rc = check_quality(pconf, sp, cfg)) != OK) {
            return rc;
        }
        if (pwreset_cfg_limits_on(cfg)
            && (rc = pwreset_limit_post_config(pconf, ptemp, sp, &cfg->cache))
                   != OK) {
            return rc;
        }
    }
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, "PWR0002: statements handed "
                 "to mod_dbd for every configured server");
    return OK;
}

static int pwreset_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    return pwreset_limit_pre_config(pconf) == APR_SUCCESS
               ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

static void pwreset_child_init(apr_pool_t *pchild, server_rec *s)
{
    pwreset_limit_child_init(pchild, s);
    if (any_configured(s)) {
        pwreset_delivery_start(pchild, s);
    }
}

static void pwreset_register_hooks(apr_pool_t *p)
{
    static const char *const before_dbd[] = {"mod_dbd.c", NULL};

    (void)p;
    ap_hook_pre_config(pwreset_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_test_config(pwreset_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(pwreset_post_config, NULL, before_dbd,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(pwreset_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(pwreset_post_read_request, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_handler(pwreset_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(pwreset) = {
    STANDARD20_MODULE_STUFF,
    NULL,                           /* per-directory config: none */
    NULL,
    pwreset_create_server_config,
    pwreset_merge_server_config,
    pwreset_cmds,
    pwreset_register_hooks
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    , AP_MODULE_FLAG_NONE
#endif
};
