/* Password rules and bcrypt.  See password.h. */
#include "password.h"
#include "input.h"

#include <apr_general.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <string.h>

const char *pwreset_password_check(const char *password, const char *confirm,
                                   int min_length)
{
    apr_size_t bytes = strlen(password);

    if (!pwreset_utf8_valid(password, bytes) || pwreset_has_control(password)) {
        return "The password holds characters that cannot be used.";
    }
    if (strcmp(password, confirm) != 0) {
        return "The two passwords differ. Type the same password twice.";
    }
    if (pwreset_utf8_length(password) < (apr_size_t)min_length) {
        return "The password is too short.";
    }
    /* bcrypt would silently ignore the rest: say so instead. */
    if (bytes > PWRESET_BCRYPT_MAX) {
        return "The password is too long: at most 72 bytes (fewer characters "
               "when they are not plain ASCII).";
    }
    return NULL;
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
