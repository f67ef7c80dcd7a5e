/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing the admin templates of src/core/template.h: the first byte
 * chooses the file (request.html ... notice.html), the rest is its text,
 * in a buffer of exactly its size, given to pwreset_template_parse() as
 * pwreset_templates_load() gives a file's bytes.
 *
 * When a template is accepted, it is filled three times: every value
 * empty, every value one marker byte, every value an attack on HTML.
 * Then: a .txt template puts each value in as it is (as many markers as
 * placeholders, nothing else changed); an .html one adds no markup (as many
 * '<', '>', '"' and '\'' as with empty values); reset.txt and reset.html
 * hold the link; each <style> hash is a well-formed CSP source; and the
 * page's Content-Security-Policy stays one header value. */
#include "fuzz.h"
#include "input.h"
#include "page.h"
#include "template.h"

#include <apr_strings.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static const char *filled(const pwreset_template *t, const char *value)
{
    const char *v[PWRESET_PH_COUNT];

    for (int i = 0; i < PWRESET_PH_COUNT; i++) {
        v[i] = value;
    }
    return pwreset_template_fill(fuzz_pool, t, v);
}

static size_t count_byte(const char *s, char c)
{
    size_t n = 0;

    for (; *s; s++) {
        n += *s == c;
    }
    return n;
}

/* 'sha256-' and the base64 of 32 bytes, quoted. */
static int csp_hash_ok(const char *s)
{
    size_t n = strlen(s);

    return n == 1 + 7 + 44 + 1 && !strncmp(s, "'sha256-", 8)
           && s[n - 1] == '\'' && s[n - 2] == '='
           && strspn(s + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
                            "xyz0123456789+/") == 43;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char attack[] = "\"'><script>alert(1)</script><a x='";
    pwreset_tpl_id id;
    const char *text, *err = NULL, *empty, *marked, *evil;
    apr_array_header_t *styles = NULL;
    const pwreset_template *t;
    int html;

    if (size < 1) {
        return 0;
    }
    id = (pwreset_tpl_id)(data[0] % PWRESET_TPL_COUNT);
    html = strstr(pwreset_tpl_file(id), ".html") != NULL;
    text = fuzz_memdup(data + 1, size - 1);
    t = pwreset_template_parse(fuzz_pool, id, text, size - 1, &styles, &err);
    if (!t) {
        FUZZ_CHECK(err && *err);
        FUZZ_CHECK(pwreset_utf8_valid(err, strlen(err)));
        fuzz_done();
        return 0;
    }
    FUZZ_CHECK(err == NULL);
    /* Only text that is UTF-8, without NUL, is taken. */
    FUZZ_CHECK(!memchr(data + 1, '\0', size - 1)
               && pwreset_utf8_valid(text, size - 1));
    empty = filled(t, NULL);
    marked = filled(t, "\x01");
    evil = filled(t, attack);
    FUZZ_CHECK(empty && marked && evil);
    FUZZ_CHECK(strlen(empty) <= size - 1);
    FUZZ_CHECK(!strchr(empty, '\r'));
    if (html) {
        FUZZ_CHECK(count_byte(evil, '<') == count_byte(empty, '<'));
        FUZZ_CHECK(count_byte(evil, '>') == count_byte(empty, '>'));
        FUZZ_CHECK(count_byte(evil, '"') == count_byte(empty, '"'));
        FUZZ_CHECK(count_byte(evil, '\'') == count_byte(empty, '\''));
    }
    else {
        size_t k = count_byte(marked, '\x01') - count_byte(empty, '\x01');

        FUZZ_CHECK(strlen(marked) == strlen(empty) + k);
        FUZZ_CHECK(strlen(evil) == strlen(empty) + k * (sizeof(attack) - 1));
    }
    if (id == PWRESET_TPL_RESET_TXT || id == PWRESET_TPL_RESET_HTML) {
        const char *v[PWRESET_PH_COUNT] = {0};

        v[PWRESET_PH_LINK] = "https://example.org/reset/link?token=a.b.c";
        FUZZ_CHECK(strstr(pwreset_template_fill(fuzz_pool, t, v),
                          v[PWRESET_PH_LINK]));
    }
    if (styles) {
        const char *csp;

        /* Mails have no CSP: only pages add their styles. */
        FUZZ_CHECK(id < PWRESET_TPL_RESET_TXT);
        for (int i = 0; i < styles->nelts; i++) {
            FUZZ_CHECK(csp_hash_ok(APR_ARRAY_IDX(styles, i, const char *)));
            for (int j = 0; j < i; j++) {
                FUZZ_CHECK(strcmp(APR_ARRAY_IDX(styles, i, const char *),
                                  APR_ARRAY_IDX(styles, j, const char *)));
            }
        }
        csp = pwreset_page_csp(fuzz_pool, styles, NULL);
        FUZZ_CHECK(pwreset_chars_only(csp, PWRESET_CHARS_HEADER));
        FUZZ_CHECK(fuzz_count(csp, ";") == 4);
    }
    fuzz_done();
    return 0;
}
