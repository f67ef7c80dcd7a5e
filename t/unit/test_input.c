/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/input.c: form parsing, UTF-8, address checks and
 * the byte classes of pwreset_chars_only().  Prints TAP. */
#include "input.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

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

/* What each class admits, byte by byte, as input.h describes it. */
static int admits(pwreset_chars cls, unsigned char c)
{
    switch (cls) {
    case PWRESET_CHARS_TEXT:
        return c >= 0x20 && c != 0x7f;
    case PWRESET_CHARS_HEADER:
        return c >= 0x20 && c <= 0x7e;
    case PWRESET_CHARS_WORD:
        return c >= 0x21 && c <= 0x7e;
    }
    return -1;
}

static void test_chars(void)
{
    static const struct {
        pwreset_chars cls;
        const char *name;
    } classes[] = {
        {PWRESET_CHARS_TEXT, "TEXT"},
        {PWRESET_CHARS_HEADER, "HEADER"},
        {PWRESET_CHARS_WORD, "WORD"},
    };

    /* Every byte alone and amid admitted ones, against every class. */
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        int wrong = 0;
        for (int c = 1; c < 256; c++) {
            char alone[2] = {(char)c, '\0'};
            char amid[4] = {'a', (char)c, 'z', '\0'};
            int want = admits(classes[i].cls, (unsigned char)c);
            if (pwreset_chars_only(alone, classes[i].cls) != want
                || pwreset_chars_only(amid, classes[i].cls) != want) {
                if (wrong++ < 5) {
                    diag("%s: byte 0x%02x %s", classes[i].name, c,
                         want ? "refused" : "admitted");
                }
            }
        }
        ok(wrong == 0, "%s: each of the 255 bytes as documented (%d wrong)",
           classes[i].name, wrong);
        ok(pwreset_chars_only("", classes[i].cls),
           "%s: the empty string", classes[i].name);
    }

    ok(pwreset_chars_only("Caf\xc3\xa9 au lait ~!", PWRESET_CHARS_TEXT),
       "TEXT: UTF-8 text with spaces");
    ok(pwreset_chars_only("\xff\xfe", PWRESET_CHARS_TEXT),
       "TEXT: bytes over 0x7f whatever they are (UTF-8 is checked apart)");
    ok(!pwreset_chars_only("line\nbreak", PWRESET_CHARS_TEXT),
       "TEXT: LF refused");
    ok(!pwreset_chars_only("a\tb", PWRESET_CHARS_TEXT), "TEXT: TAB refused");
    ok(!pwreset_chars_only("a\x1f" "b", PWRESET_CHARS_TEXT),
       "TEXT: 0x1f refused");
    ok(!pwreset_chars_only("a\x7f", PWRESET_CHARS_TEXT), "TEXT: DEL refused");
    ok(!pwreset_chars_only("caf\xc3\xa9\r", PWRESET_CHARS_TEXT),
       "TEXT: a control after UTF-8 refused");

    ok(pwreset_chars_only("Reset your password ~", PWRESET_CHARS_HEADER),
       "HEADER: printable ASCII and spaces");
    ok(pwreset_chars_only(" ", PWRESET_CHARS_HEADER), "HEADER: a space");
    ok(!pwreset_chars_only("a\x7f", PWRESET_CHARS_HEADER),
       "HEADER: DEL refused");
    ok(!pwreset_chars_only("caf\xc3\xa9", PWRESET_CHARS_HEADER),
       "HEADER: UTF-8 refused");
    ok(!pwreset_chars_only("\x80", PWRESET_CHARS_HEADER),
       "HEADER: 0x80 refused");
    ok(!pwreset_chars_only("a\r\nBcc: x@y", PWRESET_CHARS_HEADER),
       "HEADER: CR/LF refused");
    ok(!pwreset_chars_only("a\tb", PWRESET_CHARS_HEADER),
       "HEADER: TAB refused");

    ok(pwreset_chars_only("https://example.org/reset?x=%20#~",
                          PWRESET_CHARS_WORD),
       "WORD: a URL");
    ok(pwreset_chars_only("!", PWRESET_CHARS_WORD) &&
       pwreset_chars_only("~", PWRESET_CHARS_WORD),
       "WORD: from 0x21 to 0x7e");
    ok(!pwreset_chars_only("/a b", PWRESET_CHARS_WORD), "WORD: space refused");
    ok(!pwreset_chars_only("/a\tb", PWRESET_CHARS_WORD), "WORD: TAB refused");
    ok(!pwreset_chars_only("/a\x7f", PWRESET_CHARS_WORD), "WORD: DEL refused");
    ok(!pwreset_chars_only("/caf\xc3\xa9", PWRESET_CHARS_WORD),
       "WORD: UTF-8 refused");
}

static void test_c1(void)
{
    ok(!pwreset_chars_only("a\xc2\x85" "b", PWRESET_CHARS_TEXT),
       "TEXT refuses U+0085 (C1)");
    ok(!pwreset_chars_only("a\xc2\x80", PWRESET_CHARS_TEXT),
       "TEXT refuses U+0080 (C1)");
    ok(!pwreset_chars_only("\xc2\x9f", PWRESET_CHARS_TEXT),
       "TEXT refuses U+009F (C1)");
    ok(pwreset_chars_only("\xc2\xa0\xc2\xbf", PWRESET_CHARS_TEXT),
       "TEXT takes U+00A0 and U+00BF, just past C1");
    ok(pwreset_addr_check("erin\xc2\x85@example.org") == PWRESET_ADDR_CONTROL,
       "an address with a C1 control: a control");
}

static void test_origin(void)
{
    static const struct { const char *in, *out; } cases[] = {
        {"https://www.example.org", "https://www.example.org"},
        {"HTTPS://WWW.Example.ORG", "https://www.example.org"},
        {"https://www.example.org:443", "https://www.example.org"},
        {"http://www.example.org:80", "http://www.example.org"},
        {"http://www.example.org:443", "http://www.example.org:443"},
        {"https://www.example.org:8443", "https://www.example.org:8443"},
        {"http://[::1]:8080", "http://[::1]:8080"},
        {"http://[2001:DB8::1]", "http://[2001:db8::1]"},
        {"null", NULL},
        {"", NULL},
        {"https://", NULL},
        {"ftp://www.example.org", NULL},
        {"https://www.example.org/", NULL},
        {"https://www.example.org/path", NULL},
        {"https://user@www.example.org", NULL},
        {"https://www.example.org?x", NULL},
        {"https://www.example.org#x", NULL},
        {"https://www.example.org:", NULL},
        {"https://www.example.org:x", NULL},
        {"https://www.exa mple.org", NULL},
        {"https://www.example.org\r\n", NULL},
        {"http://www.example.org:65535", "http://www.example.org:65535"},
        {"http://www.example.org:65536", NULL},
        {"http://www.example.org:74085", NULL},
        {"http://www.example.org:+80", NULL},
        {"http://www.example.org:-1", NULL},
        {"http://www.example.org:0", NULL},
        {"http://www.example.org:000080", NULL},
        /* apr_uri_parse() leaves a bracket in these hosts (found by
         * fuzz_address): no origin, rather than another string each time */
        {"http://[[3]8h", NULL},
        {"http://[::1]x", NULL},
    };

    for (apr_size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_str(pwreset_origin_normalize(pool, cases[i].in), cases[i].out,
               "origin '%s'", cases[i].in);
    }
    is_str(pwreset_origin_make(pool, "HTTP", "LocalHost", 80),
           "http://localhost", "made: the default port left out");
    is_str(pwreset_origin_make(pool, "https", "::1", 8443),
           "https://[::1]:8443", "made: IPv6 in brackets");
}

static void test_client_key(void)
{
    is_str(pwreset_client_key(pool, "192.0.2.7"), "192.0.2.7", "IPv4 as it is");
    is_str(pwreset_client_key(pool, "::ffff:192.0.2.7"), "192.0.2.7",
           "IPv4-mapped as IPv4");
    is_str(pwreset_client_key(pool, "2001:db8:1:2:3:4:5:6"),
           "2001:db8:1:2::/64", "IPv6 as its /64");
    is_str(pwreset_client_key(pool, "2001:db8:1:2::99"),
           pwreset_client_key(pool, "2001:DB8:1:2:ffff::1"),
           "two addresses of one /64 are one client");
    ok(strcmp(pwreset_client_key(pool, "2001:db8:1:2::1"),
              pwreset_client_key(pool, "2001:db8:1:3::1")) != 0,
       "two /64s are two clients");
    is_str(pwreset_client_key(pool, "::1"), "0:0:0:0::/64", "::1");
    is_str(pwreset_client_key(pool, "not an address"), "not an address",
           "anything else as it is");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);

    test_form();
    test_utf8_and_addr();
    test_chars();
    test_c1();
    test_origin();
    test_client_key();
    return done_testing();
}
