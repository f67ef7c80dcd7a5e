/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the parts that need no request: input parsing, tokens,
 * mail composition, pages and password rules.  Prints TAP. */
#include "input.h"
#include "mail.h"
#include "page.h"
#include "password.h"
#include "quality.h"
#include "token.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <jwt.h>
#include <stdlib.h>

static apr_pool_t *pool;
static const unsigned char key1[] = "0123456789abcdef0123456789abcdef-key-one";
static const unsigned char key2[] = "fedcba9876543210fedcba9876543210-key-two";
static pwreset_key k1, k2;
static apr_array_header_t *only1, *both;

static pwreset_form_status parse(const char *data, const char **values)
{
    static const char *const names[] = {"email", "x", NULL};
    return pwreset_form_parse(pool, data, strlen(data), names, values);
}

static void test_form(void)
{
    const char *v[2];

    ok(parse("email=a%40b.org&x=1", v) == PWRESET_FORM_OK, "form parses");
    is_str(v[0], "a@b.org", "percent-decoding");
    ok(parse("x=&email=+a+b+", v) == PWRESET_FORM_OK && !strcmp(v[0], " a b ")
       && !strcmp(v[1], ""), "plus is a space, empty value kept");
    ok(parse("email=a&x=1&email=b", v) == PWRESET_FORM_REPEATED, "repeated");
    ok(parse("email=a", v) == PWRESET_FORM_MISSING, "missing");
    ok(parse("email=a&x=1&email[]=b", v) == PWRESET_FORM_UNKNOWN,
       "email[] is not email");
    ok(parse("email=a%00b&x=1", v) == PWRESET_FORM_MALFORMED, "%%00 refused");
    ok(parse("email=a%zzb&x=1", v) == PWRESET_FORM_MALFORMED, "bad escape");
    ok(parse("email=a%4&x=1", v) == PWRESET_FORM_MALFORMED, "cut escape");
    ok(parse("email=a&x=1&", v) == PWRESET_FORM_OK, "trailing & tolerated");
    ok(parse("", v) == PWRESET_FORM_MISSING, "empty body");
    ok(pwreset_form_parse(pool, "email=a\0&x=1", 12,
                          (const char *const[]){"email", "x", NULL}, v)
           == PWRESET_FORM_MALFORMED, "raw NUL refused");
}

static void test_utf8_and_addr(void)
{
    ok(pwreset_utf8_valid("caf\xc3\xa9", 5), "valid UTF-8");
    ok(!pwreset_utf8_valid("\xc0\xaf", 2), "overlong refused");
    ok(!pwreset_utf8_valid("\xed\xa0\x80", 3), "surrogate refused");
    ok(!pwreset_utf8_valid("\xf5\x80\x80\x80", 4), "past U+10FFFF refused");
    ok(!pwreset_utf8_valid("a\xc3", 2), "truncated sequence refused");
    ok(pwreset_utf8_length("\xc3\xa9t\xc3\xa9") == 3, "code points counted");
    is_str(pwreset_trim(pool, " \t a b \t"), "a b", "trim");

    ok(pwreset_addr_check("alice@example.org") == PWRESET_ADDR_OK, "address");
    ok(pwreset_addr_check("") == PWRESET_ADDR_EMPTY, "empty address");
    ok(pwreset_addr_check("alice.example.org") == PWRESET_ADDR_SYNTAX, "no @");
    ok(pwreset_addr_check("a@b@c") == PWRESET_ADDR_SYNTAX, "two @");
    ok(pwreset_addr_check("a@b.org, c@d.org") == PWRESET_ADDR_SYNTAX,
       "a list is not an address");
    ok(pwreset_addr_check("a@b.org\r\nBcc: c@d.org") == PWRESET_ADDR_CONTROL,
       "CR/LF refused");
    ok(pwreset_addr_check("a\xff@b.org") == PWRESET_ADDR_UTF8,
       "invalid UTF-8 refused");
    {
        char *long_addr = apr_pstrcat(pool, apr_pstrndup(pool,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            60), "@", NULL);
        while (strlen(long_addr) <= PWRESET_ADDR_MAX) {
            long_addr = apr_pstrcat(pool, long_addr, "bbbbbbbbb.", NULL);
        }
        long_addr = apr_pstrcat(pool, long_addr, "org", NULL);
        ok(pwreset_addr_check(long_addr) == PWRESET_ADDR_TOO_LONG,
           "over 254 bytes refused");
    }
    ok(pwreset_addr_check("m\xc4\xb1ke@example.org") == PWRESET_ADDR_OK,
       "a dotless i is a valid address to ask with");
    ok(!pwreset_addr_mailable("m\xc4\xb1ke@example.org"),
       "but never one we would mail");
    ok(pwreset_addr_mailable("mike@example.org"), "plain address mailable");
    ok(!pwreset_addr_mailable("mike@example.org bob@evil.example"),
       "two recipients never mailable");
}

/* A token with the claims of our own but one thing changed, for forgery. */
static const char *craft(const pwreset_key *k, jwt_alg_t alg,
                         const char *claims_json, const char *kid)
{
    jwt_t *jwt;
    char *raw;
    const char *out;

    jwt_new(&jwt);
    if (kid) {
        jwt_add_header(jwt, "kid", kid);
    }
    jwt_add_grants_json(jwt, claims_json);
    if (alg != JWT_ALG_NONE) {
        jwt_set_alg(jwt, alg, k->bytes, (int)k->len);
    }
    raw = jwt_encode_str(jwt);
    out = apr_pstrdup(pool, raw);
    free(raw);
    jwt_free(jwt);
    return out;
}

static void test_tokens(void)
{
    const char *hash = "$2y$04$abcdefghijklmnopqrstuu5v7tN3Sb8fQDxQ1ib0zJYz8uQe/Ph9W";
    const char *fp = pwreset_fingerprint(pool, &k1, hash);
    pwreset_claims c;
    const char *t, *claims;
    long now = 1700000000;

    ok(strcmp(k1.kid, k2.kid) != 0, "key ids differ with the bytes");
    t = pwreset_token_issue(pool, &k1, PWRESET_PURPOSE_LINK, "alice", hash,
                            now, 600);
    ok(t != NULL, "token issued");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK, now + 1, &c)
       == PWRESET_TOKEN_OK, "token verifies");
    is_str(c.sub, "alice", "sub");
    ok(c.exp == now + 600 && c.iat == now, "iat and exp");
    ok(pwreset_token_matches(pool, &c, hash), "made for this hash");
    ok(!pwreset_token_matches(pool, &c, "$2y$04$other"),
       "not for another hash");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_FORM, now, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "link token refused as a form token");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK, now + 600,
                            &c) == PWRESET_TOKEN_EXPIRED, "expired at exp");
    ok(pwreset_token_verify(pool, both, t, PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_OK && c.key == &APR_ARRAY_IDX(both, 1, pwreset_key),
       "rotation: an older listed key still verifies");
    {
        apr_array_header_t *just2 = apr_array_make(pool, 1, sizeof(pwreset_key));
        *(pwreset_key *)apr_array_push(just2) = k2;
        ok(pwreset_token_verify(pool, just2, t, PWRESET_PURPOSE_LINK, now, &c)
           == PWRESET_TOKEN_BAD_SIGNATURE, "a key no longer listed");
    }
    {
        char *tampered = apr_pstrdup(pool, t);
        char *dot = strchr(tampered, '.') + 3;
        *dot = *dot == 'A' ? 'B' : 'A';
        ok(pwreset_token_verify(pool, only1, tampered, PWRESET_PURPOSE_LINK,
                                now, &c) != PWRESET_TOKEN_OK, "tampered");
    }
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":%ld,"
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, now + 60, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_OK, "crafted control token verifies");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS512, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, &c)
       != PWRESET_TOKEN_OK, "HS512 under the same key refused");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_NONE, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, &c)
       != PWRESET_TOKEN_OK, "alg none refused");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k2.kid), PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_BAD_HEADER, "kid of another key refused");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            NULL), PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_BAD_HEADER, "no kid refused");
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":\"%ld\","
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, now + 60, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "string exp refused");
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":1e12,"
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "real-number exp refused");
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,"
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "missing exp refused");
    {
        const char *d1 = pwreset_key_digest(pool, &k1, "account",
                                            "alice@example.org");
        ok(d1 && strlen(d1) == 22 && !strstr(d1, "alice"),
           "limit keys are 128-bit digests, nothing of the address");
        ok(d1 && !strcmp(d1, pwreset_key_digest(pool, &k1, "account",
                                                "alice@example.org")),
           "the same on every server with the same key");
        ok(d1 && strcmp(d1, pwreset_key_digest(pool, &k1, "client",
                                               "alice@example.org")),
           "and apart between kinds");
    }
    ok(pwreset_token_verify(pool, only1, "", PWRESET_PURPOSE_LINK, now, &c)
       == PWRESET_TOKEN_MALFORMED, "empty token");
    ok(pwreset_token_verify(pool, only1, "a.b.c.d", PWRESET_PURPOSE_LINK, now,
                            &c) == PWRESET_TOKEN_MALFORMED, "four parts");
    ok(pwreset_token_verify(pool, only1, "a b.c.d", PWRESET_PURPOSE_LINK, now,
                            &c) == PWRESET_TOKEN_MALFORMED, "odd characters");
}

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
    ok(strstr(msg, "Date: Tue, 14 Nov 2023 22:13:20 GMT\n") != NULL, "Date");
    ok(strstr(msg, "\nAuto-Submitted: auto-generated\n") != NULL,
       "Auto-Submitted");
    ok(strstr(msg, "multipart/alternative") != NULL, "multipart");
    ok(strstr(m.html, "&lt;alice&gt;") != NULL, "HTML part escapes values");
    ok(strstr(m.text, "within 30 minutes") != NULL, "lifetime in minutes");
    ok(strstr(msg, "Content-Transfer-Encoding: 7bit\n\nSomeone") != NULL,
       "plain ASCII with short lines goes as it is");
    ok(strstr(msg, "?token=abc.def.ghi\n") != NULL, "the link intact");
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

static void test_pages(void)
{
    const char *page = pwreset_page_update(pool, "<b>\"bob\"&",
                                           PWRESET_MSG_PW_WEAK, "it is <short>",
                                           12);

    ok(strstr(page, "value=\"&lt;b&gt;&quot;bob&quot;&amp;\"") != NULL,
       "username escaped in the attribute");
    ok(strstr(page, "too easy to guess: it is &lt;short&gt;.") != NULL,
       "message and its detail escaped");
    ok(strstr(page, "<b>") == NULL, "no raw markup from values");
    ok(strstr(pwreset_page_csp(pool), "style-src 'sha256-") != NULL,
       "CSP allows the style by hash");
    ok(strstr(pwreset_page_invalid(pool, "/reset?a=\"x\""),
              "href=\"/reset?a=&quot;x&quot;\"") != NULL, "URL escaped");
    ok(!strcmp(pwreset_page_request_sent(pool),
               pwreset_page_request_sent(pool)), "neutral page is constant");
}

static void test_password(void)
{
    const char *h;

    ok(pwreset_password_check("correct horse", "correct horse", 12)
       == PWRESET_MSG_NONE,
       "good password");
    ok(pwreset_password_check("correct horse", "correct house", 12)
       == PWRESET_MSG_PW_DIFFER,
       "mismatch");
    ok(pwreset_password_check("short", "short", 12) == PWRESET_MSG_PW_SHORT, "too short");
    ok(pwreset_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                              8) == PWRESET_MSG_PW_SHORT,
       "six code points are short even in twelve bytes");
    ok(pwreset_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "\xc3\xa9\xc3\xa9",
                              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "\xc3\xa9\xc3\xa9", 8) == PWRESET_MSG_NONE,
       "eight code points are enough");
    ok(pwreset_password_check("0123456789012345678901234567890123456789"
                              "0123456789012345678901234567890123",
                              "0123456789012345678901234567890123456789"
                              "0123456789012345678901234567890123", 12)
       == PWRESET_MSG_PW_LONG, "over 72 bytes refused, not truncated");
    ok(pwreset_password_check("good pass\xff word", "good pass\xff word", 8)
       == PWRESET_MSG_PW_CHARACTERS, "invalid UTF-8 refused");
    h = pwreset_password_hash(pool, "correct horse", 4);
    ok(h && !strncmp(h, "$2y$04$", 7), "bcrypt $2y$ at the cost asked");
    ok(h && apr_password_validate("correct horse", h) == APR_SUCCESS,
       "apr_password_validate accepts it");
}

static void test_quality(void)
{
    const char *err = NULL, *detail = NULL;
    pwreset_quality *q = pwreset_quality_create(pool, NULL, &err);

    ok(q != NULL, "libpwquality settings");
    if (!q) {
        return;
    }
    ok(pwreset_quality_selftest(pool, q) == NULL, "the dictionary loads");
    ok(pwreset_quality_check(pool, q, "correct horse battery", "alice",
                             "alice@example.org", &detail) == PWRESET_MSG_NONE,
       "a passphrase passes");
    ok(pwreset_quality_check(pool, q, "interestingly", "bob",
                             "bob@example.org", &detail) == PWRESET_MSG_PW_WEAK
       && detail && strstr(detail, "dictionary"),
       "a dictionary word fails, in libpwquality's words");
    ok(pwreset_quality_check(pool, q, "xxALICExx and more", "alice",
                             "a@example.org", &detail) == PWRESET_MSG_PW_NAME,
       "containing the user name fails, any case");
    ok(pwreset_quality_check(pool, q, "the smith.jones way", "bob",
                             "Smith.Jones@example.org", &detail)
       == PWRESET_MSG_PW_NAME, "containing the address's local part fails");
    ok(pwreset_quality_check(pool, q, "al is a fine name 9", "al",
                             "x@example.org", &detail) == PWRESET_MSG_NONE,
       "a user name under 4 characters may appear");
    ok(pwreset_quality_create(pool, "/nonexistent/pwquality.conf", &err)
           == NULL && err, "a missing configuration file is an error");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    pwreset_key_init(pool, &k1, key1, sizeof(key1) - 1);
    pwreset_key_init(pool, &k2, key2, sizeof(key2) - 1);
    only1 = apr_array_make(pool, 1, sizeof(pwreset_key));
    *(pwreset_key *)apr_array_push(only1) = k1;
    both = apr_array_make(pool, 2, sizeof(pwreset_key));
    *(pwreset_key *)apr_array_push(both) = k2;
    *(pwreset_key *)apr_array_push(both) = k1;
    ok(pwreset_key_init(pool, &(pwreset_key){0}, key1, 31) == APR_EINVAL,
       "keys under 32 bytes refused");

    test_form();
    test_utf8_and_addr();
    test_tokens();
    test_mail();
    test_send();
    test_pages();
    test_password();
    test_quality();
    return done_testing();
}
