-- SPDX-License-Identifier: Apache-2.0
-- The user table mod_pwreset and mod_authn_dbd share.  The default
-- PwReset*Query statements fit it; point the directives at your own table
-- otherwise (see README.md).
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    email    TEXT NOT NULL,
    password TEXT NOT NULL          -- any apr_password_validate hash; new ones are $2y$
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_ci ON users (lower(email));
