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
    "input{box-sizing:border-box;width:100%;padding:.5rem;font-size:1rem;"
    "border:1px solid #888;border-radius:4px}"
    "input[readonly]{background:#eee}"
    "input[aria-invalid=true]{border-color:#b00}"
    "button{margin-top:1.2rem;padding:.55rem 1.3rem;font-size:1rem;"
    "border:0;border-radius:4px;background:#1a5fb4;color:#fff}"
    ".msg{padding:.6rem;border-left:4px solid #b00;background:#fee}"
    ".site{margin:0;color:#555}";

static const char *esc(apr_pool_t *p, const char *s)
{
    return apr_pescape_entity(p, s, 0);
}

const char *pwreset_page_csp(apr_pool_t *p, const apr_array_header_t *styles,
                             const pwreset_csp_extra *extra)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    char *b64 = apr_palloc(p, apr_base64_encode_len(sizeof(digest)));
    const char *style_src, *more = "";

    SHA256((const unsigned char *)style, strlen(style), digest);
    apr_base64_encode_binary(b64, digest, sizeof(digest));
    style_src = apr_pstrcat(p, "'sha256-", b64, "'", NULL);
    for (int i = 0; styles && i < styles->nelts; i++) {
        style_src = apr_pstrcat(p, style_src, " ",
                                APR_ARRAY_IDX(styles, i, const char *), NULL);
    }
    if (extra && extra->style_src) {
        style_src = apr_pstrcat(p, style_src, " ", extra->style_src, NULL);
    }
    if (extra && extra->img_src) {
        more = apr_pstrcat(p, more, "; img-src ", extra->img_src, NULL);
    }
    if (extra && extra->font_src) {
        more = apr_pstrcat(p, more, "; font-src ", extra->font_src, NULL);
    }
    return apr_pstrcat(p, "default-src 'none'; style-src ", style_src, more,
                       "; form-action 'self'; base-uri 'none'; "
                       "frame-ancestors 'none'", NULL);
}

#define T(s) pwreset_tr(c->lang, s)

static const char *layout(apr_pool_t *p, const pwreset_page_ctx *c,
                          const char *title, const char *body)
{
    int named = c->site && *c->site;

    return apr_pstrcat(p,
        "<!DOCTYPE html>\n"
        "<html lang=\"", c->lang->tag, "\">\n"
        "<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n"
        "<title>", esc(p, title), named ? " \xe2\x80\x93 " : "",
        named ? esc(p, c->site) : "", "</title>\n"
        "<style>", style, "</style>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n",
        named ? apr_pstrcat(p, "<p class=\"site\">", esc(p, c->site),
                            "</p>\n", NULL) : "",
        "<h1>", esc(p, title), "</h1>\n",
        body,
        "</main>\n"
        "</body>\n"
        "</html>\n", NULL);
}

/* Each message: its stable code and its English words (the catalogs'
 * msgid). */
static const struct {
    const char *code, *words;
} messages[] = {
    [PWRESET_MSG_NONE] = {NULL, NULL},
    [PWRESET_MSG_FORM_TYPE] = {"unsupported_media_type",
        N_("The form must be sent as application/x-www-form-urlencoded "
           "or application/json.")},
    [PWRESET_MSG_FORM_TOO_LARGE] = {"body_too_large",
        N_("The form was too large.")},
    [PWRESET_MSG_FORM_UNREADABLE] = {"body_unreadable",
        N_("The form could not be read. Please use the form below.")},
    [PWRESET_MSG_FORM_MALFORMED] = {"malformed_request",
        N_("The form was incomplete or malformed. Please use the form "
           "below.")},
    [PWRESET_MSG_ADDR_EMPTY] = {"email_missing",
        N_("Please enter the email address of your account.")},
    [PWRESET_MSG_ADDR_TOO_LONG] = {"email_too_long",
        N_("That address is too long to be an email address.")},
    [PWRESET_MSG_ADDR_INVALID] = {"email_invalid",
        N_("That is not a valid email address.")},
    [PWRESET_MSG_PW_CHARACTERS] = {"password_characters",
        N_("The password holds characters that cannot be used.")},
    [PWRESET_MSG_PW_DIFFER] = {"password_mismatch",
        N_("The two passwords differ. Type the same password twice.")},
    [PWRESET_MSG_PW_SHORT] = {"password_too_short",
        N_("The password is too short.")},
    [PWRESET_MSG_PW_LONG] = {"password_too_long",
        N_("The password is too long: at most 72 bytes (fewer characters "
           "when they are not plain ASCII).")},
    [PWRESET_MSG_PW_CURRENT] = {"password_is_current",
        N_("That is your current password. Choose a new one.")},
    [PWRESET_MSG_PW_NAME] = {"password_contains_name",
        N_("The password must not contain your user name or your email "
           "address.")},
    [PWRESET_MSG_PW_COMMON] = {"password_common",
        N_("This password is one of the most commonly used ones, the first "
           "that attackers try. Choose another.")},
    [PWRESET_MSG_PW_BREACHED] = {"password_breached",
        N_("This password has appeared in a data breach, so attackers know "
           "it. Choose one you have never used anywhere.")},
    [PWRESET_MSG_PW_WEAK] = {"password_weak",
        N_("This password is too easy to guess.")},
    [PWRESET_MSG_SENT] = {"sent",
        N_("If an account uses that address, a message with a link to "
           "choose a new password is on its way to it. The link works for a "
           "limited time and only once.")},
    [PWRESET_MSG_CHANGED] = {"changed",
        N_("Your password has been changed. Use the new one from now on.")},
    [PWRESET_MSG_INVALID] = {"invalid_or_expired",
        N_("The link may have been used already, be too old, or be "
           "incomplete: some mail programs cut long links in two.")},
    [PWRESET_MSG_TOO_MANY] = {"too_many_requests",
        N_("There were too many attempts from your network address. Please "
           "wait a while and try again.")},
    [PWRESET_MSG_FORBIDDEN] = {"cross_site_request",
        N_("Your browser says this form was sent from another site, so it "
           "was not accepted and nothing changed. Open this site's own page "
           "and try again.")},
    [PWRESET_MSG_METHOD] = {"method_not_allowed",
        N_("This page only answers to the methods in the Allow header.")},
    [PWRESET_MSG_UNAVAILABLE] = {"unavailable",
        N_("The service is unavailable for a moment. Please try again in a "
           "minute.")},
    [PWRESET_MSG_ERROR] = {"server_error",
        N_("The server could not do this. Please try again later.")},
};

const char *pwreset_msg_code(pwreset_msg msg)
{
    return (apr_size_t)msg < sizeof(messages) / sizeof(messages[0])
               ? messages[msg].code : "malformed_request";
}

const char *pwreset_page_message(apr_pool_t *p, const pwreset_page_ctx *c,
                                 pwreset_msg msg, const char *detail)
{
    if (msg == PWRESET_MSG_NONE) {
        return NULL;
    }
    if ((apr_size_t)msg >= sizeof(messages) / sizeof(messages[0])) {
        msg = PWRESET_MSG_FORM_MALFORMED;
    }
    /* libpwquality's own words are English: they come as a detail. */
    if (msg == PWRESET_MSG_PW_WEAK && detail) {
        return pwreset_fill(p, T("This password is too easy to guess: "
                                 "{reason}."), "reason", detail, NULL);
    }
    return T(messages[msg].words);
}

/* The admin's template for a page, filled, or NULL for the built-in one. */
static const char *from_template(apr_pool_t *p, const pwreset_page_ctx *c,
                                 pwreset_tpl_id id, const char *title,
                                 pwreset_msg msg, const char *detail,
                                 const char *username, int min_length,
                                 long seconds_left, const char *status)
{
    const pwreset_template *t = pwreset_templates_find(c->templates, c->lang,
                                                       id);
    const char *v[PWRESET_PH_COUNT] = {0};

    if (!t) {
        return NULL;
    }
    v[PWRESET_PH_SITE] = c->site;
    v[PWRESET_PH_LANG] = c->lang->tag;
    v[PWRESET_PH_TITLE] = title;
    v[PWRESET_PH_MESSAGE] = pwreset_page_message(p, c, msg, detail);
    v[PWRESET_PH_INVALID] = msg != PWRESET_MSG_NONE && (id == PWRESET_TPL_REQUEST
                                                        || id == PWRESET_TPL_UPDATE)
                                ? "true" : "false";
    v[PWRESET_PH_REQUEST_URL] = c->request_url;
    v[PWRESET_PH_USERNAME] = username;
    v[PWRESET_PH_MIN_LENGTH] = min_length ? apr_itoa(p, min_length) : NULL;
    v[PWRESET_PH_SECONDS_LEFT] = apr_ltoa(p, seconds_left);
    v[PWRESET_PH_STATUS] = status;
    return pwreset_template_fill(p, t, v);
}

static const char *message_block(apr_pool_t *p, const pwreset_page_ctx *c,
                                 pwreset_msg msg, const char *detail)
{
    const char *text = pwreset_page_message(p, c, msg, detail);

    return text
        ? apr_pstrcat(p, "<p class=\"msg\" role=\"alert\" id=\"problem\">",
                      esc(p, text), "</p>\n", NULL)
        : "";
}

const char *pwreset_page_request(apr_pool_t *p, const pwreset_page_ctx *c,
                                 pwreset_msg msg)
{
    const char *t = from_template(p, c, PWRESET_TPL_REQUEST,
                                  T("Forgot your password?"), msg, NULL,
                                  NULL, 0, 0, NULL);

    if (t) {
        return t;
    }
    return layout(p, c, T("Forgot your password?"), apr_pstrcat(p,
        message_block(p, c, msg, NULL),
        "<p>", esc(p, T("Enter the email address of your account. If we "
                        "know it, we will send it a link to choose a new "
                        "password.")), "</p>\n"
        "<form method=\"post\">\n"
        "<label for=\"email\">", esc(p, T("Email address")), "</label>\n"
        "<input id=\"email\" name=\"email\" type=\"email\" required "
        "maxlength=\"254\" autocomplete=\"email\" autofocus",
        msg != PWRESET_MSG_NONE
            ? " aria-invalid=\"true\" aria-describedby=\"problem\"" : "",
        ">\n"
        "<button type=\"submit\">", esc(p, T("Send me a link")),
        "</button>\n"
        "</form>\n", NULL));
}

const char *pwreset_page_request_sent(apr_pool_t *p,
                                      const pwreset_page_ctx *c)
{
    const char *t = from_template(p, c, PWRESET_TPL_SENT, T("Check your mail"),
                                  PWRESET_MSG_SENT, NULL, NULL, 0, 0, NULL);

    if (t) {
        return t;
    }
    return layout(p, c, T("Check your mail"), apr_pstrcat(p,
        "<p>", esc(p, T(messages[PWRESET_MSG_SENT].words)), "</p>\n"
        "<p>", esc(p, T("No message? Check your spam folder, or ask again "
                        "with the address your account uses.")), "</p>\n",
        NULL));
}

const char *pwreset_page_invalid(apr_pool_t *p, const pwreset_page_ctx *c)
{
    const char *request_url = c->request_url;
    const char *t = from_template(p, c, PWRESET_TPL_INVALID,
                                  T("This link is invalid or has expired"),
                                  PWRESET_MSG_INVALID, NULL, NULL, 0, 0, NULL);
    const char *again;

    if (t) {
        return t;
    }
    again = request_url
        ? apr_pstrcat(p, "<p><a href=\"", esc(p, request_url), "\">",
                      esc(p, T("Ask for a new link")), "</a></p>\n", NULL)
        : apr_pstrcat(p, "<p>", esc(p, T("Ask for a new link where you "
                                         "asked for this one.")),
                      "</p>\n", NULL);

    return layout(p, c, T("This link is invalid or has expired"),
        apr_pstrcat(p, "<p>", esc(p, T(messages[PWRESET_MSG_INVALID].words)),
                    "</p>\n", again, NULL));
}

const char *pwreset_page_update(apr_pool_t *p, const pwreset_page_ctx *c,
                                const char *username, pwreset_msg msg,
                                const char *detail, int min_length,
                                long seconds_left)
{
    const char *t = from_template(p, c, PWRESET_TPL_UPDATE,
                                  T("Choose a new password"), msg, detail,
                                  username, min_length, seconds_left, NULL);
    const char *min, *label, *invalid;

    if (t) {
        return t;
    }
    min = apr_itoa(p, min_length);
    label = pwreset_fill(p, pwreset_trn(c->lang,
        "New password (at least {n} character)",
        "New password (at least {n} characters)",
        (unsigned long)min_length), "n", min, NULL);
    /* A problem with the password is the password field's. */
    invalid = msg != PWRESET_MSG_NONE
        ? " aria-invalid=\"true\" aria-describedby=\"problem\"" : "";

    /* The username field has no name: it is never submitted, it is there so
     * that password managers file the new password under the right account. */
    return layout(p, c, T("Choose a new password"), apr_pstrcat(p,
        message_block(p, c, msg, detail),
        "<form method=\"post\">\n"
        "<label for=\"username\">", esc(p, T("Account")), "</label>\n"
        "<input id=\"username\" type=\"text\" value=\"", esc(p, username),
        "\" readonly autocomplete=\"username\">\n"
        "<label for=\"password\">", esc(p, label), "</label>\n"
        "<input id=\"password\" name=\"password\" type=\"password\" required "
        "minlength=\"", min, "\" autocomplete=\"new-password\" autofocus",
        invalid, ">\n"
        "<label for=\"confirm\">", esc(p, T("New password again")),
        "</label>\n"
        "<input id=\"confirm\" name=\"confirm\" type=\"password\" required "
        "minlength=\"", min, "\" autocomplete=\"new-password\">\n"
        "<button type=\"submit\">", esc(p, T("Change password")),
        "</button>\n"
        "</form>\n", NULL));
}

const char *pwreset_page_changed(apr_pool_t *p, const pwreset_page_ctx *c)
{
    const char *t = from_template(p, c, PWRESET_TPL_CHANGED,
                                  T("Password changed"), PWRESET_MSG_CHANGED,
                                  NULL, NULL, 0, 0, NULL);

    if (t) {
        return t;
    }
    return layout(p, c, T("Password changed"), apr_pstrcat(p,
        "<p>", esc(p, T(messages[PWRESET_MSG_CHANGED].words)), "</p>\n"
        "<p>", esc(p, T("Every earlier reset link for this account no "
                        "longer works.")), "</p>\n", NULL));
}

static const char *notice(apr_pool_t *p, const pwreset_page_ctx *c,
                          const char *title, pwreset_msg msg,
                          const char *status)
{
    const char *t = from_template(p, c, PWRESET_TPL_ERROR, title, msg, NULL,
                                  NULL, 0, 0, status);

    if (t) {
        return t;
    }
    return layout(p, c, title, apr_pstrcat(p, "<p>",
                  esc(p, T(messages[msg].words)), "</p>\n", NULL));
}

const char *pwreset_page_see_other(apr_pool_t *p, const pwreset_page_ctx *c)
{
    return layout(p, c, T("Choose a new password"), apr_pstrcat(p, "<p>",
                  esc(p, T("Continue to the new-password form.")), "</p>\n",
                  NULL));
}

const char *pwreset_page_too_many(apr_pool_t *p, const pwreset_page_ctx *c)
{
    return notice(p, c, T("Too many attempts"), PWRESET_MSG_TOO_MANY, "429");
}

const char *pwreset_page_forbidden(apr_pool_t *p, const pwreset_page_ctx *c)
{
    return notice(p, c, T("Sent from another site"), PWRESET_MSG_FORBIDDEN,
                  "403");
}

const char *pwreset_page_method(apr_pool_t *p, const pwreset_page_ctx *c)
{
    return notice(p, c, T("Method not allowed"), PWRESET_MSG_METHOD, "405");
}

const char *pwreset_page_unavailable(apr_pool_t *p,
                                     const pwreset_page_ctx *c)
{
    return notice(p, c, T("Please try again soon"), PWRESET_MSG_UNAVAILABLE,
                  "503");
}

const char *pwreset_page_error(apr_pool_t *p, const pwreset_page_ctx *c)
{
    return notice(p, c, T("Something went wrong"), PWRESET_MSG_ERROR, "500");
}
