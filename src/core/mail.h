/* SPDX-License-Identifier: Apache-2.0 */
/* Mail: the words of each message, its MIME form, and the pipe to sendmail.
 * Pure but for pwreset_mail_send(), which starts a process (POSIX). */
#ifndef PWRESET_MAIL_H
#define PWRESET_MAIL_H

#include <apr_pools.h>
#include <apr_time.h>

#include "lang.h"
#include "template.h"

typedef struct {
    const char *from;         /* an address, or "Name <address>" as
                                 pwreset_mail_display_name() writes it */
    const char *to;
    const char *subject;      /* UTF-8: RFC 2047-encoded when not ASCII */
    const char *text;         /* UTF-8, lines end in \n */
    const char *html;         /* UTF-8, already escaped */
    apr_time_t date;
    const char *message_id;   /* without the angle brackets */
    const char *boundary;
} pwreset_mail;

/* The RFC 5322 message, lines ending in \n as sendmail expects on its
 * input, or NULL when a header value holds CR, LF or another control
 * character, or (but for the subject) is not ASCII. */
const char *pwreset_mail_compose(apr_pool_t *p, const pwreset_mail *m);

/* Quoted-printable (RFC 2045) with soft breaks before 76 columns. */
const char *pwreset_qp_encode(apr_pool_t *p, const char *s);

/* A display name as a From header may carry it: as it is when it is
 * plain words, a quoted-string when it holds specials, RFC 2047
 * encoded-words when it is not ASCII. */
const char *pwreset_mail_display_name(apr_pool_t *p, const char *name);

/* Text broken into lines of at most 72 characters, at spaces. */
const char *pwreset_wrap(apr_pool_t *p, const char *text);

/* The words of the reset message, in language `lang`: fills subject, text
 * and html.  `site` is the site's name; `ts`, the admin's templates (may
 * be NULL), replace the built-in parts they stand for. */
void pwreset_mail_reset_text(apr_pool_t *p, pwreset_mail *m,
                             const pwreset_lang *lang,
                             const pwreset_templates *ts,
                             const char *username, const char *site,
                             const char *link, long lifetime_seconds);

/* The words of the "your password was changed" notice. */
void pwreset_mail_changed_text(apr_pool_t *p, pwreset_mail *m,
                               const pwreset_lang *lang,
                               const pwreset_templates *ts,
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
