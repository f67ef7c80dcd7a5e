/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/quality.c: the libpwquality checks.  Prints TAP. */
#include "quality.h"
#include "tap.h"

#include <apr_general.h>

static apr_pool_t *pool;

static void test_quality(void)
{
    const char *err = NULL, *detail = NULL;
    pwreset_quality *q = pwreset_quality_create(pool, NULL, &err);

    ok(q != NULL, "libpwquality settings");
    if (!q) {
        return;
    }
    ok(pwreset_quality_selftest(pool, q) == NULL, "the dictionary loads");
    ok(pwreset_quality_check(pool, q, "correct horse battery", "alice",
                             "alice@example.org", &detail) == PWRESET_MSG_NONE,
       "a passphrase passes");
    ok(pwreset_quality_check(pool, q, "interestingly", "bob",
                             "bob@example.org", &detail) == PWRESET_MSG_PW_WEAK
       && detail && strstr(detail, "dictionary"),
       "a dictionary word fails, in libpwquality's words");
    ok(pwreset_quality_check(pool, q, "xxALICExx and more", "alice",
                             "a@example.org", &detail) == PWRESET_MSG_PW_NAME,
       "containing the user name fails, any case");
    ok(pwreset_quality_check(pool, q, "the smith.jones way", "bob",
                             "Smith.Jones@example.org", &detail)
       == PWRESET_MSG_PW_NAME, "containing the address's local part fails");
    ok(pwreset_quality_check(pool, q, "al is a fine name 9", "al",
                             "x@example.org", &detail) == PWRESET_MSG_NONE,
       "a user name under 4 characters may appear");
    ok(pwreset_quality_create(pool, "/nonexistent/pwquality.conf", &err)
           == NULL && err, "a missing configuration file is an error");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);

    test_quality();
    return done_testing();
}
