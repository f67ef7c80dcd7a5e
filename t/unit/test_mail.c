/* Unit tests of src/core/mail.c: composition, quoted-printable, ids and
 * sending through a program.  Prints TAP. */
#include "mail.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

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
    pwreset_mail_reset_text(pool, &m, "<alice>", "example.org",
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

        pwreset_mail_reset_text(pool, &u, "zo\xc3\xab", "example.org",
                                "https://example.org/reset/link?token=a.b.c",
                                1800);
        umsg = pwreset_mail_compose(pool, &u);
        ok(umsg && strstr(umsg, "\"\nContent-Transfer-Encoding: 8bit\n\n--"),
           "8-bit parts: the multipart message is labelled 8bit (RFC 2045 6.4)");
        ok(umsg && strstr(umsg, "Content-Transfer-Encoding: 8bit\n\nSomeone"),
           "and the text part 8bit");
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

static void test_send(void)
{
    const char *ok_argv[] = {"/bin/sh", "-c", "cat >/dev/null; exit 3", NULL};
    const char *hang_argv[] = {"/bin/sh", "-c", "cat >/dev/null; exec sleep 30",
                               NULL};
    const char *none_argv[] = {"/nonexistent/sendmail", "-t", NULL};
    apr_time_t start;
    apr_status_t rv;
    int code = 0;

    rv = pwreset_mail_send(pool, ok_argv, "To: a@b.org\n\nhi\n",
                           apr_time_from_sec(10), &code);
    ok(rv == APR_SUCCESS && code == 3, "the exit status is reported (%d)",
       code);
    start = apr_time_now();
    rv = pwreset_mail_send(pool, hang_argv, "To: a@b.org\n\nhi\n",
                           apr_time_from_msec(300), &code);
    ok(rv == APR_TIMEUP && apr_time_now() - start < apr_time_from_sec(5),
       "a hanging sendmail is killed at the timeout");
    ok(pwreset_mail_send(pool, none_argv, "x", apr_time_from_sec(1), &code)
       != APR_SUCCESS, "a missing program is an error");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);

    test_mail();
    test_send();
    return done_testing();
}
