/* Abuse limits: fixed-window counters in an ap_socache, so that they hold
 * across processes and, with a networked provider (memcache, redis), across
 * servers.  The one small interface every limit goes through. */
#ifndef PWRESET_LIMIT_H
#define PWRESET_LIMIT_H

#include <httpd.h>
#include <ap_socache.h>

/* A counter: at most `count` events per `window` seconds; count 0 is off. */
typedef struct {
    int count;
    int window;
} pwreset_limit;

/* A cache: what PwResetCache named, and the instance made from it. */
typedef struct {
    const char *spec;                      /* "provider[:args]" */
    const ap_socache_provider_t *provider;
    const char *args;
    ap_socache_instance_t *instance;
} pwreset_cache;

/* Parse "provider[:args]"; NULL on success, else the message. */
const char *pwreset_cache_parse(apr_pool_t *p, pwreset_cache *c,
                                const char *spec);

/* pre_config: register the mutex that makes read-increment-store atomic. */
apr_status_t pwreset_limit_pre_config(apr_pool_t *pconf);

/* post_config: create and initialise the cache of one server (instances
 * are shared between servers with the same spec).  Returns OK or
 * HTTP_INTERNAL_SERVER_ERROR after logging why. */
int pwreset_limit_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s, pwreset_cache *c);

/* child_init: re-open the mutex in the child. */
void pwreset_limit_child_init(apr_pool_t *pchild, server_rec *s);

/* Count one event for `key` (a digest, see pwreset_key_digest: never an
 * address in clear) under limit l.  Returns 1 when the event is
 * past the limit (and then *retry_after, if given, is the number of seconds
 * until the window ends), 0 when it is within it or the limit is off.  A
 * cache failure is logged and lets the event through. */
int pwreset_limit_hit(server_rec *s, const pwreset_cache *c,
                      const pwreset_limit *l, const char *kind,
                      const char *key, apr_time_t now, long *retry_after,
                      apr_pool_t *p);

#endif
