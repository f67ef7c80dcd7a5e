/* SPDX-License-Identifier: Apache-2.0 */
/* Languages: the catalogs compiled from the po/ files (build-aux/po2c), the
 * choice of one from Accept-Language, and the translation of a sentence.
 * English is the language of the source and needs no catalog.  Nothing
 * here touches the process's locale: setlocale() is process-wide and not
 * thread-safe, and a minimal Debian has no locale but C.  Pure: APR only. */
#ifndef PWRESET_LANG_H
#define PWRESET_LANG_H

#include <apr_pools.h>

/* One translated sentence: msgid (and msgid_plural) as in the .po file,
 * and its translations (one per plural form). */
typedef struct {
    const char *msgid;
    const char *msgid_plural;        /* NULL for a sentence without plural */
    const char *const *msgstr;
    int forms;
} pwreset_catalog_entry;

typedef struct pwreset_lang {
    const char *tag;                 /* "de", as in Accept-Language */
    int (*plural)(unsigned long n);  /* the .po's Plural-Forms */
    const pwreset_catalog_entry *entries;   /* sorted by msgid */
    apr_size_t count;
} pwreset_lang;

/* Every language, English first; NULL-terminated (generated). */
extern const pwreset_lang *const pwreset_languages[];

/* English: the source. */
const pwreset_lang *pwreset_lang_default(void);

/* The language of a tag ("de", "de-CH", "DE", "pt_BR"): the one named
 * exactly when there is one, else the one of its language part; NULL when
 * there is none. */
const pwreset_lang *pwreset_lang_get(const char *tag);

/* The language an Accept-Language header asks for: the highest q-value
 * among those there are (the first of equals), English when none is. */
const pwreset_lang *pwreset_lang_negotiate(const char *accept_language);

/* An HTTP q-value ("1", "0.8", "0.125": at most three decimals, 0 to 1)
 * in thousandths; -1 when it is not one.  No locale, no floating point. */
int pwreset_qvalue(const char *s, apr_size_t n);

/* The q of a media range's or a language's parameters (what follows its
 * first ';'), in thousandths: 1000 when there is none, -1 when it is
 * malformed. */
int pwreset_param_q(const char *params, apr_size_t n);

/* The sentence in language l, or msgid itself (English, or untranslated). */
const char *pwreset_tr(const pwreset_lang *l, const char *msgid);

/* The same for a sentence about a number n. */
const char *pwreset_trn(const pwreset_lang *l, const char *msgid,
                        const char *msgid_plural, unsigned long n);

/* `text` with each "{name}" replaced by its value, from NULL-terminated
 * pairs: pwreset_fill(p, "on {site}", "site", "Example", NULL).  An unknown
 * name is left as it is. */
const char *pwreset_fill(apr_pool_t *p, const char *text, ...);

/* Marks a sentence for the catalogs where it is defined, not translated. */
#define N_(s) s

#endif
