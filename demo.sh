#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build mod_pwreset and start a demo server in the foreground on
# http://127.0.0.1:8080 with its own configuration: the three pages, a page
# behind Basic auth over the same user table, and mail written as files to
# /tmp/pwreset-demo/mail.  Ctrl-C stops it.  Run it again to reuse the
# database and the key; delete /tmp/pwreset-demo to start afresh.
set -eu
cd "$(dirname "$0")"
. build-aux/bootstrap

top=$(pwd)
demo=${PWRESET_DEMO_DIR:-/tmp/pwreset-demo}
account=demo
address=demo@example.org
password="demo password 1"

mkdir -p "$demo/mail" "$demo/bin" "$demo/htdocs/private"
cp t/bin/capture-mail "$demo/bin/capture-mail"

# A fresh key the first time; kept afterwards so that mailed links work
# across restarts.
if [ ! -s "$demo/secret.key" ]; then
    (umask 077; openssl rand -base64 48 > "$demo/secret.key")
fi

# The user table with the demo account, created once.
if [ ! -s "$demo/users.db" ]; then
    sqlite3 "$demo/users.db" < conf/schema.sql
    hash=$(htpasswd -nbB -C 10 "$account" "$password" | cut -d: -f2-)
    sqlite3 "$demo/users.db" "INSERT INTO users (username, email, password)
        VALUES ('$account', '$address', '$hash');"
fi

cat > "$demo/htdocs/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mod_pwreset demo</title></head>
<body><h1>mod_pwreset demo</h1><ul>
<li><a href="/reset/request">Forgot your password?</a></li>
<li><a href="/private/">The private page</a> (Basic auth over the same table)</li>
</ul></body></html>
HTML
cat > "$demo/htdocs/private/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Private</title></head>
<body><h1>Logged in</h1><p>mod_authn_dbd accepted your password.</p></body></html>
HTML

user_lines=""
if [ "$(id -u)" = 0 ]; then
    # httpd's children never run as root: the demo folder is theirs.
    user_lines="User www-data
Group www-data"
    chown -R www-data:www-data "$demo"
    chmod 600 "$demo/secret.key"
    chown root:root "$demo/secret.key"
fi
sed -e "s|@DEMO@|$demo|g" -e "s|@TOP@|$top|g" conf/demo.conf.in \
    | awk -v u="$user_lines" '{ if ($0 == "@USER@") print u; else print }' \
    > "$demo/httpd.conf"

# Stop here, with httpd's own words, if the configuration is wrong.
if ! /usr/sbin/apache2 -t -f "$demo/httpd.conf" >/dev/null 2>&1; then
    /usr/sbin/apache2 -t -f "$demo/httpd.conf"
    exit 1
fi

cat <<MSG

  mod_pwreset demo on http://127.0.0.1:8080/

  1. Open http://127.0.0.1:8080/reset/request and ask for a link for
         $address
  2. The message appears as a file in
         $demo/mail/
     Open the newest one and follow the link in it.
  3. Choose a new password (at least 12 characters).
  4. Log in at http://127.0.0.1:8080/private/ as "$account" with it.
     (Before the reset, the password is "$password".)

  Ctrl-C stops the server.  Log lines below start with PWR.

MSG
exec /usr/sbin/apache2 -f "$demo/httpd.conf" -DFOREGROUND
