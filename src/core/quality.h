/* SPDX-License-Identifier: Apache-2.0 */
/* Password quality through libpwquality (the library PAM uses), for what
 * it does well: the cracklib dictionary check and user-name checks.  The
 * length rules are ours (password.c): libpwquality counts bytes.
 * Pure: APR and libpwquality only. */
#ifndef PWRESET_QUALITY_H
#define PWRESET_QUALITY_H

#include <apr_pools.h>

#include "message.h"

typedef struct pwreset_quality pwreset_quality;

/* Settings with NIST SP 800-63B in mind (dictionary and user checks on, no
 * composition rules), then the admin's file when config_file is not NULL;
 * the system pwquality.conf is never read otherwise.  NULL on failure with
 * *err saying why. */
pwreset_quality *pwreset_quality_create(apr_pool_t *p,
                                        const char *config_file,
                                        const char **err);

/* NULL when the dictionary check works, else why not (a missing cracklib
 * dictionary, for one). */
const char *pwreset_quality_selftest(apr_pool_t *p, pwreset_quality *q);

/* PWRESET_MSG_NONE when the password may be used.  Refuses a password
 * equal to or containing the username or the address's local part (when 4
 * characters or more): PWRESET_MSG_PW_NAME; and what libpwquality refuses
 * (dictionary words, sequences): PWRESET_MSG_PW_WEAK with *detail, its own
 * words. */
pwreset_msg pwreset_quality_check(apr_pool_t *p, pwreset_quality *q,
                                  const char *password, const char *username,
                                  const char *email, const char **detail);

#endif
