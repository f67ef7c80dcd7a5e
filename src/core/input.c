/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and checking of untrusted input.  See input.h. */
#include "input.h"

#include <apr_strings.h>
#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_uri.h>
#include <arpa/inet.h>
#include <stdlib.h>
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
        /* C1 controls, U+0080 to U+009F: 0xC2 0x80 to 0xC2 0x9F. */
        if (c == 0xc2 && (unsigned char)s[1] >= 0x80
            && (unsigned char)s[1] <= 0x9f) {
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

const char *pwreset_origin_make(apr_pool_t *p, const char *scheme,
                                const char *host, unsigned int port)
{
    char *sch = apr_pstrdup(p, scheme), *h = apr_pstrdup(p, host);
    int ipv6 = strchr(h, ':') != NULL;
    unsigned int deflt;

    for (char *c = sch; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    for (char *c = h; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    deflt = !strcmp(sch, "https") ? 443 : !strcmp(sch, "http") ? 80 : 0;
    return apr_psprintf(p, "%s://%s%s%s%s", sch, ipv6 ? "[" : "", h,
                        ipv6 ? "]" : "",
                        port && port != deflt
                            ? apr_psprintf(p, ":%u", port) : "");
}

int pwreset_port_ok(const char *port)
{
    apr_size_t n = strspn(port, "0123456789");

    /* apr_uri_parse() reads a port with strtol() into 16 bits: "+80",
     * "-1" and "65616" all become some port. */
    return n > 0 && n <= 5 && port[n] == '\0' && atoi(port) >= 1
           && atoi(port) <= 65535;
}

const char *pwreset_origin_normalize(apr_pool_t *p, const char *origin)
{
    apr_uri_t u;

    if (!pwreset_chars_only(origin, PWRESET_CHARS_WORD)
        || apr_uri_parse(p, origin, &u) != APR_SUCCESS || !u.scheme
        || (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))
        /* apr_uri_parse() takes "[::1]x" for the host "::1]": a bracket
         * left in a host name is no host. */
        || !u.hostname || !*u.hostname || strpbrk(u.hostname, "[]")
        || u.user || u.password || u.query
        || u.fragment || (u.path && *u.path)
        || (u.port_str && !pwreset_port_ok(u.port_str))) {
        return NULL;
    }
    return pwreset_origin_make(p, u.scheme, u.hostname,
                               u.port_str ? u.port : 0);
}

const char *pwreset_client_key(apr_pool_t *p, const char *ip)
{
    unsigned char a[16];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0xff, 0xff};

    if (!ip || !strchr(ip, ':') || inet_pton(AF_INET6, ip, a) != 1) {
        return ip;
    }
    if (!memcmp(a, mapped, sizeof(mapped))) {
        return apr_psprintf(p, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
    }
    return apr_psprintf(p, "%x:%x:%x:%x::/64", (a[0] << 8) | a[1],
                        (a[2] << 8) | a[3], (a[4] << 8) | a[5],
                        (a[6] << 8) | a[7]);
}
