/* SPDX-License-Identifier: Apache-2.0 */
/* The three handlers: pwreset-request, pwreset-link, pwreset-update. */
#ifndef PWRESET_HANDLERS_H
#define PWRESET_HANDLERS_H

#include <httpd.h>

/* post_config: what every response shares (the CSP header), and the
 * password checks of every configured server (PWR0007 when they cannot
 * work). */
int pwreset_handlers_post_config(apr_pool_t *pconf, server_rec *s);

/* post_read_request: hide the token of a request for PwResetLinkURL's path
 * before anything logs or shows it. */
int pwreset_handlers_post_read_request(request_rec *r);

/* handler: serves the three handler names, declines the rest. */
int pwreset_handlers_handler(request_rec *r);

#endif
