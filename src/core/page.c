/* SPDX-License-Identifier: Apache-2.0 */
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

const char *pwreset_page_message(apr_pool_t *p, pwreset_msg msg,
                                 const char *detail)
{
    switch (msg) {
    case PWRESET_MSG_NONE:
        return NULL;
    case PWRESET_MSG_FORM_TYPE:
        return "The form must be sent as application/x-www-form-urlencoded.";
    case PWRESET_MSG_FORM_TOO_LARGE:
        return "The form was too large.";
    case PWRESET_MSG_FORM_UNREADABLE:
        return "The form could not be read. Please use the form below.";
    case PWRESET_MSG_FORM_MALFORMED:
        return "The form was incomplete or malformed. Please use the form "
               "below.";
    case PWRESET_MSG_ADDR_EMPTY:
        return "Please enter the email address of your account.";
    case PWRESET_MSG_ADDR_TOO_LONG:
        return "That address is too long to be an email address.";
    case PWRESET_MSG_ADDR_INVALID:
        return "That is not a valid email address.";
    case PWRESET_MSG_PW_CHARACTERS:
        return "The password holds characters that cannot be used.";
    case PWRESET_MSG_PW_DIFFER:
        return "The two passwords differ. Type the same password twice.";
    case PWRESET_MSG_PW_SHORT:
        return "The password is too short.";
    case PWRESET_MSG_PW_LONG:
        return "The password is too long: at most 72 bytes (fewer characters "
               "when they are not plain ASCII).";
    case PWRESET_MSG_PW_CURRENT:
        return "That is your current password. Choose a new one.";
    case PWRESET_MSG_PW_NAME:
        return "The password must not contain your user name or your email "
               "address.";
    case PWRESET_MSG_PW_COMMON:
        return "This password is one of the most commonly used ones, the "
               "first that attackers try. Choose another.";
    case PWRESET_MSG_PW_BREACHED:
        return "This password has appeared in a data breach, so attackers "
               "know it. Choose one you have never used anywhere.";
    case PWRESET_MSG_PW_WEAK:
        return detail ? apr_pstrcat(p, "This password is too easy to guess: ",
                                    detail, ".", NULL)
                      : "This password is too easy to guess.";
    }
    return "Something is wrong with the form.";
}

static const char *message_block(apr_pool_t *p, pwreset_msg msg,
                                 const char *detail)
{
    const char *text = pwreset_page_message(p, msg, detail);

    return text
        ? apr_pstrcat(p, "<p class=\"msg\" role=\"alert\">", esc(p, text),
                      "</p>\n", NULL)
        : "";
}

const char *pwreset_page_request(apr_pool_t *p, pwreset_msg msg)
{
    return layout(p, "Forgot your password?", apr_pstrcat(p,
        message_block(p, msg, NULL),
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
                                pwreset_msg msg, const char *detail,
                                int min_length)
{
    const char *min = apr_itoa(p, min_length);

    /* The username field has no name: it is never submitted, it is there so
     * that password managers file the new password under the right account. */
    return layout(p, "Choose a new password", apr_pstrcat(p,
        message_block(p, msg, detail),
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

static const char *notice(apr_pool_t *p, const char *title,
                          const char *sentence)
{
    return layout(p, title,
                  apr_pstrcat(p, "<p>", esc(p, sentence), "</p>\n", NULL));
}

const char *pwreset_page_see_other(apr_pool_t *p)
{
    return notice(p, "Choose a new password",
                  "Continue to the new-password form.");
}

const char *pwreset_page_too_many(apr_pool_t *p)
{
    return notice(p, "Too many attempts", "There were too many attempts from "
                  "your address. Please wait a while and try again.");
}

const char *pwreset_page_forbidden(apr_pool_t *p)
{
    return notice(p, "Sent from another site", "Your browser says this form "
                  "was sent from another site, so it was not accepted and "
                  "nothing changed. Open this site's own page and try "
                  "again.");
}

const char *pwreset_page_method(apr_pool_t *p)
{
    return notice(p, "Method not allowed", "This page only answers to the "
                  "methods in the Allow header.");
}

const char *pwreset_page_unavailable(apr_pool_t *p)
{
    return notice(p, "Please try again soon", "The service is unavailable "
                  "for a moment. Please try again in a minute.");
}

const char *pwreset_page_error(apr_pool_t *p)
{
    return notice(p, "Something went wrong",
                  "The server could not do this. Please try again later.");
}
