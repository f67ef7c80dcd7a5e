/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing the address checks of src/core/input.h: pwreset_addr_check()
 * (what a person typed) and pwreset_addr_mailable() (what goes into To:),
 * with the helpers they stand on and the other checks of client-supplied
 * strings there: UTF-8 validity and length, byte classes, trimming,
 * origins, ports and client keys.  The input is the string (up to a NUL).
 *
 * Invariants: an accepted address is one local@domain of valid UTF-8
 * without controls, spaces or list syntax; a mailable one is printable
 * ASCII that can only name one recipient; pwreset_utf8_valid() agrees with
 * an independent decoder; an origin, once normalised, stays as it is. */
#include "fuzz.h"
#include "input.h"

#include <apr_strings.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* RFC 3629, by the table of its section 4; the number of code points, or
 * -1 when not UTF-8. */
static long ref_utf8(const unsigned char *s, size_t n)
{
    long cps = 0;
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        unsigned char lo = 0x80, hi = 0xbf;
        size_t need;

        if (c <= 0x7f) {
            need = 0;
        }
        else if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        }
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        }
        else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        }
        else {
            return -1;
        }
        if (n - i - 1 < need) {
            return -1;
        }
        for (size_t k = 1; k <= need; k++) {
            unsigned char b = s[i + k];

            if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) {
                return -1;
            }
        }
        i += need + 1;
        cps++;
    }
    return cps;
}

static int is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static void check_address(const char *a)
{
    size_t len = strlen(a);
    pwreset_addr_status st = pwreset_addr_check(a);
    int mailable = pwreset_addr_mailable(a);
    const char *at = strchr(a, '@');

    FUZZ_CHECK(st >= PWRESET_ADDR_OK && st <= PWRESET_ADDR_SYNTAX);
    FUZZ_CHECK((st == PWRESET_ADDR_EMPTY) == (len == 0));
    if (st == PWRESET_ADDR_OK) {
        FUZZ_CHECK(len <= PWRESET_ADDR_MAX);
        FUZZ_CHECK(ref_utf8((const unsigned char *)a, len) >= 0);
        FUZZ_CHECK(pwreset_chars_only(a, PWRESET_CHARS_TEXT));
        /* One '@', something on each side, the local part at most 64. */
        FUZZ_CHECK(at && at > a && at[1] && !strchr(at + 1, '@')
                   && at - a <= 64);
        FUZZ_CHECK(!strpbrk(a, " ,;:<>()[]\"\\"));
        FUZZ_CHECK(a[0] != '.' && at[-1] != '.' && at[1] != '.'
                   && a[len - 1] != '.' && !strstr(at, ".."));
        for (const char *c = a; *c; c++) {
            FUZZ_CHECK(!is_control((unsigned char)*c));
        }
    }
    if (mailable) {
        FUZZ_CHECK(st == PWRESET_ADDR_OK);
        for (const char *c = a; *c; c++) {
            /* No space, control, or byte past ASCII: it names one
             * recipient in a header, whatever reads it. */
            FUZZ_CHECK(*c > 0x20 && *c < 0x7f);
        }
        FUZZ_CHECK(pwreset_chars_only(a, PWRESET_CHARS_WORD));
    }
    else if (st == PWRESET_ADDR_OK) {
        int ascii = 1;

        for (const char *c = a; *c; c++) {
            ascii &= (unsigned char)*c < 0x7f;
        }
        FUZZ_CHECK(!ascii);
    }
}

static void check_chars(const char *s)
{
    int text = 1, header = 1, word = 1;

    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (is_control(*c) || (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)) {
            text = 0;
        }
        if (*c < 0x20 || *c > 0x7e) {
            header = 0;
        }
        if (*c <= 0x20 || *c > 0x7e) {
            word = 0;
        }
    }
    FUZZ_CHECK(pwreset_chars_only(s, PWRESET_CHARS_TEXT) == text);
    FUZZ_CHECK(pwreset_chars_only(s, PWRESET_CHARS_HEADER) == header);
    FUZZ_CHECK(pwreset_chars_only(s, PWRESET_CHARS_WORD) == word);
}

static void check_trim(const char *s)
{
    const char *t = pwreset_trim(fuzz_pool, s);
    size_t n = strlen(t);

    FUZZ_CHECK(strstr(s, t) != NULL);
    if (n) {
        FUZZ_CHECK(t[0] != ' ' && t[0] != '\t' && t[n - 1] != ' '
                   && t[n - 1] != '\t');
    }
    FUZZ_CHECK(!strcmp(pwreset_trim(fuzz_pool, t), t));
}

static void check_port(const char *s)
{
    size_t n = strspn(s, "0123456789");
    int want = n >= 1 && n <= 5 && !s[n] && atol(s) >= 1 && atol(s) <= 65535;

    FUZZ_CHECK(pwreset_port_ok(s) == want);
}

static void check_origin(const char *s)
{
    const char *o = pwreset_origin_normalize(fuzz_pool, s);

    if (o) {
        const char *again = pwreset_origin_normalize(fuzz_pool, o);

        FUZZ_CHECK(!strncmp(o, "http://", 7) || !strncmp(o, "https://", 8));
        FUZZ_CHECK(pwreset_chars_only(o, PWRESET_CHARS_WORD));
        /* Normalised is normal: comparing two of them is comparing
         * origins. */
        FUZZ_CHECK(again && !strcmp(again, o));
    }
}

static void check_client_key(const char *s)
{
    const char *k = pwreset_client_key(fuzz_pool, s);

    FUZZ_CHECK(k != NULL);
    if (k != s) {
        /* An IPv6 address: its /64, or the IPv4 address it maps. */
        size_t n = strlen(k);

        FUZZ_CHECK(strchr(s, ':'));
        FUZZ_CHECK((n > 5 && !strcmp(k + n - 5, "::/64"))
                   || strspn(k, "0123456789.") == n);
        FUZZ_CHECK(pwreset_client_key(fuzz_pool, k) == k
                   || !strcmp(pwreset_client_key(fuzz_pool, k), k));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = fuzz_strndup(data, size);
    const char *raw = fuzz_memdup(data, size);
    long cps = ref_utf8(data, size);

    /* On the bytes as they came, NULs and all. */
    FUZZ_CHECK(pwreset_utf8_valid(raw, size) == (cps >= 0));
    if (cps >= 0 && !memchr(data, '\0', size)) {
        FUZZ_CHECK(pwreset_utf8_length(s) == (size_t)cps);
    }
    /* On the string up to a NUL, as the handlers have it. */
    check_address(s);
    check_chars(s);
    check_trim(s);
    check_port(s);
    check_origin(s);
    check_client_key(s);
    fuzz_done();
    return 0;
}
