/* SPDX-License-Identifier: Apache-2.0 */
/* What the module is doing, for mod_status's server-status: counters in
 * shared memory, summed over every child, kept across graceful restarts. */
#ifndef PWRESET_STATUS_H
#define PWRESET_STATUS_H

#include <httpd.h>

typedef enum {
    PWRESET_STAT_REQUESTS,          /* well-formed requests for a link */
    PWRESET_STAT_MAILS_SENT,        /* handed to sendmail, which said 0 */
    PWRESET_STAT_MAILS_FAILED,      /* sendmail failed, missing or killed */
    PWRESET_STAT_MAILS_DROPPED,     /* never tried: queue full, database
                                       down, or the child stopping */
    PWRESET_STAT_LINKS_ACCEPTED,
    PWRESET_STAT_TOKENS_INVALID,    /* malformed, forged, wrong purpose */
    PWRESET_STAT_TOKENS_EXPIRED,
    PWRESET_STAT_TOKENS_USED,       /* the password changed since */
    PWRESET_STAT_TOKENS_NO_USER,    /* the account is gone */
    PWRESET_STAT_PASSWORDS_CHANGED,
    PWRESET_STAT_CLIENT_LIMIT,      /* 429s */
    PWRESET_STAT_ACCOUNT_LIMIT,     /* mails not sent past the limit */
    PWRESET_STAT_FORGED,            /* POSTs from another site, 403 */
    PWRESET_STAT_COUNT
} pwreset_stat;

/* Count one event (or n).  A few nanoseconds: one atomic add. */
void pwreset_stat_add(pwreset_stat which, apr_uint64_t n);

/* post_config: the shared counters, made once and kept by the parent
 * across restarts. */
int pwreset_status_post_config(apr_pool_t *pconf, server_rec *s);

/* register_hooks: the section in mod_status's page. */
void pwreset_status_register_hooks(void);

#endif
