/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing pwreset_token_verify() (src/core/token.h) against a fixed set of
 * two keys, the test keys of t/conf/keys.  The first byte of the input
 * chooses how the rest becomes a token:
 *
 *   0  the rest is the token, as a client would send it;
 *   1  the rest is a header and a payload (JSON, NUL between them), which
 *      the harness encodes and signs with one of the keys, so that libjwt's
 *      parsing and our claim checks see anything under a valid signature
 *      ("$KID" in the header becomes that key's kid);
 *   2  a token is issued for the sub and hash that follow (NUL between
 *      them) and must verify, for that sub and hash only;
 *   3  a token is issued, then edited by the byte pairs that follow: a
 *      token that differs in any byte must be refused.
 *
 * The byte's upper bits choose the key and the purpose.  Whenever a token
 * verifies, its claims must be what the checks promise, and neither the
 * other purpose, nor the other key alone, nor no key may accept it. */
#include "fuzz.h"
#include "input.h"
#include "token.h"

#include <apr_encode.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* t/conf/keys/current.key and old.key, without their final newline (as
 * pwreset_parse_key_file() reads them). */
static const char key_current[] =
    "test-key-1 for mod_pwreset tests only, never in production";
static const char key_old[] =
    "test-key-0 an older key that the rotation tests still list";

#define NOW 1700000000L
#define MAX_AGE 1800L

static pwreset_key keys[2];
/* Both keys (current first), each alone, and none. */
static apr_array_header_t *both, *alone[2], *none;

static const char *const purpose_names[] = {"link", "form"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    if (pwreset_key_init(fuzz_root, &keys[0],
                         (const unsigned char *)key_current,
                         sizeof(key_current) - 1) != APR_SUCCESS
        || pwreset_key_init(fuzz_root, &keys[1],
                            (const unsigned char *)key_old,
                            sizeof(key_old) - 1) != APR_SUCCESS) {
        abort();
    }
    both = apr_array_make(fuzz_root, 2, sizeof(pwreset_key));
    none = apr_array_make(fuzz_root, 1, sizeof(pwreset_key));
    for (int i = 0; i < 2; i++) {
        APR_ARRAY_PUSH(both, pwreset_key) = keys[i];
        alone[i] = apr_array_make(fuzz_root, 1, sizeof(pwreset_key));
        APR_ARRAY_PUSH(alone[i], pwreset_key) = keys[i];
    }
    return 0;
}

/* Which of `both` verified: 0 or 1; aborts on anything else. */
static int key_index(const pwreset_key *k)
{
    for (int i = 0; i < both->nelts; i++) {
        if (k == &APR_ARRAY_IDX(both, i, pwreset_key)) {
            return i;
        }
    }
    FUZZ_CHECK(!"the verifying key is one of the listed keys");
    return -1;
}

/* A JSON member's value as a string, or NULL. */
static const char *json_str(json_t *o, const char *name)
{
    json_t *v = json_is_object(o) ? json_object_get(o, name) : NULL;

    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Verify `t` for `purpose`, and check what must follow from the answer.
 * hdr and payload, when not NULL, are the JSON the token was made of: what
 * verified must say what the claims say. */
static pwreset_token_status verify_checked(const char *t,
                                           pwreset_purpose purpose,
                                           json_t *hdr, json_t *payload)
{
    apr_pool_t *p = fuzz_pool;
    pwreset_claims c, c2;
    pwreset_token_status st;
    int ki;

    st = pwreset_token_verify(p, both, t, purpose, NOW, MAX_AGE, &c);
    FUZZ_CHECK(st >= PWRESET_TOKEN_OK && st <= PWRESET_TOKEN_FUTURE);
    FUZZ_CHECK(strcmp(pwreset_token_status_str(st), "unknown"));
    /* The same answer twice: nothing kept between calls. */
    FUZZ_CHECK(pwreset_token_verify(p, both, t, purpose, NOW, MAX_AGE, &c2)
               == st);
    /* Without a key nothing verifies. */
    FUZZ_CHECK(pwreset_token_verify(p, none, t, purpose, NOW, MAX_AGE, &c2)
               != PWRESET_TOKEN_OK);
    if (st != PWRESET_TOKEN_OK) {
        FUZZ_CHECK(!c.sub && !c.fingerprint && !c.key);
        return st;
    }
    FUZZ_CHECK(c.sub && *c.sub && c.fingerprint && *c.fingerprint && c.key);
    FUZZ_CHECK(strlen(t) <= PWRESET_TOKEN_MAX);
    FUZZ_CHECK(c.exp > NOW && NOW - c.iat <= MAX_AGE
               && c.iat <= NOW + PWRESET_TOKEN_SKEW);
    ki = key_index(c.key);
    /* A token is for one purpose, made by one key. */
    FUZZ_CHECK(pwreset_token_verify(p, both, t, !purpose, NOW, MAX_AGE, &c2)
               == PWRESET_TOKEN_BAD_CLAIMS);
    FUZZ_CHECK(pwreset_token_verify(p, alone[ki], t, purpose, NOW, MAX_AGE,
                                    &c2) == PWRESET_TOKEN_OK
               && !strcmp(c2.sub, c.sub) && c2.exp == c.exp
               && c2.iat == c.iat);
    FUZZ_CHECK(pwreset_token_verify(p, alone[!ki], t, purpose, NOW, MAX_AGE,
                                    &c2) == PWRESET_TOKEN_BAD_SIGNATURE);
    /* Dead at exp, and once older than a shorter lifetime. */
    FUZZ_CHECK(pwreset_token_verify(p, both, t, purpose, c.exp, c.exp, &c2)
               == PWRESET_TOKEN_EXPIRED);
    if (NOW - c.iat >= 1) {
        FUZZ_CHECK(pwreset_token_verify(p, both, t, purpose, NOW,
                                        NOW - c.iat - 1, &c2)
                   == PWRESET_TOKEN_EXPIRED);
    }
    if (hdr && payload) {
        json_t *exp = json_object_get(payload, "exp");
        json_t *iat = json_object_get(payload, "iat");
        const char *alg = json_str(hdr, "alg"), *kid = json_str(hdr, "kid");
        const char *sub = json_str(payload, "sub");
        const char *pwr = json_str(payload, "pwr");
        const char *pwh = json_str(payload, "pwh");

        FUZZ_CHECK(alg && !strcmp(alg, "HS256"));
        FUZZ_CHECK(kid && !strcmp(kid, c.key->kid));
        FUZZ_CHECK(sub && !strcmp(sub, c.sub));
        FUZZ_CHECK(pwr && !strcmp(pwr, purpose_names[purpose]));
        FUZZ_CHECK(pwh && !strcmp(pwh, c.fingerprint));
        FUZZ_CHECK(json_is_integer(exp) && json_integer_value(exp) == c.exp);
        FUZZ_CHECK(json_is_integer(iat) && json_integer_value(iat) == c.iat);
    }
    return st;
}

static const char *b64url(const char *s, size_t n)
{
    return apr_pencode_base64(fuzz_pool, s, (apr_ssize_t)n,
                              APR_ENCODE_BASE64URL | APR_ENCODE_NOPADDING,
                              NULL);
}

/* header.payload.signature, HS256 under key k. */
static const char *sign(const pwreset_key *k, const char *hdr, size_t hn,
                        const char *payload, size_t pn)
{
    const char *input = apr_pstrcat(fuzz_pool, b64url(hdr, hn), ".",
                                    b64url(payload, pn), NULL);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;

    if (!HMAC(EVP_sha256(), k->bytes, (int)k->len,
              (const unsigned char *)input, strlen(input), mac, &mlen)) {
        abort();
    }
    return apr_pstrcat(fuzz_pool, input, ".",
                       apr_pencode_base64_binary(fuzz_pool, mac, mlen,
                                                 APR_ENCODE_BASE64URL
                                                 | APR_ENCODE_NOPADDING,
                                                 NULL), NULL);
}

/* Each "$KID" in s made the kid of k. */
static const char *with_kid(const char *s, const pwreset_key *k)
{
    const char *out = "", *at;

    while ((at = strstr(s, "$KID"))) {
        out = apr_pstrcat(fuzz_pool, out, apr_pstrmemdup(fuzz_pool, s, at - s),
                          k->kid, NULL);
        s = at + 4;
    }
    return apr_pstrcat(fuzz_pool, out, s, NULL);
}

static void signed_token(fuzz_fields *f, const pwreset_key *k,
                         pwreset_purpose purpose)
{
    const char *hdr = with_kid(fuzz_field(f), k);
    const char *payload = fuzz_field(f);
    const char *t = sign(k, hdr, strlen(hdr), payload, strlen(payload));
    json_t *h = json_loads(hdr, 0, NULL), *pl = json_loads(payload, 0, NULL);

    verify_checked(fuzz_strndup(t, strlen(t)), purpose, h, pl);
    json_decref(h);
    json_decref(pl);
}

static void round_trip(fuzz_fields *f, int ki, pwreset_purpose purpose)
{
    apr_pool_t *p = fuzz_pool;
    unsigned long bytes = fuzz_byte(f) << 16;
    long lifetime;
    const char *sub, *hash, *t;
    unsigned char d1[PWRESET_DIGEST_BYTES], d2[PWRESET_DIGEST_BYTES];
    pwreset_claims c;
    pwreset_token_status st;

    bytes |= fuzz_byte(f) << 8;
    bytes |= fuzz_byte(f);
    /* A lifetime PwResetTokenLifetime allows. */
    lifetime = 1 + (long)(bytes % 604800);
    sub = fuzz_field(f);
    hash = fuzz_field(f);
    t = pwreset_token_issue(p, &keys[ki], purpose, sub, hash, NOW, lifetime);
    /* libjwt takes any UTF-8 sub, and nothing else; a token longer than
     * verification takes is not issued (a sub under 400 bytes, even all
     * escaped as \u00XX, always fits). */
    if (!pwreset_utf8_valid(sub, strlen(sub))) {
        FUZZ_CHECK(!t);
    }
    else if (strlen(sub) < 400) {
        FUZZ_CHECK(t != NULL);
    }
    FUZZ_CHECK(!t || strlen(t) <= PWRESET_TOKEN_ISSUE_MAX);
    FUZZ_CHECK(pwreset_key_digest(p, &keys[ki], "account", sub, d1)
               && pwreset_key_digest(p, &keys[!ki], "account", sub, d2)
               && memcmp(d1, d2, sizeof(d1)));
    if (!t) {
        return;
    }
    t = fuzz_strndup(t, strlen(t));
    st = pwreset_token_verify(p, both, t, purpose, NOW, lifetime, &c);
    if (!*sub) {
        FUZZ_CHECK(st == PWRESET_TOKEN_BAD_CLAIMS);
        return;
    }
    FUZZ_CHECK(st == PWRESET_TOKEN_OK);
    FUZZ_CHECK(!strcmp(c.sub, sub) && c.iat == NOW && c.exp == NOW + lifetime
               && c.key == &APR_ARRAY_IDX(both, ki, pwreset_key));
    FUZZ_CHECK(pwreset_token_matches(p, &c, hash));
    FUZZ_CHECK(!pwreset_token_matches(p, &c,
                                      apr_pstrcat(p, hash, "x", NULL)));
    FUZZ_CHECK(pwreset_token_verify(p, both, t, purpose, NOW + lifetime,
                                    604800, &c) == PWRESET_TOKEN_EXPIRED);
    verify_checked(t, purpose, NULL, NULL);
}

static void tampered(fuzz_fields *f, int ki, pwreset_purpose purpose)
{
    apr_pool_t *p = fuzz_pool;
    const char *orig = pwreset_token_issue(p, &keys[ki], purpose, "alice",
                                           "$2y$04$abcdefghijklmnopqrstuu",
                                           NOW, 600);
    size_t len, cap;
    char *t;

    FUZZ_CHECK(orig != NULL);
    len = strlen(orig);
    cap = len + (f->n - f->at) / 2 + 1;
    t = apr_palloc(p, cap);
    memcpy(t, orig, len + 1);
    /* Pairs: where (relative, the top bits saying what) and a byte. */
    while (f->at + 2 <= f->n) {
        unsigned op = fuzz_byte(f), b = fuzz_byte(f);
        size_t at = len ? (op & 0x3f) * len / 64 : 0;

        switch (op >> 6) {
        case 0:
        case 1: /* replace */
            if (len) {
                t[at] = (char)b;
            }
            break;
        case 2: /* insert */
            memmove(t + at + 1, t + at, len - at + 1);
            t[at] = (char)b;
            len++;
            break;
        default: /* delete */
            if (len) {
                memmove(t + at, t + at + 1, len - at);
                len--;
            }
            break;
        }
    }
    t[len] = '\0';
    /* A NUL ends the token there, as it would in a query string. */
    t = fuzz_strndup(t, strlen(t));
    if (strcmp(t, orig)) {
        pwreset_claims c;

        FUZZ_CHECK(pwreset_token_verify(p, both, t, purpose, NOW, MAX_AGE, &c)
                   != PWRESET_TOKEN_OK);
        FUZZ_CHECK(pwreset_token_verify(p, both, t, !purpose, NOW, MAX_AGE,
                                        &c) != PWRESET_TOKEN_OK);
    }
    else {
        FUZZ_CHECK(verify_checked(t, purpose, NULL, NULL) == PWRESET_TOKEN_OK);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_fields f;
    unsigned first;
    pwreset_purpose purpose;
    int ki;

    fuzz_fields_init(&f, data, size);
    first = fuzz_byte(&f);
    ki = (first >> 2) & 1;
    purpose = (first >> 3) & 1 ? PWRESET_PURPOSE_FORM : PWRESET_PURPOSE_LINK;
    switch (first & 3) {
    case 0: {
        const char *t = fuzz_field(&f);

        verify_checked(t, PWRESET_PURPOSE_LINK, NULL, NULL);
        verify_checked(t, PWRESET_PURPOSE_FORM, NULL, NULL);
        break;
    }
    case 1:
        signed_token(&f, &keys[ki], purpose);
        break;
    case 2:
        round_trip(&f, ki, purpose);
        break;
    default:
        tampered(&f, ki, purpose);
        break;
    }
    fuzz_done();
    return 0;
}
