/* The three handlers: pwreset-request, pwreset-link, pwreset-update. */
#ifndef PWRESET_HANDLERS_H
#define PWRESET_HANDLERS_H

#include <httpd.h>

/* Compute what every response shares (the CSP header) once, at start-up. */
void pwreset_handlers_init(apr_pool_t *pconf);

/* The handler hook: serves the three handler names, declines the rest. */
int pwreset_handler(request_rec *r);

#endif
