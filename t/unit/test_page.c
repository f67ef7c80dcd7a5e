/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/page.c: the HTML pages, their languages and
 * their CSP.  Prints TAP. */
#include "page.h"
#include "tap.h"

#include <apr_general.h>

static apr_pool_t *pool;

static void test_pages(void)
{
    pwreset_page_ctx c = {pwreset_lang_default(), "Example <Shop>", NULL, "/reset?a=\"x\""};
    const char *page = pwreset_page_update(pool, &c, "<b>\"bob\"&",
                                           PWRESET_MSG_PW_WEAK,
                                           "it is <short>", 12, 600);

    ok(strstr(page, "value=\"&lt;b&gt;&quot;bob&quot;&amp;\"") != NULL,
       "username escaped in the attribute");
    ok(strstr(page, "too easy to guess: it is &lt;short&gt;.") != NULL,
       "message and its detail escaped");
    ok(strstr(page, "<b>") == NULL, "no raw markup from values");
    ok(strstr(page, "<title>Choose a new password \xe2\x80\x93 Example "
                    "&lt;Shop&gt;</title>") != NULL,
       "the site's name in the title, escaped");
    ok(strstr(page, "<p class=\"site\">Example &lt;Shop&gt;</p>") != NULL,
       "and above the heading");
    ok(strstr(page, "aria-invalid=\"true\" aria-describedby=\"problem\"")
       && strstr(page, "id=\"problem\""),
       "the problem is tied to the password field");
    ok(strstr(page, "<html lang=\"en\">") != NULL, "lang=\"en\"");
    ok(strstr(pwreset_page_csp(pool, NULL, NULL), "style-src 'sha256-") != NULL,
       "CSP allows the style by hash");
    ok(strstr(pwreset_page_invalid(pool, &c),
              "href=\"/reset?a=&quot;x&quot;\"") != NULL, "URL escaped");
    ok(!strcmp(pwreset_page_request_sent(pool, &c),
               pwreset_page_request_sent(pool, &c)),
       "neutral page is constant");
    c.site = NULL;
    ok(strstr(pwreset_page_changed(pool, &c),
              "<title>Password changed</title>") != NULL,
       "no site name: the title alone");
}

static void test_languages(void)
{
    pwreset_page_ctx de = {pwreset_lang_get("de"), "Beispiel", NULL, NULL};
    pwreset_page_ctx fr = {pwreset_lang_get("fr"), "Exemple", NULL, NULL};
    pwreset_page_ctx es = {pwreset_lang_get("es"), "Ejemplo", NULL, NULL};

    ok(de.lang && fr.lang && es.lang, "German, French and Spanish exist");
    if (!de.lang || !fr.lang || !es.lang) {
        return;
    }
    ok(strstr(pwreset_page_request(pool, &de, PWRESET_MSG_NONE),
              "<html lang=\"de\">") != NULL, "lang=\"de\"");
    ok(strstr(pwreset_page_request(pool, &de, PWRESET_MSG_NONE),
              "<h1>Passwort vergessen?</h1>") != NULL, "German heading");
    ok(strstr(pwreset_page_request(pool, &fr, PWRESET_MSG_ADDR_INVALID),
              "Ce n\xe2\x80\x99" "est pas une adresse e-mail valide.") != NULL,
       "French message");
    ok(strstr(pwreset_page_request_sent(pool, &es),
              "<h1>Revise su correo</h1>") != NULL, "Spanish heading");
    /* French uses the singular for 0 and 1, the others for 1 only. */
    ok(strstr(pwreset_page_update(pool, &fr, "a", PWRESET_MSG_NONE, NULL, 1, 600),
              "(au moins 1 caract\xc3\xa8re)") != NULL, "French: 1, singular");
    ok(strstr(pwreset_page_update(pool, &fr, "a", PWRESET_MSG_NONE, NULL, 0, 600),
              "(au moins 0 caract\xc3\xa8re)") != NULL, "French: 0, singular");
    ok(strstr(pwreset_page_update(pool, &fr, "a", PWRESET_MSG_NONE, NULL, 12, 600),
              "(au moins 12 caract\xc3\xa8res)") != NULL,
       "French: 12, plural");
    ok(strstr(pwreset_page_update(pool, &es, "a", PWRESET_MSG_NONE, NULL, 0, 600),
              "(al menos 0 caracteres)") != NULL, "Spanish: 0, plural");
    ok(strstr(pwreset_page_update(pool, &es, "a", PWRESET_MSG_NONE, NULL, 1, 600),
              "(al menos 1 car\xc3\xa1" "cter)") != NULL,
       "Spanish: 1, singular");
}

static void test_codes(void)
{
    ok(!strcmp(pwreset_msg_code(PWRESET_MSG_PW_SHORT), "password_too_short"),
       "password_too_short");
    ok(!strcmp(pwreset_msg_code(PWRESET_MSG_SENT), "sent"), "sent");
    for (int m = 1; m < PWRESET_MSG_COUNT; m++) {
        pwreset_page_ctx c = {pwreset_lang_default(), NULL, NULL, NULL};

        if (!pwreset_msg_code((pwreset_msg)m)
            || !pwreset_page_message(pool, &c, (pwreset_msg)m, NULL)) {
            ok(0, "message %d has a code and words", m);
            return;
        }
    }
    ok(1, "every message has a code and words");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);

    test_pages();
    test_languages();
    test_codes();
    return done_testing();
}
