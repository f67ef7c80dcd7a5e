/* SPDX-License-Identifier: Apache-2.0 */
/* The settings of one reset service (one virtual host): every directive in
 * one table, the values it parses to, the defaults, merging and getters.
 * Pure: APR only.  The httpd glue (src/httpd/config.c) turns the same table
 * into its command_rec array, so a directive lives in one row. */
#ifndef PWRESET_SETTINGS_H
#define PWRESET_SETTINGS_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "lang.h"
#include "page.h"
#include "template.h"
#include "window.h"

#define PWRESET_UNSET (-1)

/* PwResetLinkURL and what is derived from it. */
typedef struct {
    const char *url;          /* absolute http(s) URL, no query */
    const char *site;         /* its host: the site's name in mail */
    const char *path;         /* where the token arrives */
    const char *origin;       /* scheme://host[:port] */
} pwreset_link;

/* PwResetMailFrom and what is derived from it. */
typedef struct {
    const char *address;
    const char *domain;       /* right of '@': the Message-ID's */
    const char *name;         /* the display name, UTF-8; NULL for none */
    const char *header;       /* the From header's value, ASCII */
} pwreset_sender;

/* PwResetCache: "provider[:args]". */
typedef struct {
    const char *spec;
    const char *provider;
    const char *args;         /* NULL when none */
} pwreset_cache_spec;

/* The value types of the table's kinds. */
#define PWRESET_TYPE_KEYS    apr_array_header_t *        /* of pwreset_key */
#define PWRESET_TYPE_LINK    const pwreset_link *
#define PWRESET_TYPE_PATH    const char *
#define PWRESET_TYPE_URL     const char *
#define PWRESET_TYPE_SENDER  const pwreset_sender *
#define PWRESET_TYPE_COMMAND const char *const *
#define PWRESET_TYPE_INT     int
#define PWRESET_TYPE_QUERY   const char *
#define PWRESET_TYPE_FILE    const char *
#define PWRESET_TYPE_CACHE   const pwreset_cache_spec *
#define PWRESET_TYPE_LIMIT   const pwreset_limit *
#define PWRESET_TYPE_ORIGINS apr_array_header_t *        /* of const char * */
#define PWRESET_TYPE_CORPUS  const char *
#define PWRESET_TYPE_TEXT    const char *
#define PWRESET_TYPE_LANG    const struct pwreset_lang *
#define PWRESET_TYPE_TEMPLATES const struct pwreset_templates *
#define PWRESET_TYPE_CSP     const struct pwreset_csp_extra *

/* One row per directive:
 *   X(name, kind, field, a, b, default, help)
 * kind chooses the value type and parser; a and b are the range of an INT
 * (and are also printed in its help), and for a QUERY, the number of %s
 * conversions the statement must hold; default is a value of the kind's
 * type, or NULL/PWRESET_UNSET for none. */
#define PWRESET_DIRECTIVES(X)                                                \
    X(PwResetSecretFile, KEYS, keys, 0, 0, NULL,                             \
      "file holding a signing key (at least 32 bytes); repeat to rotate: "   \
      "the first signs, all verify")                                         \
    X(PwResetLinkURL, LINK, link, 0, 0, NULL,                                \
      "absolute http(s) URL of the pwreset-link location")                   \
    X(PwResetUpdateURL, PATH, update_url, 0, 0, NULL,                        \
      "local path of the pwreset-update location")                           \
    X(PwResetRequestURL, URL, request_url, 0, 0, NULL,                       \
      "where to ask for a new link, offered on error pages")                 \
    X(PwResetMailFrom, SENDER, sender, 0, 0, NULL,                           \
      "From: of every mail: an address, or \"Name <address>\"")             \
    X(PwResetSiteName, TEXT, site_name, 0, 0, NULL,                          \
      "the site's name in pages and mails (default: the host of "            \
      "PwResetLinkURL)")                                                     \
    X(PwResetLanguage, LANG, language, 0, 0, NULL,                           \
      "the language of every page and mail (default: from "                  \
      "Accept-Language, English when none fits)")                            \
    X(PwResetSendmail, COMMAND, sendmail, 0, 0,                              \
      ((const char *const[]){"/usr/sbin/sendmail", "-t", "-i", NULL}),      \
      "program and arguments the mail is piped to, run without a shell "     \
      "(default /usr/sbin/sendmail -t -i)")                                  \
    X(PwResetSendmailTimeout, INT, sendmail_timeout, 1, 3600, 60,            \
      "seconds sendmail may take before it is killed")                       \
    X(PwResetTokenLifetime, INT, token_lifetime, 1, 604800, 1800,            \
      "seconds a mailed link stays valid")                                   \
    X(PwResetFormLifetime, INT, form_lifetime, 1, 86400, 600,                \
      "seconds the form stays valid after the click")                        \
    X(PwResetMinLength, INT, min_length, 8, 64, 12,                          \
      "shortest new password in characters")                                 \
    X(PwResetBcryptCost, INT, bcrypt_cost, 4, 15, 12,                        \
      "bcrypt cost of new hashes")                                           \
    X(PwResetUserByEmailQuery, QUERY, q_by_email, 1, 0,                      \
      "SELECT username, email, password FROM users "                         \
      "WHERE lower(email) = lower(%s)",                                      \
      "SQL: username, email, password of the accounts of an address")        \
    X(PwResetUserByNameQuery, QUERY, q_by_name, 1, 0,                        \
      "SELECT username, email, password FROM users WHERE username = %s",     \
      "SQL: username, email, password of an account by name")                \
    X(PwResetUpdateQuery, QUERY, q_update, 3, 0,                             \
      "UPDATE users SET password = %s WHERE username = %s AND password = %s",\
      "SQL: set the new hash where username and old hash match")             \
    X(PwResetQualityConfig, FILE, quality_config, 0, 0, NULL,                \
      "a pwquality.conf for the password checks (the system's is not read "  \
      "otherwise)")                                                          \
    X(PwResetTemplateDir, TEMPLATES, templates, 0, 0, NULL,                  \
      "a folder of templates for pages and mails (request.html, ..., "       \
      "reset.txt; a subfolder per language), read at start-up")             \
    X(PwResetContentSecurityPolicy, CSP, csp_extra, 0, 0, NULL,              \
      "sources a site's templates may load from: \"style-src ...; "          \
      "img-src ...; font-src ...\"")                                         \
    X(PwResetBreachedList, CORPUS, breached_list, 0, 0, NULL,                \
      "Have I Been Pwned's SHA-1 corpus (HEX40:COUNT lines, sorted): new "   \
      "passwords found in it are refused")                                   \
    X(PwResetCache, CACHE, cache, 0, 0,                                      \
      (&(const pwreset_cache_spec){"shmcb", "shmcb", NULL}),                 \
      "ap_socache provider[:args] holding the abuse counters "               \
      "(default shmcb)")                                                     \
    X(PwResetAccountLimit, LIMIT, account_limit, 0, 0,                       \
      (&(const pwreset_limit){3, 3600}),                                     \
      "requests for one address, and mails to one account: count "         \
      "seconds, or off (default 3 3600)")        \
    X(PwResetClientLimit, LIMIT, client_limit, 0, 0,                         \
      (&(const pwreset_limit){20, 600}),                                     \
      "POSTs from one client address: count seconds, or off "                \
      "(default 20 600)")                                                    \
    X(PwResetTrustedOrigin, ORIGINS, trusted_origins, 0, 0, NULL,            \
      "another origin of the site (scheme://host[:port]) whose pages may "   \
      "post to the module; repeat for more")

#define PWRESET_FIELD_(name, kind, field, a, b, def, help)                   \
    PWRESET_TYPE_##kind field;

typedef struct {
    int configured;           /* any PwReset directive here or above */
    PWRESET_DIRECTIVES(PWRESET_FIELD_)
} pwreset_settings;

/* Getters: the value set here or inherited, else the default.  One per
 * directive, named after its field: pwreset_cfg_token_lifetime(c). */
#define PWRESET_GETTER_DECL_(name, kind, field, a, b, def, help)             \
    PWRESET_TYPE_##kind pwreset_cfg_##field(const pwreset_settings *c);
PWRESET_DIRECTIVES(PWRESET_GETTER_DECL_)

/* Everything unset: what a server's configuration starts as. */
void pwreset_settings_init(pwreset_settings *c);

/* base overridden by add, directive by directive.  A value and what was
 * derived from it travel together (they are one parsed value). */
void pwreset_settings_merge(pwreset_settings *c, const pwreset_settings *base,
                            const pwreset_settings *add);

/* 1 when any abuse limit is on (and so the cache is needed). */
int pwreset_cfg_limits_on(const pwreset_settings *c);

/* PwResetSiteName, else the host of PwResetLinkURL, else NULL. */
const char *pwreset_cfg_site(const pwreset_settings *c);

/* PwResetRequestURL made absolute (on PwResetLinkURL's origin) for mail;
 * NULL when it cannot be. */
const char *pwreset_cfg_request_url_abs(apr_pool_t *p,
                                        const pwreset_settings *c);

/* ---- value parsers ----------------------------------------------------
 * Each checks one directive's argument and returns NULL and the parsed
 * value, or a message (without the directive's name) saying what is wrong
 * and what to write instead. */

const char *pwreset_parse_int(apr_pool_t *p, const char *arg, int lo, int hi,
                              int *out);
const char *pwreset_parse_link(apr_pool_t *p, const char *arg,
                               const pwreset_link **out);
/* A local path that can also be a cookie's Path attribute. */
const char *pwreset_parse_local_path(apr_pool_t *p, const char *arg);
/* A local path or an absolute http(s) URL. */
const char *pwreset_parse_url(apr_pool_t *p, const char *arg);
const char *pwreset_parse_sender(apr_pool_t *p, const char *arg,
                                 const pwreset_sender **out);
const char *pwreset_parse_command(apr_pool_t *p, const char *arg,
                                  const char *const **out);
/* An SQL statement with exactly `conversions` parameters (%s, %d and the
 * other conversions APR DBD reads; %% is a literal percent sign). */
const char *pwreset_parse_query(apr_pool_t *p, const char *sql,
                                int conversions);
const char *pwreset_parse_cache_spec(apr_pool_t *p, const char *arg,
                                     const pwreset_cache_spec **out);
/* "count seconds", or count "off" with seconds NULL. */
const char *pwreset_parse_limit(apr_pool_t *p, const char *count,
                                const char *seconds,
                                const pwreset_limit **out);
/* The site's name: UTF-8 text of at most 100 bytes, no control. */
const char *pwreset_parse_text(apr_pool_t *p, const char *arg);
/* "style-src https://cdn.example.org; img-src 'self' data:": sources for
 * style-src, img-src and font-src only, each a host source, a scheme
 * source or 'self' (nothing that allows inline code). */
const char *pwreset_parse_csp_extra(apr_pool_t *p, const char *arg,
                                    const struct pwreset_csp_extra **out);
/* A language there is a catalog for ("de"). */
const char *pwreset_parse_language(apr_pool_t *p, const char *arg,
                                   const struct pwreset_lang **out);
/* An origin, normalised (see pwreset_origin_normalize), added to *origins
 * (made when NULL). */
const char *pwreset_parse_origin(apr_pool_t *p, const char *arg,
                                 apr_array_header_t **origins);
/* Read a key file at `path` and add it to *keys (made when NULL). */
const char *pwreset_parse_key_file(apr_pool_t *p, const char *path,
                                   apr_array_header_t **keys);

#endif
