-- SPDX-License-Identifier: Apache-2.0
-- The user table for MariaDB or MySQL (DBDriver mysql).  The default
-- PwReset*Query statements work with it; see below for the lookup by
-- address.
--
-- utf8mb4_bin, not the default utf8mb4_general_ci: that collation compares
-- 'mike' and 'mïke' (or 'mike' and 'mıke') as equal, so a look-alike typed in
-- the request form would find someone else's account.  With a binary
-- collation only lower() folds: ASCII case, and Unicode's own lower-case
-- mappings (U+212A KELVIN SIGN to k, U+0130 to i), as PostgreSQL's lower()
-- does; the mail still goes to the address stored for the account.
--
-- MariaDB indexes an expression through a generated column: email_lower
-- keeps two accounts from sharing one address in any case.  The default
-- PwResetUserByEmailQuery, "... WHERE lower(email) = lower(%s)", cannot use
-- that index and reads the whole table; name the column instead:
--   PwResetUserByEmailQuery "SELECT username, email, password FROM users WHERE email_lower = lower(%s)"
CREATE TABLE IF NOT EXISTS users (
    username    VARCHAR(255) NOT NULL PRIMARY KEY,
    email       VARCHAR(320) NOT NULL,
    password    VARCHAR(255) NOT NULL,   -- any apr_password_validate hash
    email_lower VARCHAR(320) AS (lower(email)) STORED,
    UNIQUE KEY users_email_ci (email_lower)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
