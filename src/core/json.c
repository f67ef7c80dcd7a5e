/* SPDX-License-Identifier: Apache-2.0 */
/* JSON bodies and answers.  See json.h. */
#include "json.h"

#include <apr_strings.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

pwreset_form_status pwreset_json_parse(apr_pool_t *p, const char *data,
                                       apr_size_t len,
                                       const char *const *names,
                                       const char **values)
{
    json_error_t err;
    json_t *root, *value;
    const char *key;
    apr_size_t count = 0;
    pwreset_form_status st = PWRESET_FORM_OK;

    for (count = 0; names[count]; count++) {
        values[count] = NULL;
    }
    /* Duplicates refused, as a repeated form field is; NUL refused in
     * strings (jansson's default). */
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        return PWRESET_FORM_MALFORMED;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return PWRESET_FORM_MALFORMED;
    }
    json_object_foreach(root, key, value) {
        apr_size_t i;

        for (i = 0; i < count && strcmp(names[i], key); i++) {
        }
        if (i == count) {
            st = PWRESET_FORM_UNKNOWN;
            break;
        }
        if (!json_is_string(value)) {
            st = PWRESET_FORM_MALFORMED;
            break;
        }
        values[i] = apr_pstrmemdup(p, json_string_value(value),
                                   json_string_length(value));
    }
    json_decref(root);
    for (apr_size_t i = 0; st == PWRESET_FORM_OK && i < count; i++) {
        if (!values[i]) {
            st = PWRESET_FORM_MISSING;
        }
    }
    if (st != PWRESET_FORM_OK) {
        for (apr_size_t i = 0; i < count; i++) {
            values[i] = NULL;
        }
    }
    return st;
}

const char *pwreset_json_object(apr_pool_t *p, ...)
{
    json_t *o = json_object();
    const char *name, *value, *out = NULL;
    char *dumped;
    va_list ap;

    if (!o) {
        return NULL;
    }
    va_start(ap, p);
    while ((name = va_arg(ap, const char *))) {
        value = va_arg(ap, const char *);
        if (!value) {
            continue;
        }
        if (name[0] == '@') {
            json_t *raw = json_loads(value, 0, NULL);

            if (raw) {
                json_object_set_new(o, name + 1, raw);
            }
        }
        else if (name[0] == '#') {
            json_object_set_new(o, name + 1,
                                json_integer(strtoll(value, NULL, 10)));
        }
        else {
            json_t *str = json_string(value);

            /* Not UTF-8 (a name stored in another encoding): its bytes
             * outside ASCII become '?', rather than the member going. */
            if (!str) {
                char *copy = apr_pstrdup(p, value);

                for (char *c = copy; *c; c++) {
                    *c = (unsigned char)*c > 0x7e ? '?' : *c;
                }
                str = json_string(copy);
            }
            json_object_set_new(o, name, str);
        }
    }
    va_end(ap);
    /* Keys in the order given; "/" left alone; non-ASCII as it is (the
     * answer is UTF-8). */
    dumped = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (dumped) {
        out = apr_pstrcat(p, dumped, "\n", NULL);
        free(dumped);
    }
    json_decref(o);
    return out;
}
