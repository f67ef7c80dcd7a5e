/* SPDX-License-Identifier: Apache-2.0 */
/* The user table, through mod_dbd.  These functions are all the rest of the
 * module knows of storage: each one takes a connection, runs its statement
 * and gives the connection back, so that none is held while a client sends
 * a body or bcrypt runs. */
#ifndef PWRESET_STORE_H
#define PWRESET_STORE_H

#include <httpd.h>
#include <apr_tables.h>

typedef struct {
    const char *username;
    const char *email;
    const char *hash;
} pwreset_user;

/* check_config: a configured module needs mod_dbd's functions (PWR0001). */
int pwreset_store_check_config(apr_pool_t *pconf, server_rec *s);

/* post_config: the statements of each configured server and their labels
 * (they are prepared on each connection's first use). */
int pwreset_store_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s);

/* Every account whose stored address matches (array of pwreset_user).
 * An error (no connection, a failing query) is logged here. */
apr_status_t pwreset_store_by_email(apr_pool_t *p, server_rec *s,
                                    const char *email,
                                    apr_array_header_t **users);

/* The account named `username`, or *user = NULL when there is none. */
apr_status_t pwreset_store_by_name(apr_pool_t *p, server_rec *s,
                                   const char *username, pwreset_user **user);

/* Compare-and-swap: store new_hash only if the hash is still old_hash.
 * *changed is 1 when this call changed the row, 0 when another one won. */
apr_status_t pwreset_store_update(apr_pool_t *p, server_rec *s,
                                  const char *username, const char *old_hash,
                                  const char *new_hash, int *changed);

#endif
