/* SPDX-License-Identifier: Apache-2.0 */
/* Every HTML page the handlers send, in one place, in the language asked
 * for.  Pure: APR only.  Each function returns a whole HTML5 document;
 * every value is escaped. */
#ifndef PWRESET_PAGE_H
#define PWRESET_PAGE_H

#include <apr_pools.h>

#include "lang.h"
#include "template.h"
#include "message.h"

/* PwResetContentSecurityPolicy: sources a site adds to the policy, each a
 * space-separated list, NULL for none. */
typedef struct pwreset_csp_extra {
    const char *style_src;
    const char *img_src;
    const char *font_src;
} pwreset_csp_extra;

/* What every page says the same way: its language and the site's name
 * (PwResetSiteName; NULL or "" for none). */
typedef struct {
    const pwreset_lang *lang;
    const char *site;
    const pwreset_templates *templates;   /* PwResetTemplateDir, or NULL */
    const char *request_url;              /* PwResetRequestURL, or NULL */
} pwreset_page_ctx;

/* The Content-Security-Policy every page is sent with: the one inline
 * stylesheet is allowed by its SHA-256, so pages stay byte-identical, and
 * so are the <style> elements of the templates (`styles`, may be NULL);
 * `extra`, PwResetContentSecurityPolicy's sources, adds to style-src,
 * img-src and font-src (may be NULL). */
const char *pwreset_page_csp(apr_pool_t *p, const apr_array_header_t *styles,
                             const pwreset_csp_extra *extra);

/* The words of a message in the page's language; `detail` (may be NULL)
 * completes PWRESET_MSG_PW_WEAK.  NULL for PWRESET_MSG_NONE. */
const char *pwreset_page_message(apr_pool_t *p, const pwreset_page_ctx *c,
                                 pwreset_msg msg, const char *detail);

/* A message's stable name for programs ("password_too_short"), the
 * "error" of a JSON answer.  Never translated. */
const char *pwreset_msg_code(pwreset_msg msg);

/* The request form, saying what was wrong unless msg is PWRESET_MSG_NONE. */
const char *pwreset_page_request(apr_pool_t *p, const pwreset_page_ctx *c,
                                 pwreset_msg msg);

/* The answer to every well-formed request, account or not. */
const char *pwreset_page_request_sent(apr_pool_t *p,
                                      const pwreset_page_ctx *c);

/* "Invalid or expired", with a link to request_url when there is one. */
const char *pwreset_page_invalid(apr_pool_t *p, const pwreset_page_ctx *c);

/* The new-password form for `username`, saying what was wrong unless msg
 * is PWRESET_MSG_NONE (detail: see pwreset_page_message). */
const char *pwreset_page_update(apr_pool_t *p, const pwreset_page_ctx *c,
                                const char *username, pwreset_msg msg,
                                const char *detail, int min_length,
                                long seconds_left);

/* "Your password was changed". */
const char *pwreset_page_changed(apr_pool_t *p, const pwreset_page_ctx *c);

/* The short pages: the body of a 303 to the form, and the refusals that
 * are about neither the form nor the token. */
const char *pwreset_page_see_other(apr_pool_t *p, const pwreset_page_ctx *c);
const char *pwreset_page_too_many(apr_pool_t *p,
                                  const pwreset_page_ctx *c);   /* 429 */
const char *pwreset_page_forbidden(apr_pool_t *p,
                                   const pwreset_page_ctx *c);  /* 403 */
const char *pwreset_page_method(apr_pool_t *p,
                                const pwreset_page_ctx *c);     /* 405 */
const char *pwreset_page_unavailable(apr_pool_t *p,
                                     const pwreset_page_ctx *c); /* 503 */
const char *pwreset_page_error(apr_pool_t *p,
                               const pwreset_page_ctx *c);      /* 500 */

#endif
