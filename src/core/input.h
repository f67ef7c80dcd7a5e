/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and checking what a client or a database hands us.  Pure: APR only. */
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
    PWRESET_CHARS_TEXT,    /* anything but C0 controls and DEL: UTF-8 text */
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

#endif
