/* The user table, through mod_dbd's prepared statements.  The three
 * functions are all the rest of the module knows of storage. */
#ifndef PWRESET_STORE_H
#define PWRESET_STORE_H

#include <httpd.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <apr_tables.h>

typedef struct {
    const char *username;
    const char *email;
    const char *hash;
} pwreset_user;

/* Look up mod_dbd's optional functions.  0 when mod_dbd is not loaded. */
int pwreset_store_init(void);

/* Hand a statement to mod_dbd for preparing at start-up. */
void pwreset_store_prepare(server_rec *s, const char *sql, const char *label);

/* A connection, to be given back with pwreset_store_close() as soon as the
 * statement is done.  NULL when the database is down. */
ap_dbd_t *pwreset_store_open(apr_pool_t *p, server_rec *s);
void pwreset_store_close(server_rec *s, ap_dbd_t *dbd);

/* Every account whose stored address matches (array of pwreset_user). */
apr_status_t pwreset_store_by_email(apr_pool_t *p, server_rec *s,
                                    ap_dbd_t *dbd, const char *email,
                                    apr_array_header_t **users);

/* The account named `username`, or *user = NULL when there is none. */
apr_status_t pwreset_store_by_name(apr_pool_t *p, server_rec *s,
                                   ap_dbd_t *dbd, const char *username,
                                   pwreset_user **user);

/* Compare-and-swap: store new_hash only if the hash is still old_hash.
 * *changed is 1 when this call changed the row, 0 when another one won. */
apr_status_t pwreset_store_update(apr_pool_t *p, server_rec *s,
                                  ap_dbd_t *dbd, const char *username,
                                  const char *old_hash, const char *new_hash,
                                  int *changed);

#endif
