/* SPDX-License-Identifier: Apache-2.0 */
/* Mail composition and delivery.  See mail.h. */
#include "mail.h"
#include "input.h"
#include "lang.h"

#include <apr_escape.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_atomic.h>
#include <apr_encode.h>
#include <apr_lib.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* The encoding a body part goes with: as it is when that is safe for SMTP
 * (lines of at most 998 bytes), so that a person reading the raw message,
 * or a client that does not decode, still sees an intact link: "7bit" for
 * ASCII, "8bit" for UTF-8 text (the relays we target speak 8BITMIME).
 * Quoted-printable otherwise. */
static const char *part_encoding(const char *body)
{
    const char *enc = "7bit";
    apr_size_t col = 0;

    for (const char *c = body; *c; c++) {
        col = *c == '\n' ? 0 : col + 1;
        if (col > 998 || *c == '\r') {
            return "quoted-printable";
        }
        if ((unsigned char)*c > 0x7e) {
            enc = "8bit";
        }
    }
    return enc;
}

static const char *part(apr_pool_t *p, const char *type, const char *body,
                        const char *enc)
{
    return apr_pstrcat(p, "Content-Type: ", type, "; charset=utf-8\n",
                       "Content-Transfer-Encoding: ", enc, "\n\n",
                       strcmp(enc, "quoted-printable")
                           ? body : pwreset_qp_encode(p, body), NULL);
}

/* RFC 5322's date-time with a numeric zone ("+0000", not "GMT"), in
 * English whatever the locale. */
static const char *mail_date(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t x;

    if (apr_time_exp_gmt(&x, t) != APR_SUCCESS) {
        return NULL;
    }
    return apr_psprintf(p, "%s, %02d %s %d %02d:%02d:%02d +0000",
                        apr_day_snames[x.tm_wday], x.tm_mday,
                        apr_month_snames[x.tm_mon], x.tm_year + 1900,
                        x.tm_hour, x.tm_min, x.tm_sec);
}

/* RFC 2047 encoded-words ("=?UTF-8?B?...?=") for UTF-8 text, each from at
 * most 39 bytes of it: 52 characters of base64, a word of 64, so that even
 * the first, after "Subject: ", keeps its line within 76 characters.  Cut
 * between characters; joined by `sep`. */
static const char *encoded_words(apr_pool_t *p, const char *text,
                                 const char *sep)
{
    const char *out = "";
    apr_size_t len = strlen(text), at = 0;

    while (at < len) {
        apr_size_t n = len - at > 39 ? 39 : len - at;

        while (n > 1 && at + n < len
               && ((unsigned char)text[at + n] & 0xc0) == 0x80) {
            n--;
        }
        out = apr_pstrcat(p, out, *out ? sep : "", "=?UTF-8?B?",
                          apr_pencode_base64(p, text + at, (apr_ssize_t)n,
                                             APR_ENCODE_NONE, NULL),
                          "?=", NULL);
        at += n;
    }
    return out;
}

/* A header's text: as it is when printable ASCII, else encoded-words,
 * folded onto continuation lines. */
static const char *header_text(apr_pool_t *p, const char *text)
{
    /* ASCII that looks like an encoded-word would be decoded as one. */
    return pwreset_chars_only(text, PWRESET_CHARS_HEADER)
                   && !strstr(text, "=?")
               ? text : encoded_words(p, text, "\n ");
}

const char *pwreset_mail_display_name(apr_pool_t *p, const char *name)
{
    const char *c;
    char *q, *o;

    if (!pwreset_chars_only(name, PWRESET_CHARS_HEADER)) {
        return encoded_words(p, name, "\n ");
    }
    /* atext and spaces need nothing; anything else is a quoted-string, and
     * so is what could be read as an encoded-word. */
    for (c = name; *c; c++) {
        if (!apr_isalnum(*c) && !strchr(" !#$%&'*+-/=?^_`{|}~", *c)) {
            break;
        }
    }
    if (!*c && !strstr(name, "=?")) {
        return name;
    }
    q = o = apr_palloc(p, 2 * strlen(name) + 3);
    *o++ = '"';
    for (c = name; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *o++ = '\\';
        }
        *o++ = *c;
    }
    *o++ = '"';
    *o = '\0';
    return q;
}

/* A From value: a header value, which may be folded (a long display name
 * is, onto continuation lines that start with a space). */
static int from_ok(const char *v)
{
    if (!v || !*v) {
        return 0;
    }
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;

        if (c == '\n' && v[1] == ' ') {
            continue;
        }
        if (c < 0x20 || c > 0x7e) {
            return 0;
        }
    }
    return 1;
}

const char *pwreset_mail_compose(apr_pool_t *p, const pwreset_mail *m)
{
    const char *date = mail_date(p, m->date);
    const char *text_enc, *html_enc;
    int eight;

    if (!from_ok(m->from) || !header_value_ok(m->to)
        || !m->subject || !*m->subject
        || !pwreset_utf8_valid(m->subject, strlen(m->subject))
        || !pwreset_chars_only(m->subject, PWRESET_CHARS_TEXT)
        || !header_value_ok(m->message_id)
        || !header_value_ok(m->boundary) || !m->text || !m->html || !date) {
        return NULL;
    }
    text_enc = part_encoding(m->text);
    html_enc = part_encoding(m->html);
    /* A multipart entity is labelled at least as widely as its parts
     * (RFC 2045, 6.4): 8bit when a part is; 7bit, the default, when not. */
    eight = !strcmp(text_enc, "8bit") || !strcmp(html_enc, "8bit");
    return apr_pstrcat(p,
        "From: ", m->from, "\n",
        "To: ", m->to, "\n",
        "Subject: ", header_text(p, m->subject), "\n",
        "Date: ", date, "\n",
        "Message-ID: <", m->message_id, ">\n",
        "MIME-Version: 1.0\n",
        "Auto-Submitted: auto-generated\n",
        "Content-Type: multipart/alternative; boundary=\"", m->boundary, "\"\n",
        eight ? "Content-Transfer-Encoding: 8bit\n" : "",
        "\n",
        "--", m->boundary, "\n",
        part(p, "text/plain", m->text, text_enc), "\n",
        "--", m->boundary, "\n",
        part(p, "text/html", m->html, html_enc), "\n",
        "--", m->boundary, "--\n",
        NULL);
}

static const char *html_mail(apr_pool_t *p, const pwreset_lang *lang,
                             const char *title, const char *body)
{
    return apr_pstrcat(p,
        "<!DOCTYPE html>\n<html lang=\"", lang->tag, "\"><head>"
        "<meta charset=\"utf-8\">\n<title>",
        apr_pescape_entity(p, title, 0), "</title></head>\n<body>\n", body,
        "</body></html>\n", NULL);
}

#define T(s) pwreset_tr(lang, s)

/* A paragraph of text for the HTML part: escaped, then the values put in
 * (escaped too; `strong` ones in <strong>). */
static const char *para(apr_pool_t *p, const char *text)
{
    return apr_pstrcat(p, "<p>", text, "</p>\n", NULL);
}

/* The admin's templates of a mail (PwResetTemplateDir), each in place of
 * the built-in part it stands for. */
static void mail_templates(apr_pool_t *p, pwreset_mail *m,
                           const pwreset_templates *ts,
                           const pwreset_lang *lang, pwreset_tpl_id text_id,
                           pwreset_tpl_id html_id, const char *const *v)
{
    const pwreset_template *t = pwreset_templates_find(ts, lang, text_id);

    if (t) {
        m->text = pwreset_template_fill(p, t, v);
    }
    if ((t = pwreset_templates_find(ts, lang, html_id))) {
        m->html = pwreset_template_fill(p, t, v);
    }
}

void pwreset_mail_reset_text(apr_pool_t *p, pwreset_mail *m,
                             const pwreset_lang *lang,
                             const pwreset_templates *ts,
                             const char *username, const char *site,
                             const char *link, long lifetime_seconds)
{
    unsigned long minutes = (unsigned long)((lifetime_seconds + 59) / 60);
    const char *n = apr_ltoa(p, (long)minutes);
    const char *asked = T("Someone, probably you, asked to reset the "
                          "password of the account \"{user}\" on {site}.");
    const char *open = pwreset_trn(lang,
        "To choose a new password, open this link within {n} minute:",
        "To choose a new password, open this link within {n} minutes:",
        minutes);
    const char *once = T("The link works once. If you did not ask for it, "
                         "ignore this message: your password stays as it "
                         "is.");
    const char *esc_asked = apr_pescape_entity(p, asked, 0);

    m->subject = pwreset_fill(p, T("Reset your password for {site}"),
                              "site", site, NULL);
    m->text = apr_pstrcat(p,
        pwreset_wrap(p, pwreset_fill(p, asked, "user", username,
                                     "site", site, NULL)), "\n",
        "\n",
        pwreset_wrap(p, pwreset_fill(p, open, "n", n, NULL)), "\n",
        "\n",
        link, "\n",
        "\n",
        pwreset_wrap(p, once), "\n", NULL);
    m->html = html_mail(p, lang, m->subject, apr_pstrcat(p,
        para(p, pwreset_fill(p, esc_asked,
             "user", apr_pstrcat(p, "<strong>",
                                 apr_pescape_entity(p, username, 0),
                                 "</strong>", NULL),
             "site", apr_pescape_entity(p, site, 0), NULL)),
        para(p, apr_pescape_entity(p, pwreset_fill(p, open, "n", n, NULL),
                                   0)),
        "<p><a href=\"", apr_pescape_entity(p, link, 0), "\">",
        apr_pescape_entity(p, T("Choose a new password"), 0), "</a></p>\n",
        "<p>", apr_pescape_entity(p, T("Or copy this address into your "
                                        "browser:"), 0), "<br>\n",
        apr_pescape_entity(p, link, 0), "</p>\n",
        para(p, apr_pescape_entity(p, once, 0)), NULL));
    if (ts) {
        const char *v[PWRESET_PH_COUNT] = {0};

        v[PWRESET_PH_SITE] = site;
        v[PWRESET_PH_LANG] = lang->tag;
        v[PWRESET_PH_USERNAME] = username;
        v[PWRESET_PH_LINK] = link;
        v[PWRESET_PH_MINUTES] = n;
        mail_templates(p, m, ts, lang, PWRESET_TPL_RESET_TXT,
                       PWRESET_TPL_RESET_HTML, v);
    }
}

/* When, as every language reads it. */
static const char *when_text(apr_pool_t *p, apr_time_t when)
{
    apr_time_exp_t x;

    apr_time_exp_gmt(&x, when);
    return apr_psprintf(p, "%04d-%02d-%02d %02d:%02d UTC", x.tm_year + 1900,
                        x.tm_mon + 1, x.tm_mday, x.tm_hour, x.tm_min);
}

void pwreset_mail_changed_text(apr_pool_t *p, pwreset_mail *m,
                               const pwreset_lang *lang,
                               const pwreset_templates *ts,
                               const char *username, const char *site,
                               const char *client_ip, apr_time_t when,
                               const char *request_url)
{
    const char *changed = T("The password of the account \"{user}\" on "
                            "{site} was changed on {when} from the address "
                            "{client}.");
    const char *fine = T("If this was you, there is nothing to do.");
    const char *act = request_url
        ? T("If it was not, reset your password again at {url} at once and "
            "tell the site's administrators.")
        : T("If it was not, reset your password again at once and tell "
            "the site's administrators.");
    const char *date = when_text(p, when);
    const char *act_t = pwreset_fill(p, act, "url",
                                     request_url ? request_url : "", NULL);
    const char *act_h = pwreset_fill(p, apr_pescape_entity(p, act, 0), "url",
        request_url ? apr_pstrcat(p, "<a href=\"",
                                  apr_pescape_entity(p, request_url, 0),
                                  "\">", apr_pescape_entity(p, request_url, 0),
                                  "</a>", NULL) : "", NULL);

    m->subject = pwreset_fill(p, T("Your password for {site} was changed"),
                              "site", site, NULL);
    m->text = apr_pstrcat(p,
        pwreset_wrap(p, pwreset_fill(p, changed, "user", username,
                                     "site", site, "when", date,
                                     "client", client_ip, NULL)), "\n",
        "\n",
        pwreset_wrap(p, fine), "\n",
        pwreset_wrap(p, act_t), "\n", NULL);
    m->html = html_mail(p, lang, m->subject, apr_pstrcat(p,
        para(p, pwreset_fill(p, apr_pescape_entity(p, changed, 0),
             "user", apr_pstrcat(p, "<strong>",
                                 apr_pescape_entity(p, username, 0),
                                 "</strong>", NULL),
             "site", apr_pescape_entity(p, site, 0),
             "when", date,
             "client", apr_pescape_entity(p, client_ip, 0), NULL)),
        para(p, apr_pescape_entity(p, fine, 0)),
        para(p, act_h), NULL));
    if (ts) {
        const char *v[PWRESET_PH_COUNT] = {0};

        v[PWRESET_PH_SITE] = site;
        v[PWRESET_PH_LANG] = lang->tag;
        v[PWRESET_PH_USERNAME] = username;
        v[PWRESET_PH_WHEN] = date;
        v[PWRESET_PH_CLIENT] = client_ip;
        v[PWRESET_PH_REQUEST_URL] = request_url;
        mail_templates(p, m, ts, lang, PWRESET_TPL_NOTICE_TXT,
                       PWRESET_TPL_NOTICE_HTML, v);
    }
}

/* Text broken into lines of at most 72 columns (counted in characters),
 * at spaces; a word longer than that (a link) stands on its own line. */
const char *pwreset_wrap(apr_pool_t *p, const char *text)
{
    char *out = apr_pstrdup(p, text);
    char *line = out, *space = NULL;
    apr_size_t col = 0;

    for (char *c = out; *c; c++) {
        if (*c == '\n') {
            line = c + 1;
            space = NULL;
            col = 0;
            continue;
        }
        if (((unsigned char)*c & 0xc0) != 0x80) {
            col++;
        }
        if (*c == ' ') {
            space = c;
        }
        if (col > 72 && space) {
            *space = '\n';
            line = space + 1;
            space = NULL;
            col = 0;
            for (char *d = line; d <= c; d++) {
                if (((unsigned char)*d & 0xc0) != 0x80) {
                    col++;
                }
            }
        }
    }
    (void)line;
    return out;
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

/* The environment sendmail gets: enough to find its programs and its own
 * configuration (msmtp reads ~/.msmtprc), nothing else of httpd's. */
static char *const *mail_environment(apr_pool_t *p)
{
    const char *home = getenv("HOME");
    char **env = apr_pcalloc(p, 3 * sizeof(*env));

    env[0] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
             "/bin";
    if (home) {
        env[1] = apr_pstrcat(p, "HOME=", home, NULL);
    }
    return env;
}

static apr_status_t spawn(apr_pool_t *p, const char *const *argv, int in,
                          pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    int rc;

    sigemptyset(&none);
    sigfillset(&all);
    if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
        return APR_FROM_OS_ERROR(rc);
    }
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return APR_FROM_OS_ERROR(rc);
    }
    /* httpd ignores SIGPIPE and the delivery thread blocks every signal:
     * the program starts with neither.  It runs in a process group of its
     * own: a prefork httpd stops its children with one SIGTERM to its whole
     * group, which would kill a sendmail in the middle of a message; the
     * stopping child's drain decides when it is killed (PWR0315). */
    if ((rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK
                                                  | POSIX_SPAWN_SETSIGDEF
                                                  | POSIX_SPAWN_SETPGROUP)) == 0
        && (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0
        && (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0
        && (rc = posix_spawnattr_setsigdefault(&attr, &all)) == 0
        && (rc = posix_spawn_file_actions_adddup2(&fa, in, 0)) == 0
        && (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
                                                  O_WRONLY, 0)) == 0
        && (rc = posix_spawn_file_actions_adddup2(&fa, 1, 2)) == 0
        /* httpd's listeners, logs and database connections stay here. */
        && (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0) {
        rc = posix_spawn(pid, argv[0], &fa, &attr, (char *const *)argv,
                         mail_environment(p));
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc ? APR_FROM_OS_ERROR(rc) : APR_SUCCESS;
}

/* The moment to give up: now + timeout, or *stop_at when earlier. */
static apr_time_t give_up_at(apr_time_t deadline,
                             volatile apr_uint64_t *stop_at)
{
    apr_uint64_t stop = stop_at ? apr_atomic_read64(stop_at) : 0;

    return stop && (apr_time_t)stop < deadline ? (apr_time_t)stop : deadline;
}

/* Write the whole message to the non-blocking pipe, or give up.  A program
 * that exits early closes the pipe: EPIPE, and its exit status says why. */
static apr_status_t write_all(int fd, const char *msg, apr_size_t len,
                              apr_time_t deadline,
                              volatile apr_uint64_t *stop_at)
{
    while (len > 0) {
        apr_time_t left = give_up_at(deadline, stop_at) - apr_time_now();
        struct pollfd pfd = {fd, POLLOUT, 0};
        ssize_t n;

        if (left <= 0) {
            return APR_TIMEUP;
        }
        /* At most 100 ms at a time, so that a stop is seen soon. */
        if (poll(&pfd, 1, left > apr_time_from_msec(100)
                              ? 100 : (int)apr_time_as_msec(left) + 1) < 0
            && errno != EINTR) {
            return APR_FROM_OS_ERROR(errno);
        }
        n = write(fd, msg, len);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            return APR_FROM_OS_ERROR(errno);
        }
        msg += n;
        len -= (apr_size_t)n;
    }
    return APR_SUCCESS;
}

/* write_all() with SIGPIPE held back in this thread: a program that exits
 * early must not kill a caller that has not ignored it (httpd has; a unit
 * test or a fuzzer may not).  The one it raised is taken back. */
static apr_status_t write_quietly(int fd, const char *msg, apr_size_t len,
                                  apr_time_t deadline,
                                  volatile apr_uint64_t *stop_at)
{
    sigset_t pipe_only, old;
    struct timespec now = {0, 0};
    apr_status_t rv;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    rv = write_all(fd, msg, len, deadline, stop_at);
    if (rv == APR_FROM_OS_ERROR(EPIPE) && !sigismember(&old, SIGPIPE)) {
        while (sigtimedwait(&pipe_only, NULL, &now) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rv;
}

/* sendmail, and whatever it started (a wrapper's msmtp, a queue runner):
 * it leads a process group of its own (see spawn()), which stays until it
 * is reaped, so the group is killed, not only its leader. */
static void kill_sendmail(pid_t pid)
{
    if (kill(-pid, SIGKILL) != 0) {
        kill(pid, SIGKILL);
    }
}

/* Wait for the program until the deadline; kill it past that. */
static apr_status_t wait_bounded(pid_t pid, apr_time_t deadline,
                                 volatile apr_uint64_t *stop_at,
                                 int *status)
{
    pid_t done;

    while ((done = waitpid(pid, status, WNOHANG)) == 0
           || (done < 0 && errno == EINTR)) {
        if (apr_time_now() >= give_up_at(deadline, stop_at)) {
            kill_sendmail(pid);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
            }
            return APR_TIMEUP;
        }
        apr_sleep(apr_time_from_msec(10));
    }
    return done == pid ? APR_SUCCESS : APR_FROM_OS_ERROR(errno);
}

apr_status_t pwreset_mail_send(apr_pool_t *p, const char *const *argv,
                               const char *message,
                               apr_interval_time_t timeout,
                               volatile apr_uint64_t *stop_at,
                               int *exit_code)
{
    apr_time_t deadline = apr_time_now() + timeout;
    apr_status_t rv, wrv;
    int fds[2], status = 0;
    pid_t pid;

    *exit_code = -1;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return APR_FROM_OS_ERROR(errno);
    }
    rv = spawn(p, argv, fds[0], &pid);
    close(fds[0]);
    if (rv != APR_SUCCESS) {
        close(fds[1]);
        return rv;
    }
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    wrv = write_quietly(fds[1], message, strlen(message), deadline, stop_at);
    close(fds[1]);
    if (wrv == APR_TIMEUP) {
        kill_sendmail(pid);
    }
    rv = wait_bounded(pid, deadline, stop_at, &status);
    if (rv != APR_SUCCESS || wrv == APR_TIMEUP) {
        return rv != APR_SUCCESS ? rv : APR_TIMEUP;
    }
    if (WIFEXITED(status)) {
        *exit_code = WEXITSTATUS(status);
    }
    if (*exit_code == 0 && wrv != APR_SUCCESS) {
        return APR_INCOMPLETE; /* it exited happily, unread */
    }
    return APR_SUCCESS;
}
