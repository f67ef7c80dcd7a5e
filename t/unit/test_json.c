/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/core/json.c: JSON bodies read as strictly as forms,
 * and the answers written.  Prints TAP. */
#include "json.h"
#include "tap.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

static pwreset_form_status parse(const char *body, const char **v)
{
    static const char *const names[] = {"password", "confirm", NULL};

    return pwreset_json_parse(pool, body, strlen(body), names, v);
}

static void test_parse(void)
{
    const char *v[2];

    ok(parse("{\"password\":\"a b\",\"confirm\":\"a b\"}", v)
       == PWRESET_FORM_OK && !strcmp(v[0], "a b") && !strcmp(v[1], "a b"),
       "two strings");
    ok(parse("{\"confirm\":\"\\u00e9t\\u00e9\",\"password\":\"x\"}", v)
       == PWRESET_FORM_OK && !strcmp(v[1], "\xc3\xa9t\xc3\xa9"),
       "any order, \\u escapes decoded to UTF-8");
    ok(parse("{\"password\":\"a\",\"confirm\":\"b\",\"password\":\"c\"}", v)
       == PWRESET_FORM_MALFORMED, "a repeated member is refused");
    ok(parse("{\"password\":\"a\"}", v) == PWRESET_FORM_MISSING, "missing");
    ok(parse("{\"password\":\"a\",\"confirm\":\"a\",\"x\":1}", v)
       == PWRESET_FORM_UNKNOWN, "an extra member");
    ok(parse("{\"password\":12345678901234,\"confirm\":\"a\"}", v)
       == PWRESET_FORM_MALFORMED, "a number where a string goes");
    ok(parse("{\"password\":[\"a\"],\"confirm\":\"a\"}", v)
       == PWRESET_FORM_MALFORMED, "an array where a string goes");
    ok(parse("{\"password\":null,\"confirm\":\"a\"}", v)
       == PWRESET_FORM_MALFORMED, "null where a string goes");
    ok(parse("{\"password\":\"a\\u0000b\",\"confirm\":\"a\"}", v)
       == PWRESET_FORM_MALFORMED, "\\u0000 in a string");
    ok(parse("{\"password\":\"a\xff\",\"confirm\":\"a\"}", v)
       == PWRESET_FORM_MALFORMED, "invalid UTF-8");
    ok(parse("[\"a\",\"b\"]", v) == PWRESET_FORM_MALFORMED, "not an object");
    ok(parse("{\"password\":\"a\",\"confirm\":\"a\"} {}", v)
       == PWRESET_FORM_MALFORMED, "something after the object");
    ok(parse("{\"password\":\"a\",", v) == PWRESET_FORM_MALFORMED,
       "cut short");
    ok(parse("", v) == PWRESET_FORM_MALFORMED, "empty");
    ok(pwreset_json_parse(pool, "{\"password\":\"a\",\"confirm\":\"a\"}x",
                          strlen("{\"password\":\"a\",\"confirm\":\"a\"}"),
                          (const char *const[]){"password", "confirm", NULL},
                          v) == PWRESET_FORM_OK,
       "only the length given is read");
    ok(parse("{\"password\":\"a\",\"confirm\":1}", v) == PWRESET_FORM_MALFORMED
       && v[0] == NULL && v[1] == NULL, "nothing half-read on a refusal");
}

static void test_write(void)
{
    is_str(pwreset_json_object(pool, "error", "password_too_short",
                               "message", "Zu \"kurz\" \xc3\xa4</script>",
                               NULL),
           "{\"error\":\"password_too_short\",\"message\":"
           "\"Zu \\\"kurz\\\" \xc3\xa4</script>\"}\n",
           "strings escaped, UTF-8 kept");
    is_str(pwreset_json_object(pool, "username", "bob", "#min_length", "12",
                               "#expires_in", "599", NULL),
           "{\"username\":\"bob\",\"min_length\":12,\"expires_in\":599}\n",
           "numbers, in the order given");
    is_str(pwreset_json_object(pool, "a", NULL, "@fields", "[\"email\"]",
                               NULL),
           "{\"fields\":[\"email\"]}\n", "NULL left out, raw JSON in");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_parse();
    test_write();
    return done_testing();
}
