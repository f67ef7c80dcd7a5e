/* SPDX-License-Identifier: Apache-2.0 */
/* Admin templates for pages and mails: text with {{name}} placeholders,
 * parsed once at start-up, filled per request with values escaped for
 * their context.  Pure: APR and libcrypto. */
#ifndef PWRESET_TEMPLATE_H
#define PWRESET_TEMPLATE_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "lang.h"

/* The files a template directory may hold, and what each may say. */
typedef enum {
    PWRESET_TPL_REQUEST,      /* request.html */
    PWRESET_TPL_SENT,         /* sent.html */
    PWRESET_TPL_INVALID,      /* invalid.html */
    PWRESET_TPL_UPDATE,       /* update.html */
    PWRESET_TPL_CHANGED,      /* changed.html */
    PWRESET_TPL_ERROR,        /* error.html: 403, 405, 429, 500, 503 */
    PWRESET_TPL_RESET_TXT,    /* reset.txt: the reset mail, text part */
    PWRESET_TPL_RESET_HTML,   /* reset.html */
    PWRESET_TPL_NOTICE_TXT,   /* notice.txt: the "password changed" mail */
    PWRESET_TPL_NOTICE_HTML,  /* notice.html */
    PWRESET_TPL_COUNT
} pwreset_tpl_id;

/* Every placeholder there is; a template may use those of its file. */
typedef enum {
    PWRESET_PH_SITE, PWRESET_PH_LANG, PWRESET_PH_TITLE, PWRESET_PH_MESSAGE,
    PWRESET_PH_INVALID, PWRESET_PH_REQUEST_URL, PWRESET_PH_USERNAME,
    PWRESET_PH_MIN_LENGTH, PWRESET_PH_SECONDS_LEFT, PWRESET_PH_STATUS,
    PWRESET_PH_LINK, PWRESET_PH_MINUTES, PWRESET_PH_WHEN, PWRESET_PH_CLIENT,
    PWRESET_PH_COUNT
} pwreset_placeholder;

typedef struct pwreset_template pwreset_template;

/* The templates of one PwResetTemplateDir: per language, per file. */
typedef struct pwreset_templates pwreset_templates;

/* The file name of a template ("request.html"). */
const char *pwreset_tpl_file(pwreset_tpl_id id);

/* A placeholder's name ("site"). */
const char *pwreset_ph_name(pwreset_placeholder ph);

/* Parse one template.  NULL and *err ("line 3: ...") when it uses an
 * unknown placeholder, leaves one open, puts one inside <style>, has a
 * style attribute or a <script>, or is not UTF-8.  The SHA-256 of each
 * <style> element's text is added to *styles (CSP sources, made when
 * NULL). */
pwreset_template *pwreset_template_parse(apr_pool_t *p, pwreset_tpl_id id,
                                         const char *text, apr_size_t len,
                                         apr_array_header_t **styles,
                                         const char **err);

/* Fill a template: values[ph] for each placeholder (NULL is ""), escaped
 * for HTML in the .html files. */
const char *pwreset_template_fill(apr_pool_t *p, const pwreset_template *t,
                                  const char *const *values);

/* Read a template directory: each file that is there, and the same in
 * each language's subfolder ("de/request.html").  NULL and *err (naming
 * the file and the line) when one is broken. */
pwreset_templates *pwreset_templates_load(apr_pool_t *p, const char *dir,
                                          const char **err);

/* The template for a file in a language: the language's own, else the
 * folder's, else NULL (the built-in one is used). */
const pwreset_template *pwreset_templates_find(const pwreset_templates *ts,
                                               const pwreset_lang *lang,
                                               pwreset_tpl_id id);

/* The CSP sources ('sha256-...') of every <style> in the directory. */
const apr_array_header_t *pwreset_templates_styles(
    const pwreset_templates *ts);

#endif
