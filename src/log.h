/* Shared by the httpd glue: the module record and log tagging.
 * Every log line starts with a stable "PWRnnnn:" tag; README.md lists them.
 * Never log a token, a password, a key or a mail address. */
#ifndef PWRESET_LOG_H
#define PWRESET_LOG_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

extern module AP_MODULE_DECLARE_DATA pwreset_module;

/* mod_pwreset.c gets this from AP_DECLARE_MODULE. */
#if defined(APLOG_USE_MODULE) && !defined(PWRESET_MODULE_FILE)
APLOG_USE_MODULE(pwreset);
#endif

#endif
