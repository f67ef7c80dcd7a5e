/* SPDX-License-Identifier: Apache-2.0 */
/* New-password rules and hashing.  Pure: APR only. */
#ifndef PWRESET_PASSWORD_H
#define PWRESET_PASSWORD_H

#include <apr_pools.h>

#include "message.h"

/* bcrypt reads at most this many bytes of a password. */
#define PWRESET_BCRYPT_MAX 72

/* PWRESET_MSG_NONE when `password` may be used, else what is wrong.
 * Lengths count code points; no composition rules (NIST SP 800-63B). */
pwreset_msg pwreset_password_check(const char *password, const char *confirm,
                                   int min_length);

/* A $2y$ bcrypt hash with a fresh salt, or NULL on failure. */
const char *pwreset_password_hash(apr_pool_t *p, const char *password,
                                  int cost);

#endif
