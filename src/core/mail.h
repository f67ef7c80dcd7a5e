/* SPDX-License-Identifier: Apache-2.0 */
/* Mail: the words of each message, its MIME form, and the pipe to sendmail.
 * Pure but for pwreset_mail_send(), which starts a process (POSIX). */
#ifndef PWRESET_MAIL_H
#define PWRESET_MAIL_H

#include <apr_pools.h>
#include <apr_time.h>

typedef struct {
    const char *from;
    const char *to;
    const char *subject;      /* printable ASCII */
    const char *text;         /* UTF-8, lines end in \n */
    const char *html;         /* UTF-8, already escaped */
    apr_time_t date;
    const char *message_id;   /* without the angle brackets */
    const char *boundary;
} pwreset_mail;

/* The RFC 5322 message, lines ending in \n as sendmail expects on its
 * input, or NULL when a header value holds CR, LF or another control
 * character, or is not ASCII. */
const char *pwreset_mail_compose(apr_pool_t *p, const pwreset_mail *m);

/* Quoted-printable (RFC 2045) with soft breaks before 76 columns. */
const char *pwreset_qp_encode(apr_pool_t *p, const char *s);

/* The words of the reset message: fills subject, text and html. */
void pwreset_mail_reset_text(apr_pool_t *p, pwreset_mail *m,
                             const char *username, const char *site,
                             const char *link, long lifetime_seconds);

/* The words of the "your password was changed" notice. */
void pwreset_mail_changed_text(apr_pool_t *p, pwreset_mail *m,
                               const char *username, const char *site,
                               const char *client_ip, apr_time_t when,
                               const char *request_url);

/* Fresh Message-ID and boundary, from random bytes.  `domain` is the right
 * hand side of the Message-ID. */
apr_status_t pwreset_mail_ids(apr_pool_t *p, pwreset_mail *m,
                              const char *domain);

/* Run argv with posix_spawn (no shell; the child gets an empty signal
 * mask, default signal dispositions, PATH and HOME only, /dev/null as
 * stdout and stderr, and no other descriptor), write the message to its
 * standard input and wait for it.  Writing and waiting together take at
 * most `timeout`, and stop early at *stop_at when another thread sets it
 * (0: not set; stop_at may be NULL): past either the program is killed and
 * APR_TIMEUP returned.  *exit_code is its exit status, or -1 when it died
 * of a signal.  Returns an APR error when it could not be started, and
 * APR_INCOMPLETE when it exited with 0 before reading the whole message. */
apr_status_t pwreset_mail_send(apr_pool_t *p, const char *const *argv,
                               const char *message,
                               apr_interval_time_t timeout,
                               volatile apr_uint64_t *stop_at,
                               int *exit_code);

#endif
