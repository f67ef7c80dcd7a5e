/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/template.c: placeholders, escaping, the start-up
 * refusals (with the line), the CSP hashes of <style>, the folders.
 * Prints TAP. */
#include "template.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static apr_pool_t *pool;

static const char *parse_err(pwreset_tpl_id id, const char *text)
{
    const char *err = NULL;
    apr_array_header_t *styles = NULL;

    if (pwreset_template_parse(pool, id, text, strlen(text), &styles, &err)) {
        return NULL;
    }
    return err;
}

static void test_parse_fill(void)
{
    apr_array_header_t *styles = NULL;
    const char *err = NULL;
    const char *v[PWRESET_PH_COUNT] = {0};
    const char *text = "<html lang=\"{{lang}}\"><title>{{ title }}</title>"
                       "<style>body{color:red}</style>"
                       "<p>{{message}}</p><p>{{site}}</p></html>";
    pwreset_template *t = pwreset_template_parse(pool, PWRESET_TPL_REQUEST,
                                                 text, strlen(text), &styles,
                                                 &err);

    ok(t != NULL, "a page template parses (%s)", err ? err : "");
    if (!t) {
        return;
    }
    v[PWRESET_PH_LANG] = "de";
    v[PWRESET_PH_TITLE] = "Passwort vergessen?";
    v[PWRESET_PH_MESSAGE] = "<script>alert(1)</script>";
    v[PWRESET_PH_SITE] = NULL;
    is_str(pwreset_template_fill(pool, t, v),
           "<html lang=\"de\"><title>Passwort vergessen?</title>"
           "<style>body{color:red}</style>"
           "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p></p></html>",
           "filled, HTML-escaped, NULL as empty");
    ok(styles && styles->nelts == 1
       && !strcmp(APR_ARRAY_IDX(styles, 0, const char *),
                  "'sha256-FcQqt3aNlV7AZnGV4zkQRVeCeJOxbMPnQSx258L803E='"),
       "the <style> text's SHA-256, as a CSP source");
    t = pwreset_template_parse(pool, PWRESET_TPL_RESET_TXT,
                               "Hallo {{username}}, <b>{{link}}</b>\n",
                               strlen("Hallo {{username}}, <b>{{link}}</b>\n"),
                               &styles, &err);
    v[PWRESET_PH_USERNAME] = "<bob>";
    v[PWRESET_PH_LINK] = "https://x/?a=1&b=2";
    is_str(t ? pwreset_template_fill(pool, t, v) : NULL,
           "Hallo <bob>, <b>https://x/?a=1&b=2</b>\n",
           "a .txt template is filled as text");
}

static void test_refusals(void)
{
    const char *err;

    err = parse_err(PWRESET_TPL_REQUEST, "<p>\n{{nope}}</p>");
    ok(err && strstr(err, "line 2: unknown placeholder {{nope}}"),
       "an unknown placeholder, with its line (%s)", err ? err : "");
    err = parse_err(PWRESET_TPL_REQUEST, "<p>{{username}}</p>");
    ok(err && strstr(err, "known there: site, lang, title, message, invalid, "
                          "request_url"),
       "a placeholder of another file, and the list of this one's");
    err = parse_err(PWRESET_TPL_REQUEST, "<p>{{site</p>\n");
    ok(err && strstr(err, "line 1: {{ is not closed"), "an unclosed {{");
    err = parse_err(PWRESET_TPL_REQUEST,
                    "<style>\nh1{color:red}\n.x{{{site}}}</style>");
    ok(err && strstr(err, "a placeholder inside <style>"),
       "a placeholder inside <style>");
    err = parse_err(PWRESET_TPL_REQUEST, "\n\n<p style=\"color:red\">x</p>");
    ok(err && strstr(err, "line 3: a style attribute"), "a style attribute");
    err = parse_err(PWRESET_TPL_REQUEST, "<p STYLE = 'x'>x</p>");
    ok(err != NULL, "a style attribute in capitals, with spaces");
    err = parse_err(PWRESET_TPL_REQUEST, "<p class=\"stylish\">x</p>");
    ok(err == NULL, "class=\"stylish\" is not a style attribute");
    err = parse_err(PWRESET_TPL_REQUEST, "<script>alert(1)</script>");
    ok(err && strstr(err, "<script>"), "<script>");
    err = parse_err(PWRESET_TPL_REQUEST, "<style>x");
    ok(err && strstr(err, "not closed"), "an unclosed <style>");
    err = parse_err(PWRESET_TPL_REQUEST, "caf\xc3");
    ok(err && strstr(err, "UTF-8"), "not UTF-8");
    ok(parse_err(PWRESET_TPL_RESET_TXT, "<p style=x>{{link}}</p>") == NULL,
       "a .txt template is not HTML: no HTML checks");
    ok(parse_err(PWRESET_TPL_REQUEST, "<p class=\"a\"style=\"x\">") != NULL
       && parse_err(PWRESET_TPL_REQUEST, "<p/style=\"x\">") != NULL
       && parse_err(PWRESET_TPL_REQUEST, "<a title=\">\" style=\"x\">") != NULL,
       "style attributes after a quote, a slash, a quoted >");
    ok(parse_err(PWRESET_TPL_REQUEST, "<p>a < b</p><!-- style = bold -->")
       == NULL, "text and comments are not tags");
    ok(parse_err(PWRESET_TPL_REQUEST, "<svg><style>p{}</style></svg>") != NULL
       && parse_err(PWRESET_TPL_REQUEST, "<button onclick=\"x()\">") != NULL
       && parse_err(PWRESET_TPL_REQUEST, "<a href=\"javascript:x()\">") != NULL,
       "<svg>, on...= and javascript: refused");
    err = parse_err(PWRESET_TPL_REQUEST, "<style/>p{color:{{site}}}</style>");
    ok(err && strstr(err, "inside <style>"), "<style/> is a <style>");
    err = parse_err(PWRESET_TPL_REQUEST, "<input value='{{site}}'>");
    ok(err && strstr(err, "not in a double-quoted attribute value"),
       "a placeholder in a single-quoted value");
    ok(parse_err(PWRESET_TPL_REQUEST, "<div {{site}}>") != NULL
       && parse_err(PWRESET_TPL_REQUEST, "<p title={{site}}>") != NULL,
       "a placeholder as an attribute, or an unquoted value");
    ok(parse_err(PWRESET_TPL_REQUEST, "<input value=\"{{site}}\">") == NULL,
       "a placeholder in a double-quoted value is fine");
    err = parse_err(PWRESET_TPL_RESET_TXT, "Hello {{username}}, no link.");
    ok(err && strstr(err, "must hold {{link}}"), "a reset mail without {{link}}");
}

static void test_normalise(void)
{
    apr_array_header_t *styles = NULL;
    const char *err = NULL, *v[PWRESET_PH_COUNT] = {0};
    const char *crlf = "\xef\xbb\xbf<style>\r\nbody{color:red}\r\n</style>"
                       "<input value=\"{{site}}\">\r\n";
    pwreset_template *t = pwreset_template_parse(pool, PWRESET_TPL_REQUEST,
                                                 crlf, strlen(crlf), &styles,
                                                 &err);
    apr_array_header_t *lf_styles = NULL;
    const char *lf = "<style>\nbody{color:red}\n</style>";

    pwreset_template_parse(pool, PWRESET_TPL_REQUEST, lf, strlen(lf),
                           &lf_styles, &err);
    ok(t && styles && lf_styles
       && !strcmp(APR_ARRAY_IDX(styles, 0, const char *),
                  APR_ARRAY_IDX(lf_styles, 0, const char *)),
       "CRLF: the <style> is hashed as the browser hashes it (LF)");
    v[PWRESET_PH_SITE] = "O'Brien \"&\" <Co>";
    is_str(t ? pwreset_template_fill(pool, t, v) : NULL,
           "<style>\nbody{color:red}\n</style>"
           "<input value=\"O&#39;Brien &quot;&amp;&quot; &lt;Co&gt;\">\n",
           "no byte-order mark, LF only, and ' escaped too");
}

static void spew(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_folder(void)
{
    char dir[] = "/tmp/pwreset-tpl-XXXXXX";
    const char *err = NULL;
    pwreset_templates *ts;
    const pwreset_template *t;
    const char *v[PWRESET_PH_COUNT] = {0};

    if (!mkdtemp(dir)) {
        ok(0, "a temporary folder");
        return;
    }
    spew(apr_pstrcat(pool, dir, "/request.html", NULL), "<p>all {{lang}}</p>");
    mkdir(apr_pstrcat(pool, dir, "/de", NULL), 0700);
    spew(apr_pstrcat(pool, dir, "/de/request.html", NULL), "<p>de {{lang}}</p>");
    ts = pwreset_templates_load(pool, dir, &err);
    ok(ts != NULL, "a folder loads (%s)", err ? err : "");
    v[PWRESET_PH_LANG] = "x";
    t = pwreset_templates_find(ts, pwreset_lang_get("de"), PWRESET_TPL_REQUEST);
    is_str(t ? pwreset_template_fill(pool, t, v) : NULL, "<p>de x</p>",
           "a language's own template first");
    t = pwreset_templates_find(ts, pwreset_lang_get("fr"), PWRESET_TPL_REQUEST);
    is_str(t ? pwreset_template_fill(pool, t, v) : NULL, "<p>all x</p>",
           "else the folder's");
    ok(pwreset_templates_find(ts, pwreset_lang_default(), PWRESET_TPL_SENT)
       == NULL, "else none: the built-in page");
    mkdir(apr_pstrcat(pool, dir, "/en", NULL), 0700);
    spew(apr_pstrcat(pool, dir, "/en/sent.html", NULL), "<p>en</p>");
    ts = pwreset_templates_load(pool, dir, &err);
    t = pwreset_templates_find(ts, pwreset_lang_default(), PWRESET_TPL_SENT);
    is_str(t ? pwreset_template_fill(pool, t, v) : NULL, "<p>en</p>",
           "en/ holds English's own");
    symlink("/etc/passwd", apr_pstrcat(pool, dir, "/changed.html", NULL));
    ts = pwreset_templates_load(pool, dir, &err);
    ok(!ts && err && strstr(err, "a symbolic link"),
       "a symbolic link is refused (%s)", err ? err : "");
    unlink(apr_pstrcat(pool, dir, "/changed.html", NULL));
    spew(apr_pstrcat(pool, dir, "/changed.html", NULL), "<p>x</p>");
    chmod(apr_pstrcat(pool, dir, "/changed.html", NULL), 0666);
    ts = pwreset_templates_load(pool, dir, &err);
    ok(!ts && err && strstr(err, "every local user may change it"),
       "a file anyone may write is refused");
    unlink(apr_pstrcat(pool, dir, "/changed.html", NULL));
    spew(apr_pstrcat(pool, dir, "/de/sent.html", NULL), "ok\n{{bad}}\n");
    ts = pwreset_templates_load(pool, dir, &err);
    ok(!ts && err && strstr(err, "/de/sent.html: line 2: unknown placeholder"),
       "a broken one is named, with its file and line (%s)", err ? err : "");
    system(apr_psprintf(pool, "rm -rf '%s'", dir));
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_parse_fill();
    test_refusals();
    test_normalise();
    test_folder();
    return done_testing();
}
