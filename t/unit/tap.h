/* SPDX-License-Identifier: Apache-2.0 */
/* A few lines of TAP for the unit tests, as automake's tap-driver.sh reads
 * it: "ok N - ..." lines, "#" comments, the plan "1..N" printed last by
 * done_testing(), and an exit status that is 0 only when every test
 * passed.  A program that dies early prints no plan, which the driver
 * reports as an error. */
#ifndef PWRESET_TAP_H
#define PWRESET_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

/* Flushed line by line: the programs fork (sendmail), and the driver shows
 * a crash's last words in the right place. */
#define ok(cond, ...)                                                       \
    do {                                                                    \
        int ok_ = !!(cond);                                                 \
        printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n);                   \
        printf(__VA_ARGS__);                                                \
        printf("\n");                                                       \
        if (!ok_) {                                                         \
            tap_failed++;                                                   \
            printf("#   failed at %s line %d: %s\n", __FILE__, __LINE__,    \
                   #cond);                                                  \
        }                                                                   \
        fflush(stdout);                                                     \
    } while (0)

#define is_str(got, want, ...)                                              \
    do {                                                                    \
        const char *g_ = (got), *w_ = (want);                               \
        ok(g_ && w_ ? !strcmp(g_, w_) : g_ == w_, __VA_ARGS__);             \
        if (!(g_ && w_ ? !strcmp(g_, w_) : g_ == w_)) {                     \
            printf("#   got: '%s'\n#   expected: '%s'\n",                   \
                   g_ ? g_ : "(null)", w_ ? w_ : "(null)");                 \
        }                                                                   \
    } while (0)

#define is_num(got, want, ...)                                              \
    do {                                                                    \
        long long gn_ = (long long)(got), wn_ = (long long)(want);          \
        ok(gn_ == wn_, __VA_ARGS__);                                        \
        if (gn_ != wn_) {                                                   \
            printf("#   got: %lld\n#   expected: %lld\n", gn_, wn_);        \
        }                                                                   \
    } while (0)

/* A comment line in the output. */
#define diag(...)                                                           \
    do {                                                                    \
        printf("# ");                                                       \
        printf(__VA_ARGS__);                                                \
        printf("\n");                                                       \
    } while (0)

/* The plan, and main's exit status. */
#define done_testing()                                                      \
    (printf("1..%d\n", tap_n), fflush(stdout), tap_failed ? 1 : 0)

#endif
