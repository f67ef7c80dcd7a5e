/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing the JSON bodies of src/core/json.h.  The first byte chooses:
 *
 *   bit 7 clear: pwreset_json_parse() of the rest (a buffer of exactly its
 *   size, no NUL after it), asked for the fields of the byte's choice, as
 *   the handlers ask ("email"; "token"; "password" and "confirm").  Its
 *   answer must be jansson's own reading of the same bytes (one object,
 *   exactly those members, each a string, no duplicate); on a refusal
 *   nothing is half-read; what was read, written again with
 *   pwreset_json_object(), reads back the same.
 *
 *   bit 7 set: pwreset_json_object() of the fields that follow (NUL
 *   between them) as values, under names plain, '#' (a number) and '@'
 *   (raw JSON) as the low bits say.  What it writes must be one JSON
 *   object, with each string value as it was (bytes past ASCII '?' when
 *   it is not UTF-8). */
#include "fuzz.h"
#include "input.h"
#include "json.h"

#include <apr_strings.h>
#include <jansson.h>


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void parse_body(unsigned first, const uint8_t *data, size_t size)
{
    const char *const *names = name_sets[(first & 0x7f) % 3];
    const char *values[MAX_NAMES + 1], *back[MAX_NAMES + 1];
    const char *body = fuzz_memdup(data, size);
    size_t count = 0;
    pwreset_form_status st;
    json_t *root;
    int want;

    while (names[count]) {
        count++;
    }
    st = pwreset_json_parse(fuzz_pool, body, size, names, values);
    FUZZ_CHECK(st >= PWRESET_FORM_OK && st <= PWRESET_FORM_REPEATED);
    /* jansson's reading, directly. */
    root = json_loadb(body, size, JSON_REJECT_DUPLICATES, NULL);
    want = json_is_object(root) && json_object_size(root) == count;
    for (size_t i = 0; want && i < count; i++) {
        json_t *v = json_object_get(root, names[i]);

        want = json_is_string(v);
        if (want && st == PWRESET_FORM_OK) {
            FUZZ_CHECK(json_string_length(v) == strlen(values[i])
                       && !memcmp(json_string_value(v), values[i],
                                  json_string_length(v)));
        }
    }
    json_decref(root);
    FUZZ_CHECK((st == PWRESET_FORM_OK) == want);
    if (st != PWRESET_FORM_OK) {
        for (size_t i = 0; i < count; i++) {
            FUZZ_CHECK(values[i] == NULL);
        }
        return;
    }
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(values[i]
                   && pwreset_utf8_valid(values[i], strlen(values[i])));
    }
    {
        const char *again = count == 1
            ? pwreset_json_object(fuzz_pool, names[0], values[0], NULL)
            : pwreset_json_object(fuzz_pool, names[1], values[1], names[0],
                                  values[0], NULL);

        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(pwreset_json_parse(fuzz_pool, again, strlen(again), names,
                                      back) == PWRESET_FORM_OK);
        for (size_t i = 0; i < count; i++) {
            FUZZ_CHECK(!strcmp(back[i], values[i]));
        }
    }
}

/* What a string becomes in pwreset_json_object(): itself when UTF-8,
 * else with each byte past ASCII '?'. */
static const char *as_written(const char *v)
{
    char *copy;

    if (pwreset_utf8_valid(v, strlen(v))) {
        return v;
    }
    copy = apr_pstrdup(fuzz_pool, v);
    for (char *c = copy; *c; c++) {
        *c = (unsigned char)*c > 0x7e ? '?' : *c;
    }
    return copy;
}

static void write_object(unsigned first, const uint8_t *data, size_t size)
{
    fuzz_fields f;
    const char *v[3], *out;
    /* Each value's name: plain, '#' or '@', as bits 0-1, 2-3, 4-5 say. */
    static const char *const kinds[4][3] = {
        {"a", "b", "c"}, {"#a", "#b", "#c"}, {"@a", "@b", "@c"},
        {"a", "#b", "@c"}};
    const char *n[3];
    json_t *root;

    fuzz_fields_init(&f, data, size);
    for (int i = 0; i < 3; i++) {
        v[i] = fuzz_field(&f);
        n[i] = kinds[(first >> (2 * i)) & 3][i];
    }
    out = pwreset_json_object(fuzz_pool, n[0], v[0], n[1], v[1], n[2], v[2],
                              NULL);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(out[0] && out[strlen(out) - 1] == '\n');
    FUZZ_CHECK(pwreset_utf8_valid(out, strlen(out)));
    root = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(json_is_object(root));
    for (int i = 0; i < 3; i++) {
        json_t *m = json_object_get(root, n[i][0] == '#' || n[i][0] == '@'
                                              ? n[i] + 1 : n[i]);

        if (n[i][0] == '#') {
            FUZZ_CHECK(json_is_integer(m));
        }
        else if (n[i][0] != '@') {
            const char *w = as_written(v[i]);

            FUZZ_CHECK(json_is_string(m) && !strcmp(json_string_value(m), w));
        }
    }
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (data[0] & 0x80) {
        write_object(data[0], data + 1, size - 1);
    }
    else {
        parse_body(data[0], data + 1, size - 1);
    }
    fuzz_done();
    return 0;
}
