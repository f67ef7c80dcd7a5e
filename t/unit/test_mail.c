/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/mail.c: composition, quoted-printable, ids and
 * sending through a program.  Prints TAP. */
#include "mail.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static apr_pool_t *pool;
static char tmpdir[] = "/tmp/pwreset-mail-XXXXXX";
static int runs;

static void test_mail(void)
{
    pwreset_mail m = {0};
    const char *msg, *qp;
    char *line;
    char *last;
    int longest = 0;

    m.from = "no-reply@example.org";
    m.to = "alice@example.org";
    m.date = apr_time_from_sec(1700000000);
    ok(pwreset_mail_ids(pool, &m, "example.org") == APR_SUCCESS, "ids");
    pwreset_mail_reset_text(pool, &m, pwreset_lang_default(), NULL, "<alice>", "example.org",
                            "https://example.org/reset/link?token=abc.def.ghi",
                            1800);
    msg = pwreset_mail_compose(pool, &m);
    ok(msg != NULL, "message composed");
    ok(strstr(msg, "\nTo: alice@example.org\n") != NULL, "To");
    ok(strstr(msg, "Date: Tue, 14 Nov 2023 22:13:20 +0000\n") != NULL, "Date");
    ok(strstr(msg, "\nAuto-Submitted: auto-generated\n") != NULL,
       "Auto-Submitted");
    ok(strstr(msg, "multipart/alternative") != NULL, "multipart");
    ok(strstr(m.html, "&lt;alice&gt;") != NULL, "HTML part escapes values");
    ok(strstr(m.text, "within 30 minutes") != NULL, "lifetime in minutes");
    ok(strstr(msg, "Content-Transfer-Encoding: 7bit\n\nSomeone") != NULL,
       "plain ASCII with short lines goes as it is");
    ok(strstr(msg, "?token=abc.def.ghi\n") != NULL, "the link intact");
    ok(strstr(msg, "boundary=\"") && !strstr(strstr(msg, "boundary=\""),
                                             "\"\nContent-Transfer-Encoding"),
       "an ASCII message: no top-level encoding (7bit)");
    {
        pwreset_mail u = m;
        const char *umsg;

        pwreset_mail_reset_text(pool, &u, pwreset_lang_default(), NULL, "zo\xc3\xab", "example.org",
                                "https://example.org/reset/link?token=a.b.c",
                                1800);
        umsg = pwreset_mail_compose(pool, &u);
        ok(umsg && strstr(umsg, "\"\nContent-Transfer-Encoding: 8bit\n\n--"),
           "8-bit parts: the multipart message is labelled 8bit (RFC 2045 6.4)");
        ok(umsg && strstr(umsg, "Content-Transfer-Encoding: 8bit\n\nSomeone"),
           "and the text part 8bit");
        {
            /* A long non-ASCII subject: encoded-words folded so that no
             * line holding one passes 76 characters (RFC 2047). */
            pwreset_mail w = m;
            const char *wmsg, *ln;
            int widest = 0, words = 0;

            w.subject = "R\xc3\xa9initialisation de votre mot de passe sur "
                        "B\xc3\xa4" "ckerei M\xc3\xbc" "ller & Fils, "
                        "Stra\xc3\x9f" "e 12";
            wmsg = pwreset_mail_compose(pool, &w);
            for (ln = wmsg; ln && *ln && strncmp(ln, "Date:", 5);) {
                const char *nl = strchr(ln, '\n');
                int len = (int)(nl - ln);

                if (strstr(apr_pstrndup(pool, ln, len), "=?UTF-8?B?")) {
                    words++;
                    widest = len > widest ? len : widest;
                }
                ln = nl + 1;
            }
            ok(words >= 2 && widest <= 76,
               "a long subject: %d folded lines, none over 76 (%d)", words,
               widest);
            w.subject = "=?UTF-8?B?SGVsbG8=?= plain ASCII";
            wmsg = pwreset_mail_compose(pool, &w);
            ok(wmsg && !strstr(wmsg, "Subject: =?UTF-8?B?SGVsbG8=?= plain"),
               "ASCII that looks like an encoded-word is encoded itself");
        }
    }
    {
        pwreset_mail long_line = m;
        char *big = apr_palloc(pool, 1201);
        memset(big, 'x', 1200);
        big[1200] = '\0';
        long_line.text = apr_pstrcat(pool, "caf\xc3\xa9\n", big, "\n", NULL);
        long_line.html = "<p>caf\xc3\xa9</p>\n";
        msg = pwreset_mail_compose(pool, &long_line);
        ok(msg && strstr(msg, "quoted-printable\n\ncaf=C3=A9\n"),
           "a line over 998 bytes is quoted-printable");
        ok(msg && strstr(msg, "8bit\n\n<p>caf\xc3\xa9</p>"),
           "UTF-8 with short lines is 8bit");
    }
    m.to = "alice@example.org\nBcc: eve@example.org";
    ok(pwreset_mail_compose(pool, &m) == NULL, "LF in a header refused");
    m.to = "alice@example.org\rBcc: eve@example.org";
    ok(pwreset_mail_compose(pool, &m) == NULL, "CR in a header refused");

    qp = pwreset_qp_encode(pool, apr_pstrcat(pool, "caf\xc3\xa9 = ",
        "https://example.org/reset/link?token=eyJhbGciOiJIUzI1NiIsInR5cCI6Ik"
        "pXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl "
        "\n", NULL));
    for (line = apr_strtok(apr_pstrdup(pool, qp), "\n", &last); line;
         line = apr_strtok(NULL, "\n", &last)) {
        if ((int)strlen(line) > longest) {
            longest = (int)strlen(line);
        }
    }
    ok(longest <= 76, "quoted-printable lines stay within 76 (%d)", longest);
    ok(strncmp(qp, "caf=C3=A9 =3D ", 14) == 0, "QP escapes");
    ok(strstr(qp, "=20\n") != NULL, "trailing space encoded");
}

/* What a command printed into a file of the test's: its output. */
static const char *run_and_read(const char *script, int *code)
{
    const char *out = apr_psprintf(pool, "%s/out.%d", tmpdir, ++runs);
    const char *argv[] = {"/bin/sh", "-c", NULL, NULL};
    char buf[4096];
    apr_size_t n = 0;
    FILE *f;

    argv[2] = apr_psprintf(pool, "%s > %s", script, out);
    if (pwreset_mail_send(pool, argv, "To: a@b.org\n\nhi\n",
                          apr_time_from_sec(10), NULL, code) != APR_SUCCESS
        || !(f = fopen(out, "r"))) {
        return NULL;
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return apr_pstrdup(pool, buf);
}

static void test_send(void)
{
    const char *ok_argv[] = {"/bin/sh", "-c", "cat >/dev/null; exit 3", NULL};
    const char *hang_argv[] = {"/bin/sh", "-c", "cat >/dev/null; exec sleep 30",
                               NULL};
    const char *deaf_argv[] = {"/bin/sleep", "30", NULL};
    const char *noisy_argv[] = {"/bin/sh", "-c",
                                "cat; echo on stderr >&2; exit 0", NULL};
    const char *none_argv[] = {"/nonexistent/sendmail", "-t", NULL};
    volatile apr_uint64_t stop_at = 0;
    char *big = apr_palloc(pool, 1 << 20);
    const char *out;
    apr_time_t start;
    apr_status_t rv;
    sigset_t block;
    int code = 0, spare;

    rv = pwreset_mail_send(pool, ok_argv, "To: a@b.org\n\nhi\n",
                           apr_time_from_sec(10), NULL, &code);
    ok(rv == APR_SUCCESS && code == 3, "the exit status is reported (%d)",
       code);
    start = apr_time_now();
    rv = pwreset_mail_send(pool, hang_argv, "To: a@b.org\n\nhi\n",
                           apr_time_from_msec(300), NULL, &code);
    ok(rv == APR_TIMEUP && apr_time_now() - start < apr_time_from_sec(5),
       "a hanging sendmail is killed at the timeout");
    ok(pwreset_mail_send(pool, none_argv, "x", apr_time_from_sec(1), NULL,
                         &code) != APR_SUCCESS, "a missing program is an error");

    /* Writing has the deadline too: a program that never reads a message
     * bigger than the pipe holds. */
    memset(big, 'x', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    start = apr_time_now();
    rv = pwreset_mail_send(pool, deaf_argv, big, apr_time_from_msec(300),
                           NULL, &code);
    ok(rv == APR_TIMEUP && apr_time_now() - start < apr_time_from_sec(5),
       "a program that does not read is killed at the timeout");

    /* A program that exits happily without reading: not a silent success,
     * and no SIGPIPE for the caller (this test has not ignored it). */
    {
        const char *quit_argv[] = {"/bin/sh", "-c", "exit 0", NULL};

        rv = pwreset_mail_send(pool, quit_argv, big, apr_time_from_sec(10),
                               NULL, &code);
        ok(rv == APR_INCOMPLETE && code == 0,
           "exit 0 before reading it all: APR_INCOMPLETE");
    }

    /* Another thread's stop comes before the timeout. */
    stop_at = (apr_uint64_t)(apr_time_now() + apr_time_from_msec(200));
    start = apr_time_now();
    rv = pwreset_mail_send(pool, hang_argv, "To: a@b.org\n\nhi\n",
                           apr_time_from_sec(60), &stop_at, &code);
    ok(rv == APR_TIMEUP && apr_time_now() - start < apr_time_from_sec(5),
       "a stop cuts a 60 s timeout short");

    /* What the program inherits: no other descriptor, an empty signal mask,
     * default dispositions, a minimal environment, and stdout and stderr
     * that lead nowhere (not to httpd's error log). */
    spare = dup(0);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGPIPE, SIG_IGN);
    out = run_and_read("ls /proc/self/fd", &code);
    is_str(out, "0\n1\n2\n3\n",
           "only stdin, stdout, stderr (and ls's own directory) are open");
    out = run_and_read("grep -E '^Sig(Blk|Ign)' /proc/self/status", &code);
    {
        unsigned long long blk = 1, ign = 1;

        ok(out && sscanf(out, "SigBlk:\t%llx\nSigIgn:\t%llx", &blk, &ign) == 2
           && blk == 0, "no signal blocked (SIGUSR1 was, here)");
        /* glibc leaves its own two internal signals (32, 33) ignored. */
        ok(out && !(ign & ((1ULL << (SIGPIPE - 1)) | (1ULL << (SIGUSR1 - 1))))
           && !(ign & ((1ULL << 31) - 1)),
           "no standard signal ignored (SIGPIPE was, here)");
    }
    /* Its own process group (field 5 of /proc/PID/stat): a SIGTERM to
     * httpd's group (prefork's stop) does not reach it. */
    out = run_and_read("echo $$ $(cut -d' ' -f5 /proc/$$/stat)", &code);
    {
        long me = -1, group = -2;

        ok(out && sscanf(out, "%ld %ld", &me, &group) == 2 && me == group
           && group != (long)getpgrp(),
           "a process group of its own (%ld, %ld; ours %ld)", me, group,
           (long)getpgrp());
    }
    out = run_and_read("env | sort | sed 's/=.*//'", &code);
    ok(out && (!strcmp(out, "HOME\nPATH\n") || !strcmp(out, "PATH\n")
               || !strcmp(out, "HOME\nPATH\nPWD\n") || !strcmp(out, "PATH\nPWD\n")),
       "only PATH and HOME in the environment (and the shell's PWD)");
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    signal(SIGPIPE, SIG_DFL);
    close(spare);
    rv = pwreset_mail_send(pool, noisy_argv, "To: a@b.org\n\nhi\n",
                           apr_time_from_sec(10), NULL, &code);
    ok(rv == APR_SUCCESS && code == 0,
       "a program writing to stdout and stderr runs to its end");
}

/* Killed past the timeout: sendmail, and what it started (a wrapper's
 * msmtp) with it, not left running after the log said it was killed. */
static void test_group_killed(void)
{
    char *pidfile = apr_psprintf(pool, "%s/helper.pid", tmpdir);
    char *script = apr_psprintf(pool, "sleep 300 & echo $! > %s; "
                                "exec sleep 300", pidfile);
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    int code = -1, gone = 0;
    long helper = 0;
    apr_status_t rv;
    FILE *f;

    rv = pwreset_mail_send(pool, argv, "To: a@b.org\n\nhi\n",
                           apr_time_from_sec(1), NULL, &code);
    f = fopen(pidfile, "r");
    if (f) {
        if (fscanf(f, "%ld", &helper) != 1) {
            helper = 0;
        }
        fclose(f);
    }
    /* Gone, or a zombie waiting for init to reap it. */
    for (int i = 0; i < 200 && helper > 0 && !gone; i++) {
        char *stat = apr_psprintf(pool, "/proc/%ld/stat", helper);
        char buf[256] = "";
        FILE *sf = fopen(stat, "r");

        if (!sf) {
            gone = 1;
            break;
        }
        if (fgets(buf, sizeof(buf), sf) && strstr(buf, ") Z ")) {
            gone = 1;
        }
        fclose(sf);
        if (!gone) {
            apr_sleep(apr_time_from_msec(10));
        }
    }
    ok(rv == APR_TIMEUP && helper > 0 && gone,
       "past the timeout, what sendmail started is killed with it "
       "(pid %ld)", helper);
    if (helper > 0 && !gone) {
        kill((pid_t)helper, SIGKILL);
    }
    unlink(pidfile);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);

    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_mail();
    test_send();
    test_group_killed();
    system(apr_psprintf(pool, "rm -rf '%s'", tmpdir));
    return done_testing();
}
