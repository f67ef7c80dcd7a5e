/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/lang.c and the compiled catalogs: negotiation,
 * plural forms, placeholders kept by every translation.  Prints TAP. */
#include "lang.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

static const char *tag(const char *accept)
{
    return pwreset_lang_negotiate(accept)->tag;
}

static void test_negotiate(void)
{
    is_str(tag(NULL), "en", "no header: English");
    is_str(tag(""), "en", "empty: English");
    is_str(tag("de"), "de", "de");
    is_str(tag("de-CH"), "de", "de-CH: German");
    is_str(tag("FR-ca"), "fr", "any case");
    is_str(tag("ja, es;q=0.5"), "es", "the first one there is");
    is_str(tag("de;q=0.5, fr;q=0.8"), "fr", "the higher q wins");
    is_str(tag("de;q=0.8, fr;q=0.8"), "de", "equal q: the first");
    is_str(tag("fr;q=0, es"), "es", "q=0 is a refusal");
    is_str(tag("fr;q=0"), "en", "only refusals: English");
    is_str(tag("ja, zh"), "en", "none there is: English");
    is_str(tag("de;q=0.5, *;q=0.9"), "en", "* stands for the default");
    is_str(tag("de;q=1.5, es;q=0.2"), "es", "a q over 1 is not a q-value");
    is_str(tag("de;q=abc, es;q=0.2"), "es", "nor is abc");
    is_str(tag("es ; q=0.9 , de ; q=0.3"), "es", "spaces around");
    is_str(tag(",,, de"), "de", "empty items");
    ok(pwreset_lang_get("xx") == NULL, "no xx");
}

/* The {names} of a sentence, sorted, as one string. */
static const char *names_of(const char *s)
{
    const char *out = "";

    while ((s = strchr(s, '{'))) {
        const char *e = strchr(s, '}');

        if (!e) {
            break;
        }
        out = apr_pstrcat(pool, out, apr_pstrmemdup(pool, s, e + 1 - s),
                          NULL);
        s = e + 1;
    }
    return out;
}

static int same_names(const char *a, const char *b)
{
    /* Order may change between languages: compare as multisets. */
    const char *na = names_of(a), *nb = names_of(b);
    char *left = apr_pstrdup(pool, nb);

    if (strlen(na) != strlen(nb)) {
        return 0;
    }
    while (*na) {
        const char *e = strchr(na, '}') + 1;
        char *hit = strstr(left, apr_pstrmemdup(pool, na, e - na));

        if (!hit) {
            return 0;
        }
        memset(hit, '#', (apr_size_t)(e - na));
        na = e;
    }
    return 1;
}

static void test_catalogs(void)
{
    int languages = 0;

    for (int i = 1; pwreset_languages[i]; i++) {
        const pwreset_lang *l = pwreset_languages[i];
        int bad = 0, sorted = 1;

        languages++;
        for (apr_size_t k = 0; k < l->count; k++) {
            const pwreset_catalog_entry *e = &l->entries[k];

            for (int f = 0; f < e->forms; f++) {
                const char *src = e->msgid_plural && f > 0 ? e->msgid_plural
                                                           : e->msgid;
                if (!same_names(src, e->msgstr[f])) {
                    bad++;
                    diag("%s: '%s' loses or adds a {name}", l->tag,
                         e->msgstr[f]);
                }
            }
            if (k > 0 && strcmp(l->entries[k - 1].msgid, e->msgid) >= 0) {
                sorted = 0;
            }
        }
        /* The languages shipped are complete; one an admin adds may not
         * be yet (its missing sentences are shown in English). */
        if (!strcmp(l->tag, "de") || !strcmp(l->tag, "fr")
            || !strcmp(l->tag, "es")) {
            ok(l->count >= 57, "%s: complete (%d sentences)", l->tag,
               (int)l->count);
        }
        ok(!bad, "%s: every translation keeps its {names}", l->tag);
        ok(sorted, "%s: sorted for the binary search", l->tag);
    }
    ok(languages >= 3, "at least three languages besides English (%d)",
       languages);
}

/* French puts a narrow no-break space before : ; ? ! and inside « »: an
 * ordinary one would let a line break leave the sign alone. */
static void test_french(void)
{
    const pwreset_lang *fr = pwreset_lang_get("fr");
    int bad = 0;

    for (apr_size_t k = 0; fr && k < fr->count; k++) {
        for (int f = 0; f < fr->entries[k].forms; f++) {
            const char *t = fr->entries[k].msgstr[f];

            if (strstr(t, " :") || strstr(t, " ?") || strstr(t, " !")
                || strstr(t, " ;") || strstr(t, "\xc2\xab ")
                || strstr(t, " \xc2\xbb")) {
                bad++;
                diag("fr: '%s'", t);
            }
        }
    }
    ok(fr && !bad, "fr: no ordinary space before : ; ? ! or inside << >>");
}

static void test_tags_and_q(void)
{
    ok(pwreset_qvalue("1", 1) == 1000 && pwreset_qvalue("0.125", 5) == 125
       && pwreset_qvalue("0.8", 3) == 800 && pwreset_qvalue("1.000", 5) == 1000,
       "q-values in thousandths");
    ok(pwreset_qvalue("2", 1) < 0 && pwreset_qvalue("1.5", 3) < 0
       && pwreset_qvalue("inf", 3) < 0 && pwreset_qvalue("0.1234", 6) < 0
       && pwreset_qvalue("1e3", 3) < 0 && pwreset_qvalue("", 0) < 0,
       "anything else is not one");
    ok(pwreset_param_q("q=0.5", 5) == 500
       && pwreset_param_q(" charset=utf-8 ; q=0.2", 22) == 200
       && pwreset_param_q("foo=\"q=0\"", 9) == 1000
       && pwreset_param_q("", 0) == 1000,
       "the parameter named q, and only it");
    is_str(tag("de-DE-x-aaaaaaaaaaaaaaaaaaaa"), "de",
           "a long tag by its language part");
    is_str(tag("de;q=0.5;level=1, en;q=0.4"), "de", "other parameters");
    ok(pwreset_lang_get("pt-BR") == NULL && pwreset_lang_get("de_CH")
       && !strcmp(pwreset_lang_get("de_CH")->tag, "de"),
       "a region falls back to its language");
}

static void test_translate(void)
{
    const pwreset_lang *de = pwreset_lang_get("de"), *fr = pwreset_lang_get("fr");
    const char *one = "New password (at least {n} character)";
    const char *many = "New password (at least {n} characters)";

    is_str(pwreset_tr(pwreset_lang_default(), "Account"), "Account",
           "English is the source");
    is_str(pwreset_tr(de, "Account"), "Konto", "German");
    is_str(pwreset_tr(de, "no such sentence"), "no such sentence",
           "untranslated: the English");
    is_str(pwreset_trn(pwreset_lang_default(), one, many, 1), one,
           "English singular");
    is_str(pwreset_trn(pwreset_lang_default(), one, many, 0), many,
           "English: 0 is plural");
    ok(fr && pwreset_trn(fr, one, many, 0) == pwreset_trn(fr, one, many, 1),
       "French: 0 as 1");
    ok(fr && pwreset_trn(fr, one, many, 2) != pwreset_trn(fr, one, many, 1),
       "French: 2 is plural");
    is_str(pwreset_fill(pool, "{a} and {b}, {c}", "a", "A", "b", "B", NULL),
           "A and B, {c}", "fill: values in, unknown names left");
    is_str(pwreset_fill(pool, "no braces", "a", "A", NULL), "no braces",
           "fill: nothing to do");
    is_str(pwreset_fill(pool, "open { only", "a", "A", NULL), "open { only",
           "fill: an unclosed brace");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_negotiate();
    test_catalogs();
    test_french();
    test_tags_and_q();
    test_translate();
    return done_testing();
}
