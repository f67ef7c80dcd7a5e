/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing the search of the breach corpus, src/core/breached.h.  The
 * first byte chooses:
 *
 *   bit 0 clear: the rest is a buffer (of exactly its size, as a mapped
 *   file has it) searched for the 40 bytes its first line would start
 *   with, and for fixed hashes, and checked with pwreset_breached_check():
 *   on anything at all, an answer must come, reading only the buffer;
 *
 *   bit 0 set: the rest, 20 bytes at a time, is a set of SHA-1 digests;
 *   the harness writes them as a sorted corpus ("HEX40:COUNT", LF or CRLF
 *   as bit 1 says, lower-case hex as bit 2 says, a final line break as bit
 *   3 says), which pwreset_breached_check() must accept, in which every
 *   digest must be found, and in which a digest must be found exactly when
 *   it is there: those of the set, each changed by one bit, and the digests
 *   of a few passwords. */
#include "fuzz.h"
#include "breached.h"

#include <apr_strings.h>
#include <stdlib.h>

#define DIGEST 20

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static int cmp_digest(const void *a, const void *b)
{
    return memcmp(a, b, DIGEST);
}

static void to_hex(const unsigned char *d, int lower, char *out)
{
    const char *digits = lower ? "0123456789abcdef" : "0123456789ABCDEF";

    for (int i = 0; i < DIGEST; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * DIGEST] = '\0';
}

/* From hex, upper or lower case, as pwreset_sha1_hex() writes it. */
static void from_hex(const char *h, unsigned char *d)
{
    for (int i = 0; i < DIGEST; i++) {
        unsigned hi = (unsigned)(h[2 * i] <= '9' ? h[2 * i] - '0'
                                                 : (h[2 * i] | 0x20) - 'a' + 10);
        unsigned lo = (unsigned)(h[2 * i + 1] <= '9'
                                     ? h[2 * i + 1] - '0'
                                     : (h[2 * i + 1] | 0x20) - 'a' + 10);

        d[i] = (unsigned char)(hi << 4 | lo);
    }
}

/* 1 when a line of buf starts with hex, case aside: what a 1 of
 * pwreset_breached_find() must mean, whatever the buffer. */
static int some_line_starts_with(const char *buf, size_t len,
                                 const char *hex)
{
    for (size_t at = 0; at < len;) {
        const char *nl;
        size_t i;

        for (i = 0; i < PWRESET_SHA1_HEX && at + i < len; i++) {
            int a = (unsigned char)buf[at + i], b = (unsigned char)hex[i];

            if ((a >= 'a' && a <= 'z' ? a - 32 : a)
                != (b >= 'a' && b <= 'z' ? b - 32 : b)) {
                break;
            }
        }
        if (i == PWRESET_SHA1_HEX) {
            return 1;
        }
        nl = memchr(buf + at, '\n', len - at);
        if (!nl) {
            break;
        }
        at = (size_t)(nl - buf) + 1;
    }
    return 0;
}

static void raw_buffer(const uint8_t *data, size_t size)
{
    const char *buf = fuzz_memdup(data, size);
    char probe[PWRESET_SHA1_HEX], hex[PWRESET_SHA1_HEX + 1];
    const char *why;

    /* What the first line starts with, a common password, the last hash:
     * whether found means nothing here, but found must mean there. */
    memset(probe, '0', sizeof(probe));
    memcpy(probe, data, size < sizeof(probe) ? size : sizeof(probe));
    if (pwreset_breached_find(buf, size, probe)) {
        FUZZ_CHECK(some_line_starts_with(buf, size, probe));
    }
    pwreset_sha1_hex("password", hex);
    if (pwreset_breached_find(buf, size, hex)) {
        FUZZ_CHECK(some_line_starts_with(buf, size, hex));
    }
    if (pwreset_breached_find(buf, size,
                              "ffffffffffffffffffffffffffffffffffffffff")) {
        FUZZ_CHECK(some_line_starts_with(
            buf, size, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"));
    }
    for (int samples = 0; samples < 4; samples++) {
        why = pwreset_breached_check(fuzz_pool, buf, size, samples * 7 - 1);
        FUZZ_CHECK(!why || *why);
    }
    why = pwreset_breached_check(fuzz_pool, buf, size, 1000);
    FUZZ_CHECK(!why || *why);
    if (size == 0) {
        FUZZ_CHECK(why != NULL);
    }
}

static int in_set(const unsigned char *set, size_t n, const unsigned char *d)
{
    return bsearch(d, set, n, DIGEST, cmp_digest) != NULL;
}

static void sorted_corpus(unsigned first, const uint8_t *data, size_t size)
{
    size_t n = size / DIGEST, uniq = 0, len = 0;
    const char *eol = first & 2 ? "\r\n" : "\n";
    int lower = (first & 4) != 0, final = (first & 8) != 0;
    unsigned char *set;
    char *buf, *copy, hex[PWRESET_SHA1_HEX + 1];
    const char *why;
    static const char *const passwords[] = {"password", "123456", "qwerty",
                                            "correct horse battery staple"};

    if (n == 0) {
        return;
    }
    set = apr_palloc(fuzz_pool, n * DIGEST);
    memcpy(set, data, n * DIGEST);
    qsort(set, n, DIGEST, cmp_digest);
    for (size_t i = 0; i < n; i++) {
        if (uniq == 0 || memcmp(set + (uniq - 1) * DIGEST, set + i * DIGEST,
                                DIGEST)) {
            memmove(set + uniq * DIGEST, set + i * DIGEST, DIGEST);
            uniq++;
        }
    }
    /* 40 digits, ':', a count of up to 10 digits, the line break. */
    buf = apr_palloc(fuzz_pool, uniq * (PWRESET_SHA1_HEX + 1 + 10 + 2) + 1);
    for (size_t i = 0; i < uniq; i++) {
        to_hex(set + i * DIGEST, lower, hex);
        len += (size_t)sprintf(buf + len, "%s:%u%s", hex,
                               1u + set[i * DIGEST + 19] * 977u,
                               i + 1 < uniq || final ? eol : "");
    }
    /* Exactly its size, as a mapped file. */
    copy = (char *)fuzz_memdup(buf, len);
    why = pwreset_breached_check(fuzz_pool, copy, len, 0);
    FUZZ_CHECK(why == NULL);
    why = pwreset_breached_check(fuzz_pool, copy, len, 16);
    FUZZ_CHECK(why == NULL);
    why = pwreset_breached_check(fuzz_pool, copy, len, (int)uniq + 3);
    FUZZ_CHECK(why == NULL);
    for (size_t i = 0; i < uniq; i++) {
        unsigned char other[DIGEST];

        /* Found, in either case. */
        to_hex(set + i * DIGEST, 0, hex);
        FUZZ_CHECK(pwreset_breached_find(copy, len, hex));
        to_hex(set + i * DIGEST, 1, hex);
        FUZZ_CHECK(pwreset_breached_find(copy, len, hex));
        /* A neighbour: found exactly when it is there. */
        memcpy(other, set + i * DIGEST, DIGEST);
        other[(i * 7) % DIGEST] ^= (unsigned char)(1u << (i % 8));
        to_hex(other, (int)(i & 1), hex);
        FUZZ_CHECK(pwreset_breached_find(copy, len, hex)
                   == in_set(set, uniq, other));
    }
    for (size_t i = 0; i < sizeof(passwords) / sizeof(*passwords); i++) {
        unsigned char d[DIGEST];

        pwreset_sha1_hex(passwords[i], hex);
        from_hex(hex, d);
        FUZZ_CHECK(pwreset_breached_find(copy, len, hex)
                   == in_set(set, uniq, d));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (data[0] & 1) {
        sorted_corpus(data[0], data + 1, size - 1);
    }
    else {
        raw_buffer(data + 1, size - 1);
    }
    fuzz_done();
    return 0;
}
