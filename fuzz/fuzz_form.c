/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing pwreset_form_parse() (src/core/input.h), the reader of every
 * form body and of the link's query string.  The first byte chooses the
 * fields asked for, as the handlers ask for them ("email"; "token";
 * "password" and "confirm"); the rest is the body, in a buffer of exactly
 * its size with no NUL after it.
 *
 * The answer must be the one of a plain re-reading of the rules (fields
 * split at '&', empty ones skipped, name and value split at the first '=',
 * '+' a space, %XX a byte, a bad escape or a decoded NUL malformed, then
 * unknown, repeated and missing fields); and what was read, encoded again
 * in another order, must read back the same. */
#include "fuzz.h"
#include "input.h"

#include <apr_lib.h>
#include <apr_strings.h>


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One name or value decoded; NULL for a bad escape or a NUL. */
static const char *ref_decode(const char *s, size_t n)
{
    char *out = apr_palloc(fuzz_pool, n + 1);
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        }
        else if (s[i] != '%') {
            out[o++] = s[i];
        }
        else if (n - i < 3 || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
            return NULL;
        }
        else {
            out[o] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            if (!out[o++]) {
                return NULL;
            }
            i += 2;
        }
    }
    out[o] = '\0';
    return out;
}

static pwreset_form_status ref_parse(const char *data, size_t len,
                                     const char *const *names,
                                     const char **values)
{
    size_t count = 0, pos = 0;

    while (names[count]) {
        values[count++] = NULL;
    }
    if (memchr(data, '\0', len)) {
        return PWRESET_FORM_MALFORMED;
    }
    while (pos < len) {
        size_t stop = pos, eq;
        const char *name, *value;
        size_t i;

        while (stop < len && data[stop] != '&') {
            stop++;
        }
        if (stop == pos) {
            pos++;
            continue;
        }
        for (eq = pos; eq < stop && data[eq] != '='; eq++) {
        }
        name = ref_decode(data + pos, eq - pos);
        value = eq < stop ? ref_decode(data + eq + 1, stop - eq - 1) : "";
        if (!name || !value) {
            return PWRESET_FORM_MALFORMED;
        }
        for (i = 0; i < count && strcmp(names[i], name); i++) {
        }
        if (i == count) {
            return PWRESET_FORM_UNKNOWN;
        }
        if (values[i]) {
            return PWRESET_FORM_REPEATED;
        }
        values[i] = value;
        pos = stop + 1;
    }
    for (size_t i = 0; i < count; i++) {
        if (!values[i]) {
            return PWRESET_FORM_MISSING;
        }
    }
    return PWRESET_FORM_OK;
}

/* application/x-www-form-urlencoded, as a browser writes it. */
static const char *encode(const char *s, int lower)
{
    char *out = apr_palloc(fuzz_pool, strlen(s) * 3 + 1), *o = out;
    const char *digits = lower ? "0123456789abcdef" : "0123456789ABCDEF";

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (apr_isalnum(c) || strchr("-._~*", c)) {
            *o++ = (char)c;
        }
        else if (c == ' ') {
            *o++ = '+';
        }
        else {
            *o++ = '%';
            *o++ = digits[c >> 4];
            *o++ = digits[c & 15];
        }
    }
    *o = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *const *names;
    const char *values[MAX_NAMES + 1], *ref[MAX_NAMES + 1];
    const char *body;
    size_t len, count = 0;
    pwreset_form_status st, want;

    if (size < 1) {
        return 0;
    }
    names = name_sets[data[0] % 3];
    while (names[count]) {
        count++;
    }
    len = size - 1;
    body = fuzz_memdup(data + 1, len);
    st = pwreset_form_parse(fuzz_pool, body, len, names, values);
    want = ref_parse(body, len, names, ref);
    FUZZ_CHECK(st == want);
    if (st == PWRESET_FORM_OK) {
        const char *again = "", *back[MAX_NAMES + 1];

        for (size_t i = 0; i < count; i++) {
            FUZZ_CHECK(values[i] && !strcmp(values[i], ref[i]));
        }
        /* Written again, last field first, with an empty field between:
         * read back the same. */
        for (size_t i = count; i-- > 0;) {
            again = apr_pstrcat(fuzz_pool, again, "&", encode(names[i], i & 1),
                                "=", encode(values[i], data[0] & 0x80), NULL);
        }
        FUZZ_CHECK(pwreset_form_parse(fuzz_pool, again, strlen(again), names,
                                      back) == PWRESET_FORM_OK);
        for (size_t i = 0; i < count; i++) {
            FUZZ_CHECK(!strcmp(back[i], values[i]));
        }
    }
    fuzz_done();
    return 0;
}
