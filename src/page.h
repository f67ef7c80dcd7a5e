/* Every HTML page the handlers send, in one place.  Pure: APR only.
 * Each function returns a whole HTML5 document; every value is escaped. */
#ifndef PWRESET_PAGE_H
#define PWRESET_PAGE_H

#include <apr_pools.h>

/* The Content-Security-Policy every page is sent with: the one inline
 * stylesheet is allowed by its SHA-256, so pages stay byte-identical. */
const char *pwreset_page_csp(apr_pool_t *p);

/* The request form; `message` (may be NULL) says what was wrong. */
const char *pwreset_page_request(apr_pool_t *p, const char *message);

/* The answer to every well-formed request, account or not. */
const char *pwreset_page_request_sent(apr_pool_t *p);

/* "Invalid or expired", with a link to request_url when there is one. */
const char *pwreset_page_invalid(apr_pool_t *p, const char *request_url);

/* The new-password form for `username`; `message` may be NULL. */
const char *pwreset_page_update(apr_pool_t *p, const char *username,
                                const char *message, int min_length);

/* "Your password was changed". */
const char *pwreset_page_changed(apr_pool_t *p);

/* A plain page with a title and one sentence (errors, redirects). */
const char *pwreset_page_notice(apr_pool_t *p, const char *title,
                                const char *sentence);

#endif
