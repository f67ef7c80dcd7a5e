/* SPDX-License-Identifier: Apache-2.0 */
/* Passwords found in breaches: Have I Been Pwned's "SHA-1, ordered by hash"
 * corpus (lines "HEX40:COUNT", LF or CRLF, sorted), searched in place.  The
 * functions work on a (pointer, length) buffer, a file mapped by the glue,
 * so that they can be driven by unit tests and fuzzers alike; a 40 GB file
 * costs no memory and a lookup reads a few pages.  Pure: APR and
 * libcrypto. */
#ifndef PWRESET_BREACHED_H
#define PWRESET_BREACHED_H

#include <apr_pools.h>

#define PWRESET_SHA1_HEX 40

/* The SHA-1 of `password` in upper-case hex, NUL-terminated. */
void pwreset_sha1_hex(const char *password, char out[PWRESET_SHA1_HEX + 1]);

/* 1 when a line of buf starts with the 40 hex digits `hex` (either case).
 * A binary search over byte offsets that resynchronises on line starts;
 * it never reads outside buf, and always reads exactly 40 bytes of `hex`
 * (which need not be NUL-terminated).  On a buffer that is not a sorted
 * corpus the answer means nothing, but it comes, and soon. */
int pwreset_breached_find(const char *buf, apr_size_t len, const char *hex);

/* NULL when buf looks like the corpus (its first and last lines and an
 * even sample of `samples` lines between them, 0 or more, are
 * "HEX40:COUNT", in order), else what is wrong, for a start-up error.  A
 * sample cannot see every line: a file whose order is broken only between
 * two sampled lines passes, and lookups there may miss; a full check is
 * `bench/breached-lookup verify FILE`. */
const char *pwreset_breached_check(apr_pool_t *p, const char *buf,
                                   apr_size_t len, int samples);

#endif
