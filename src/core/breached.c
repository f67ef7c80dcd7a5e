/* SPDX-License-Identifier: Apache-2.0 */
/* Searching Have I Been Pwned's SHA-1 corpus in place.  See breached.h. */
#include "breached.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/sha.h>
#include <string.h>

void pwreset_sha1_hex(const char *password, char out[PWRESET_SHA1_HEX + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char md[SHA_DIGEST_LENGTH];

    SHA1((const unsigned char *)password, strlen(password), md);
    for (int i = 0; i < SHA_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[PWRESET_SHA1_HEX] = '\0';
}

/* A line of the corpus is 40 digits, a colon, a count of a few digits and
 * CRLF: never near this long.  Scans for a line's start stop here, so a
 * file without line breaks costs no more than a good one. */
#define LINE_MAX_BYTES 128
#define NO_LINE ((apr_size_t)-1)

/* The start of the line that holds offset `at`, not before `floor`;
 * NO_LINE when it lies more than LINE_MAX_BYTES back. */
static apr_size_t line_start(const char *buf, apr_size_t floor, apr_size_t at)
{
    apr_size_t from = at;

    while (at > floor && buf[at - 1] != '\n') {
        if (from - at >= LINE_MAX_BYTES) {
            return NO_LINE;
        }
        at--;
    }
    return at;
}

/* The start of the next line after `at`, or len. */
static apr_size_t next_line(const char *buf, apr_size_t len, apr_size_t at)
{
    const char *nl = memchr(buf + at, '\n', len - at);

    return nl ? (apr_size_t)(nl - buf) + 1 : len;
}

/* Compare the line at buf[at] with the 40 hex digits `hex`, as upper-case
 * hex: <0, 0 or >0.  When fewer than 40 bytes are left in the buffer (only
 * the last line can be that short) it sorts first. */
static int compare(const char *buf, apr_size_t len, apr_size_t at,
                   const char *hex)
{
    if (len - at < PWRESET_SHA1_HEX) {
        return -1;
    }
    for (int i = 0; i < PWRESET_SHA1_HEX; i++) {
        int a = apr_toupper((unsigned char)buf[at + i]);
        int b = apr_toupper((unsigned char)hex[i]);

        if (a != b) {
            return a - b;
        }
    }
    return 0;
}

int pwreset_breached_find(const char *buf, apr_size_t len, const char *hex)
{
    /* Invariant: a matching line, if any, starts in [lo, hi), and lo is a
     * line start. */
    apr_size_t lo = 0, hi = len;

    while (lo < hi) {
        apr_size_t s = line_start(buf, lo, lo + (hi - lo) / 2);
        int cmp;

        if (s == NO_LINE) {
            return 0; /* not the corpus here: nothing to find */
        }
        cmp = compare(buf, len, s, hex);

        if (cmp == 0) {
            return 1;
        }
        if (cmp < 0) {
            lo = next_line(buf, len, s);
        }
        else {
            hi = s;
        }
    }
    return 0;
}

/* The length of a well-formed line at buf[at] ("HEX40:COUNT" and LF or
 * CRLF, or the end), or 0; *digits is how many hex digits it starts with. */
static apr_size_t line_ok(const char *buf, apr_size_t len, apr_size_t at,
                          apr_size_t *digits)
{
    apr_size_t i = at, n = 0;

    while (i < len && apr_isxdigit((unsigned char)buf[i])) {
        i++;
    }
    *digits = i - at;
    if (*digits != PWRESET_SHA1_HEX || i >= len || buf[i++] != ':') {
        return 0;
    }
    while (i < len && apr_isdigit((unsigned char)buf[i])) {
        i++;
        n++;
    }
    if (i < len && buf[i] == '\r') {
        i++;
    }
    if (n == 0 || (i < len && buf[i++] != '\n')) {
        return 0;
    }
    return i - at;
}

const char *pwreset_breached_check(apr_pool_t *p, const char *buf,
                                   apr_size_t len, int samples)
{
    apr_size_t prev = 0, last, end = len;
    int have_prev = 0;

    if (samples < 0) {
        samples = 0;
    }
    if (len == 0) {
        return "the file is empty";
    }
    /* One blank line at the end (a trailing CRLF too many) is harmless. */
    while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r')) {
        end--;
    }
    last = end > 0 ? line_start(buf, 0, end) : 0;
    for (int k = 0; k <= samples + 1; k++) {
        apr_size_t at = k == 0 ? 0
                      : k > samples ? last
                      : line_start(buf, 0, (apr_size_t)((double)end * k
                                                        / (samples + 1)));
        apr_size_t digits = 0;

        if (at == NO_LINE || !line_ok(buf, len, at, &digits)) {
            return apr_psprintf(p, "the line at byte %" APR_SIZE_T_FMT
                                " is not 40 hexadecimal digits, a colon and "
                                "a count%s", at == NO_LINE ? (apr_size_t)0 : at,
                                at == NO_LINE
                                ? " (the file has lines far longer than the "
                                  "corpus's)"
                                : digits == 32
                                ? " (32 digits: an NTLM list; this needs the "
                                  "SHA-1 one)" : "");
        }
        if (have_prev && at != prev
            && compare(buf, len, prev, buf + at) >= 0) {
            return apr_psprintf(p, "the lines are not sorted by hash (at "
                                "byte %" APR_SIZE_T_FMT ")", at);
        }
        prev = at;
        have_prev = 1;
    }
    return NULL;
}
