/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/settings.c: every value parser, the defaults
 * behind the getters, and merging.  Prints TAP. */
#include "settings.h"
#include "token.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static apr_pool_t *pool;

/* ---- the value parsers -------------------------------------------------- */

static void test_parse_int(void)
{
    int v = -7;

    ok(pwreset_parse_int(pool, "1800", 1, 604800, &v) == NULL && v == 1800,
       "int: 1800 in 1..604800");
    ok(pwreset_parse_int(pool, "1", 1, 604800, &v) == NULL && v == 1,
       "int: the lower bound is in");
    ok(pwreset_parse_int(pool, "604800", 1, 604800, &v) == NULL
       && v == 604800, "int: the upper bound is in");
    v = -7;
    is_str(pwreset_parse_int(pool, "0", 1, 604800, &v),
           "'0' is not a whole number from 1 to 604800",
           "int: under the range refused, with the range in the message");
    ok(pwreset_parse_int(pool, "604801", 1, 604800, &v) != NULL,
       "int: over the range refused");
    ok(pwreset_parse_int(pool, "-5", 1, 604800, &v) != NULL,
       "int: negative refused");
    is_str(pwreset_parse_int(pool, "", 8, 64, &v),
           "'' is not a whole number from 8 to 64", "int: empty refused");
    ok(pwreset_parse_int(pool, "12abc", 8, 64, &v) != NULL,
       "int: trailing letters refused");
    ok(pwreset_parse_int(pool, "12 ", 8, 64, &v) != NULL,
       "int: a trailing space refused");
    ok(pwreset_parse_int(pool, "abc", 8, 64, &v) != NULL,
       "int: not a number refused");
    ok(pwreset_parse_int(pool, "12.5", 8, 64, &v) != NULL,
       "int: a fraction refused");
    ok(pwreset_parse_int(pool, "0x10", 8, 64, &v) != NULL,
       "int: hexadecimal refused");
    is_str(pwreset_parse_int(pool, "99999999999999999999", 1, 604800, &v),
           "'99999999999999999999' is not a whole number from 1 to 604800",
           "int: overflow of 64 bits refused");
    ok(pwreset_parse_int(pool, "4294967297", 1, INT_MAX, &v) != NULL,
       "int: over INT_MAX refused (not wrapped to 1)");
    ok(pwreset_parse_int(pool, "2147483647", 1, INT_MAX, &v) == NULL
       && v == INT_MAX, "int: INT_MAX itself");
    is_num(v, INT_MAX, "int: a refusal leaves the value alone");
}

static void test_parse_link(void)
{
    const pwreset_link *l = NULL, *keep;

    ok(pwreset_parse_link(pool, "https://example.org/reset/link", &l) == NULL
       && l, "link: an https URL");
    if (l) {
        is_str(l->url, "https://example.org/reset/link", "link: url");
        is_str(l->site, "example.org", "link: site is the host");
        is_str(l->path, "/reset/link", "link: path");
        is_str(l->origin, "https://example.org", "link: origin");
    }
    ok(pwreset_parse_link(pool, "http://reset.example:8080/r", &l) == NULL,
       "link: http with a port");
    is_str(l->site, "reset.example", "link: site without the port");
    is_str(l->path, "/r", "link: its path");
    is_str(l->origin, "http://reset.example:8080", "link: origin with port");
    ok(pwreset_parse_link(pool, "https://example.org", &l) == NULL,
       "link: no path");
    is_str(l->path, "/", "link: no path is /");
    is_str(l->origin, "https://example.org", "link: its origin");

    keep = l;
    is_str(pwreset_parse_link(pool, "ftp://example.org/x", &l),
           "'ftp://example.org/x' is not an absolute http:// or https:// "
           "URL (without user, password or #fragment)", "link: ftp refused");
    ok(l == keep, "link: a refusal leaves the value alone");
    ok(pwreset_parse_link(pool, "/reset/link", &l) != NULL,
       "link: a local path refused");
    ok(pwreset_parse_link(pool, "example.org/reset", &l) != NULL,
       "link: no scheme refused");
    ok(pwreset_parse_link(pool, "https:///reset", &l) != NULL,
       "link: no host refused");
    ok(pwreset_parse_link(pool, "https://user@example.org/x", &l) != NULL,
       "link: a user refused");
    ok(pwreset_parse_link(pool, "https://user:pw@example.org/x", &l) != NULL,
       "link: user and password refused");
    ok(pwreset_parse_link(pool, "https://example.org/x#top", &l) != NULL,
       "link: a fragment refused");
    ok(pwreset_parse_link(pool, "https://example.org/x#", &l) != NULL,
       "link: an empty fragment refused");
    is_str(pwreset_parse_link(pool, "https://example.org/x?a=1", &l),
           "'https://example.org/x?a=1' must not have a query string",
           "link: a query refused, in its own words");
    ok(pwreset_parse_link(pool, "https://example.org/x?", &l) != NULL,
       "link: an empty query refused (the link adds ?token=)");
    ok(pwreset_parse_link(pool, "https://example.org/a b", &l) != NULL,
       "link: a space refused");
    ok(pwreset_parse_link(pool, "https://example.org/a\tb", &l) != NULL,
       "link: a TAB refused");
    ok(pwreset_parse_link(pool, "https://example.org/a\x7f", &l) != NULL,
       "link: DEL refused");
    ok(pwreset_parse_link(pool, "https://example.org/\r\nX: y", &l) != NULL,
       "link: CR/LF refused");
    ok(pwreset_parse_link(pool, "https://exampl\xc3\xa9.org/", &l) != NULL,
       "link: non-ASCII refused");
    ok(pwreset_parse_link(pool, "", &l) != NULL, "link: empty refused");
    ok(l == keep, "link: still the last good value");
}

static void test_parse_paths(void)
{
    const char *msg = "'reset/update' must be a local path starting with a "
                      "single '/', without spaces, quotes, ';', ',', '?' or "
                      "'#'";
    static const char *const bad[] = {
        "//evil.example/x", "/a b", "/a\tb", "/a;b", "/a,b", "/a?b", "/a#b",
        "/a\"b", "/a\\b", "/caf\xc3\xa9", "/a\x7f", "", NULL
    };
    int refused = 0, n = 0;

    ok(pwreset_parse_local_path(pool, "/reset/update") == NULL,
       "local path: /reset/update");
    ok(pwreset_parse_local_path(pool, "/") == NULL, "local path: /");
    ok(pwreset_parse_local_path(pool, "/a-b_c.d/~e/%41") == NULL,
       "local path: punctuation and escapes");
    is_str(pwreset_parse_local_path(pool, "reset/update"), msg,
           "local path: relative refused, with the rules in the message");
    for (; bad[n]; n++) {
        if (pwreset_parse_local_path(pool, bad[n]) != NULL) {
            refused++;
        }
        else {
            diag("accepted: '%s'", bad[n]);
        }
    }
    is_num(refused, n, "local path: //host, space, TAB, ; , ? # \" \\, "
           "non-ASCII, DEL and empty all refused");

    ok(pwreset_parse_url(pool, "/reset/") == NULL, "request URL: local");
    ok(pwreset_parse_url(pool, "https://example.org/reset/") == NULL,
       "request URL: absolute https");
    ok(pwreset_parse_url(pool, "http://example.org:8080/reset/?from=mail")
       == NULL, "request URL: absolute http, a query allowed");
    is_str(pwreset_parse_url(pool, "reset/"),
           "'reset/' is not an absolute http:// or https:// URL (without "
           "user, password or #fragment)",
           "request URL: neither form refused");
    ok(pwreset_parse_url(pool, "//evil.example/reset") != NULL,
       "request URL: //host refused");
    ok(pwreset_parse_url(pool, "/reset/?x") != NULL,
       "request URL: a local path follows the path rules");
    ok(pwreset_parse_url(pool, "javascript:alert(1)") != NULL,
       "request URL: javascript: refused");
    ok(pwreset_parse_url(pool, "https://u:p@example.org/") != NULL,
       "request URL: a password refused");
    ok(pwreset_parse_url(pool, "https://example.org/#x") != NULL,
       "request URL: a fragment refused");
    ok(pwreset_parse_url(pool, "https://example.org/ x") != NULL,
       "request URL: a space refused");
}

static void test_parse_sender(void)
{
    const pwreset_sender *s = NULL, *keep;
    static const char *const bad[] = {
        "a@b.org, c@d.org", "Reset <a@b.org, c@d.org>",
        "Re\nset <no-reply@example.org>", "Re<set <no-reply@example.org>",
        "\"Re\\\"set\" <no-reply@example.org>",
        "\"Reset\" no-reply@example.org",
        "no-reply@example.org (Reset)", "no-reply", "",
        " no-reply@example.org", "no-reply@example.org\nBcc: eve@example.org",
        "m\xc4\xb1ke@example.org", "a@b@example.org", NULL
    };
    int refused = 0, n = 0;

    ok(pwreset_parse_sender(pool, "no-reply@example.org", &s) == NULL && s,
       "sender: one plain address");
    if (s) {
        is_str(s->address, "no-reply@example.org", "sender: address");
        is_str(s->domain, "example.org", "sender: domain derived");
        ok(s->domain == s->address + strlen("no-reply@"),
           "sender: the domain is the address's own");
    }
    keep = s;
    is_str(pwreset_parse_sender(pool, "a@b.org, c@d.org", &s),
           "'a@b.org, c@d.org' is not one plain ASCII address such as "
           "no-reply@example.org, or a name and one such as \"Example Shop "
           "<no-reply@example.org>\"", "sender: a list refused");
    for (; bad[n]; n++) {
        if (pwreset_parse_sender(pool, bad[n], &s) != NULL) {
            refused++;
        }
        else {
            diag("accepted: '%s'", bad[n]);
        }
    }
    is_num(refused, n, "sender: lists, comments, no @, empty, spaces, CR/LF, "
           "angle brackets in a name, non-ASCII addresses and two @ all "
           "refused");
    ok(s == keep, "sender: a refusal leaves the value alone");
    ok(pwreset_parse_sender(pool, "Example Shop <no-reply@example.org>", &s)
       == NULL && !strcmp(s->address, "no-reply@example.org")
       && !strcmp(s->name, "Example Shop")
       && !strcmp(s->header, "Example Shop <no-reply@example.org>"),
       "sender: a display name of plain words");
    ok(pwreset_parse_sender(pool, "\"Shop, Inc.\" <no@example.org>", &s)
       == NULL && !strcmp(s->name, "Shop, Inc.")
       && !strcmp(s->header, "\"Shop, Inc.\" <no@example.org>"),
       "sender: a name with specials becomes a quoted-string");
    ok(pwreset_parse_sender(pool, "B\xc3\xa4" "ckerei M\xc3\xbc" "ller "
                                  "<no@example.org>", &s) == NULL
       && !strcmp(s->header, "=?UTF-8?B?QsOkY2tlcmVpIE3DvGxsZXI=?= "
                             "<no@example.org>"),
       "sender: a non-ASCII name is RFC 2047-encoded");
    ok(pwreset_parse_sender(pool, "<no@example.org>", &s) == NULL
       && !s->name && !strcmp(s->header, "no@example.org"),
       "sender: an address in brackets alone");
}

static void test_parse_command(void)
{
    const char *const *argv = NULL, *const *keep;

    ok(pwreset_parse_command(pool, "/usr/sbin/sendmail -t -i", &argv) == NULL
       && argv, "command: sendmail -t -i");
    if (argv) {
        ok(argv[0] && argv[1] && argv[2] && !argv[3],
           "command: three words");
        is_str(argv[0], "/usr/sbin/sendmail", "command: the program");
        is_str(argv[1], "-t", "command: first argument");
        is_str(argv[2], "-i", "command: second argument");
    }
    ok(pwreset_parse_command(pool, "\"/opt/mail tools/send\"   -f 'a b'",
                             &argv) == NULL, "command: quoted words");
    ok(argv[0] && argv[1] && argv[2] && !argv[3]
       && !strcmp(argv[0], "/opt/mail tools/send") && !strcmp(argv[1], "-f")
       && !strcmp(argv[2], "a b"), "command: quotes hold spaces together");
    ok(pwreset_parse_command(pool, "/usr/bin/msmtp", &argv) == NULL
       && argv[0] && !argv[1], "command: a program alone");
    keep = argv;
    is_str(pwreset_parse_command(pool, "sendmail -t", &argv),
           "'sendmail -t' must start with the absolute path of a program (it "
           "is run without a shell)", "command: a relative program refused");
    ok(pwreset_parse_command(pool, "./sendmail", &argv) != NULL,
       "command: ./ refused");
    ok(pwreset_parse_command(pool, "", &argv) != NULL,
       "command: empty refused");
    ok(pwreset_parse_command(pool, "   ", &argv) != NULL,
       "command: spaces alone refused");
    ok(argv == keep, "command: a refusal leaves the value alone");
}

static void test_parse_query(void)
{
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b = %s", 1) == NULL,
       "query: one %%s where one is needed");
    ok(pwreset_parse_query(pool, "UPDATE t SET a = %s WHERE b = %s AND c = %s",
                           3) == NULL, "query: three where three");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE id = %d", 1) == NULL,
       "query: %%d counts as a parameter");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b LIKE '10%%' AND "
                           "c = %s", 1) == NULL,
       "query: %%%% is a literal, not a parameter");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b LIKE '%%s'", 0)
       == NULL, "query: %%%%s is a literal and an s");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b = '%%%s'", 1)
       == NULL, "query: %%%%%%s is a literal and a parameter");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b = 100%", 0) == NULL,
       "query: a lone %% at the end is no parameter");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b = %5", 0) == NULL,
       "query: %% and a digit is no parameter");
    is_str(pwreset_parse_query(pool, "SELECT a FROM t WHERE b = %s", 2),
           "the statement has 1 parameter (%s) where 2 are needed; write %% "
           "for a literal percent sign", "query: one too few");
    is_str(pwreset_parse_query(pool, "SELECT a FROM t", 1),
           "the statement has 0 parameters (%s) where 1 is needed; write %% "
           "for a literal percent sign", "query: none where one is needed");
    is_str(pwreset_parse_query(pool, "SELECT a FROM t WHERE b = %s AND "
                               "c = %d AND d = %s", 1),
           "the statement has 3 parameters (%s) where 1 is needed; write %% "
           "for a literal percent sign", "query: too many, %%d counted");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b LIKE '10%'", 0)
       == NULL, "query: %%' is no parameter");
    ok(pwreset_parse_query(pool, "SELECT a FROM t WHERE b LIKE '%abc'", 0)
       != NULL, "query: %%a is one (as APR DBD reads it)");
    is_str(pwreset_parse_query(pool, "", 1), "an SQL statement is needed",
           "query: empty refused");
}

static void test_parse_cache(void)
{
    const pwreset_cache_spec *c = NULL, *keep;

    ok(pwreset_parse_cache_spec(pool, "shmcb", &c) == NULL && c,
       "cache: a provider alone");
    if (c) {
        is_str(c->spec, "shmcb", "cache: spec");
        is_str(c->provider, "shmcb", "cache: provider");
        ok(c->args == NULL, "cache: no arguments");
    }
    ok(pwreset_parse_cache_spec(pool, "memcache:127.0.0.1:11211", &c) == NULL,
       "cache: provider and arguments");
    is_str(c->spec, "memcache:127.0.0.1:11211", "cache: the whole spec");
    is_str(c->provider, "memcache", "cache: split at the first colon");
    is_str(c->args, "127.0.0.1:11211", "cache: arguments keep their colons");
    ok(pwreset_parse_cache_spec(pool, "shmcb:/run/pwreset(512000)", &c)
       == NULL && !strcmp(c->provider, "shmcb")
       && !strcmp(c->args, "/run/pwreset(512000)"),
       "cache: shmcb with a file");
    keep = c;
    is_str(pwreset_parse_cache_spec(pool, "", &c),
           "'': name a cache provider, as in shmcb or memcache:host:port",
           "cache: empty refused");
    ok(pwreset_parse_cache_spec(pool, ":11211", &c) != NULL,
       "cache: no provider refused");
    ok(c == keep, "cache: a refusal leaves the value alone");
}

static void test_parse_origin(void)
{
    apr_array_header_t *origins = NULL;
    const char *err;

    ok(pwreset_parse_origin(pool, "HTTPS://WWW.Example.org:443", &origins)
       == NULL && origins && origins->nelts == 1,
       "origin: accepted");
    is_str(origins ? APR_ARRAY_IDX(origins, 0, const char *) : NULL,
           "https://www.example.org", "origin: kept normalised");
    ok(pwreset_parse_origin(pool, "http://shop.example.org:8080", &origins)
       == NULL && origins->nelts == 2, "origin: a second one is added");
    ok((err = pwreset_parse_origin(pool, "https://www.example.org/shop",
                                   &origins)) != NULL
       && strstr(err, "is not an origin such as https://www.example.org"),
       "origin: a path refused");
    ok(pwreset_parse_origin(pool, "null", &origins) != NULL
       && origins->nelts == 2, "origin: null refused, the list unchanged");
}

static void test_parse_limit(void)
{
    const pwreset_limit *l = NULL, *keep;

    ok(pwreset_parse_limit(pool, "off", NULL, &l) == NULL && l
       && l->count == 0, "limit: off is count 0");
    ok(pwreset_parse_limit(pool, "Off", NULL, &l) == NULL && l->count == 0,
       "limit: Off in any case");
    ok(pwreset_parse_limit(pool, "3", "3600", &l) == NULL && l->count == 3
       && l->window == 3600, "limit: 3 3600");
    ok(pwreset_parse_limit(pool, "1", "1", &l) == NULL && l->count == 1
       && l->window == 1, "limit: the lower bounds");
    ok(pwreset_parse_limit(pool, "1000000", "604800", &l) == NULL
       && l->count == 1000000 && l->window == 604800,
       "limit: the upper bounds");
    keep = l;
    is_str(pwreset_parse_limit(pool, "5", NULL, &l),
           "'5': give a count and a number of seconds, or off",
           "limit: a count alone refused");
    is_str(pwreset_parse_limit(pool, "0", "60", &l),
           "'0' is not a whole number from 1 to 1000000",
           "limit: count 0 refused (off is written off)");
    is_str(pwreset_parse_limit(pool, "3", "0", &l),
           "'0' is not a whole number from 1 to 604800",
           "limit: 0 seconds refused");
    ok(pwreset_parse_limit(pool, "1000001", "60", &l) != NULL,
       "limit: a count over 1000000 refused");
    ok(pwreset_parse_limit(pool, "3", "604801", &l) != NULL,
       "limit: over a week refused");
    ok(pwreset_parse_limit(pool, "off", "60", &l) != NULL,
       "limit: off with seconds refused");
    ok(pwreset_parse_limit(pool, "many", "60", &l) != NULL,
       "limit: not a number refused");
    ok(pwreset_parse_limit(pool, "3", "1h", &l) != NULL,
       "limit: seconds with a unit refused");
    ok(pwreset_parse_limit(pool, "99999999999999999999", "60", &l) != NULL,
       "limit: an overflowing count refused");
    ok(l == keep, "limit: a refusal leaves the value alone");
}

/* Key files, in a directory of their own. */
static const char *tmpdir;
static apr_array_header_t *made;

static const char *key_file(const char *name, const char *bytes,
                            apr_size_t len)
{
    const char *path = apr_pstrcat(pool, tmpdir, "/", name, NULL);
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0
        || chmod(path, 0600) != 0) {
        diag("cannot write %s", path);
    }
    APR_ARRAY_PUSH(made, const char *) = path;
    return path;
}

static char *repeat(char c, apr_size_t n)
{
    char *s = apr_palloc(pool, n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_parse_key_file(void)
{
    static const char a48[] = "abcdefghijklmnopqrstuvwxyz"
                              "0123456789ABCDEFGHIJKL";
    static const char b32[] = "0123456789abcdef0123456789abcdef";
    apr_array_header_t *keys = NULL;
    const char *path, *err;
    pwreset_key want;

    path = apr_pstrcat(pool, tmpdir, "/none", NULL);
    is_str(pwreset_parse_key_file(pool, path, &keys),
           apr_psprintf(pool, "cannot read '%s': No such file or directory",
                        path), "key: a missing file");
    ok(keys == NULL, "key: no list made for a refused file");

    /* Others may read or write it: refused, whatever it holds. */
    path = key_file("shared", a48, sizeof(a48) - 1);
    chmod(path, 0644);
    is_str(pwreset_parse_key_file(pool, path, &keys),
           apr_psprintf(pool, "'%s' may be read or written by every local "
                        "user (mode 0644): chmod 600 '%s' (httpd reads it as "
                        "root, before it drops privileges)", path, path),
           "key: mode 0644 refused");
    chmod(path, 0602);
    ok((err = pwreset_parse_key_file(pool, path, &keys)) != NULL
       && strstr(err, "(mode 0602)"), "key: mode 0602 (others write) refused");
    chmod(path, 0640);
    ok(pwreset_parse_key_file(pool, path, &keys) == NULL && keys
       && keys->nelts == 1, "key: mode 0640 accepted");
    ok(keys && !strcmp(APR_ARRAY_IDX(keys, 0, pwreset_key).path, path)
       && (APR_ARRAY_IDX(keys, 0, pwreset_key).perms & APR_GREAD)
       && !(APR_ARRAY_IDX(keys, 0, pwreset_key).perms & APR_WREAD),
       "key: its path and mode are kept for the start-up checks");
    keys = NULL;

    path = key_file("short", b32, 31);
    is_str(pwreset_parse_key_file(pool, path, &keys),
           apr_psprintf(pool, "'%s' holds 31 bytes of key; at least 32 are "
                        "needed (for example: openssl rand -base64 48 > %s)",
                        path, path), "key: 31 bytes refused");
    path = key_file("short-nl", apr_pstrcat(pool, apr_pstrndup(pool, b32, 31),
                                            "\n", NULL), 32);
    ok((err = pwreset_parse_key_file(pool, path, &keys)) != NULL
       && strstr(err, "holds 31 bytes"),
       "key: 31 bytes and a newline are 31 bytes");
    path = key_file("empty", "", 0);
    ok((err = pwreset_parse_key_file(pool, path, &keys)) != NULL
       && strstr(err, "holds 0 bytes"), "key: an empty file refused");
    ok(keys == NULL, "key: still no list");

    path = key_file("b-nl", apr_pstrcat(pool, b32, "\n", NULL), 33);
    ok(pwreset_parse_key_file(pool, path, &keys) == NULL && keys
       && keys->nelts == 1, "key: 32 bytes and a newline accepted");
    if (keys && keys->nelts == 1) {
        pwreset_key *k = &APR_ARRAY_IDX(keys, 0, pwreset_key);
        pwreset_key_init(pool, &want, (const unsigned char *)b32, 32);
        ok(k->len == 32 && !memcmp(k->bytes, b32, 32),
           "key: the trailing newline is not part of the key");
        is_str(k->kid, want.kid, "key: its kid is the 32 bytes' kid");
    }
    path = key_file("b", b32, 32);
    is_str(pwreset_parse_key_file(pool, path, &keys),
           apr_psprintf(pool, "'%s' holds a key that is already listed", path),
           "key: the same key again (without the newline) refused");
    ok(keys && keys->nelts == 1, "key: the list unchanged");

    path = key_file("a", a48, 48);
    ok(pwreset_parse_key_file(pool, path, &keys) == NULL && keys->nelts == 2,
       "key: a second key is added");
    ok(keys->nelts == 2 && APR_ARRAY_IDX(keys, 0, pwreset_key).len == 32
       && APR_ARRAY_IDX(keys, 1, pwreset_key).len == 48,
       "key: in the order given (the first signs)");
    ok(pwreset_parse_key_file(pool, path, &keys) != NULL && keys->nelts == 2,
       "key: and not twice");

    path = key_file("4096", repeat('k', 4096), 4096);
    ok(pwreset_parse_key_file(pool, path, &keys) == NULL && keys->nelts == 3,
       "key: 4096 bytes accepted");
    path = key_file("4097", repeat('K', 4097), 4097);
    is_str(pwreset_parse_key_file(pool, path, &keys),
           apr_psprintf(pool, "'%s' is not a regular file of at most 4096 "
                        "bytes", path), "key: 4097 bytes refused");
    ok((err = pwreset_parse_key_file(pool, tmpdir, &keys)) != NULL
       && strstr(err, "is not a regular file"), "key: a directory refused");
    ok(keys->nelts == 3, "key: three keys in the end");
}

/* ---- defaults, getters, merging ----------------------------------------- */

/* The table's values, by kind: one int, or one pointer. */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define CLASS_KEYS PTR
#define CLASS_LINK PTR
#define CLASS_PATH PTR
#define CLASS_URL PTR
#define CLASS_SENDER PTR
#define CLASS_COMMAND PTR
#define CLASS_INT INT
#define CLASS_QUERY PTR
#define CLASS_FILE PTR
#define CLASS_CACHE PTR
#define CLASS_LIMIT PTR
#define CLASS_ORIGINS PTR
#define CLASS_CORPUS PTR
#define CLASS_TEXT PTR
#define CLASS_LANG PTR
#define CLASS_TEMPLATES PTR
#define CLASS_CSP PTR
#define IS_UNSET_INT(v) ((v) == PWRESET_UNSET)
#define IS_UNSET_PTR(v) ((v) == NULL)
#define IS_UNSET(kind, v) CAT(IS_UNSET_, CLASS_##kind)(v)
static char mark_base, mark_add;
#define BASE_INT 1001
#define ADD_INT 1002
#define BASE_PTR ((void *)&mark_base)
#define ADD_PTR ((void *)&mark_add)
#define BASE_VALUE(kind) CAT(BASE_, CLASS_##kind)
#define ADD_VALUE(kind) CAT(ADD_, CLASS_##kind)

/* How many fields of c are set. */
static int count_set(const pwreset_settings *c)
{
    int n = 0;
#define COUNT_SET_(name, kind, field, a, b, def, help)                       \
    n += !IS_UNSET(kind, c->field);
    PWRESET_DIRECTIVES(COUNT_SET_)
    return n;
}

static void test_init(void)
{
    pwreset_settings c;
    int unset = 0, n = 0;

    memset(&c, 0xa5, sizeof(c));
    pwreset_settings_init(&c);
    ok(c.configured == 0, "init: not configured");
#define CHECK_UNSET_(name, kind, field, a, b, def, help)                     \
    n++;                                                                     \
    if (IS_UNSET(kind, c.field)) {                                           \
        unset++;                                                             \
    }                                                                        \
    else {                                                                   \
        diag(#name " is set after init");                                    \
    }
    PWRESET_DIRECTIVES(CHECK_UNSET_)
    is_num(unset, n, "init: all %d directives unset (PWRESET_UNSET or NULL)",
           n);
    is_num(n, 24, "the table has 24 directives");
}

static void test_defaults(void)
{
    pwreset_settings c;
    const char *const *argv;
    int checked = 0, good = 0;

    pwreset_settings_init(&c);
    is_num(pwreset_cfg_token_lifetime(&c), 1800, "default token lifetime");
    is_num(pwreset_cfg_form_lifetime(&c), 600, "default form lifetime");
    is_num(pwreset_cfg_sendmail_timeout(&c), 60, "default sendmail timeout");
    is_num(pwreset_cfg_min_length(&c), 12, "default minimum length");
    is_num(pwreset_cfg_bcrypt_cost(&c), 12, "default bcrypt cost");
    is_str(pwreset_cfg_q_by_email(&c),
           "SELECT username, email, password FROM users "
           "WHERE lower(email) = lower(%s)", "default query by address");
    is_str(pwreset_cfg_q_by_name(&c),
           "SELECT username, email, password FROM users WHERE username = %s",
           "default query by name");
    is_str(pwreset_cfg_q_update(&c),
           "UPDATE users SET password = %s WHERE username = %s AND "
           "password = %s", "default update");
    argv = pwreset_cfg_sendmail(&c);
    ok(argv && argv[0] && argv[1] && argv[2] && !argv[3]
       && !strcmp(argv[0], "/usr/sbin/sendmail") && !strcmp(argv[1], "-t")
       && !strcmp(argv[2], "-i"),
       "default sendmail: {\"/usr/sbin/sendmail\", \"-t\", \"-i\"}");
    ok(pwreset_cfg_account_limit(&c)->count == 3
       && pwreset_cfg_account_limit(&c)->window == 3600,
       "default account limit 3 in 3600 s");
    ok(pwreset_cfg_client_limit(&c)->count == 20
       && pwreset_cfg_client_limit(&c)->window == 600,
       "default client limit 20 in 600 s");
    ok(!strcmp(pwreset_cfg_cache(&c)->spec, "shmcb")
       && !strcmp(pwreset_cfg_cache(&c)->provider, "shmcb")
       && pwreset_cfg_cache(&c)->args == NULL, "default cache shmcb");
    ok(pwreset_cfg_keys(&c) == NULL && pwreset_cfg_link(&c) == NULL
       && pwreset_cfg_update_url(&c) == NULL
       && pwreset_cfg_request_url(&c) == NULL
       && pwreset_cfg_sender(&c) == NULL
       && pwreset_cfg_quality_config(&c) == NULL,
       "no default keys, link, update URL, request URL, sender, quality "
       "file");
    ok(pwreset_cfg_limits_on(&c), "limits on by default");
    ok(count_set(&c) == 0, "the getters wrote nothing into the settings");

    /* The table against its own parsers: every INT default in its range,
     * every QUERY default with its number of parameters. */
#define CHECK_DEFAULT_INT(name, field, a, b)                                 \
    {                                                                        \
        int v_;                                                              \
        checked++;                                                           \
        if (!pwreset_parse_int(pool, apr_itoa(pool, pwreset_cfg_##field(&c)),\
                               a, b, &v_)) {                                 \
            good++;                                                          \
        }                                                                    \
        else {                                                               \
            diag(#name "'s default is out of its range");                    \
        }                                                                    \
    }
#define CHECK_DEFAULT_QUERY(name, field, a, b)                               \
    {                                                                        \
        checked++;                                                           \
        if (!pwreset_parse_query(pool, pwreset_cfg_##field(&c), a)) {        \
            good++;                                                          \
        }                                                                    \
        else {                                                               \
            diag(#name "'s default fails its parser");                       \
        }                                                                    \
    }
#define CHECK_DEFAULT_PTR(name, field, a, b)
#define CHECK_DEFAULT_KEYS CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_LINK CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_PATH CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_URL CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_SENDER CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_COMMAND CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_FILE CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_CACHE CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_LIMIT CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_ORIGINS CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_CORPUS CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_TEXT CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_LANG CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_TEMPLATES CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_CSP CHECK_DEFAULT_PTR
#define CHECK_DEFAULT_(name, kind, field, a, b, def, help)                   \
    CHECK_DEFAULT_##kind(name, field, a, b)
    PWRESET_DIRECTIVES(CHECK_DEFAULT_)
    ok(checked == 8 && good == checked,
       "the 5 INT and 3 QUERY defaults pass their own parsers (%d of %d)",
       good, checked);
}

static void test_merge_each(void)
{
    int n = 0, over = 0, inherit = 0, unset = 0, alone = 0;

    /* Directive by directive: add overrides base, an unset add inherits,
     * neither leaves it unset, and nothing else is touched. */
#define MERGE_EACH_(name, kind, field, a, b, def, help)                      \
    {                                                                        \
        pwreset_settings base_, add_, m_;                                    \
        n++;                                                                 \
        pwreset_settings_init(&base_);                                       \
        pwreset_settings_init(&add_);                                        \
        base_.field = BASE_VALUE(kind);                                      \
        add_.field = ADD_VALUE(kind);                                        \
        pwreset_settings_merge(&m_, &base_, &add_);                          \
        if (m_.field == ADD_VALUE(kind)) {                                   \
            over++;                                                          \
        }                                                                    \
        else {                                                               \
            diag(#name ": add does not override base");                      \
        }                                                                    \
        if (count_set(&m_) == 1) {                                           \
            alone++;                                                         \
        }                                                                    \
        else {                                                               \
            diag(#name ": merging it set other fields");                     \
        }                                                                    \
        pwreset_settings_init(&add_);                                        \
        pwreset_settings_merge(&m_, &base_, &add_);                          \
        if (m_.field == BASE_VALUE(kind)) {                                  \
            inherit++;                                                       \
        }                                                                    \
        else {                                                               \
            diag(#name ": an unset add does not inherit base");              \
        }                                                                    \
        pwreset_settings_init(&base_);                                       \
        pwreset_settings_merge(&m_, &base_, &add_);                          \
        if (IS_UNSET(kind, m_.field)) {                                      \
            unset++;                                                         \
        }                                                                    \
        else {                                                               \
            diag(#name ": neither sets it, yet the merge does");             \
        }                                                                    \
    }
    PWRESET_DIRECTIVES(MERGE_EACH_)
    is_num(over, n, "merge: add overrides base, for each directive");
    is_num(alone, n, "merge: one directive set gives one field set");
    is_num(inherit, n, "merge: unset in add inherits base, for each");
    is_num(unset, n, "merge: unset in both stays unset (no default written), "
           "for each");
}

static void test_merge(void)
{
    pwreset_settings base, add, m, top;
    const pwreset_link *la, *lb;
    const pwreset_sender *sa, *sb;
    const pwreset_limit *off;
    apr_array_header_t *kbase = NULL, *kadd = NULL;

    pwreset_settings_init(&base);
    pwreset_settings_init(&add);
    pwreset_settings_merge(&m, &base, &add);
    ok(count_set(&m) == 0 && m.token_lifetime == PWRESET_UNSET
       && m.sendmail == NULL && m.cache == NULL && m.account_limit == NULL
       && m.q_by_email == NULL, "merge of two empty: still empty");
    ok(pwreset_cfg_token_lifetime(&m) == 1800
       && !strcmp(pwreset_cfg_sendmail(&m)[0], "/usr/sbin/sendmail")
       && !strcmp(pwreset_cfg_cache(&m)->provider, "shmcb")
       && pwreset_cfg_client_limit(&m)->count == 20,
       "and its getters give the defaults");

    /* configured: either side. */
    base.configured = 0, add.configured = 0;
    pwreset_settings_merge(&m, &base, &add);
    is_num(m.configured, 0, "configured: neither");
    base.configured = 1;
    pwreset_settings_merge(&m, &base, &add);
    is_num(m.configured, 1, "configured: base only");
    base.configured = 0, add.configured = 1;
    pwreset_settings_merge(&m, &base, &add);
    is_num(m.configured, 1, "configured: add only");
    base.configured = 1;
    pwreset_settings_merge(&m, &base, &add);
    is_num(m.configured, 1, "configured: both");

    /* An int. */
    pwreset_settings_init(&base);
    pwreset_settings_init(&add);
    base.token_lifetime = 900;
    add.token_lifetime = 1200;
    pwreset_settings_merge(&m, &base, &add);
    is_num(pwreset_cfg_token_lifetime(&m), 1200, "int: add's");
    add.token_lifetime = PWRESET_UNSET;
    pwreset_settings_merge(&m, &base, &add);
    is_num(pwreset_cfg_token_lifetime(&m), 900, "int: base's when add unset");

    /* The link and what is derived from it travel together. */
    pwreset_parse_link(pool, "https://a.example/one", &la);
    pwreset_parse_link(pool, "http://b.example:8080/two", &lb);
    pwreset_settings_init(&base);
    pwreset_settings_init(&add);
    base.link = la;
    add.link = lb;
    pwreset_settings_merge(&m, &base, &add);
    ok(m.link && !strcmp(m.link->url, "http://b.example:8080/two")
       && !strcmp(m.link->site, "b.example") && !strcmp(m.link->path, "/two")
       && !strcmp(m.link->origin, "http://b.example:8080"),
       "link: url, site, path and origin all add's");
    add.link = NULL;
    pwreset_settings_merge(&m, &base, &add);
    ok(m.link && !strcmp(m.link->url, "https://a.example/one")
       && !strcmp(m.link->site, "a.example") && !strcmp(m.link->path, "/one")
       && !strcmp(m.link->origin, "https://a.example"),
       "link: all base's when add has none");

    /* The sender and its domain. */
    pwreset_parse_sender(pool, "no-reply@a.example", &sa);
    pwreset_parse_sender(pool, "robot@b.example", &sb);
    base.sender = sa;
    add.sender = sb;
    pwreset_settings_merge(&m, &base, &add);
    ok(m.sender && !strcmp(m.sender->address, "robot@b.example")
       && !strcmp(m.sender->domain, "b.example"),
       "sender: address and domain both add's");
    add.sender = NULL;
    pwreset_settings_merge(&m, &base, &add);
    ok(m.sender && !strcmp(m.sender->address, "no-reply@a.example")
       && !strcmp(m.sender->domain, "a.example"),
       "sender: both base's when add has none");

    /* Keys: add's list replaces base's, it does not extend it. */
    pwreset_parse_key_file(pool, key_file("m1", repeat('1', 32), 32), &kbase);
    pwreset_parse_key_file(pool, key_file("m2", repeat('2', 32), 32), &kbase);
    pwreset_parse_key_file(pool, key_file("m3", repeat('3', 32), 32), &kadd);
    ok(kbase && kbase->nelts == 2 && kadd && kadd->nelts == 1,
       "keys: two in base, one in add");
    base.keys = kbase;
    add.keys = kadd;
    pwreset_settings_merge(&m, &base, &add);
    ok(m.keys == kadd && m.keys->nelts == 1
       && !memcmp(APR_ARRAY_IDX(m.keys, 0, pwreset_key).bytes, "3333", 4),
       "keys: add's list replaces base's");
    ok(kbase->nelts == 2, "keys: base's list untouched");
    add.keys = NULL;
    pwreset_settings_merge(&m, &base, &add);
    ok(m.keys == kbase && m.keys->nelts == 2,
       "keys: base's when add has none");

    /* A limit turned off below one set above. */
    pwreset_parse_limit(pool, "off", NULL, &off);
    pwreset_settings_init(&base);
    pwreset_settings_init(&add);
    pwreset_parse_limit(pool, "5", "60", &base.account_limit);
    base.client_limit = off;
    add.account_limit = off;
    pwreset_settings_merge(&m, &base, &add);
    ok(pwreset_cfg_account_limit(&m)->count == 0
       && pwreset_cfg_client_limit(&m)->count == 0
       && !pwreset_cfg_limits_on(&m),
       "limits: off in add wins over 5 60 in base; both off");
    add.account_limit = NULL;
    pwreset_settings_merge(&m, &base, &add);
    ok(pwreset_cfg_account_limit(&m)->count == 5 && pwreset_cfg_limits_on(&m),
       "limits: base's 5 60 inherited, on");
    pwreset_settings_init(&base);
    base.client_limit = off;
    pwreset_settings_merge(&m, &base, &add);
    ok(pwreset_cfg_limits_on(&m), "limits: the account limit's default is on");

    /* Three levels: what the middle inherited travels on. */
    pwreset_settings_init(&base);
    pwreset_settings_init(&add);
    pwreset_settings_init(&top);
    top.link = la;
    top.token_lifetime = 300;
    add.bcrypt_cost = 10;
    pwreset_settings_merge(&base, &top, &add);
    pwreset_settings_init(&add);
    add.token_lifetime = 400;
    pwreset_settings_merge(&m, &base, &add);
    ok(m.link == la && m.token_lifetime == 400 && m.bcrypt_cost == 10
       && count_set(&m) == 3, "three levels: each value from the nearest");
}

static void test_request_url_abs(void)
{
    pwreset_settings c, base, add;
    const pwreset_link *l;

    pwreset_parse_link(pool, "https://example.org:8443/reset/link", &l);
    pwreset_settings_init(&c);
    ok(pwreset_cfg_request_url_abs(pool, &c) == NULL,
       "request URL abs: none set");
    c.request_url = "/reset/";
    ok(pwreset_cfg_request_url_abs(pool, &c) == NULL,
       "request URL abs: a path without a link cannot be made absolute");
    c.link = l;
    is_str(pwreset_cfg_request_url_abs(pool, &c),
           "https://example.org:8443/reset/",
           "request URL abs: a path on the link's origin");
    c.request_url = "https://other.example/ask";
    is_str(pwreset_cfg_request_url_abs(pool, &c), "https://other.example/ask",
           "request URL abs: an absolute URL as it is");
    c.link = NULL;
    is_str(pwreset_cfg_request_url_abs(pool, &c), "https://other.example/ask",
           "request URL abs: an absolute URL needs no link");

    pwreset_settings_init(&base);
    pwreset_settings_init(&add);
    base.link = l;
    add.request_url = "/ask";
    pwreset_settings_merge(&c, &base, &add);
    is_str(pwreset_cfg_request_url_abs(pool, &c),
           "https://example.org:8443/ask",
           "request URL abs: the link inherited, the path set below");
}

int main(void)
{
    char tmpl[] = "/tmp/pwreset-unit.XXXXXX";

    apr_initialize();
    apr_pool_create(&pool, NULL);
    tmpdir = mkdtemp(tmpl);
    if (!tmpdir) {
        printf("Bail out! cannot make a temporary directory\n");
        return 1;
    }
    made = apr_array_make(pool, 16, sizeof(const char *));

    test_parse_int();
    test_parse_link();
    test_parse_paths();
    test_parse_sender();
    test_parse_command();
    test_parse_query();
    test_parse_cache();
    test_parse_limit();
    test_parse_origin();
    test_parse_key_file();
    test_init();
    test_defaults();
    test_merge_each();
    test_merge();
    test_request_url_abs();

    for (int i = 0; i < made->nelts; i++) {
        unlink(APR_ARRAY_IDX(made, i, const char *));
    }
    rmdir(tmpdir);
    return done_testing();
}
