/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and checking what a client or a database hands us.
 * Pure: APR only. */
#ifndef PWRESET_INPUT_H
#define PWRESET_INPUT_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Longest address RFC 5321 lets through a forward path. */
#define PWRESET_ADDR_MAX 254

typedef enum {
    PWRESET_FORM_OK = 0,
    PWRESET_FORM_MALFORMED,  /* bad %-escape, NUL, invalid UTF-8 in a name */
    PWRESET_FORM_UNKNOWN,    /* a field we did not ask for */
    PWRESET_FORM_MISSING,    /* a field we asked for is absent */
    PWRESET_FORM_REPEATED    /* a field appears twice */
} pwreset_form_status;

/* Parse an application/x-www-form-urlencoded string (a body or a query
 * string) that must hold each of the NULL-terminated `names` exactly once and
 * nothing else.  On success values[i] is the decoded value of names[i]; a
 * decoded value is never allowed to hold a NUL byte. */
pwreset_form_status pwreset_form_parse(apr_pool_t *p, const char *data,
                                       apr_size_t len,
                                       const char *const *names,
                                       const char **values);

/* 1 when the n bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF). */
int pwreset_utf8_valid(const char *s, apr_size_t n);

/* Number of code points in a string already known to be valid UTF-8. */
apr_size_t pwreset_utf8_length(const char *s);

/* The classes of bytes a string may be made of. */
typedef enum {
    PWRESET_CHARS_TEXT,    /* UTF-8 text: no C0 or C1 control, no DEL */
    PWRESET_CHARS_HEADER,  /* printable ASCII and space: a header value */
    PWRESET_CHARS_WORD     /* printable ASCII, no space: a URL, a path */
} pwreset_chars;

/* 1 when every byte of s belongs to the class. */
int pwreset_chars_only(const char *s, pwreset_chars cls);

/* A copy of s without surrounding spaces and tabs. */
char *pwreset_trim(apr_pool_t *p, const char *s);

typedef enum {
    PWRESET_ADDR_OK = 0,
    PWRESET_ADDR_EMPTY,
    PWRESET_ADDR_TOO_LONG,
    PWRESET_ADDR_CONTROL,
    PWRESET_ADDR_UTF8,
    PWRESET_ADDR_SYNTAX
} pwreset_addr_status;

/* Check what a person typed: one address of the form local@domain, at most
 * PWRESET_ADDR_MAX bytes, valid UTF-8, no controls, spaces or list syntax. */
pwreset_addr_status pwreset_addr_check(const char *addr);

/* Stricter check for an address we are about to put in a To: header piped
 * to "sendmail -t": the same, and printable ASCII only, so that it can only
 * ever name one recipient. */
int pwreset_addr_mailable(const char *addr);

/* What the client limit counts a client address as: an IPv4 address as
 * it is (an IPv4-mapped IPv6 one too, as IPv4), an IPv6 address as its /64
 * ("2001:db8:1:2::/64"), since one host may use any of its /64.  Anything
 * else as it is. */
const char *pwreset_client_key(apr_pool_t *p, const char *ip);

/* 1 when `port` is a port number as a URL may give it: 1 to 5 decimal
 * digits, 1 to 65535. */
int pwreset_port_ok(const char *port);

/* An origin as RFC 6454 compares them: "scheme://host[:port]", scheme and
 * host lower-cased, the scheme's default port (80, 443) left out, an IPv6
 * host in brackets.  NULL when `origin` is not one http(s) origin (the
 * string "null", a path, a user name, a query or a fragment). */
const char *pwreset_origin_normalize(apr_pool_t *p, const char *origin);

/* The same from its parts, as a server knows itself. */
const char *pwreset_origin_make(apr_pool_t *p, const char *scheme,
                                const char *host, unsigned int port);

#endif
