/* SPDX-License-Identifier: Apache-2.0 */
/* Languages and their catalogs.  See lang.h. */
#include "lang.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const pwreset_lang *pwreset_lang_default(void)
{
    return pwreset_languages[0];
}

/* 1 when a and b are the same tag, "_" and "-" alike, in any case; with
 * `prefix`, when a is b's language part (b up to its first '-'). */
static int same_tag(const char *a, apr_size_t an, const char *b)
{
    apr_size_t i;

    for (i = 0; i < an && b[i]; i++) {
        char x = a[i] == '_' ? '-' : a[i], y = b[i] == '_' ? '-' : b[i];

        if (apr_tolower(x) != apr_tolower(y)) {
            return 0;
        }
    }
    return i == an && !b[i];
}

const pwreset_lang *pwreset_lang_get(const char *tag)
{
    apr_size_t n = strlen(tag), primary = strcspn(tag, "-_");

    /* "pt-BR" is pt-BR's when there is one, else pt's. */
    for (int i = 0; pwreset_languages[i]; i++) {
        if (same_tag(tag, n, pwreset_languages[i]->tag)) {
            return pwreset_languages[i];
        }
    }
    for (int i = 0; pwreset_languages[i]; i++) {
        if (same_tag(tag, primary, pwreset_languages[i]->tag)) {
            return pwreset_languages[i];
        }
    }
    return NULL;
}

int pwreset_qvalue(const char *s, apr_size_t n)
{
    int q = 0;

    if (n == 0 || (s[0] != '0' && s[0] != '1')) {
        return -1;
    }
    q = (s[0] - '0') * 1000;
    if (n == 1) {
        return q;
    }
    if (s[1] != '.' || n > 5) {
        return -1;
    }
    for (apr_size_t i = 2; i < n; i++) {
        if (!apr_isdigit(s[i])) {
            return -1;
        }
        q += (s[i] - '0') * (i == 2 ? 100 : i == 3 ? 10 : 1);
    }
    return q > 1000 ? -1 : q;
}

int pwreset_param_q(const char *params, apr_size_t n)
{
    const char *p = params, *end = params + n;

    /* ";"-separated parameters: the one named exactly q; 1000 when none. */
    while (p < end) {
        const char *semi = memchr(p, ';', (apr_size_t)(end - p));
        const char *stop = semi ? semi : end, *s = p, *e = stop;

        while (s < e && (*s == ' ' || *s == '\t')) {
            s++;
        }
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) {
            e--;
        }
        if (e - s >= 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=') {
            return pwreset_qvalue(s + 2, (apr_size_t)(e - s - 2));
        }
        p = stop + 1;
    }
    return 1000;
}

const pwreset_lang *pwreset_lang_negotiate(const char *accept)
{
    const pwreset_lang *best = NULL;
    int best_q = 0;

    while (accept && *accept) {
        apr_size_t len = strcspn(accept, ",");
        const char *semi = memchr(accept, ';', len);
        const char *tag = accept, *end = semi ? semi : accept + len;
        int q = 1000;
        char name[16];
        apr_size_t n;

        while (tag < end && (*tag == ' ' || *tag == '\t')) {
            tag++;
        }
        while (end > tag && (end[-1] == ' ' || end[-1] == '\t')) {
            end--;
        }
        if (semi) {
            const char *qs = semi + 1, *qe = accept + len;

            while (qs < qe && (*qs == ' ' || *qs == '\t')) {
                qs++;
            }
            while (qe > qs && (qe[-1] == ' ' || qe[-1] == '\t')) {
                qe--;
            }
            q = pwreset_param_q(qs, (apr_size_t)(qe - qs));
        }
        n = (apr_size_t)(end - tag);
        /* A long tag ("de-DE-x-private") is matched by its start. */
        if (n >= sizeof(name)) {
            n = strcspn(tag, "-_");
        }
        if (q > best_q && n > 0 && n < sizeof(name)) {
            const pwreset_lang *l;

            memcpy(name, tag, n);
            name[n] = '\0';
            l = !strcmp(name, "*") ? pwreset_lang_default()
                                   : pwreset_lang_get(name);
            if (l) {
                best = l;
                best_q = q;
            }
        }
        accept += len + (accept[len] == ',');
    }
    return best ? best : pwreset_lang_default();
}

static const pwreset_catalog_entry *lookup(const pwreset_lang *l,
                                           const char *msgid)
{
    apr_size_t lo = 0, hi = l ? l->count : 0;

    while (lo < hi) {
        apr_size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(l->entries[mid].msgid, msgid);

        if (cmp == 0) {
            return &l->entries[mid];
        }
        if (cmp < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return NULL;
}

const char *pwreset_tr(const pwreset_lang *l, const char *msgid)
{
    const pwreset_catalog_entry *e = lookup(l, msgid);

    return e && e->forms > 0 && *e->msgstr[0] ? e->msgstr[0] : msgid;
}

const char *pwreset_trn(const pwreset_lang *l, const char *msgid,
                        const char *msgid_plural, unsigned long n)
{
    const pwreset_catalog_entry *e = lookup(l, msgid);
    int form;

    if (!e || !e->msgid_plural) {
        return n == 1 ? msgid : msgid_plural;
    }
    form = l->plural(n);
    if (form < 0 || form >= e->forms || !*e->msgstr[form]) {
        return n == 1 ? msgid : msgid_plural;
    }
    return e->msgstr[form];
}

const char *pwreset_fill(apr_pool_t *p, const char *text, ...)
{
    struct {
        const char *name, *value;
    } pairs[16];
    int count = 0;
    const char *out = "", *from = text, *open;
    va_list ap;

    va_start(ap, text);
    while (count < 16 && (pairs[count].name = va_arg(ap, const char *))) {
        pairs[count].value = va_arg(ap, const char *);
        count++;
    }
    va_end(ap);
    while ((open = strchr(from, '{'))) {
        const char *close = strchr(open, '}');
        int i;

        if (!close) {
            break;
        }
        for (i = 0; i < count; i++) {
            apr_size_t n = strlen(pairs[i].name);

            if ((apr_size_t)(close - open - 1) == n
                && !strncmp(open + 1, pairs[i].name, n)) {
                break;
            }
        }
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, from, open - from),
                          i < count ? pairs[i].value
                                    : apr_pstrmemdup(p, open,
                                                     close + 1 - open),
                          NULL);
        from = close + 1;
    }
    return apr_pstrcat(p, out, from, NULL);
}
