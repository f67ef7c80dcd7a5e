/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-window counting for the abuse limits, apart from where the counters
 * are kept (an ap_socache, see src/httpd/limit.c).  Pure: APR only. */
#ifndef PWRESET_WINDOW_H
#define PWRESET_WINDOW_H

#include <apr_time.h>

/* At most `count` events per `window` seconds; count 0 is off. */
typedef struct {
    int count;
    int window;
} pwreset_limit;

/* What is stored under a counter's key. */
typedef struct {
    apr_time_t start;
    apr_uint32_t count;
} pwreset_window;

/* Count one event at `now` against limit l.  *w holds what was stored when
 * `found`, and is updated in place; *store says whether it must be written
 * back (not once the limit is passed: the count stops there).  Returns 1
 * when the event is past the limit, and then *retry_after is the number of
 * seconds until the window ends; 0 when within it or the limit is off. */
int pwreset_window_count(pwreset_window *w, int found, const pwreset_limit *l,
                         apr_time_t now, int *store, long *retry_after);

/* When a stored window stops mattering: its start plus the window. */
apr_time_t pwreset_window_expiry(const pwreset_window *w,
                                 const pwreset_limit *l);

#endif
