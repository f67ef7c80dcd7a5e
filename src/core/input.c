/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and checking of untrusted input.  See input.h. */
#include "input.h"

#include <apr_strings.h>
#include <apr_escape.h>
#include <string.h>

int pwreset_utf8_valid(const char *str, apr_size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        apr_size_t need;
        unsigned long cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        }
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        }
        else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        }
        else {
            return 0;
        }
        if (n - i <= need) {
            return 0;
        }
        for (apr_size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        /* Reject overlong forms, surrogates and code points past U+10FFFF. */
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000)
            || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
            return 0;
        }
        i += need + 1;
    }
    return 1;
}

apr_size_t pwreset_utf8_length(const char *s)
{
    apr_size_t n = 0;

    for (; *s; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80) {
            n++;
        }
    }
    return n;
}

int pwreset_chars_only(const char *s, pwreset_chars cls)
{
    /* The lowest byte each class admits; DEL is in none, and only TEXT
     * goes past it. */
    const unsigned char lo = cls == PWRESET_CHARS_WORD ? 0x21 : 0x20;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < lo || c == 0x7f || (c > 0x7f && cls != PWRESET_CHARS_TEXT)) {
            return 0;
        }
    }
    return 1;
}

char *pwreset_trim(apr_pool_t *p, const char *s)
{
    const char *end;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    return apr_pstrmemdup(p, s, end - s);
}

/* Decode one name or value.  Returns NULL on a bad escape or a NUL. */
static const char *form_decode(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *raw = apr_pstrmemdup(p, s, n);
    char *out = apr_palloc(p, n + 1);
    apr_size_t len = 0;

    apr_status_t rv;

    /* "plus" turns '+' into a space.  A decoded NUL is refused whatever
     * apr_unescape_url() makes of %00. */
    rv = apr_unescape_url(out, raw, APR_ESCAPE_STRING, NULL, NULL, 1, &len);
    /* len counts the terminating NUL; any NUL before it came from %00. */
    if (rv == APR_EINVAL || rv == APR_BADCH || len == 0
        || memchr(out, '\0', len - 1)) {
        return NULL;
    }
    return out;
}

pwreset_form_status pwreset_form_parse(apr_pool_t *p, const char *data,
                                       apr_size_t len,
                                       const char *const *names,
                                       const char **values)
{
    const char *pos = data, *end = data + len;
    apr_size_t count = 0;

    for (count = 0; names[count]; count++) {
        values[count] = NULL;
    }
    if (memchr(data, '\0', len) != NULL) {
        return PWRESET_FORM_MALFORMED;
    }
    while (pos < end) {
        const char *amp = memchr(pos, '&', end - pos);
        const char *stop = amp ? amp : end;
        const char *eq = memchr(pos, '=', stop - pos);
        const char *name, *value;
        apr_size_t i;

        if (stop == pos) { /* tolerate "a=1&&b=2" and a trailing '&' */
            pos = stop + 1;
            continue;
        }
        name = form_decode(p, pos, (eq ? eq : stop) - pos);
        value = eq ? form_decode(p, eq + 1, stop - eq - 1) : "";
        if (!name || !value) {
            return PWRESET_FORM_MALFORMED;
        }
        for (i = 0; i < count && strcmp(names[i], name); i++) {
        }
        if (i == count) {
            return PWRESET_FORM_UNKNOWN;
        }
        if (values[i]) {
            return PWRESET_FORM_REPEATED;
        }
        values[i] = value;
        pos = stop + 1;
    }
    for (apr_size_t i = 0; i < count; i++) {
        if (!values[i]) {
            return PWRESET_FORM_MISSING;
        }
    }
    return PWRESET_FORM_OK;
}

/* Characters that would let one string name several recipients, or be read
 * as a display name or comment, in a header. */
static int addr_special(unsigned char c)
{
    return c == ' ' || c == ',' || c == ';' || c == ':' || c == '<'
           || c == '>' || c == '(' || c == ')' || c == '[' || c == ']'
           || c == '"' || c == '\\';
}

pwreset_addr_status pwreset_addr_check(const char *addr)
{
    apr_size_t len = strlen(addr);
    const char *at, *domain;

    if (len == 0) {
        return PWRESET_ADDR_EMPTY;
    }
    if (len > PWRESET_ADDR_MAX) {
        return PWRESET_ADDR_TOO_LONG;
    }
    if (!pwreset_chars_only(addr, PWRESET_CHARS_TEXT)) {
        return PWRESET_ADDR_CONTROL;
    }
    if (!pwreset_utf8_valid(addr, len)) {
        return PWRESET_ADDR_UTF8;
    }
    at = strchr(addr, '@');
    if (!at || at == addr || strchr(at + 1, '@') || at - addr > 64) {
        return PWRESET_ADDR_SYNTAX;
    }
    for (const char *c = addr; *c; c++) {
        if (addr_special((unsigned char)*c)) {
            return PWRESET_ADDR_SYNTAX;
        }
    }
    domain = at + 1;
    if (!*domain || *domain == '.' || domain[strlen(domain) - 1] == '.'
        || strstr(domain, "..") || addr[0] == '.' || at[-1] == '.') {
        return PWRESET_ADDR_SYNTAX;
    }
    return PWRESET_ADDR_OK;
}

int pwreset_addr_mailable(const char *addr)
{
    if (pwreset_addr_check(addr) != PWRESET_ADDR_OK) {
        return 0;
    }
    for (const char *c = addr; *c; c++) {
        if ((unsigned char)*c > 0x7e) {
            return 0;
        }
    }
    return 1;
}
