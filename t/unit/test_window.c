/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/window.c: the fixed-window counting of the abuse
 * limits.  Prints TAP. */
#include "window.h"
#include "tap.h"

#include <apr_general.h>

#define SEC(s) apr_time_from_sec(s)

static const apr_time_t t0 = APR_INT64_C(1700000000) * APR_USEC_PER_SEC;

/* One event: what pwreset_window_count() says, and what it left. */
typedef struct {
    int past;
    int store;
    long retry_after;
} result;

static result count(pwreset_window *w, int found, const pwreset_limit *l,
                    apr_time_t now)
{
    result r = {-1, -1, -1};

    r.past = pwreset_window_count(w, found, l, now, &r.store, &r.retry_after);
    return r;
}

static void test_off(void)
{
    const pwreset_limit off = {0, 600};
    pwreset_window w = {SEC(12345), 7};
    result r;
    int hits = 0, stores = 0;

    for (int i = 0; i < 50; i++) {
        r = count(&w, i > 0, &off, t0 + SEC(i));
        hits += r.past;
        stores += r.store;
    }
    is_num(hits, 0, "off (count 0): never past the limit");
    is_num(stores, 0, "off: nothing ever stored");
    ok(w.start == SEC(12345) && w.count == 7, "off: the window untouched");
}

static void test_window(void)
{
    const pwreset_limit l = {3, 60};
    pwreset_window w = {SEC(1), 99};     /* garbage: not found */
    result r;

    r = count(&w, 0, &l, t0);
    ok(r.past == 0 && r.store == 1, "first event: within, stored");
    ok(w.start == t0 && w.count == 1,
       "first event: a window starts now, count 1");
    is_num(pwreset_window_expiry(&w, &l), t0 + SEC(60),
           "expiry: the window's start plus its length");

    r = count(&w, 1, &l, t0 + SEC(10));
    ok(r.past == 0 && r.store == 1 && w.count == 2, "second: within");
    r = count(&w, 1, &l, t0 + SEC(20));
    ok(r.past == 0 && r.store == 1 && w.count == 3,
       "third, the limit itself: within");
    ok(w.start == t0, "the window still starts at the first event");

    r = count(&w, 1, &l, t0 + SEC(30));
    ok(r.past == 1, "fourth: past the limit");
    is_num(r.store, 1, "fourth: stored (one past the limit)");
    is_num(w.count, 4, "fourth: count 4");
    is_num(r.retry_after, 31, "retry after: 30 s to the window's end, + 1");

    r = count(&w, 1, &l, t0 + SEC(40));
    ok(r.past == 1, "fifth: past");
    is_num(r.store, 0, "fifth: counting has stopped, nothing to store");
    is_num(w.count, 4, "fifth: the count stays one past the limit");
    is_num(r.retry_after, 21, "fifth: retry after 21");

    r = count(&w, 1, &l, t0 + SEC(59) + 500000);
    ok(r.past == 1 && r.retry_after == 1,
       "half a second before the end: retry after 1 (%ld)", r.retry_after);
    is_num(pwreset_window_expiry(&w, &l), t0 + SEC(60),
           "expiry unchanged while past the limit");

    r = count(&w, 1, &l, t0 + SEC(60));
    ok(r.past == 0 && r.store == 1, "at the window's end: within again");
    ok(w.start == t0 + SEC(60) && w.count == 1,
       "a new window from this event, count 1");
    is_num(pwreset_window_expiry(&w, &l), t0 + SEC(120),
           "expiry moves with the new window");

    /* A stored window long gone. */
    w.start = t0;
    w.count = 4;
    r = count(&w, 1, &l, t0 + SEC(3600));
    ok(r.past == 0 && r.store == 1 && w.start == t0 + SEC(3600)
       && w.count == 1, "an old window past its limit is reset by time");
}

static void test_out_of_order(void)
{
    const pwreset_limit l = {2, 60};
    pwreset_window w = {t0 + SEC(100), 1};
    result r;

    /* Another server's clock, or events counted late: 10 s before the
     * stored window's start. */
    r = count(&w, 1, &l, t0 + SEC(90));
    ok(r.past == 0 && r.store == 1, "an earlier event counts, within");
    ok(w.start == t0 + SEC(100) && w.count == 2,
       "in the current window (start kept, count 2)");
    r = count(&w, 1, &l, t0 + SEC(95));
    ok(r.past == 1 && w.start == t0 + SEC(100) && w.count == 3,
       "and can pass its limit");
    is_num(r.retry_after, 66, "retry after: to the window's end, + 1");
    r = count(&w, 1, &l, t0 - SEC(3600));
    ok(r.past == 1 && r.store == 0 && w.start == t0 + SEC(100),
       "an hour early still does not open a window");
}

static void test_limits(void)
{
    const pwreset_limit one = {1, 10};
    const pwreset_limit twenty = {20, 600};
    pwreset_window w = {0, 0};
    result r;
    int within = 0, stores = 0;

    r = count(&w, 0, &one, t0);
    ok(r.past == 0, "limit 1: the first is within");
    r = count(&w, 1, &one, t0);
    ok(r.past == 1 && r.retry_after == 11,
       "limit 1: the second at the same moment is past, retry after 11");

    for (int i = 0; i < 25; i++) {
        r = count(&w, i > 0, &twenty, t0 + SEC(i));
        if (!r.past) {
            within++;
        }
        stores += r.store;
    }
    is_num(within, 20, "limit 20: twenty within, then past");
    is_num(stores, 21, "limit 20: stored up to one past the limit");
    is_num(w.count, 21, "limit 20: the count ends at 21");
}

int main(void)
{
    apr_initialize();

    test_off();
    test_window();
    test_out_of_order();
    test_limits();
    return done_testing();
}
