/* SPDX-License-Identifier: Apache-2.0 */
/* The per-child delivery thread.
 *
 * The request handler only checks syntax and queues {server, address,
 * client, time}; the lookup, the token and the mail happen here, off the
 * request's path, so a known and an unknown address take the same time to
 * answer and a slow or failing sendmail never shows. */
#ifndef PWRESET_DELIVERY_H
#define PWRESET_DELIVERY_H

#include <httpd.h>

#include "core/lang.h"

/* child_init: start the thread of this child, when any server is
 * configured.  Stopped by a cleanup on pchild. */
void pwreset_delivery_child_init(apr_pool_t *pchild, server_rec *s);

/* Queue a reset request for the accounts stored under `email`, to be mailed
 * in `lang` (the request's; static, as every language is); `limited`
 * says the address is past PwResetAccountLimit (no mail, only a log line
 * when an account matches).  Returns
 * APR_EAGAIN when the queue is full (the job is dropped and logged). */
apr_status_t pwreset_delivery_reset(server_rec *s, const char *email,
                                    const char *client_ip, apr_time_t when,
                                    const pwreset_lang *lang, int limited);

/* Queue the "your password was changed" notice to `username` at the stored
 * address `email`. */
apr_status_t pwreset_delivery_changed(server_rec *s, const char *username,
                                      const char *email,
                                      const char *client_ip, apr_time_t when,
                                      const pwreset_lang *lang);

#endif
