/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/token.c: keys, token issue and verification
 * (forgeries included) and the keyed digests.  Prints TAP. */
#include "token.h"
#include "tap.h"

#include <apr_encode.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>

static apr_pool_t *pool;
static const unsigned char key1[] = "0123456789abcdef0123456789abcdef-key-one";
static const unsigned char key2[] = "fedcba9876543210fedcba9876543210-key-two";
static pwreset_key k1, k2;
static apr_array_header_t *only1, *both;

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

/* pwreset_key_digest() as text, for comparing; NULL when it fails. */
static const char *digest(apr_pool_t *p, const pwreset_key *k,
                          const char *label, const char *value)
{
    unsigned char out[PWRESET_DIGEST_BYTES];

    return pwreset_key_digest(p, k, label, value, out)
        ? apr_pencode_base64_binary(p, out, sizeof(out), APR_ENCODE_BASE64URL
                                    | APR_ENCODE_NOPADDING, NULL)
        : NULL;
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
    {
        /* make fuzz found it: a user name of kilobytes made a token that
         * verification refuses as too long; none is made instead. */
        char *name = apr_palloc(pool, 3201);
        const char *big;

        memset(name, 'u', 3200);
        name[3200] = '\0';
        ok(pwreset_token_issue(pool, &k1, PWRESET_PURPOSE_LINK, name, hash,
                               now, 600) == NULL,
           "no token past PWRESET_TOKEN_ISSUE_MAX");
        /* Between the two bounds: verification takes it, but the form
         * cookie would be too long for a browser. */
        name[2850] = '\0';
        big = pwreset_token_issue(pool, &k1, PWRESET_PURPOSE_LINK, name, hash,
                                  now, 600);
        ok(big == NULL, "none that a browser would not keep as a cookie");
        name[2850] = 'u';
        name[2000] = '\0';
        big = pwreset_token_issue(pool, &k1, PWRESET_PURPOSE_LINK, name, hash,
                                  now, 600);
        ok(big && strlen(big) <= PWRESET_TOKEN_ISSUE_MAX
           && pwreset_token_verify(pool, only1, big, PWRESET_PURPOSE_LINK,
                                   now, 1800, &c) == PWRESET_TOKEN_OK,
           "a 2000-byte user name still makes a token that verifies");
    }
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK, now + 1, 1800, &c)
       == PWRESET_TOKEN_OK, "token verifies");
    is_str(c.sub, "alice", "sub");
    ok(c.exp == now + 600 && c.iat == now, "iat and exp");
    ok(pwreset_token_matches(pool, &c, hash), "made for this hash");
    ok(!pwreset_token_matches(pool, &c, "$2y$04$other"),
       "not for another hash");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_FORM, now, 1800, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "link token refused as a form token");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK, now + 600, 1800,
                            &c) == PWRESET_TOKEN_EXPIRED, "expired at exp");
    ok(pwreset_token_verify(pool, both, t, PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_OK && c.key == &APR_ARRAY_IDX(both, 1, pwreset_key),
       "rotation: an older listed key still verifies");
    {
        apr_array_header_t *just2 = apr_array_make(pool, 1, sizeof(pwreset_key));
        *(pwreset_key *)apr_array_push(just2) = k2;
        ok(pwreset_token_verify(pool, just2, t, PWRESET_PURPOSE_LINK, now, 1800, &c)
           == PWRESET_TOKEN_BAD_SIGNATURE, "a key no longer listed");
    }
    {
        char *tampered = apr_pstrdup(pool, t);
        char *dot = strchr(tampered, '.') + 3;
        *dot = *dot == 'A' ? 'B' : 'A';
        ok(pwreset_token_verify(pool, only1, tampered, PWRESET_PURPOSE_LINK,
                                now, 1800, &c) != PWRESET_TOKEN_OK, "tampered");
    }
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":%ld,"
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, now + 60, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_OK, "crafted control token verifies");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS512, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       != PWRESET_TOKEN_OK, "HS512 under the same key refused");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_NONE, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       != PWRESET_TOKEN_OK, "alg none refused");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k2.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_BAD_HEADER, "kid of another key refused");
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            NULL), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_BAD_HEADER, "no kid refused");
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":\"%ld\","
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, now + 60, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "string exp refused");
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":1e12,"
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "real-number exp refused");
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,"
                          "\"pwr\":\"link\",\"pwh\":\"%s\"}", now, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "missing exp refused");
    /* make fuzz found it: an empty fingerprint verified (and was refused
     * only later, as made for another hash). */
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,"
                          "\"exp\":%ld,\"pwr\":\"link\",\"pwh\":\"\"}",
                          now, now + 600);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "empty fingerprint refused");
    claims = apr_psprintf(pool, "{\"sub\":\"alice\",\"iat\":%ld,"
                          "\"exp\":%ld,\"pwr\":\"link\",\"pwh\":\"%sx\"}",
                          now, now + 600, fp);
    ok(pwreset_token_verify(pool, only1, craft(&k1, JWT_ALG_HS256, claims,
                            k1.kid), PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_BAD_CLAIMS, "a fingerprint of another length refused");
    {
        const char *d1 = digest(pool, &k1, "account",
                                "alice@example.org");
        ok(d1 && strlen(d1) == 22,
           "limit ids are 128-bit digests, nothing of the address");
        ok(d1 && !strcmp(d1, digest(pool, &k1, "account", "alice@example.org")),
           "the same on every server with the same key");
        ok(d1 && strcmp(d1, digest(pool, &k1, "client", "alice@example.org")),
           "and apart between kinds");
    }
    /* The lifetime in force now decides: a token made for 600 s is
     * refused once older than a shorter max_age, and one dated ahead past
     * the skew is refused. */
    t = pwreset_token_issue(pool, &k1, PWRESET_PURPOSE_LINK, "alice", hash,
                            now, 600);
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK, now + 300,
                            300, &c) == PWRESET_TOKEN_OK,
       "max_age: exactly its age is fine");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK, now + 301,
                            300, &c) == PWRESET_TOKEN_EXPIRED,
       "max_age: a second older than the current lifetime is expired");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK,
                            now - PWRESET_TOKEN_SKEW, 1800, &c)
       == PWRESET_TOKEN_OK, "iat ahead by the skew: fine");
    ok(pwreset_token_verify(pool, only1, t, PWRESET_PURPOSE_LINK,
                            now - PWRESET_TOKEN_SKEW - 1, 1800, &c)
       == PWRESET_TOKEN_FUTURE, "iat ahead past the skew: refused");
    is_str(pwreset_token_status_str(PWRESET_TOKEN_FUTURE),
           "issued in the future", "the future's word");
    ok(pwreset_token_verify(pool, only1, "", PWRESET_PURPOSE_LINK, now, 1800, &c)
       == PWRESET_TOKEN_MALFORMED, "empty token");
    ok(pwreset_token_verify(pool, only1, "a.b.c.d", PWRESET_PURPOSE_LINK, now, 1800,
                            &c) == PWRESET_TOKEN_MALFORMED, "four parts");
    ok(pwreset_token_verify(pool, only1, "a b.c.d", PWRESET_PURPOSE_LINK, now, 1800,
                            &c) == PWRESET_TOKEN_MALFORMED, "odd characters");
}

/* The MACs start from a keyed state made once and shared by every thread:
 * what they give must be HMAC-SHA-256 itself, the same in every thread at
 * once. */
static const char *reference_digest(const char *label, const char *value)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    const char *input = apr_pstrcat(pool, "mod_pwreset limit ", label, ":",
                                    value, NULL);

    HMAC(EVP_sha256(), k1.fp_key, sizeof(k1.fp_key),
         (const unsigned char *)input, strlen(input), out, &n);
    return apr_pencode_base64_binary(pool, out, 16, APR_ENCODE_BASE64URL
                                     | APR_ENCODE_NOPADDING, NULL);
}

#define THREADS 4
#define ROUNDS 5000
static const char *expected_digest;

static void *APR_THREAD_FUNC digest_often(apr_thread_t *t, void *data)
{
    apr_pool_t *p;
    int *same = data;

    apr_pool_create(&p, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        const char *d = digest(p, &k1, "client", "192.0.2.7");
        *same += d && !strcmp(d, expected_digest);
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_macs(void)
{
    apr_thread_t *t[THREADS];
    int same[THREADS] = {0}, all = 0;
    apr_status_t rv;

    expected_digest = reference_digest("client", "192.0.2.7");
    is_str(digest(pool, &k1, "client", "192.0.2.7"),
           expected_digest, "the keyed digest is HMAC-SHA-256 under fp_key");
    for (int i = 0; i < THREADS; i++) {
        apr_thread_create(&t[i], NULL, digest_often, &same[i], pool);
    }
    for (int i = 0; i < THREADS; i++) {
        apr_thread_join(&rv, t[i]);
        all += same[i];
    }
    ok(all == THREADS * ROUNDS, "%d threads at once, %d digests each: all "
       "the same (%d)", THREADS, ROUNDS, all);
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

    test_tokens();
    test_macs();
    return done_testing();
}
