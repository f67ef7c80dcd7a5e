/* The three handlers: pwreset-request, pwreset-link, pwreset-update. */
#ifndef PWRESET_HANDLERS_H
#define PWRESET_HANDLERS_H

#include <httpd.h>

/* Compute what every response shares (the CSP header) once, at start-up. */
void pwreset_handlers_init(apr_pool_t *pconf);

/* post_read_request: hide the token of a request for PwResetLinkURL's path
 * before anything logs or shows it. */
int pwreset_post_read_request(request_rec *r);

/* The handler hook: serves the three handler names, declines the rest. */
int pwreset_handler(request_rec *r);

#endif
