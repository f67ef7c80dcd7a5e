/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/page.c: the HTML pages and their CSP.  Prints
 * TAP. */
#include "page.h"
#include "tap.h"

#include <apr_general.h>

static apr_pool_t *pool;

static void test_pages(void)
{
    const char *page = pwreset_page_update(pool, "<b>\"bob\"&",
                                           PWRESET_MSG_PW_WEAK, "it is <short>",
                                           12);

    ok(strstr(page, "value=\"&lt;b&gt;&quot;bob&quot;&amp;\"") != NULL,
       "username escaped in the attribute");
    ok(strstr(page, "too easy to guess: it is &lt;short&gt;.") != NULL,
       "message and its detail escaped");
    ok(strstr(page, "<b>") == NULL, "no raw markup from values");
    ok(strstr(pwreset_page_csp(pool), "style-src 'sha256-") != NULL,
       "CSP allows the style by hash");
    ok(strstr(pwreset_page_invalid(pool, "/reset?a=\"x\""),
              "href=\"/reset?a=&quot;x&quot;\"") != NULL, "URL escaped");
    ok(!strcmp(pwreset_page_request_sent(pool),
               pwreset_page_request_sent(pool)), "neutral page is constant");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);

    test_pages();
    return done_testing();
}
