/* SPDX-License-Identifier: Apache-2.0 */
/* JSON in and out, through jansson (libjwt's own JSON library): a request
 * body holding exactly the fields asked for, as strictly as forms are
 * read, and the answers of the API.  Pure: APR and jansson. */
#ifndef PWRESET_JSON_H
#define PWRESET_JSON_H

#include <apr_pools.h>

#include "input.h"

/* Parse a JSON body that must be one object holding each of the
 * NULL-terminated `names` exactly once, as a string, and nothing else.
 * A repeated member, a member of another type, a NUL in a string, invalid
 * UTF-8 or anything after the object is PWRESET_FORM_MALFORMED (or the
 * status that says what). */
pwreset_form_status pwreset_json_parse(apr_pool_t *p, const char *data,
                                       apr_size_t len,
                                       const char *const *names,
                                       const char **values);

/* One JSON object, compact, from NULL-terminated pairs of a name and a
 * value: a string value as it is, or, for a name that starts with '#', a
 * decimal integer given as a string, or for one that starts with '@',
 * JSON text put in as it is (neither mark is written).  A NULL value
 * leaves the pair out. */
const char *pwreset_json_object(apr_pool_t *p, ...);

#endif
