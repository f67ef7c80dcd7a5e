/* SPDX-License-Identifier: Apache-2.0 */
/* PwResetBreachedList: the corpus file mapped read-only and searched in
 * place (src/core/breached.c does the searching). */
#ifndef PWRESET_HTTPD_BREACHED_H
#define PWRESET_HTTPD_BREACHED_H

#include <httpd.h>

/* A mapped corpus. */
typedef struct pwreset_corpus {
    const char *base;
    apr_size_t len;
} pwreset_corpus;

/* Map `path` read-only for as long as pool p lives, and check that it
 * looks like the corpus.  NULL, or what is wrong (for a start-up error). */
const char *pwreset_corpus_open(apr_pool_t *p, const char *path,
                                const pwreset_corpus **out);

/* post_config: map the list of every configured server that names one
 * (servers naming the same file share the mapping). */
int pwreset_breached_post_config(apr_pool_t *pconf, server_rec *s);

/* 1 when the password is in server s's list (0 when it has none). */
int pwreset_breached_password(server_rec *s, const char *password);

#endif
