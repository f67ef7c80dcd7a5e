/* Abuse limits in an ap_socache.  See limit.h. */
#include "limit.h"
#include "log.h"

#include <ap_provider.h>
#include <apr_global_mutex.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_main.h>
#include <util_mutex.h>

#define MUTEX_TYPE "pwreset-cache"
#define CACHE_NAME "mod_pwreset"

static apr_global_mutex_t *mutex;
static apr_hash_t *instances; /* spec -> instance, per configuration cycle */

/* What is stored under a key: the window's start and its count. */
typedef struct {
    apr_time_t start;
    apr_uint32_t count;
} counter;

const char *pwreset_cache_parse(apr_pool_t *p, pwreset_cache *c,
                                const char *spec)
{
    const char *colon = strchr(spec, ':');
    const char *name = colon ? apr_pstrmemdup(p, spec, colon - spec) : spec;

    c->spec = spec;
    c->args = colon ? colon + 1 : NULL;
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (!c->provider) {
        return apr_psprintf(p, "unknown cache provider '%s': load "
                            "mod_socache_%s (Debian: a2enmod socache_%s)",
                            name, name, name);
    }
    return NULL;
}

/* Forget what belonged to a configuration cycle when its pool goes. */
static apr_status_t forget(void *ptr)
{
    *(void **)ptr = NULL;
    return APR_SUCCESS;
}

apr_status_t pwreset_limit_pre_config(apr_pool_t *pconf)
{
    instances = NULL;
    return ap_mutex_register(pconf, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

static apr_status_t destroy_cache(void *data)
{
    pwreset_cache *c = data;

    if (c->instance) {
        c->provider->destroy(c->instance, ap_server_conf);
        c->instance = NULL;
    }
    return APR_SUCCESS;
}

int pwreset_limit_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s, pwreset_cache *c)
{
    static const struct ap_socache_hints hints = {48, sizeof(counter),
                                                  apr_time_from_sec(60)};
    pwreset_cache *shared;
    const char *err;
    apr_status_t rv;

    if (!c->provider && (err = pwreset_cache_parse(pconf, c, "shmcb"))) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "PWR0003: the abuse "
                     "limits need PwResetCache, whose default is shmcb: %s; "
                     "or set PwResetAccountLimit off and PwResetClientLimit "
                     "off", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!instances) {
        instances = apr_hash_make(pconf);
        apr_pool_cleanup_register(pconf, &instances, forget,
                                  apr_pool_cleanup_null);
    }
    shared = apr_hash_get(instances, c->spec, APR_HASH_KEY_STRING);
    if (shared) {
        c->instance = shared->instance;
        return OK;
    }
    err = c->provider->create(&c->instance, c->args, ptemp, pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "PWR0004: PwResetCache "
                     "%s: %s", c->spec, err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = c->provider->init(c->instance, CACHE_NAME, &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, "PWR0004: PwResetCache "
                     "%s could not be initialised", c->spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, c, destroy_cache, apr_pool_cleanup_null);
    apr_hash_set(instances, c->spec, APR_HASH_KEY_STRING, c);
    if (!mutex) {
        rv = ap_global_mutex_create(&mutex, NULL, MUTEX_TYPE, NULL, s, pconf,
                                    0);
        if (rv != APR_SUCCESS) {
            return HTTP_INTERNAL_SERVER_ERROR; /* logged by httpd */
        }
        apr_pool_cleanup_register(pconf, &mutex, forget,
                                  apr_pool_cleanup_null);
    }
    return OK;
}

void pwreset_limit_child_init(apr_pool_t *pchild, server_rec *s)
{
    if (mutex) {
        apr_status_t rv = apr_global_mutex_child_init(
            &mutex, apr_global_mutex_lockfile(mutex), pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "PWR0005: could not "
                         "re-open the cache mutex in a child");
        }
    }
}

int pwreset_limit_hit(server_rec *s, const pwreset_cache *c,
                      const pwreset_limit *l, const char *kind,
                      const char *key, apr_time_t now, long *retry_after,
                      apr_pool_t *p)
{
    const char *id;
    counter ctr;
    unsigned int len = sizeof(ctr);
    apr_time_t window;
    apr_status_t rv;

    if (l->count <= 0 || !c || !c->instance) {
        return 0;
    }
    /* The server's name and port keep virtual hosts apart while letting
     * several httpd servers of one site share a networked cache. */
    id = apr_psprintf(p, "pwreset:%s:%s:%u:%s", kind, s->server_hostname,
                      s->port, key);
    window = apr_time_from_sec(l->window);
    if (mutex) {
        apr_global_mutex_lock(mutex);
    }
    rv = c->provider->retrieve(c->instance, s, (const unsigned char *)id,
                               (unsigned int)strlen(id),
                               (unsigned char *)&ctr, &len, p);
    /* A window that starts after `now` (events counted out of order, or
     * another server's clock) is still the current one. */
    if (rv != APR_SUCCESS || len != sizeof(ctr) || now - ctr.start >= window) {
        ctr.start = now;
        ctr.count = 0;
    }
    if (ctr.count <= (apr_uint32_t)l->count) {
        ctr.count++;
        rv = c->provider->store(c->instance, s, (const unsigned char *)id,
                                (unsigned int)strlen(id), ctr.start + window,
                                (unsigned char *)&ctr, sizeof(ctr), p);
    }
    if (mutex) {
        apr_global_mutex_unlock(mutex);
    }
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, "PWR0006: the %s limit "
                     "could not be counted in PwResetCache %s; let through",
                     kind, c->spec);
        return 0;
    }
    if (ctr.count > (apr_uint32_t)l->count) {
        if (retry_after) {
            *retry_after = (long)apr_time_sec(ctr.start + window - now) + 1;
        }
        return 1;
    }
    return 0;
}
