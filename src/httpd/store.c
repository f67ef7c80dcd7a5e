/* SPDX-License-Identifier: Apache-2.0 */
/* The user table through mod_dbd: the one file that knows ap_dbd_t.  The
 * statements are prepared on each connection's first use, under labels
 * derived from their SQL. */
#include "store.h"
#include "mod_pwreset_private.h"

#include <apr_dbd.h>
#include <apr_md5.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <mod_dbd.h>
#include <string.h>

static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close;

/* Runs before configtest and before post_config alike. */
int pwreset_store_check_config(apr_pool_t *pconf, server_rec *s)
{
    (void)pconf;
    dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    if (pwreset_any_configured(s)
        && !(dbd_open && dbd_close)) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, PWRLOGNO(0001)
                     "PwReset directives are used but mod_dbd is not loaded: "
                     "add \"LoadModule dbd_module .../mod_dbd.so\" (Debian: "
                     "a2enmod dbd) and DBDriver/DBDParams");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Labels come from the SQL: servers that share a mod_dbd configuration but
 * not the statements never collide. */
static const char *statement_label(apr_pool_t *p, const char *prefix,
                                   const char *sql)
{
    unsigned char digest[APR_MD5_DIGESTSIZE];

    apr_md5(digest, sql, strlen(sql));
    return apr_pstrcat(p, prefix, apr_pescape_hex(p, digest, 8, 0), NULL);
}

/* Nothing is handed to mod_dbd at start-up: a statement that fails to
 * prepare there makes mod_dbd refuse every connection of its server, and a
 * virtual host that inherits the PwReset settings may well have a database
 * of its own (for its own mod_authn_dbd table) where ours do not fit.  So
 * each statement is prepared on a connection's first use (statement()),
 * and a failure is this module's 503, never its neighbours' 500. */
int pwreset_store_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s)
{
    static const char *const prefix[PWRESET_STMT_COUNT] = {
        "pwreset_by_email_", "pwreset_by_name_", "pwreset_update_"};
    int servers = 0;

    (void)ptemp;
    for (server_rec *sp = s; sp; sp = sp->next) {
        const pwreset_settings *cfg = pwreset_cfg_get(sp);
        pwreset_runtime *rt;

        if (!cfg->configured) {
            continue;
        }
        rt = pwreset_runtime_make(sp);
        rt->sql[PWRESET_STMT_BY_EMAIL] = pwreset_cfg_q_by_email(cfg);
        rt->sql[PWRESET_STMT_BY_NAME] = pwreset_cfg_q_by_name(cfg);
        rt->sql[PWRESET_STMT_UPDATE] = pwreset_cfg_q_update(cfg);
        for (int i = 0; i < PWRESET_STMT_COUNT; i++) {
            rt->stmt[i] = statement_label(pconf, prefix[i], rt->sql[i]);
        }
        servers++;
    }
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, PWRLOGNO(0002) "the "
                 "statements of %d configured servers are prepared on each "
                 "connection's first use", servers);
    return OK;
}

/* A connection for one statement, or NULL (logged: the one place a
 * missing connection is). */
static ap_dbd_t *open_connection(apr_pool_t *p, server_rec *s)
{
    ap_dbd_t *dbd = dbd_open ? dbd_open(p, s) : NULL;

    if (!dbd) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0102) "no "
                     "database connection");
    }
    return dbd;
}

/* SQLite answers "database is locked" at once while another connection
 * writes (another child, another program).  apr_dbd_sqlite3 retries a busy
 * step itself, 15 times 0.1 s apart, letting go of its lock (one for every
 * SQLite connection of the process) while it sleeps; but not a prepare,
 * which reads the schema on a connection's first use, so under a load of
 * updates new connections failed their first lookup.  So a busy prepare is
 * retried here the same way (PREPARE_TRIES).  Not with SQLite's own busy
 * timeout: the driver would wait it out inside every attempt, holding that
 * lock, and every other SQLite query of the process would wait too. */
#define PREPARE_TRIES 15
#define PREPARE_RETRY_SLEEP apr_time_from_msec(100)
#define SQLITE_BUSY_RC 5      /* SQLITE_BUSY */
#define SQLITE_LOCKED_RC 6    /* SQLITE_LOCKED */
#define CONNECTION_STATE "pwreset: connection state"

/* What this module keeps on a connection, in the hash mod_dbd gives each
 * one for its own statements: ours, in a pool of their own, so that they
 * can be dropped together (forget_statements()). */
typedef struct {
    apr_pool_t *pool;
    apr_hash_t *stmts;   /* label -> apr_dbd_prepared_t */
} connection_state;

static int is_sqlite(const ap_dbd_t *dbd)
{
    return strcmp(apr_dbd_name(dbd->driver), "sqlite3") == 0;
}

/* SQLite's "busy" or "locked": another connection writes, and the same
 * statement may well work in a moment. */
static int sqlite_busy(const ap_dbd_t *dbd, int rc)
{
    return is_sqlite(dbd) && (rc == SQLITE_BUSY_RC || rc == SQLITE_LOCKED_RC);
}

/* Our state on this connection, made on its first use by us. */
static connection_state *connection_of(ap_dbd_t *dbd)
{
    connection_state *cs;

    if (!dbd->prepared) {
        dbd->prepared = apr_hash_make(dbd->pool);
    }
    cs = apr_hash_get(dbd->prepared, CONNECTION_STATE, APR_HASH_KEY_STRING);
    if (cs) {
        return cs;
    }
    cs = apr_pcalloc(dbd->pool, sizeof(*cs));
    if (apr_pool_create(&cs->pool, dbd->pool) != APR_SUCCESS) {
        return NULL;
    }
    cs->stmts = apr_hash_make(cs->pool);
    apr_hash_set(dbd->prepared, CONNECTION_STATE, APR_HASH_KEY_STRING, cs);
    return cs;
}

/* After a statement failed (rc, the driver's code), what the driver
 * prepared on this connection may be dead, so ours are made afresh at the
 * next use:
 *   - apr_dbd_mysql has MySQL reconnect by itself (its "reconnect"
 *     parameter is on unless DBDParams says reconnect=0), and statements
 *     prepared before are then refused for good;
 *   - apr_dbd_sqlite3 prepares with sqlite3_prepare(), whose statements
 *     are not recompiled when the schema changes (an index added, ANALYZE,
 *     a migration): they fail from then on.
 * The pool that held them is cleared (which closes them in MySQL; SQLite
 * keeps its records in the connection's pool, and finalizes them when it
 * closes).  Not when SQLite was only busy: the statements are fine, and
 * forgetting them on every locked request would pile up those records. */
static void forget_statements(ap_dbd_t *dbd, int rc)
{
    connection_state *cs = dbd->prepared
        ? apr_hash_get(dbd->prepared, CONNECTION_STATE, APR_HASH_KEY_STRING)
        : NULL;

    if (cs && !sqlite_busy(dbd, rc)) {
        apr_pool_clear(cs->pool);
        cs->stmts = apr_hash_make(cs->pool);
    }
}

/* The statement on this connection, prepared now if it is the first use
 * (or the first since forget_statements()): the connection is this
 * thread's until it is closed.
 *
 * The driver is given no label: a labelled statement is a PREPARE in the
 * PostgreSQL session, and when the server restarts, mod_dbd's check of a
 * pooled connection (apr_dbd_check_conn) quietly opens a new session on the
 * same handle, without it.  Unlabelled, apr_dbd_pgsql sends the SQL with
 * each execution (one round trip all the same), so a connection that comes
 * back works again; the other drivers prepare on the client either way. */
static apr_dbd_prepared_t *statement(server_rec *s, ap_dbd_t *dbd,
                                     pwreset_stmt which)
{
    pwreset_runtime *rt = pwreset_runtime_get(s);
    connection_state *cs;
    apr_dbd_prepared_t *st = NULL;
    int rc;

    if (!rt || !(cs = connection_of(dbd))) {
        return NULL;
    }
    st = apr_hash_get(cs->stmts, rt->stmt[which], APR_HASH_KEY_STRING);
    if (st) {
        return st;
    }
    for (int tries = 1;; tries++) {
        rc = apr_dbd_prepare(dbd->driver, cs->pool, dbd->handle,
                             rt->sql[which], NULL, &st);
        if (!rc || !sqlite_busy(dbd, rc) || tries == PREPARE_TRIES) {
            break;
        }
        apr_sleep(PREPARE_RETRY_SLEEP);
    }
    if (rc) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0201) "statement "
                     "%s could not be prepared: %s", rt->stmt[which],
                     apr_dbd_error(dbd->driver, dbd->handle, rc));
        forget_statements(dbd, rc);
        return NULL;
    }
    apr_hash_set(cs->stmts, rt->stmt[which], APR_HASH_KEY_STRING, st);
    return st;
}

/* Run a SELECT returning (username, email, password) rows.  Every row is
 * read so that the driver can finish the result.  The query is run for
 * random access (seek 1): the driver runs it to completion and reports its
 * status.  Sequentially, apr_dbd_pgsql reads the result only as rows are
 * asked for and takes a failed query for the end of the rows, so a lookup
 * on a broken connection would look like an unknown account. */
static apr_status_t select_users(apr_pool_t *p, server_rec *s,
                                 pwreset_stmt which, const char *arg,
                                 apr_array_header_t **users)
{
    ap_dbd_t *dbd = open_connection(p, s);
    apr_dbd_prepared_t *st;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    apr_status_t rv = APR_EGENERAL;
    int rc;

    if (!dbd) {
        return APR_EGENERAL;
    }
    if (!(st = statement(s, dbd, which))) {
        goto done;
    }
    rc = apr_dbd_pvselect(dbd->driver, p, dbd->handle, &res, st, 1, arg,
                          NULL);
    if (rc) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0202) "query %s "
                     "failed: %s", pwreset_runtime_get(s)->stmt[which],
                     apr_dbd_error(dbd->driver, dbd->handle, rc));
        forget_statements(dbd, rc);
        goto done;
    }
    *users = apr_array_make(p, 1, sizeof(pwreset_user));
    /* Rows by number, from 1: for random access, apr_dbd_mysql has no
     * "next row" (-1). */
    for (int n = 1; (rc = apr_dbd_get_row(dbd->driver, p, res, &row, n)) == 0;
         n++) {
        const char *name = apr_dbd_get_entry(dbd->driver, row, 0);
        const char *email = apr_dbd_get_entry(dbd->driver, row, 1);
        const char *hash = apr_dbd_get_entry(dbd->driver, row, 2);
        pwreset_user *u;

        if (!name || !email || !hash) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, PWRLOGNO(0203)
                         "query %s returned a row with a NULL column; "
                         "skipped", pwreset_runtime_get(s)->stmt[which]);
            continue;
        }
        u = apr_array_push(*users);
        u->username = apr_pstrdup(p, name);
        u->email = apr_pstrdup(p, email);
        u->hash = apr_pstrdup(p, hash);
    }
    if (rc != -1) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0204) "reading "
                     "the rows of %s failed: %s",
                     pwreset_runtime_get(s)->stmt[which],
                     apr_dbd_error(dbd->driver, dbd->handle, rc));
        forget_statements(dbd, rc);
        goto done;
    }
    rv = APR_SUCCESS;
done:
    dbd_close(s, dbd);
    return rv;
}

apr_status_t pwreset_store_by_email(apr_pool_t *p, server_rec *s,
                                    const char *email,
                                    apr_array_header_t **users)
{
    return select_users(p, s, PWRESET_STMT_BY_EMAIL, email, users);
}

apr_status_t pwreset_store_by_name(apr_pool_t *p, server_rec *s,
                                   const char *username, pwreset_user **user)
{
    apr_array_header_t *users;
    apr_status_t rv = select_users(p, s, PWRESET_STMT_BY_NAME, username,
                                   &users);

    *user = NULL;
    if (rv == APR_SUCCESS && users->nelts > 0) {
        *user = &APR_ARRAY_IDX(users, 0, pwreset_user);
    }
    return rv;
}

apr_status_t pwreset_store_update(apr_pool_t *p, server_rec *s,
                                  const char *username, const char *old_hash,
                                  const char *new_hash, int *changed)
{
    ap_dbd_t *dbd = open_connection(p, s);
    apr_dbd_prepared_t *st;
    apr_status_t rv = APR_EGENERAL;
    int rows = 0, rc;

    *changed = 0;
    if (!dbd) {
        return APR_EGENERAL;
    }
    if (!(st = statement(s, dbd, PWRESET_STMT_UPDATE))) {
        goto done;
    }
    rc = apr_dbd_pvquery(dbd->driver, p, dbd->handle, &rows, st, new_hash,
                         username, old_hash, NULL);
    if (rc) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, PWRLOGNO(0205) "updating "
                     "the password of %s failed: %s", username,
                     apr_dbd_error(dbd->driver, dbd->handle, rc));
        forget_statements(dbd, rc);
        goto done;
    }
    *changed = rows >= 1;
    if (rows > 1) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, PWRLOGNO(0206) "the "
                     "update statement changed %d rows for %s: is username "
                     "unique?", rows, username);
    }
    rv = APR_SUCCESS;
done:
    dbd_close(s, dbd);
    return rv;
}
