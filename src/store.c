/* The user table through mod_dbd.  The statements were handed to
 * ap_dbd_prepare() at start-up under the labels in config.h. */
#include "store.h"
#include "config.h"
#include "log.h"

#include <apr_dbd.h>
#include <apr_strings.h>

static APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *dbd_prepare;
static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close;

int pwreset_store_init(void)
{
    dbd_prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
    dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    return dbd_prepare && dbd_open && dbd_close;
}

void pwreset_store_prepare(server_rec *s, const char *sql, const char *label)
{
    dbd_prepare(s, sql, label);
}

ap_dbd_t *pwreset_store_open(apr_pool_t *p, server_rec *s)
{
    return dbd_open ? dbd_open(p, s) : NULL;
}

void pwreset_store_close(server_rec *s, ap_dbd_t *dbd)
{
    if (dbd && dbd_close) {
        dbd_close(s, dbd);
    }
}

static apr_dbd_prepared_t *statement(server_rec *s, ap_dbd_t *dbd,
                                     const char *label)
{
    apr_dbd_prepared_t *st = apr_hash_get(dbd->prepared, label,
                                          APR_HASH_KEY_STRING);
    if (!st) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "PWR0201: statement %s is "
                     "not prepared (see mod_dbd's errors at start-up)", label);
    }
    return st;
}

/* Run a SELECT returning (username, email, password) rows.  Shared by the
 * two lookups; every row is read so that the driver can finish the result. */
static apr_status_t select_users(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                                 const char *label, const char *arg,
                                 apr_array_header_t **users)
{
    apr_dbd_prepared_t *st = statement(s, dbd, label);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rc;

    if (!st) {
        return APR_EGENERAL;
    }
    rc = apr_dbd_pvselect(dbd->driver, p, dbd->handle, &res, st, 0, arg,
                          NULL);
    if (rc) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "PWR0202: query %s failed: "
                     "%s", label, apr_dbd_error(dbd->driver, dbd->handle, rc));
        return APR_EGENERAL;
    }
    *users = apr_array_make(p, 1, sizeof(pwreset_user));
    while ((rc = apr_dbd_get_row(dbd->driver, p, res, &row, -1)) == 0) {
        const char *name = apr_dbd_get_entry(dbd->driver, row, 0);
        const char *email = apr_dbd_get_entry(dbd->driver, row, 1);
        const char *hash = apr_dbd_get_entry(dbd->driver, row, 2);
        pwreset_user *u;

        if (!name || !email || !hash) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "PWR0203: query %s "
                         "returned a row with a NULL column; skipped", label);
            continue;
        }
        u = apr_array_push(*users);
        u->username = apr_pstrdup(p, name);
        u->email = apr_pstrdup(p, email);
        u->hash = apr_pstrdup(p, hash);
    }
    if (rc != -1) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "PWR0204: reading the rows "
                     "of %s failed: %s", label,
                     apr_dbd_error(dbd->driver, dbd->handle, rc));
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t pwreset_store_by_email(apr_pool_t *p, server_rec *s,
                                    ap_dbd_t *dbd, const char *email,
                                    apr_array_header_t **users)
{
    return select_users(p, s, dbd, pwreset_cfg_get(s)->l_by_email, email,
                        users);
}

apr_status_t pwreset_store_by_name(apr_pool_t *p, server_rec *s,
                                   ap_dbd_t *dbd, const char *username,
                                   pwreset_user **user)
{
    apr_array_header_t *users;
    apr_status_t rv = select_users(p, s, dbd, pwreset_cfg_get(s)->l_by_name,
                                   username, &users);

    *user = NULL;
    if (rv == APR_SUCCESS && users->nelts > 0) {
        *user = &APR_ARRAY_IDX(users, 0, pwreset_user);
    }
    return rv;
}

apr_status_t pwreset_store_update(apr_pool_t *p, server_rec *s,
                                  ap_dbd_t *dbd, const char *username,
                                  const char *old_hash, const char *new_hash,
                                  int *changed)
{
    apr_dbd_prepared_t *st = statement(s, dbd, pwreset_cfg_get(s)->l_update);
    int rows = 0, rc;

    *changed = 0;
    if (!st) {
        return APR_EGENERAL;
    }
    rc = apr_dbd_pvquery(dbd->driver, p, dbd->handle, &rows, st, new_hash,
                         username, old_hash, NULL);
    if (rc) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "PWR0205: updating the "
                     "password of %s failed: %s", username,
                     apr_dbd_error(dbd->driver, dbd->handle, rc));
        return APR_EGENERAL;
    }
    *changed = rows >= 1;
    if (rows > 1) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "PWR0206: the update "
                     "statement changed %d rows for %s: is username unique?",
                     rows, username);
    }
    return APR_SUCCESS;
}
