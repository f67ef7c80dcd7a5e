/* SPDX-License-Identifier: Apache-2.0 */
/* The directives and the per-server configuration hooks of the module
 * record. */
#ifndef PWRESET_CONFIG_H
#define PWRESET_CONFIG_H

#include <httpd.h>
#include <http_config.h>

extern const command_rec pwreset_cmds[];

void *pwreset_create_server_config(apr_pool_t *p, server_rec *s);
void *pwreset_merge_server_config(apr_pool_t *p, void *basev, void *addv);

/* post_config: warn (PWR0009) about key files that the run-time user or
 * group can read, when httpd starts as root. */
int pwreset_config_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *s);

#endif
