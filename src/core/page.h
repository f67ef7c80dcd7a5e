/* SPDX-License-Identifier: Apache-2.0 */
/* Every HTML page the handlers send, in one place.  Pure: APR only.
 * Each function returns a whole HTML5 document; every value is escaped. */
#ifndef PWRESET_PAGE_H
#define PWRESET_PAGE_H

#include <apr_pools.h>

#include "message.h"

/* The Content-Security-Policy every page is sent with: the one inline
 * stylesheet is allowed by its SHA-256, so pages stay byte-identical. */
const char *pwreset_page_csp(apr_pool_t *p);

/* The words of a message; `detail` (may be NULL) completes
 * PWRESET_MSG_PW_WEAK.  NULL for PWRESET_MSG_NONE. */
const char *pwreset_page_message(apr_pool_t *p, pwreset_msg msg,
                                 const char *detail);

/* The request form, saying what was wrong unless msg is PWRESET_MSG_NONE. */
const char *pwreset_page_request(apr_pool_t *p, pwreset_msg msg);

/* The answer to every well-formed request, account or not. */
const char *pwreset_page_request_sent(apr_pool_t *p);

/* "Invalid or expired", with a link to request_url when there is one. */
const char *pwreset_page_invalid(apr_pool_t *p, const char *request_url);

/* The new-password form for `username`, saying what was wrong unless msg
 * is PWRESET_MSG_NONE (detail: see pwreset_page_message). */
const char *pwreset_page_update(apr_pool_t *p, const char *username,
                                pwreset_msg msg, const char *detail,
                                int min_length);

/* "Your password was changed". */
const char *pwreset_page_changed(apr_pool_t *p);

/* The short pages: the body of a 303 to the form, and the refusals that
 * are about neither the form nor the token. */
const char *pwreset_page_see_other(apr_pool_t *p);
const char *pwreset_page_too_many(apr_pool_t *p);           /* 429 */
const char *pwreset_page_forbidden(apr_pool_t *p);          /* 403 */
const char *pwreset_page_method(apr_pool_t *p);             /* 405 */
const char *pwreset_page_unavailable(apr_pool_t *p);        /* 503 */
const char *pwreset_page_error(apr_pool_t *p);              /* 500 */

#endif
