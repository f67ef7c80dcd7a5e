/* SPDX-License-Identifier: Apache-2.0 */
/* Abuse limits in an ap_socache.  See limit.h; the arithmetic is the
 * core's (window.c), the storage and the lock are here. */
#include "limit.h"
#include "mod_pwreset_private.h"
#include "core/token.h"

#include <ap_provider.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_main.h>
#include <util_mutex.h>

#define MUTEX_TYPE "pwreset-cache"
#define CACHE_NAME "mod_pwreset"

int pwreset_limit_pre_config(apr_pool_t *pconf)
{
    return ap_mutex_register(pconf, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0)
               == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

static apr_status_t destroy_cache(void *data)
{
    pwreset_runtime *rt = data;

    if (rt->cache) {
        rt->cache_provider->destroy(rt->cache, ap_server_conf);
        rt->cache = NULL;
    }
    return APR_SUCCESS;
}

/* A counter's id: the PWRESET_DIGEST_BYTES of a keyed digest
 * (pwreset_key_digest) of the kind, the server's name and port, and the
 * value.  Raw bytes, and
 * never a common prefix: shmcb picks one of its subcaches by an id's first
 * byte, and when every id began "pwreset:", all went to one subcache, so
 * that the default cache held 153 counters rather than thousands, and a
 * flood of a few hundred addresses evicted them all.  The name and port
 * keep virtual hosts apart while letting several httpd servers of one site
 * share a networked cache (memcache and redis write ids in hex). */

/* The instance for one PwResetCache spec, made once per cycle. */
static int open_cache(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s,
                      pwreset_runtime *rt, const pwreset_cache_spec *spec)
{
    static const struct ap_socache_hints hints = {PWRESET_DIGEST_BYTES,
                                                  sizeof(pwreset_window),
                                                  apr_time_from_sec(60)};
    pwreset_cycle *cycle = pwreset_cycle_get();
    pwreset_runtime *shared = apr_hash_get(cycle->caches, spec->spec,
                                           APR_HASH_KEY_STRING);
    const char *err;
    apr_status_t rv;

    if (shared) {
        rt->cache_provider = shared->cache_provider;
        rt->cache = shared->cache;
        return OK;
    }
    rt->cache_provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP,
                                            spec->provider,
                                            AP_SOCACHE_PROVIDER_VERSION);
    if (!rt->cache_provider) {
        /* Only the default can get here: a named provider was checked
         * when the directive was read. */
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, PWRLOGNO(0003) "the "
                     "abuse limits need PwResetCache, whose default is "
                     "shmcb: load mod_socache_shmcb (Debian: a2enmod "
                     "socache_shmcb); or set PwResetAccountLimit off and "
                     "PwResetClientLimit off");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    err = rt->cache_provider->create(&rt->cache, spec->args, ptemp, pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, PWRLOGNO(0004)
                     "PwResetCache %s: %s", spec->spec, err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = rt->cache_provider->init(rt->cache, CACHE_NAME, &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, PWRLOGNO(0008)
                     "PwResetCache %s could not be initialised", spec->spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, rt, destroy_cache, apr_pool_cleanup_null);
    apr_hash_set(cycle->caches, spec->spec, APR_HASH_KEY_STRING, rt);
    return OK;
}

int pwreset_limit_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s)
{
    pwreset_cycle *cycle = pwreset_cycle_get();
    int rc;

    for (server_rec *sp = s; sp; sp = sp->next) {
        const pwreset_settings *cfg = pwreset_cfg_get(sp);

        if (!cfg->configured || !pwreset_cfg_limits_on(cfg)) {
            continue;
        }
        rc = open_cache(pconf, ptemp, sp, pwreset_runtime_make(sp),
                        pwreset_cfg_cache(cfg));
        if (rc != OK) {
            return rc;
        }
        if (!cycle->cache_mutex
            && ap_global_mutex_create(&cycle->cache_mutex, NULL, MUTEX_TYPE,
                                      NULL, s, pconf, 0) != APR_SUCCESS) {
            return HTTP_INTERNAL_SERVER_ERROR; /* logged by httpd */
        }
    }
    return OK;
}

void pwreset_limit_child_init(apr_pool_t *pchild, server_rec *s)
{
    pwreset_cycle *cycle = pwreset_cycle_get();

    if (cycle && cycle->cache_mutex) {
        apr_status_t rv = apr_global_mutex_child_init(
            &cycle->cache_mutex, apr_global_mutex_lockfile(cycle->cache_mutex),
            pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, PWRLOGNO(0005) "could "
                         "not re-open the cache mutex in a child");
        }
    }
}

int pwreset_limit_hit(server_rec *s, const pwreset_limit *l, const char *kind,
                      const char *value, apr_time_t now, long *retry_after,
                      apr_pool_t *p)
{
    const pwreset_settings *cfg = pwreset_cfg_get(s);
    pwreset_runtime *rt = pwreset_runtime_get(s);
    apr_global_mutex_t *mutex = pwreset_cycle_get()->cache_mutex;
    unsigned char id[PWRESET_DIGEST_BYTES];
    pwreset_window w;
    unsigned int len = sizeof(w);
    long retry = 0;
    int store, past;
    apr_status_t rv;

    if (l->count <= 0 || !rt || !rt->cache || !pwreset_cfg_keys(cfg)) {
        return 0;
    }
    /* Never the value in clear: a networked cache may be shared, or log. */
    if (!pwreset_key_digest(p, &APR_ARRAY_IDX(pwreset_cfg_keys(cfg), 0,
                                              pwreset_key),
                            kind, apr_psprintf(p, "%s:%u:%s",
                                               s->server_hostname, s->port,
                                               value), id)) {
        return 0;
    }
    if (mutex) {
        apr_global_mutex_lock(mutex);
    }
    rv = rt->cache_provider->retrieve(rt->cache, s, id,
                                      sizeof(id),
                                      (unsigned char *)&w, &len, p);
    past = pwreset_window_count(&w, rv == APR_SUCCESS && len == sizeof(w), l,
                                now, &store, &retry);
    if (store) {
        rv = rt->cache_provider->store(rt->cache, s, id,
                                       sizeof(id),
                                       pwreset_window_expiry(&w, l),
                                       (unsigned char *)&w, sizeof(w), p);
    }
    if (mutex) {
        apr_global_mutex_unlock(mutex);
    }
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, PWRLOGNO(0006) "the %s "
                     "limit could not be counted in PwResetCache %s; let "
                     "through", kind,
                     pwreset_cfg_cache(pwreset_cfg_get(s))->spec);
        return 0;
    }
    if (past && retry_after) {
        *retry_after = retry;
    }
    return past;
}
