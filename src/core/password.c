/* SPDX-License-Identifier: Apache-2.0 */
/* Password rules and bcrypt.  See password.h. */
#include "password.h"
#include "input.h"

#include <apr_general.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <string.h>

pwreset_msg pwreset_password_check(const char *password, const char *confirm,
                                   int min_length)
{
    apr_size_t bytes = strlen(password);

    if (!pwreset_utf8_valid(password, bytes)
        || !pwreset_chars_only(password, PWRESET_CHARS_TEXT)) {
        return PWRESET_MSG_PW_CHARACTERS;
    }
    if (strcmp(password, confirm) != 0) {
        return PWRESET_MSG_PW_DIFFER;
    }
    if (pwreset_utf8_length(password) < (apr_size_t)min_length) {
        return PWRESET_MSG_PW_SHORT;
    }
    /* bcrypt would silently ignore the rest: say so instead. */
    if (bytes > PWRESET_BCRYPT_MAX) {
        return PWRESET_MSG_PW_LONG;
    }
    return PWRESET_MSG_NONE;
}

const char *pwreset_password_hash(apr_pool_t *p, const char *password,
                                  int cost)
{
    unsigned char salt[16];
    char *out = apr_palloc(p, 64);

    if (apr_generate_random_bytes(salt, sizeof(salt)) != APR_SUCCESS
        || apr_bcrypt_encode(password, (unsigned int)cost, salt, sizeof(salt),
                             out, 64) != APR_SUCCESS) {
        return NULL;
    }
    return out;
}
