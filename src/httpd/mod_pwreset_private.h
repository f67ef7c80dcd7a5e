/* SPDX-License-Identifier: Apache-2.0 */
/* What the httpd glue shares: the module record, log tags, the settings of
 * a server and the state of one configuration cycle.  Not for the core
 * (src/core/), which never sees an httpd header. */
#ifndef MOD_PWRESET_PRIVATE_H
#define MOD_PWRESET_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <ap_socache.h>
#include <apr_global_mutex.h>
#include <apr_hash.h>

#include "core/settings.h"

extern module AP_MODULE_DECLARE_DATA pwreset_module;

/* mod_pwreset.c gets this from AP_DECLARE_MODULE. */
#if defined(APLOG_USE_MODULE) && !defined(PWRESET_MODULE_FILE)
APLOG_USE_MODULE(pwreset);
#endif

/* Every log line starts with a stable tag, as httpd's own do with
 * APLOGNO():  ap_log_error(..., PWRLOGNO(nnnn) "what happened").
 * A tag is used at one call site and listed in README.md's table, and
 * build-aux/check-tags (run by "make check") keeps it so.  Never log a
 * token, a password, a key or a mail address. */
#define PWRLOGNO(n) "PWR" #n ": "

/* The settings of a server: set there, inherited, or (through the
 * pwreset_cfg_*() getters) the defaults. */
const pwreset_settings *pwreset_cfg_get(server_rec *s);

/* The handles a configured server works with, made in post_config. */
typedef enum {
    PWRESET_STMT_BY_EMAIL,
    PWRESET_STMT_BY_NAME,
    PWRESET_STMT_UPDATE,
    PWRESET_STMT_COUNT
} pwreset_stmt;

typedef struct {
    server_rec *server;                 /* the key it is found under */
    const char *sql[PWRESET_STMT_COUNT];      /* the statements */
    const char *stmt[PWRESET_STMT_COUNT];     /* their labels */
    struct pwreset_quality *quality;    /* password checks */
    const struct pwreset_corpus *breached;    /* PwResetBreachedList */
    const char *csp;                    /* its Content-Security-Policy */
    const char *const *pages;           /* the pages that say the same to
                                         * everyone, per language, made at
                                         * start-up (handlers.c) */
    const ap_socache_provider_t *cache_provider;
    ap_socache_instance_t *cache;       /* NULL when the limits are off */
} pwreset_runtime;

/* One configuration cycle: made in pre_config from pconf and forgotten
 * with it, so that nothing outlives the configuration it was made from
 * (httpd clears and reuses pconf on every restart). */
typedef struct {
    apr_pool_t *pconf;
    apr_hash_t *servers;     /* server_rec * -> pwreset_runtime */
    apr_hash_t *qualities;   /* PwResetQualityConfig ("" unset) -> checks */
    apr_hash_t *caches;      /* PwResetCache spec -> pwreset_runtime */
    apr_hash_t *corpora;     /* PwResetBreachedList -> pwreset_corpus */
    apr_global_mutex_t *cache_mutex;
    const char *csp;         /* the policy of servers without their own */
} pwreset_cycle;

/* The current cycle; NULL outside one. */
pwreset_cycle *pwreset_cycle_get(void);

/* The handles of server s: made on first use in post_config, NULL later
 * for a server where the module is not configured. */
pwreset_runtime *pwreset_runtime_get(server_rec *s);
pwreset_runtime *pwreset_runtime_make(server_rec *s);

/* 1 when the module is configured in s or any server after it. */
int pwreset_any_configured(server_rec *s);

#endif
