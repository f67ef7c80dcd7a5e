/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/common.c: every entry of the list that the other
 * rules let through at the lowest PwResetMinLength (8) is refused, in any
 * ASCII case.  Prints TAP. */
#include "common.h"
#include "password.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>

static apr_pool_t *pool;

static void test_list(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    int entries = 0, checked = 0, refused = 0, upper = 0;

    ok(f != NULL, "the list %s is readable", path);
    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        entries++;
        /* What length and character rules refuse needs no list. */
        if (pwreset_password_check(line, line, 8) != PWRESET_MSG_NONE) {
            continue;
        }
        checked++;
        refused += pwreset_common_password(line);
        for (char *c = line; *c; c++) {
            *c = (char)apr_toupper((unsigned char)*c);
        }
        upper += pwreset_common_password(line);
    }
    if (f) {
        fclose(f);
    }
    ok(entries > 17000, "the list has its entries (%d)", entries);
    ok(entries == (int)pwreset_common_count,
       "all of them are compiled in (%d)", (int)pwreset_common_count);
    ok(checked > 17000 && refused == checked,
       "every entry the other rules let through is refused (%d of %d)",
       refused, checked);
    ok(upper == checked, "in capitals too (%d of %d)", upper, checked);
}

static void test_cases(void)
{
    ok(pwreset_common_password("password1234"), "password1234");
    ok(pwreset_common_password("zaq1xsw2cde3"), "zaq1xsw2cde3");
    ok(pwreset_common_password("Zaq1Xsw2Cde3"), "Zaq1Xsw2Cde3, mixed case");
    ok(pwreset_common_password("PASSWORD1234"), "PASSWORD1234");
    ok(pwreset_common_password("!qaz2wsx"), "the first entry");
    ok(!pwreset_common_password("a violet kettle of drums"),
       "a passphrase is not");
    ok(!pwreset_common_password("password12345678901234567890123456789"
                                "0123456789012345678901234567890"),
       "longer than any entry: not looked up");
    ok(!pwreset_common_password(""), "the empty string is not on it");
}

int main(void)
{
    const char *top = getenv("PWRESET_SRCDIR");

    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_cases();
    test_list(apr_pstrcat(pool, top ? top : ".",
                          "/data/common-passwords.txt", NULL));
    return done_testing();
}
