/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/breached.c: the in-place search of Have I Been
 * Pwned's SHA-1 corpus and its start-up check.  Prints TAP. */
#include "breached.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <stdlib.h>

static apr_pool_t *pool;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A corpus of the SHA-1s of "password-0" ... "password-<n-1>", sorted,
 * with `eol` after each line (and after the last when `final`). */
static const char *corpus(int n, const char *eol, int lower, int final)
{
    const char **lines = apr_palloc(pool, n * sizeof(*lines));
    const char *out = "";

    for (int i = 0; i < n; i++) {
        char hex[PWRESET_SHA1_HEX + 1];

        pwreset_sha1_hex(apr_psprintf(pool, "password-%d", i), hex);
        if (lower) {
            for (char *c = hex; *c; c++) {
                *c = (char)apr_tolower(*c);
            }
        }
        lines[i] = apr_psprintf(pool, "%s:%d", hex, i + 1);
    }
    qsort(lines, n, sizeof(*lines), cmp_str);
    for (int i = 0; i < n; i++) {
        out = apr_pstrcat(pool, out, lines[i],
                          i < n - 1 || final ? eol : "", NULL);
    }
    return out;
}

static int found(const char *buf, const char *password)
{
    char hex[PWRESET_SHA1_HEX + 1];

    pwreset_sha1_hex(password, hex);
    return pwreset_breached_find(buf, strlen(buf), hex);
}

static void test_sha1(void)
{
    char hex[PWRESET_SHA1_HEX + 1];

    pwreset_sha1_hex("password", hex);
    is_str(hex, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8",
           "SHA-1 of 'password', upper-case hex");
}

static void test_find(const char *name, const char *buf)
{
    int all = 1;
    char first[PWRESET_SHA1_HEX + 1], last[PWRESET_SHA1_HEX + 1];
    const char *end = buf + strlen(buf);

    for (int i = 0; i < 500; i++) {
        all &= found(buf, apr_psprintf(pool, "password-%d", i));
    }
    ok(all, "%s: each of 500 is found", name);
    ok(!found(buf, "password-500") && !found(buf, "password")
       && !found(buf, "correct horse battery staple"),
       "%s: others are not", name);
    memcpy(first, buf, PWRESET_SHA1_HEX);
    first[PWRESET_SHA1_HEX] = '\0';
    while (end > buf && (end[-1] == '\n' || end[-1] == '\r')) {
        end--;
    }
    while (end > buf && end[-1] != '\n') {
        end--;
    }
    memcpy(last, end, PWRESET_SHA1_HEX);
    last[PWRESET_SHA1_HEX] = '\0';
    ok(pwreset_breached_find(buf, strlen(buf), first),
       "%s: the first line is found", name);
    ok(pwreset_breached_find(buf, strlen(buf), last),
       "%s: the last line is found", name);
    ok(!pwreset_breached_find(buf, strlen(buf),
                              "0000000000000000000000000000000000000000")
       && !pwreset_breached_find(buf, strlen(buf),
                                 "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
       "%s: before the first and after the last: not found", name);
    ok(pwreset_breached_check(pool, buf, strlen(buf), 1000) == NULL,
       "%s: passes the start-up check", name);
}

static void test_edges(void)
{
    char hex[PWRESET_SHA1_HEX + 1];
    const char *one;

    pwreset_sha1_hex("only", hex);
    one = apr_pstrcat(pool, hex, ":7", NULL);
    ok(pwreset_breached_find(one, strlen(one), hex), "one line, no newline");
    ok(!pwreset_breached_find("", 0, hex), "an empty buffer");
    ok(!pwreset_breached_find("ABC", 3, hex), "a buffer too short for a line");
    /* Only the length given is read: the hash right after it is not. */
    one = apr_pstrcat(pool, "0000000000000000000000000000000000000000:1\n",
                      hex, ":2\n", NULL);
    ok(!pwreset_breached_find(one, 43, hex), "nothing past len is read");
}

static void test_check(void)
{
    const char *good = corpus(50, "\n", 0, 1);
    const char *err;
    char *unsorted = apr_pstrdup(pool, good);

    ok((err = pwreset_breached_check(pool, "", 0, 10)) && strstr(err, "empty"),
       "check: an empty file");
    err = pwreset_breached_check(pool,
                                 "8846F7EAEE8FB117AD06BDD830B7586C:42\n", 36,
                                 10);
    ok(err && strstr(err, "NTLM"), "check: an NTLM list is named as such");
    err = pwreset_breached_check(pool, "not a corpus\n", 13, 10);
    ok(err && strstr(err, "40 hexadecimal digits"), "check: a text file");
    err = pwreset_breached_check(pool,
        "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8\n", 41, 10);
    ok(err != NULL, "check: a line without a count");
    /* swap the first and the last line */
    memcpy(unsorted, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", 40);
    err = pwreset_breached_check(pool, unsorted, strlen(unsorted), 1000);
    ok(err && strstr(err, "not sorted"), "check: lines out of order");
    ok(pwreset_breached_check(pool, good, strlen(good) - 1, 10) == NULL,
       "check: the last line without a newline");
    ok(pwreset_breached_check(pool, apr_pstrcat(pool, good, "\r\n", NULL),
                              strlen(good) + 2, 10) == NULL,
       "check: a blank line at the end");
    {
        /* No line breaks in 8 MB: refused, and at once (scans are bounded). */
        apr_size_t n = 8 << 20;
        char *blob = apr_palloc(pool, n);
        apr_time_t t0 = apr_time_now();
        char hex[PWRESET_SHA1_HEX + 1];

        memset(blob, 'A', n);
        memcpy(blob, good, (apr_size_t)(strchr(good, '\n') - good) + 1);
        err = pwreset_breached_check(pool, blob, n, 1000);
        ok(err && strstr(err, "far longer"), "check: a file without line "
           "breaks is refused");
        pwreset_sha1_hex("x", hex);
        ok(!pwreset_breached_find(blob, n, hex), "find: nothing in it");
        ok(apr_time_now() - t0 < apr_time_from_sec(1),
           "both at once, not a scan of the whole file");
    }
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_sha1();
    test_find("LF", corpus(500, "\n", 0, 1));
    test_find("CRLF", corpus(500, "\r\n", 0, 1));
    test_find("lower-case hex", corpus(500, "\n", 1, 1));
    test_find("no final newline", corpus(500, "\r\n", 0, 0));
    test_edges();
    test_check();
    return done_testing();
}
