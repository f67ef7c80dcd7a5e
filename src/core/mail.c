/* SPDX-License-Identifier: Apache-2.0 */
/* Mail composition and delivery.  See mail.h. */
#include "mail.h"
#include "input.h"

#include <apr_escape.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <signal.h>
#include <string.h>

static int header_value_ok(const char *v)
{
    return v && *v && pwreset_chars_only(v, PWRESET_CHARS_HEADER);
}

const char *pwreset_qp_encode(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    /* Worst case: every byte becomes "=XX", plus a soft break per 25. */
    apr_size_t cap = strlen(s) * 3 + strlen(s) / 25 * 3 + 4;
    char *out = apr_palloc(p, cap), *o = out;
    int col = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int trailing_space = (c == ' ' || c == '\t')
                             && (s[1] == '\n' || s[1] == '\0');
        int plain = (c >= 33 && c <= 126 && c != '=')
                    || ((c == ' ' || c == '\t') && !trailing_space);
        int width = plain ? 1 : 3;

        if (c == '\n') {
            *o++ = '\n';
            col = 0;
            continue;
        }
        if (col + width > 75) {
            *o++ = '=';
            *o++ = '\n';
            col = 0;
        }
        if (plain) {
            *o++ = (char)c;
        }
        else {
            *o++ = '=';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        col += width;
    }
    *o = '\0';
    return out;
}

/* A body part as it is, when that is safe for SMTP (lines of at most 998
 * bytes): a person reading the raw message, or a client that does not
 * decode, still sees an intact link.  Quoted-printable otherwise. */
static const char *part(apr_pool_t *p, const char *type, const char *body)
{
    const char *enc = "7bit";
    apr_size_t col = 0;

    for (const char *c = body; *c; c++) {
        col = *c == '\n' ? 0 : col + 1;
        if (col > 998 || *c == '\r') {
            enc = NULL;
            break;
        }
        if ((unsigned char)*c > 0x7e) {
            enc = "8bit";
        }
    }
    return apr_pstrcat(p, "Content-Type: ", type, "; charset=utf-8\n",
                       "Content-Transfer-Encoding: ",
                       enc ? enc : "quoted-printable", "\n\n",
                       enc ? body : pwreset_qp_encode(p, body), NULL);
}

const char *pwreset_mail_compose(apr_pool_t *p, const pwreset_mail *m)
{
    char date[APR_RFC822_DATE_LEN];

    if (!header_value_ok(m->from) || !header_value_ok(m->to)
        || !header_value_ok(m->subject) || !header_value_ok(m->message_id)
        || !header_value_ok(m->boundary) || !m->text || !m->html
        || apr_rfc822_date(date, m->date) != APR_SUCCESS) {
        return NULL;
    }
    return apr_pstrcat(p,
        "From: ", m->from, "\n",
        "To: ", m->to, "\n",
        "Subject: ", m->subject, "\n",
        "Date: ", date, "\n",
        "Message-ID: <", m->message_id, ">\n",
        "MIME-Version: 1.0\n",
        "Auto-Submitted: auto-generated\n",
        "Content-Type: multipart/alternative; boundary=\"", m->boundary, "\"\n",
        "\n",
        "--", m->boundary, "\n",
        part(p, "text/plain", m->text), "\n",
        "--", m->boundary, "\n",
        part(p, "text/html", m->html), "\n",
        "--", m->boundary, "--\n",
        NULL);
}

static const char *html_mail(apr_pool_t *p, const char *title,
                             const char *body)
{
    return apr_pstrcat(p,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>",
        title, "</title></head>\n<body>\n", body, "</body></html>\n", NULL);
}

void pwreset_mail_reset_text(apr_pool_t *p, pwreset_mail *m,
                             const char *username, const char *site,
                             const char *link, long lifetime_seconds)
{
    long minutes = (lifetime_seconds + 59) / 60;
    const char *user_h = apr_pescape_entity(p, username, 0);
    const char *site_h = apr_pescape_entity(p, site, 0);
    const char *link_h = apr_pescape_entity(p, link, 0);

    m->subject = "Reset your password";
    m->text = apr_psprintf(p,
        "Someone, probably you, asked to reset the password of the account\n"
        "\"%s\" on %s.\n"
        "\n"
        "To choose a new password, open this link within %ld minutes:\n"
        "\n"
        "%s\n"
        "\n"
        "The link works once. If you did not ask for it, ignore this\n"
        "message: your password stays as it is.\n",
        username, site, minutes, link);
    m->html = html_mail(p, "Reset your password", apr_psprintf(p,
        "<p>Someone, probably you, asked to reset the password of the account "
        "<strong>%s</strong> on %s.</p>\n"
        "<p>To choose a new password, open this link within %ld minutes:</p>\n"
        "<p><a href=\"%s\">Choose a new password</a></p>\n"
        "<p>Or copy this address into your browser:<br>\n%s</p>\n"
        "<p>The link works once. If you did not ask for it, ignore this "
        "message: your password stays as it is.</p>\n",
        user_h, site_h, minutes, link_h, link_h));
}

void pwreset_mail_changed_text(apr_pool_t *p, pwreset_mail *m,
                               const char *username, const char *site,
                               const char *client_ip, apr_time_t when,
                               const char *request_url)
{
    char date[APR_RFC822_DATE_LEN];
    const char *again = request_url
        ? apr_pstrcat(p, " at ", request_url, NULL) : "";

    apr_rfc822_date(date, when);
    m->subject = "Your password was changed";
    m->text = apr_psprintf(p,
        "The password of the account \"%s\" on %s was changed\n"
        "on %s from the address %s.\n"
        "\n"
        "If this was you, there is nothing to do.\n"
        "If it was not, reset your password again%s at once\n"
        "and tell the site's administrators.\n",
        username, site, date, client_ip, again);
    m->html = html_mail(p, "Your password was changed", apr_psprintf(p,
        "<p>The password of the account <strong>%s</strong> on %s was "
        "changed on %s from the address %s.</p>\n"
        "<p>If this was you, there is nothing to do. If it was not, reset "
        "your password again%s at once and tell the site's "
        "administrators.</p>\n",
        apr_pescape_entity(p, username, 0), apr_pescape_entity(p, site, 0),
        date, apr_pescape_entity(p, client_ip, 0),
        apr_pescape_entity(p, again, 0)));
}

apr_status_t pwreset_mail_ids(apr_pool_t *p, pwreset_mail *m,
                              const char *domain)
{
    unsigned char rnd[24];
    apr_status_t rv = apr_generate_random_bytes(rnd, sizeof(rnd));

    if (rv != APR_SUCCESS) {
        return rv;
    }
    m->message_id = apr_pstrcat(p, apr_pescape_hex(p, rnd, 12, 0),
                                ".pwreset@", domain, NULL);
    m->boundary = apr_pstrcat(p, "=_pwreset_",
                              apr_pescape_hex(p, rnd + 12, 12, 0), NULL);
    return APR_SUCCESS;
}

/* Wait for the child until `deadline`; kill it past that. */
static apr_status_t wait_bounded(apr_proc_t *proc, apr_time_t deadline,
                                 int *exit_code, apr_exit_why_e *why)
{
    apr_status_t rv;

    while ((rv = apr_proc_wait(proc, exit_code, why, APR_NOWAIT))
           == APR_CHILD_NOTDONE) {
        if (apr_time_now() >= deadline) {
            apr_proc_kill(proc, SIGKILL);
            apr_proc_wait(proc, exit_code, why, APR_WAIT);
            return APR_TIMEUP;
        }
        apr_sleep(apr_time_from_msec(10));
    }
    return rv;
}

apr_status_t pwreset_mail_send(apr_pool_t *p, const char *const *argv,
                               const char *message, apr_interval_time_t timeout,
                               int *exit_code)
{
    apr_procattr_t *attr;
    apr_proc_t proc;
    apr_exit_why_e why;
    apr_size_t len = strlen(message);
    apr_status_t rv, wrv;

    *exit_code = -1;
    if ((rv = apr_procattr_create(&attr, p)) != APR_SUCCESS
        || (rv = apr_procattr_io_set(attr, APR_FULL_BLOCK, APR_NO_FILE,
                                     APR_NO_PIPE)) != APR_SUCCESS
        || (rv = apr_procattr_cmdtype_set(attr, APR_PROGRAM)) != APR_SUCCESS
        /* Lets apr_proc_create() report a missing program itself. */
        || (rv = apr_procattr_error_check_set(attr, 1)) != APR_SUCCESS
        || (rv = apr_procattr_detach_set(attr, 0)) != APR_SUCCESS) {
        return rv;
    }
    rv = apr_proc_create(&proc, argv[0], argv, NULL, attr, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* A sendmail that exits early closes the pipe: the write fails (httpd
     * ignores SIGPIPE) and the exit status below tells why. */
    wrv = apr_file_write_full(proc.in, message, len, NULL);
    apr_file_close(proc.in);
    rv = wait_bounded(&proc, apr_time_now() + timeout, exit_code, &why);
    if (rv != APR_CHILD_DONE) {
        return rv;
    }
    if (!APR_PROC_CHECK_EXIT(why)) {
        *exit_code = -1;
    }
    else if (*exit_code == 0 && wrv != APR_SUCCESS) {
        return wrv;
    }
    return APR_SUCCESS;
}
