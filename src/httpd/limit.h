/* SPDX-License-Identifier: Apache-2.0 */
/* Abuse limits: fixed-window counters (src/core/window.h) kept in an
 * ap_socache, so that they hold across processes and, with a networked
 * provider (memcache, redis), across servers. */
#ifndef PWRESET_LIMIT_H
#define PWRESET_LIMIT_H

#include <httpd.h>

#include "core/window.h"

/* pre_config: register the mutex that makes read-increment-store atomic. */
int pwreset_limit_pre_config(apr_pool_t *pconf);

/* post_config: the cache of every configured server with a limit on
 * (instances are shared between servers with the same PwResetCache).
 * Returns OK, or HTTP_INTERNAL_SERVER_ERROR after logging why. */
int pwreset_limit_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s);

/* child_init: re-open the mutex in the child. */
void pwreset_limit_child_init(apr_pool_t *pchild, server_rec *s);

/* Count one event for `value` (an address, a client, a user name: stored
 * only as its keyed digest, see pwreset_key_digest) under limit l in server
 * s's cache; `kind` keeps the counters of different limits apart.  Returns 1 when
 * the event is past the limit (and then *retry_after, if given, is the
 * number of seconds until the window ends), 0 when it is within it or the
 * limit is off.  A cache failure is logged and lets the event through. */
int pwreset_limit_hit(server_rec *s, const pwreset_limit *l, const char *kind,
                      const char *value, apr_time_t now, long *retry_after,
                      apr_pool_t *p);

#endif
