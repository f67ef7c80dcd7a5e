/* SPDX-License-Identifier: Apache-2.0 */
/* Reset tokens: HS256 JWTs made and checked with libjwt and libcrypto.
 *
 * A token names an account (sub), says what it is for (the mailed link or
 * the new-password form), when it expires, and carries a fingerprint of the
 * account's password hash as it was when the token was made.  Changing the
 * password changes the hash, which kills every earlier token: single use
 * without a token table.  Pure: APR, libjwt and libcrypto only. */
#ifndef PWRESET_TOKEN_H
#define PWRESET_TOKEN_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_file_info.h>
#include <apr_user.h>

#define PWRESET_KEY_MIN 32
#define PWRESET_TOKEN_MAX 4096
/* The longest token made: the form token travels in a cookie, and browsers
 * keep none longer than 4096 bytes, its name and attributes included. */
#define PWRESET_TOKEN_ISSUE_MAX (PWRESET_TOKEN_MAX - 256)

typedef struct {
    const unsigned char *bytes;
    apr_size_t len;
    const char *kid;                 /* derived from the bytes */
    unsigned char fp_key[32];        /* derived key for hash fingerprints */
    /* HMAC-SHA-256 keyed once, with the bytes and with fp_key: each MAC
     * starts from a copy (see mac() in token.c).  Freed with the pool given
     * to pwreset_key_init(); shared read-only by every thread. */
    const struct evp_mac_ctx_st *sign_mac, *fp_mac;
    /* Where it was read from, for the start-up checks of who may read it
     * (src/httpd/config.c); path NULL when it came from elsewhere. */
    const char *path;
    apr_uid_t uid;
    apr_gid_t gid;
    apr_fileperms_t perms;
} pwreset_key;

typedef enum {
    PWRESET_PURPOSE_LINK = 0,        /* the token in the mailed link */
    PWRESET_PURPOSE_FORM             /* the token in the form cookie */
} pwreset_purpose;

typedef enum {
    PWRESET_TOKEN_OK = 0,
    PWRESET_TOKEN_MALFORMED,
    PWRESET_TOKEN_BAD_SIGNATURE,     /* no listed key made it */
    PWRESET_TOKEN_BAD_HEADER,        /* alg other than HS256, kid mismatch */
    PWRESET_TOKEN_BAD_CLAIMS,        /* missing, mistyped or wrong purpose */
    PWRESET_TOKEN_EXPIRED,           /* past exp, or older than max_age */
    PWRESET_TOKEN_FUTURE             /* iat later than now + the skew */
} pwreset_token_status;

/* How far in the future a token's iat may lie: the clocks of the servers
 * of one site, which share keys, may differ that much. */
#define PWRESET_TOKEN_SKEW 60

typedef struct {
    const char *sub;
    const char *fingerprint;
    long iat, exp;
    const pwreset_key *key;          /* the key that verified the token */
} pwreset_claims;

/* Fill a key from its bytes (which must outlive it); derives kid and the
 * fingerprint key, and keys the MACs (freed with p).  Returns APR_EINVAL
 * when shorter than PWRESET_KEY_MIN. */
apr_status_t pwreset_key_init(apr_pool_t *p, pwreset_key *key,
                              const unsigned char *bytes, apr_size_t len);

/* The fingerprint of a password hash under a key, base64url. */
const char *pwreset_fingerprint(apr_pool_t *p, const pwreset_key *key,
                                const char *hash);

/* A keyed digest (HMAC-SHA-256 under a key derived from `key`, its first
 * 128 bits, in `out`) of `value` in the domain `label`: what the abuse
 * limits use as cache ids, so that no address or client address is
 * readable in a (possibly networked, possibly logging) cache, and every
 * server holding the same key agrees on it.  0 when libcrypto fails. */
#define PWRESET_DIGEST_BYTES 16
int pwreset_key_digest(apr_pool_t *p, const pwreset_key *key,
                       const char *label, const char *value,
                       unsigned char out[PWRESET_DIGEST_BYTES]);

/* A signed token, or NULL when libjwt fails or the token would be longer
 * than PWRESET_TOKEN_ISSUE_MAX (a user name of kilobytes): better no mail
 * than a link that verification or the browser refuses. */
const char *pwreset_token_issue(apr_pool_t *p, const pwreset_key *key,
                                pwreset_purpose purpose, const char *sub,
                                const char *hash, long now, long lifetime);

/* Check signature (against every key in `keys`, an array of pwreset_key),
 * algorithm, kid, purpose and age: refused past exp, when issued more
 * than max_age seconds before now (the lifetime in force now, which may be
 * shorter than when the token was made), or when issued more than
 * PWRESET_TOKEN_SKEW seconds after now.  Does not look at the account:
 * call pwreset_token_matches() with its current hash afterwards. */
pwreset_token_status pwreset_token_verify(apr_pool_t *p,
                                          const apr_array_header_t *keys,
                                          const char *token,
                                          pwreset_purpose purpose, long now,
                                          long max_age,
                                          pwreset_claims *claims);

/* 1 when the token was made for this very password hash. */
int pwreset_token_matches(apr_pool_t *p, const pwreset_claims *claims,
                          const char *hash);

/* For logs: a short word for a status. */
const char *pwreset_token_status_str(pwreset_token_status st);

#endif
