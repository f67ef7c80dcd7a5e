/* SPDX-License-Identifier: Apache-2.0 */
/* Counters for server-status.  See status.h.
 *
 * One anonymous shared-memory segment, made by the parent before it forks
 * the first children and kept in ap_retained_data, so that children of
 * every generation add to the same counters and a graceful restart keeps
 * them.  Each event is one atomic add; reading sums nothing, the counters
 * are the sums. */
#include "status.h"
#include "mod_pwreset_private.h"

#include <apr_atomic.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <mod_status.h>

/* The layout is in the key: a module of another version, loaded by a
 * graceful restart after an upgrade, makes its own segment rather than
 * reading another's counters under its names. */
#define RETAINED_KEY_FMT "mod_pwreset-status-v1-%d"

typedef struct {
    apr_shm_t *shm;
    volatile apr_uint64_t *counters;
} retained;

static volatile apr_uint64_t *counters;

/* Names as ?auto shows them ("PwResetRequests"), and as the page does. */
static const struct {
    const char *key, *label;
} stats[PWRESET_STAT_COUNT] = {
    [PWRESET_STAT_REQUESTS] = {"Requests", "requests for a link"},
    [PWRESET_STAT_MAILS_SENT] = {"MailsSent", "mails handed to sendmail"},
    [PWRESET_STAT_MAILS_FAILED] = {"MailsFailed",
                                   "mails sendmail failed or took too long on"},
    [PWRESET_STAT_MAILS_DROPPED] = {"MailsDropped",
                                    "mails dropped before sendmail"},
    [PWRESET_STAT_LINKS_ACCEPTED] = {"LinksAccepted", "links accepted"},
    [PWRESET_STAT_TOKENS_INVALID] = {"TokensInvalid",
                                     "links and forms refused: invalid"},
    [PWRESET_STAT_TOKENS_EXPIRED] = {"TokensExpired",
                                     "links and forms refused: expired"},
    [PWRESET_STAT_TOKENS_USED] = {"TokensUsed",
                                  "links and forms refused: password changed"},
    [PWRESET_STAT_TOKENS_NO_USER] = {"TokensNoUser",
                                     "links and forms refused: no such user"},
    [PWRESET_STAT_PASSWORDS_CHANGED] = {"PasswordsChanged",
                                        "passwords changed"},
    [PWRESET_STAT_CLIENT_LIMIT] = {"ClientLimitHits",
                                   "requests past PwResetClientLimit"},
    [PWRESET_STAT_ACCOUNT_LIMIT] = {"AccountLimitHits",
                                    "mails held back by PwResetAccountLimit"},
    [PWRESET_STAT_FORGED] = {"ForgedRefused",
                             "POSTs from another site refused"},
};

void pwreset_stat_add(pwreset_stat which, apr_uint64_t n)
{
    if (counters) {
        apr_atomic_add64(&counters[which], n);
    }
}

int pwreset_status_post_config(apr_pool_t *pconf, server_rec *s)
{
    const char *key = apr_psprintf(pconf, RETAINED_KEY_FMT,
                                   (int)PWRESET_STAT_COUNT);
    retained *r = ap_retained_data_get(key);
    apr_status_t rv;

    if (!r) {
        r = ap_retained_data_create(key, sizeof(*r));
    }
    if (!r->shm) {
        apr_size_t size = PWRESET_STAT_COUNT * sizeof(apr_uint64_t);

        /* The process pool: it outlives every configuration. */
        rv = apr_shm_create(&r->shm, size, NULL, s->process->pool);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, PWRLOGNO(0011)
                         "no shared memory for the server-status counters; "
                         "they will not be kept");
            r->shm = NULL;
            counters = NULL;
            return OK;
        }
        /* Anonymous shared memory starts zeroed. */
        r->counters = apr_shm_baseaddr_get(r->shm);
    }
    counters = r->counters;
    return OK;
}

static int status_hook(request_rec *r, int flags)
{
    int i;

    if (!counters) {
        return OK;
    }
    if (flags & AP_STATUS_SHORT) {
        for (i = 0; i < PWRESET_STAT_COUNT; i++) {
            ap_rprintf(r, "PwReset%s: %" APR_UINT64_T_FMT "\n", stats[i].key,
                       apr_atomic_read64(&counters[i]));
        }
        return OK;
    }
    ap_rputs("<hr />\n<h2>mod_pwreset</h2>\n<table>\n", r);
    for (i = 0; i < PWRESET_STAT_COUNT; i++) {
        ap_rprintf(r, "<tr><td>%s</td><td>%" APR_UINT64_T_FMT "</td></tr>\n",
                   stats[i].label, apr_atomic_read64(&counters[i]));
    }
    ap_rputs("</table>\n", r);
    return OK;
}

void pwreset_status_register_hooks(void)
{
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
