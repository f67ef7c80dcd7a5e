/* SPDX-License-Identifier: Apache-2.0 */
/* The per-child delivery thread.  See delivery.h. */
#include "delivery.h"
#include "mod_pwreset_private.h"
#include "limit.h"
#include "status.h"
#include "store.h"
#include "core/input.h"
#include "core/mail.h"
#include "core/token.h"

#include <apr_atomic.h>
#include <apr_queue.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Enough for bursts; past it jobs are dropped and logged, never waited on. */
#define QUEUE_SIZE 1024
/* A job runs 20 to 60 ms after its request (see wait_for). */
#define DELAY_MIN_MS 20
#define DELAY_SPREAD_MS 40
/* How long a stopping child gives its queue: httpd kills children that
 * have not exited 9 s after a stop, and a child cannot tell a stop from a
 * graceful restart, so one bound well under that for both.  A sendmail
 * still running then is killed (PWR0315); what is still queued is dropped
 * and counted (PWR0310). */
#define DRAIN_BUDGET apr_time_from_sec(3)

typedef enum { JOB_RESET, JOB_CHANGED } job_kind;

typedef struct {
    job_kind kind;
    server_rec *s;
    apr_time_t when;
    char *email;      /* typed (reset) or stored (changed) */
    char *client;
    char *username;   /* changed only */
    int limited;      /* reset only: past PwResetAccountLimit */
    const pwreset_lang *lang;   /* the request's: static, safe to share */
} job;

static apr_queue_t *queue;
static apr_thread_t *thread;
static volatile apr_uint32_t pending;   /* queued, not yet delivered */
/* When a stopping child gives up delivering; 0 while it is not stopping.
 * Read by the thread, and by pwreset_mail_send() while sendmail runs. */
static volatile apr_uint64_t stop_at;
static job stop_job;                    /* tells the thread to end */
/* A full queue means a flood: a line per dropped job would carry it into
 * the error log.  So PWR0314 says how many jobs were dropped: at the first
 * drop, then at most once a minute, and when the child stops. */
#define DROPS_LOG_INTERVAL apr_time_from_sec(60)
static volatile apr_uint32_t dropped;        /* since the last PWR0314 */
static volatile apr_uint64_t drops_logged;   /* when that was; 0: never */
static server_rec *main_server;              /* whose log has PWR0314 */

/* Jobs cross threads: plain malloc, one block, freed by the thread. */
static job *job_new(job_kind kind, server_rec *s, const char *email,
                    const char *client, const char *username, apr_time_t when)
{
    apr_size_t le = strlen(email) + 1, lc = strlen(client) + 1;
    apr_size_t lu = username ? strlen(username) + 1 : 0;
    job *j = malloc(sizeof(*j) + le + lc + lu);

    if (!j) {
        return NULL;
    }
    j->kind = kind;
    j->limited = 0;
    j->lang = pwreset_lang_default();
    j->s = s;
    j->when = when;
    j->email = memcpy((char *)(j + 1), email, le);
    j->client = memcpy(j->email + le, client, lc);
    j->username = username ? memcpy(j->client + lc, username, lu) : NULL;
    return j;
}

static int stopping(void)
{
    return apr_atomic_read64(&stop_at) != 0;
}

static void send_mail(apr_pool_t *p, server_rec *s,
                      const pwreset_settings *cfg,
                      pwreset_mail *m, const char *username, const char *what)
{
    const char *msg;
    apr_status_t rv;
    int code = 0;
    char err[120];

    const char *const *argv = pwreset_cfg_sendmail(cfg);
    int timeout = pwreset_cfg_sendmail_timeout(cfg);

    m->from = pwreset_cfg_sender(cfg)->header;
    if (pwreset_mail_ids(p, m, pwreset_cfg_sender(cfg)->domain) != APR_SUCCESS
        || !(msg = pwreset_mail_compose(p, m))) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     PWRLOGNO(0304) "could not compose "
                     "the %s mail for user %s", what, username);
        pwreset_stat_add(PWRESET_STAT_MAILS_FAILED, 1);
        return;
    }
    rv = pwreset_mail_send(p, argv, msg, apr_time_from_sec(timeout), &stop_at,
                           &code);
    pwreset_stat_add(rv == APR_SUCCESS && code == 0
                         ? PWRESET_STAT_MAILS_SENT : PWRESET_STAT_MAILS_FAILED,
                     1);
    if (rv == APR_TIMEUP && stopping()) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0315) "%s was "
                     "killed as the process stopped; the %s mail for user %s "
                     "may not have been sent", argv[0], what, username);
    }
    else if (rv == APR_TIMEUP) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     PWRLOGNO(0313) "%s took more "
                     "than %d s (PwResetSendmailTimeout) and was killed; the "
                     "%s mail for user %s may not have been sent",
                     argv[0], timeout, what,
                     username);
    }
    else if (rv == APR_INCOMPLETE) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0316) "%s exited "
                     "before reading the whole %s mail for user %s; it may "
                     "not have been sent", argv[0], what, username);
    }
    else if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                     PWRLOGNO(0305) "could not run "
                     "%s for the %s mail for user %s: %s", argv[0],
                     what, username, apr_strerror(rv, err, sizeof(err)));
    }
    else if (code != 0) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     PWRLOGNO(0306) "%s exited with "
                     "status %d; the %s mail for user %s was not sent",
                     argv[0], code, what, username);
    }
    else {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                     PWRLOGNO(0307) "%s mail for "
                     "user %s handed to %s", what, username,
                     argv[0]);
    }
}

/* The stored address goes into "To:" of "sendmail -t": it must name
 * exactly one recipient, or no mail goes out. */
static int mailable(server_rec *s, const char *email, const char *username)
{
    if (pwreset_addr_mailable(email)) {
        return 1;
    }
    pwreset_stat_add(PWRESET_STAT_MAILS_FAILED, 1);
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, PWRLOGNO(0303) "the stored "
                 "address of user %s is not one plain ASCII address; no mail",
                 username);
    return 0;
}

static void mail_reset_link(apr_pool_t *p, server_rec *s,
                            const pwreset_settings *cfg, const pwreset_user *u,
                            apr_time_t when, const pwreset_lang *lang)
{
    const pwreset_key *key = &APR_ARRAY_IDX(pwreset_cfg_keys(cfg), 0, pwreset_key);
    int lifetime = pwreset_cfg_token_lifetime(cfg);
    const char *token;
    pwreset_mail m = {0};

    if (!mailable(s, u->email, u->username)) {
        return;
    }
    token = pwreset_token_issue(p, key, PWRESET_PURPOSE_LINK, u->username,
                                u->hash, (long)apr_time_sec(when), lifetime);
    if (!token) {
        pwreset_stat_add(PWRESET_STAT_MAILS_FAILED, 1);
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     PWRLOGNO(0308) "could not make a "
                     "token for user %s", u->username);
        return;
    }
    m.to = u->email;
    m.date = when;
    pwreset_mail_reset_text(p, &m, lang, pwreset_cfg_templates(cfg),
                            u->username, pwreset_cfg_site(cfg),
                            apr_pstrcat(p, pwreset_cfg_link(cfg)->url, "?token=", token,
                                        NULL),
                            lifetime);
    send_mail(p, s, cfg, &m, u->username, "reset");
}

static void do_reset(apr_pool_t *p, const job *j)
{
    const pwreset_settings *cfg = pwreset_cfg_get(j->s);
    const pwreset_limit *limit = pwreset_cfg_account_limit(cfg);
    apr_array_header_t *users = NULL;

    if (pwreset_store_by_email(p, j->s, j->email, &users) != APR_SUCCESS) {
        pwreset_stat_add(PWRESET_STAT_MAILS_DROPPED, 1);
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, j->s, PWRLOGNO(0301) "the "
                     "database could not be asked (see the error above); a "
                     "reset request was dropped");
        return;
    }
    if (users->nelts == 0) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, j->s,
                     PWRLOGNO(0302) "a reset "
                     "request matched no account");
    }
    for (int i = 0; i < users->nelts; i++) {
        const pwreset_user *u = &APR_ARRAY_IDX(users, i, pwreset_user);

        /* Past the limit the person saw the usual page, as for an unknown
         * address; only the log tells.  Besides the typed spelling (counted
         * in the request), mails are counted per account here: the database
         * may fold spellings the request could not tell apart (case rules,
         * dots, +tags), and each would otherwise have its own counter. */
        if (j->limited
            || pwreset_limit_hit(j->s, limit, "user", u->username, j->when,
                                 NULL, p)) {
            pwreset_stat_add(PWRESET_STAT_ACCOUNT_LIMIT, 1);
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, j->s,
                         PWRLOGNO(0311) "account "
                         "limit reached for user %s (%d in %d s); "
                         "no mail", u->username, limit->count, limit->window);
            continue;
        }
        mail_reset_link(p, j->s, cfg, u, j->when, j->lang);
    }
}

static void do_changed(apr_pool_t *p, const job *j)
{
    const pwreset_settings *cfg = pwreset_cfg_get(j->s);
    pwreset_mail m = {0};

    if (!mailable(j->s, j->email, j->username)) {
        return;
    }
    m.to = j->email;
    m.date = j->when;
    pwreset_mail_changed_text(p, &m, j->lang, pwreset_cfg_templates(cfg),
                              j->username,
                              pwreset_cfg_site(cfg) ? pwreset_cfg_site(cfg)
                                                    : j->s->server_hostname,
                              j->client, j->when,
                              pwreset_cfg_request_url_abs(p, cfg));
    send_mail(p, j->s, cfg, &m, j->username, "password-changed");
}

/* The work done for a known address (lookup, token, fork of sendmail) must
 * not slow down the requests answered meanwhile, or its cost shows in their
 * timing.  So this thread runs at the lowest "nice" priority: it gets the CPU
 * when request threads do not want it.  (Not SCHED_IDLE: this thread takes
 * locks that request threads need, such as mod_dbd's pool, and must not be
 * left holding them on a busy machine.) */
static void lower_priority(server_rec *s)
{
#if defined(__linux__)
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) != 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, errno, s,
                     PWRLOGNO(0312) "could "
                     "not lower the priority of the delivery thread");
    }
#else
    (void)s;
#endif
}

/* Each job waits until a moment a little after its request, chosen at
 * random, so that its burst of work never lines up with the response it
 * belongs to.  Jobs arriving together share one wait; a child on its way
 * out does not wait at all. */
static void wait_for(const job *j)
{
    unsigned char r;
    apr_time_t at, now = apr_time_now();

    if (stopping()) {
        return;
    }
    if (apr_generate_random_bytes(&r, 1) != APR_SUCCESS) {
        r = 128;
    }
    at = j->when + apr_time_from_msec(DELAY_MIN_MS)
         + apr_time_from_msec(DELAY_SPREAD_MS) * r / 255;
    if (at > now) {
        apr_sleep(at - now);
    }
}

/* Logs the jobs dropped since the last time, if the interval is over (or
 * `now` is set); one thread at a time does.  Called at each drop, after
 * each job the thread delivers, and when the child stops; in the main
 * server's log, as the queue is the child's, whatever virtual host the
 * requests were for.  A clock set back counts as the interval over. */
static void log_drops(int now)
{
    apr_time_t t = apr_time_now();
    apr_uint64_t last = apr_atomic_read64(&drops_logged);
    apr_uint32_t n;

    if (!now && last && t >= (apr_time_t)last
        && t - (apr_time_t)last < DROPS_LOG_INTERVAL) {
        return;
    }
    if (!now && !apr_atomic_read32(&dropped)) {
        return;
    }
    if (apr_atomic_cas64(&drops_logged, (apr_uint64_t)t, last) != last) {
        return;
    }
    n = apr_atomic_xchg32(&dropped, 0);
    if (n) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, main_server, PWRLOGNO(0314)
                     "the "
                     "delivery queue was full or not running: %u jobs "
                     "dropped since the last such line (one per request; "
                     "their mails, if any, were not sent)", n);
    }
}

static void *APR_THREAD_FUNC run(apr_thread_t *t, void *data)
{
    apr_pool_t *p;
    void *item;

    sigset_t all;

    /* Signals are httpd's business, handled by its main thread; and
     * sendmail starts with none blocked (see pwreset_mail_send()). */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    lower_priority(data);
    apr_pool_create(&p, apr_thread_pool_get(t));
    for (;;) {
        apr_status_t rv = apr_queue_pop(queue, &item);
        apr_uint64_t until = apr_atomic_read64(&stop_at);

        if (rv == APR_EINTR) {
            continue;
        }
        /* APR_EOF: the queue was terminated (see stop()). */
        if (rv != APR_SUCCESS || item == &stop_job) {
            break;
        }
        /* Past the drain budget, what is left is dropped; pending keeps
         * counting it for stop() to log. */
        if (until && apr_time_now() >= (apr_time_t)until) {
            free(item);
            continue;
        }
        wait_for(item);
        if (((job *)item)->kind == JOB_RESET) {
            do_reset(p, item);
        }
        else {
            do_changed(p, item);
        }
        free(item);
        apr_atomic_dec32(&pending);
        apr_pool_clear(p);
        log_drops(0);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* A pre-cleanup, so it runs before pchild's subpools (the thread's own pool
 * among them) are destroyed.  The thread delivers what is queued within
 * DRAIN_BUDGET, then meets stop_job; if the queue stays full that long, it
 * is terminated.  What was not delivered is counted as lost. */
static apr_status_t stop(void *data)
{
    server_rec *s = data;
    apr_time_t deadline = apr_time_now() + DRAIN_BUDGET;
    apr_status_t rv = APR_EAGAIN;
    apr_uint32_t lost;

    apr_atomic_set64(&stop_at, (apr_uint64_t)deadline);
    while (queue && (rv = apr_queue_trypush(queue, &stop_job)) == APR_EAGAIN
           && apr_time_now() < deadline) {
        apr_sleep(apr_time_from_msec(10));
    }
    if (queue && rv != APR_SUCCESS) {
        apr_queue_term(queue);
    }
    if (thread) {
        apr_thread_join(&rv, thread);
    }
    log_drops(1);
    lost = apr_atomic_read32(&pending);
    if (lost) {
        pwreset_stat_add(PWRESET_STAT_MAILS_DROPPED, lost);
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0310) "%u queued "
                     "mails were dropped as the process stopped", lost);
    }
    queue = NULL;
    thread = NULL;
    return APR_SUCCESS;
}

/* Under prefork the child's allocator has no lock: requests never ran in
 * two threads before.  This thread, and the mod_dbd pools it uses, draw
 * from it too, so it needs one now. */
static apr_status_t lock_allocator(apr_pool_t *pchild)
{
    apr_allocator_t *allocator = apr_pool_allocator_get(pchild);
    apr_thread_mutex_t *mutex;
    apr_status_t rv;

    if (!allocator || apr_allocator_mutex_get(allocator)) {
        return APR_SUCCESS;
    }
    rv = apr_thread_mutex_create(&mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
    if (rv == APR_SUCCESS) {
        apr_allocator_mutex_set(allocator, mutex);
    }
    return rv;
}

void pwreset_delivery_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (!pwreset_any_configured(s)) {
        return;
    }
    apr_atomic_set64(&stop_at, 0);
    apr_atomic_set32(&pending, 0);
    apr_atomic_set32(&dropped, 0);
    apr_atomic_set64(&drops_logged, 0);
    main_server = s;
    rv = lock_allocator(pchild);
    if (rv == APR_SUCCESS) {
        rv = apr_queue_create(&queue, QUEUE_SIZE, pchild);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_thread_create(&thread, NULL, run, s, pchild);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     PWRLOGNO(0309) "could not start "
                     "the delivery thread; no reset mail will be sent");
        queue = NULL;
        thread = NULL;
        return;
    }
    apr_pool_pre_cleanup_register(pchild, s, stop);
}

static apr_status_t enqueue(job *j)
{
    apr_status_t rv;

    if (!j) {
        return APR_ENOMEM;
    }
    apr_atomic_inc32(&pending);
    rv = queue && !stopping() ? apr_queue_trypush(queue, j) : APR_ENOTIMPL;
    if (rv != APR_SUCCESS) {
        apr_atomic_dec32(&pending);
        free(j);
        pwreset_stat_add(PWRESET_STAT_MAILS_DROPPED, 1);
        apr_atomic_inc32(&dropped);
        log_drops(0);
    }
    return rv;
}

apr_status_t pwreset_delivery_reset(server_rec *s, const char *email,
                                    const char *client_ip, apr_time_t when,
                                    const pwreset_lang *lang, int limited)
{
    job *j = job_new(JOB_RESET, s, email, client_ip, NULL, when);

    if (j) {
        j->limited = limited;
        j->lang = lang;
    }
    return enqueue(j);
}

apr_status_t pwreset_delivery_changed(server_rec *s, const char *username,
                                      const char *email,
                                      const char *client_ip, apr_time_t when,
                                      const pwreset_lang *lang)
{
    job *j = job_new(JOB_CHANGED, s, email, client_ip, username, when);

    if (j) {
        j->lang = lang;
    }
    return enqueue(j);
}
