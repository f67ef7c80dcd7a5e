/* SPDX-License-Identifier: Apache-2.0 */
/* Reset tokens.  See token.h.
 *
 * libjwt 1.10 takes the algorithm from the token, never checks exp and reads
 * a non-integer exp as 0.  So the signature is checked here first, with our
 * own HMAC-SHA-256 over the signing input and a constant-time compare, which
 * pins HS256 whatever the header says; libjwt then parses the claims under
 * the key that matched, and the header must still say HS256 with that key's
 * kid.  exp is read from its JSON text, which must be a plain integer. */
#include "token.h"

#include <apr_encode.h>
#include <apr_strings.h>
#include <jwt.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define CLAIM_PURPOSE "pwr"
#define CLAIM_FINGERPRINT "pwh"
#define FINGERPRINT_BYTES 16
#define FINGERPRINT_CHARS 22   /* in base64url, unpadded */

static const char *const purpose_names[] = {"link", "form"};

static const char *b64url(apr_pool_t *p, const unsigned char *data,
                          apr_size_t len)
{
    return apr_pencode_base64_binary(p, data, len,
                                     APR_ENCODE_BASE64URL
                                     | APR_ENCODE_NOPADDING, NULL);
}

static apr_status_t free_mac(void *data)
{
    EVP_MAC_CTX_free(data);
    return APR_SUCCESS;
}

/* HMAC-SHA-256 keyed with k, for mac() to copy; freed with p. */
static EVP_MAC_CTX *keyed_mac(apr_pool_t *p, const unsigned char *k,
                              apr_size_t len)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         (char *)"SHA256", 0),
        OSSL_PARAM_construct_end()};
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = hmac ? EVP_MAC_CTX_new(hmac) : NULL;

    EVP_MAC_free(hmac); /* the context keeps its own reference */
    if (!c || !EVP_MAC_init(c, k, len, params)) {
        EVP_MAC_CTX_free(c);
        return NULL;
    }
    apr_pool_cleanup_register(p, c, free_mac, apr_pool_cleanup_null);
    return c;
}

/* HMAC-SHA-256 of data under a key set up once: a copy of the keyed state,
 * where HMAC() would fetch the algorithm (under locks every thread shares)
 * and hash the key again on every call, for more than half its cost.
 * Returns the length (32), 0 on failure. */
static unsigned int mac(const EVP_MAC_CTX *keyed, const void *data,
                        apr_size_t len, unsigned char *out)
{
    EVP_MAC_CTX *c = keyed ? EVP_MAC_CTX_dup(keyed) : NULL;
    size_t n = 0;
    int ok = c && EVP_MAC_update(c, data, len)
             && EVP_MAC_final(c, out, &n, EVP_MAX_MD_SIZE);

    EVP_MAC_CTX_free(c);
    return ok && n == SHA256_DIGEST_LENGTH ? (unsigned int)n : 0;
}

apr_status_t pwreset_key_init(apr_pool_t *p, pwreset_key *key,
                              const unsigned char *bytes, apr_size_t len)
{
    static const char kid_label[] = "mod_pwreset kid v1";
    static const char fp_label[] = "mod_pwreset fingerprint v1";
    unsigned char digest[SHA256_DIGEST_LENGTH];
    unsigned int dlen = sizeof(key->fp_key);
    EVP_MD_CTX *md;

    if (len < PWRESET_KEY_MIN) {
        return APR_EINVAL;
    }
    key->bytes = bytes;
    key->len = len;

    /* kid = first 12 bytes of SHA-256(label || key): names the key by its
     * contents, so reordering or moving files changes nothing. */
    md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)
        || !EVP_DigestUpdate(md, kid_label, sizeof(kid_label) - 1)
        || !EVP_DigestUpdate(md, bytes, len)
        || !EVP_DigestFinal_ex(md, digest, NULL)) {
        EVP_MD_CTX_free(md);
        return APR_EGENERAL;
    }
    EVP_MD_CTX_free(md);
    key->kid = b64url(p, digest, 12);

    if (!HMAC(EVP_sha256(), bytes, (int)len, (const unsigned char *)fp_label,
              sizeof(fp_label) - 1, key->fp_key, &dlen)) {
        return APR_EGENERAL;
    }
    OPENSSL_cleanse(digest, sizeof(digest));
    key->sign_mac = keyed_mac(p, bytes, len);
    key->fp_mac = keyed_mac(p, key->fp_key, sizeof(key->fp_key));
    if (!key->sign_mac || !key->fp_mac) {
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

const char *pwreset_fingerprint(apr_pool_t *p, const pwreset_key *key,
                                const char *hash)
{
    unsigned char out[EVP_MAX_MD_SIZE];

    if (!mac(key->fp_mac, hash, strlen(hash), out)) {
        return NULL;
    }
    return b64url(p, out, FINGERPRINT_BYTES);
}

int pwreset_key_digest(apr_pool_t *p, const pwreset_key *key,
                       const char *label, const char *value,
                       unsigned char out[PWRESET_DIGEST_BYTES])
{
    unsigned char full[EVP_MAX_MD_SIZE];
    const char *input = apr_pstrcat(p, "mod_pwreset limit ", label, ":",
                                    value, NULL);

    if (!mac(key->fp_mac, input, strlen(input), full)) {
        return 0;
    }
    memcpy(out, full, PWRESET_DIGEST_BYTES);
    OPENSSL_cleanse(full, sizeof(full));
    return 1;
}

const char *pwreset_token_issue(apr_pool_t *p, const pwreset_key *key,
                                pwreset_purpose purpose, const char *sub,
                                const char *hash, long now, long lifetime)
{
    const char *fp = pwreset_fingerprint(p, key, hash);
    const char *result = NULL;
    jwt_t *jwt = NULL;
    char *raw;

    if (!fp || jwt_new(&jwt)) {
        return NULL;
    }
    if (!jwt_add_header(jwt, "kid", key->kid)
        && !jwt_add_grant(jwt, "sub", sub)
        && !jwt_add_grant_int(jwt, "iat", now)
        && !jwt_add_grant_int(jwt, "exp", now + lifetime)
        && !jwt_add_grant(jwt, CLAIM_PURPOSE, purpose_names[purpose])
        && !jwt_add_grant(jwt, CLAIM_FINGERPRINT, fp)
        && !jwt_set_alg(jwt, JWT_ALG_HS256, key->bytes, (int)key->len)
        && (raw = jwt_encode_str(jwt)) != NULL) {
        /* Never one that pwreset_token_verify() or a browser's cookie
         * store would refuse as too long (token.h). */
        if (strlen(raw) <= PWRESET_TOKEN_ISSUE_MAX) {
            result = apr_pstrdup(p, raw);
        }
        free(raw);
    }
    jwt_free(jwt); /* also scrubs libjwt's copy of the key */
    return result;
}

/* Only the base64url alphabet and exactly two dots. */
static int token_shape_ok(const char *t, apr_size_t *signing_len)
{
    apr_size_t dots = 0, len = 0;

    for (; t[len]; len++) {
        char c = t[len];
        if (c == '.') {
            if (++dots == 2) {
                *signing_len = len;
            }
        }
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                   || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return 0;
        }
        if (len >= PWRESET_TOKEN_MAX) {
            return 0;
        }
    }
    return dots == 2 && t[0] != '.';
}

static const pwreset_key *find_signer(apr_pool_t *p,
                                      const apr_array_header_t *keys,
                                      const char *token, apr_size_t slen)
{
    const char *sig = token + slen + 1;
    apr_size_t siglen = strlen(sig);
    const pwreset_key *found = NULL;

    for (int i = 0; i < keys->nelts; i++) {
        const pwreset_key *k = &APR_ARRAY_IDX(keys, i, pwreset_key);
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int mlen = mac(k->sign_mac, token, slen, out);
        const char *expect;

        if (!mlen) {
            continue;
        }
        expect = b64url(p, out, mlen);
        /* Every key is tried, so the time taken says nothing of which. */
        if (strlen(expect) == siglen && !CRYPTO_memcmp(expect, sig, siglen)
            && !found) {
            found = k;
        }
    }
    return found;
}

/* A claim that must be a JSON integer: libjwt would read "1e9", "12.5" or
 * "\"9999999999\"" as 0 or worse, so its JSON text is checked. */
static int integer_claim(jwt_t *jwt, const char *name, long *out)
{
    char *json = jwt_get_grants_json(jwt, name);
    int ok = 0;

    if (json) {
        apr_size_t n = strlen(json);
        ok = n > 0 && n < 16 && strspn(json, "0123456789") == n;
        if (ok) {
            *out = strtol(json, NULL, 10);
        }
        free(json);
    }
    return ok;
}

static pwreset_token_status read_claims(apr_pool_t *p, jwt_t *jwt,
                                        const pwreset_key *key,
                                        pwreset_purpose purpose, long now,
                                        long max_age, pwreset_claims *c)
{
    const char *alg = jwt_get_header(jwt, "alg");
    const char *kid = jwt_get_header(jwt, "kid");
    const char *sub = jwt_get_grant(jwt, "sub");
    const char *pur = jwt_get_grant(jwt, CLAIM_PURPOSE);
    const char *fp = jwt_get_grant(jwt, CLAIM_FINGERPRINT);

    /* libjwt reads "alg" regardless of case ("hS256" is HS256 to it);
     * RFC 7515 4.1.1 makes it case-sensitive. */
    if (jwt_get_alg(jwt) != JWT_ALG_HS256 || !alg || strcmp(alg, "HS256")
        || !kid || strcmp(kid, key->kid)) {
        return PWRESET_TOKEN_BAD_HEADER;
    }
    if (!sub || !*sub || !pur || strcmp(pur, purpose_names[purpose]) || !fp
        || strlen(fp) != FINGERPRINT_CHARS
        || !integer_claim(jwt, "exp", &c->exp)
        || !integer_claim(jwt, "iat", &c->iat)) {
        return PWRESET_TOKEN_BAD_CLAIMS;
    }
    /* exp says what the lifetime was when the token was made; the
     * lifetime in force now may be shorter (lowered after an incident). */
    if (c->exp <= now || now - c->iat > max_age) {
        return PWRESET_TOKEN_EXPIRED;
    }
    if (c->iat > now + PWRESET_TOKEN_SKEW) {
        return PWRESET_TOKEN_FUTURE;
    }
    c->sub = apr_pstrdup(p, sub);
    c->fingerprint = apr_pstrdup(p, fp);
    c->key = key;
    return PWRESET_TOKEN_OK;
}

pwreset_token_status pwreset_token_verify(apr_pool_t *p,
                                          const apr_array_header_t *keys,
                                          const char *token,
                                          pwreset_purpose purpose, long now,
                                          long max_age,
                                          pwreset_claims *claims)
{
    const pwreset_key *key;
    apr_size_t slen = 0;
    pwreset_token_status st;
    jwt_t *jwt = NULL;

    memset(claims, 0, sizeof(*claims));
    if (!token || !keys || !token_shape_ok(token, &slen)) {
        return PWRESET_TOKEN_MALFORMED;
    }
    key = find_signer(p, keys, token, slen);
    if (!key) {
        return PWRESET_TOKEN_BAD_SIGNATURE;
    }
    if (jwt_decode(&jwt, token, key->bytes, (int)key->len) || !jwt) {
        return PWRESET_TOKEN_BAD_HEADER;
    }
    st = read_claims(p, jwt, key, purpose, now, max_age, claims);
    jwt_free(jwt);
    if (st != PWRESET_TOKEN_OK) {
        memset(claims, 0, sizeof(*claims));
    }
    return st;
}

int pwreset_token_matches(apr_pool_t *p, const pwreset_claims *claims,
                          const char *hash)
{
    const char *fp;
    apr_size_t n;

    if (!claims->key || !claims->fingerprint || !hash) {
        return 0;
    }
    fp = pwreset_fingerprint(p, claims->key, hash);
    n = strlen(claims->fingerprint);
    return fp && strlen(fp) == n && !CRYPTO_memcmp(fp, claims->fingerprint, n);
}

const char *pwreset_token_status_str(pwreset_token_status st)
{
    switch (st) {
    case PWRESET_TOKEN_OK:
        return "valid";
    case PWRESET_TOKEN_MALFORMED:
        return "malformed";
    case PWRESET_TOKEN_BAD_SIGNATURE:
        return "signature not made by any listed key";
    case PWRESET_TOKEN_BAD_HEADER:
        return "algorithm or key id refused";
    case PWRESET_TOKEN_BAD_CLAIMS:
        return "claims missing, mistyped or for another purpose";
    case PWRESET_TOKEN_EXPIRED:
        return "expired";
    case PWRESET_TOKEN_FUTURE:
        return "issued in the future";
    }
    return "unknown";
}
