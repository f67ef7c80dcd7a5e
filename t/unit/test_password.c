/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/password.c: the password rules and bcrypt.
 * Prints TAP. */
#include "password.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_md5.h>

static apr_pool_t *pool;

static void test_password(void)
{
    const char *h;

    ok(pwreset_password_check("correct horse", "correct horse", 12)
       == PWRESET_MSG_NONE,
       "good password");
    ok(pwreset_password_check("correct horse", "correct house", 12)
       == PWRESET_MSG_PW_DIFFER,
       "mismatch");
    ok(pwreset_password_check("short", "short", 12) == PWRESET_MSG_PW_SHORT, "too short");
    ok(pwreset_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                              8) == PWRESET_MSG_PW_SHORT,
       "six code points are short even in twelve bytes");
    ok(pwreset_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "\xc3\xa9\xc3\xa9",
                              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "\xc3\xa9\xc3\xa9", 8) == PWRESET_MSG_NONE,
       "eight code points are enough");
    ok(pwreset_password_check("0123456789012345678901234567890123456789"
                              "0123456789012345678901234567890123",
                              "0123456789012345678901234567890123456789"
                              "0123456789012345678901234567890123", 12)
       == PWRESET_MSG_PW_LONG, "over 72 bytes refused, not truncated");
    ok(pwreset_password_check("good pass\xff word", "good pass\xff word", 8)
       == PWRESET_MSG_PW_CHARACTERS, "invalid UTF-8 refused");
    h = pwreset_password_hash(pool, "correct horse", 4);
    ok(h && !strncmp(h, "$2y$04$", 7), "bcrypt $2y$ at the cost asked");
    ok(h && apr_password_validate("correct horse", h) == APR_SUCCESS,
       "apr_password_validate accepts it");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);

    test_password();
    return done_testing();
}
