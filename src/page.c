/* HTML pages.  See page.h. */
#include "page.h"

#include <apr_base64.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <openssl/sha.h>
#include <string.h>

static const char style[] =
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;"
    "padding:0 1rem;line-height:1.5;color:#222}"
    "h1{font-size:1.4rem}"
    "label{display:block;margin-top:1rem;font-weight:600}"
    "input{box-sizing:border-box;width:100%;padding:.5rem;font-size:1rem}"
    "input[readonly]{background:#eee}"
    "button{margin-top:1.2rem;padding:.5rem 1.2rem;font-size:1rem}"
    ".msg{padding:.6rem;border-left:4px solid #b00;background:#fee}";

static const char *esc(apr_pool_t *p, const char *s)
{
    return apr_pescape_entity(p, s, 0);
}

const char *pwreset_page_csp(apr_pool_t *p)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    char *b64 = apr_palloc(p, apr_base64_encode_len(sizeof(digest)));

    SHA256((const unsigned char *)style, strlen(style), digest);
    apr_base64_encode_binary(b64, digest, sizeof(digest));
    return apr_pstrcat(p, "default-src 'none'; style-src 'sha256-", b64,
                       "'; form-action 'self'; base-uri 'none'; "
                       "frame-ancestors 'none'", NULL);
}

static const char *layout(apr_pool_t *p, const char *title, const char *body)
{
    return apr_pstrcat(p,
        "<!DOCTYPE html>\n"
        "<html lang=\"en\">\n"
        "<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n"
        "<title>", esc(p, title), "</title>\n"
        "<style>", style, "</style>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        "<h1>", esc(p, title), "</h1>\n",
        body,
        "</main>\n"
        "</body>\n"
        "</html>\n", NULL);
}

static const char *message_block(apr_pool_t *p, const char *message)
{
    return message
        ? apr_pstrcat(p, "<p class=\"msg\" role=\"alert\">", esc(p, message),
                      "</p>\n", NULL)
        : "";
}

const char *pwreset_page_request(apr_pool_t *p, const char *message)
{
    return layout(p, "Forgot your password?", apr_pstrcat(p,
        message_block(p, message),
        "<p>Enter the email address of your account. If it is ours, we will "
        "send it a link to choose a new password.</p>\n"
        "<form method=\"post\">\n"
        "<label for=\"email\">Email address</label>\n"
        "<input id=\"email\" name=\"email\" type=\"email\" required "
        "maxlength=\"254\" autocomplete=\"email\" autofocus>\n"
        "<button type=\"submit\">Send me a link</button>\n"
        "</form>\n", NULL));
}

const char *pwreset_page_request_sent(apr_pool_t *p)
{
    return layout(p, "Check your mail",
        "<p>If an account uses that address, a message with a link to choose "
        "a new password is on its way to it. The link works for a limited "
        "time and only once.</p>\n"
        "<p>No message? Check your spam folder, or ask again with the "
        "address your account uses.</p>\n");
}

const char *pwreset_page_invalid(apr_pool_t *p, const char *request_url)
{
    const char *again = request_url
        ? apr_pstrcat(p, "<p><a href=\"", esc(p, request_url),
                      "\">Ask for a new link</a></p>\n", NULL)
        : "<p>Ask for a new link where you asked for this one.</p>\n";

    return layout(p, "This link is invalid or has expired", apr_pstrcat(p,
        "<p>The link may have been used already, be too old, or be "
        "incomplete: some mail programs cut long links in two.</p>\n",
        again, NULL));
}

const char *pwreset_page_update(apr_pool_t *p, const char *username,
                                const char *message, int min_length)
{
    const char *min = apr_itoa(p, min_length);

    /* The username field has no name: it is never submitted, it is there so
     * that password managers file the new password under the right account. */
    return layout(p, "Choose a new password", apr_pstrcat(p,
        message_block(p, message),
        "<form method=\"post\">\n"
        "<label for=\"username\">Account</label>\n"
        "<input id=\"username\" type=\"text\" value=\"", esc(p, username),
        "\" readonly autocomplete=\"username\">\n"
        "<label for=\"password\">New password (at least ", min,
        " characters)</label>\n"
        "<input id=\"password\" name=\"password\" type=\"password\" required "
        "minlength=\"", min, "\" autocomplete=\"new-password\" autofocus>\n"
        "<label for=\"confirm\">New password again</label>\n"
        "<input id=\"confirm\" name=\"confirm\" type=\"password\" required "
        "minlength=\"", min, "\" autocomplete=\"new-password\">\n"
        "<button type=\"submit\">Change password</button>\n"
        "</form>\n", NULL));
}

const char *pwreset_page_changed(apr_pool_t *p)
{
    return layout(p, "Password changed",
        "<p>Your password has been changed. Use the new one from now on.</p>\n"
        "<p>Every earlier reset link for this account no longer works.</p>\n");
}

const char *pwreset_page_notice(apr_pool_t *p, const char *title,
                                const char *sentence)
{
    return layout(p, title,
                  apr_pstrcat(p, "<p>", esc(p, sentence), "</p>\n", NULL));
}
