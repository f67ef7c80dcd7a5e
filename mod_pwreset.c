/* SPDX-License-Identifier: Apache-2.0 */
/* mod_pwreset: a complete "forgot my password" flow inside httpd.
 *
 * The front door: the module record, the configuration cycle and the
 * hooks, each handed to the subsystem entry point named after it.  The
 * glue lives in src/httpd/ (directives, store, delivery, limits,
 * handlers); what needs no request (settings, tokens, pages, mail, input,
 * password rules) lives in src/core/, built without httpd's headers.
 * docs/DESIGN.md tells how it fits together. */
#define PWRESET_MODULE_FILE
#include "httpd/breached.h"
#include "httpd/config.h"
#include "httpd/delivery.h"
#include "httpd/handlers.h"
#include "httpd/limit.h"
#include "httpd/status.h"
#include "httpd/mod_pwreset_private.h"
#include "httpd/store.h"

#include <apr_strings.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

/* ---- the configuration cycle ----------------------------------------- */

static pwreset_cycle *cycle;

/* The one "forget it with pconf" of the module: everything made for a
 * configuration hangs off the cycle. */
static apr_status_t cycle_end(void *data)
{
    (void)data;
    cycle = NULL;
    return APR_SUCCESS;
}

static void cycle_begin(apr_pool_t *pconf)
{
    cycle = apr_pcalloc(pconf, sizeof(*cycle));
    cycle->pconf = pconf;
    cycle->servers = apr_hash_make(pconf);
    cycle->qualities = apr_hash_make(pconf);
    cycle->caches = apr_hash_make(pconf);
    cycle->corpora = apr_hash_make(pconf);
    apr_pool_cleanup_register(pconf, NULL, cycle_end, apr_pool_cleanup_null);
}

pwreset_cycle *pwreset_cycle_get(void)
{
    return cycle;
}

pwreset_runtime *pwreset_runtime_get(server_rec *s)
{
    return cycle ? apr_hash_get(cycle->servers, &s, sizeof(s)) : NULL;
}

pwreset_runtime *pwreset_runtime_make(server_rec *s)
{
    pwreset_runtime *rt = pwreset_runtime_get(s);

    if (!rt) {
        rt = apr_pcalloc(cycle->pconf, sizeof(*rt));
        rt->server = s;
        apr_hash_set(cycle->servers, &rt->server, sizeof(rt->server), rt);
    }
    return rt;
}

int pwreset_any_configured(server_rec *s)
{
    for (; s; s = s->next) {
        if (pwreset_cfg_get(s)->configured) {
            return 1;
        }
    }
    return 0;
}

/* ---- hooks ------------------------------------------------------------ */

static int pwreset_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    cycle_begin(pconf);
    return pwreset_limit_pre_config(pconf);
}

/* Runs before configtest's test_config and before post_config alike. */
static int pwreset_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                                apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    (void)ptemp;
    return pwreset_store_check_config(pconf, s);
}

static int pwreset_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    int rc;

    (void)plog;
    rc = pwreset_handlers_post_config(pconf, s);
    if (rc == OK && pwreset_any_configured(s)) {
        rc = pwreset_status_post_config(pconf, s);
    }
    if (rc == OK && pwreset_any_configured(s)) {
        rc = pwreset_config_post_config(pconf, ptemp, s);
    }
    if (rc == OK && pwreset_any_configured(s)) {
        rc = pwreset_breached_post_config(pconf, s);
    }
    if (rc == OK && pwreset_any_configured(s)) {
        rc = pwreset_store_post_config(pconf, ptemp, s);
        if (rc == OK) {
            rc = pwreset_limit_post_config(pconf, ptemp, s);
        }
    }
    return rc;
}

static void pwreset_child_init(apr_pool_t *pchild, server_rec *s)
{
    pwreset_limit_child_init(pchild, s);
    pwreset_delivery_child_init(pchild, s);
}

static void pwreset_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(pwreset_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(pwreset_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(pwreset_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(pwreset_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(pwreset_handlers_post_read_request, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_handler(pwreset_handlers_handler, NULL, NULL, APR_HOOK_MIDDLE);
    pwreset_status_register_hooks();
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
