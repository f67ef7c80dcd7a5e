/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-window counting.  See window.h. */
#include "window.h"

int pwreset_window_count(pwreset_window *w, int found, const pwreset_limit *l,
                         apr_time_t now, int *store, long *retry_after)
{
    apr_time_t span = apr_time_from_sec(l->window);

    *store = 0;
    if (l->count <= 0) {
        return 0;
    }
    /* A window that starts after `now` (events counted out of order, or
     * another server's clock) is still the current one. */
    if (!found || now - w->start >= span) {
        w->start = now;
        w->count = 0;
    }
    /* Counting stops one past the limit: enough to know it was passed. */
    if (w->count <= (apr_uint32_t)l->count) {
        w->count++;
        *store = 1;
    }
    if (w->count > (apr_uint32_t)l->count) {
        *retry_after = (long)apr_time_sec(w->start + span - now) + 1;
        return 1;
    }
    return 0;
}

apr_time_t pwreset_window_expiry(const pwreset_window *w,
                                 const pwreset_limit *l)
{
    return w->start + apr_time_from_sec(l->window);
}
