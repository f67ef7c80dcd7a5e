/* SPDX-License-Identifier: Apache-2.0 */
/* Password quality.  See quality.h.
 *
 * cracklib keeps static state and is not thread-safe, and libpwquality's
 * settings are shared: settings are made once at start-up and never
 * changed, and every check runs under one process-wide mutex. */
#include "quality.h"

#include <apr_strings.h>
#include <pthread.h>
#include <pwquality.h>
#include <string.h>

struct pwreset_quality {
    pwquality_settings_t *settings;
};

/* cracklib's state is the process's, so is its lock: statically made, it
 * needs no pool and outlives every configuration cycle. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static apr_status_t free_settings(void *data)
{
    pwquality_free_settings(data);
    return APR_SUCCESS;
}

static const char *pwq_error(apr_pool_t *p, int rc, void *aux)
{
    char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
    const char *msg = pwquality_strerror(buf, sizeof(buf), rc, aux);

    return apr_pstrdup(p, msg ? msg : "unknown libpwquality error");
}

/* Dictionary and user checks on, no composition rules (NIST SP 800-63B). */
static void apply_defaults(pwquality_settings_t *settings)
{
    static const struct { int setting, value; } nist[] = {
        {PWQ_SETTING_DICT_CHECK, 1},      {PWQ_SETTING_USER_CHECK, 1},
        {PWQ_SETTING_MIN_LENGTH, 6},      /* ours is counted in characters */
        {PWQ_SETTING_DIG_CREDIT, 0},      {PWQ_SETTING_UP_CREDIT, 0},
        {PWQ_SETTING_LOW_CREDIT, 0},      {PWQ_SETTING_OTH_CREDIT, 0},
        {PWQ_SETTING_MIN_CLASS, 0},       {PWQ_SETTING_MAX_REPEAT, 0},
        {PWQ_SETTING_MAX_CLASS_REPEAT, 0}, {PWQ_SETTING_MAX_SEQUENCE, 0},
        {PWQ_SETTING_GECOS_CHECK, 0},     {PWQ_SETTING_ENFORCING, 1},
    };

    for (apr_size_t i = 0; i < sizeof(nist) / sizeof(nist[0]); i++) {
        pwquality_set_int_value(settings, nist[i].setting, nist[i].value);
    }
}

pwreset_quality *pwreset_quality_create(apr_pool_t *p,
                                        const char *config_file,
                                        const char **err)
{
    pwreset_quality *q = apr_pcalloc(p, sizeof(*q));
    void *aux = NULL;
    int rc;

    q->settings = pwquality_default_settings();
    if (!q->settings) {
        *err = "libpwquality could not allocate its settings";
        return NULL;
    }
    apr_pool_cleanup_register(p, q->settings, free_settings,
                              apr_pool_cleanup_null);
    apply_defaults(q->settings);
    if (config_file) {
        rc = pwquality_read_config(q->settings, config_file, &aux);
        if (rc != 0) {
            *err = pwq_error(p, rc, aux);
            return NULL;
        }
    }
    return q;
}

static int check_locked(pwquality_settings_t *settings, const char *password,
                        const char *user, void **aux)
{
    int rc;

    pthread_mutex_lock(&lock);
    rc = pwquality_check(settings, password, NULL, user, aux);
    pthread_mutex_unlock(&lock);
    return rc;
}

const char *pwreset_quality_selftest(apr_pool_t *p, pwreset_quality *q)
{
    pwquality_settings_t *probe;
    const char *dictpath = NULL, *err = NULL;
    void *aux = NULL;
    int dict = 0;
    int rc;

    pwquality_get_int_value(q->settings, PWQ_SETTING_DICT_CHECK, &dict);
    if (!dict) {
        return NULL; /* the admin's file turned it off */
    }
    /* A plain dictionary word must fail the dictionary check; a missing
     * dictionary shows as "error loading dictionary" instead.  The probe
     * has only our defaults and the admin's dictionary, so that no other
     * rule of the admin's file answers first. */
    probe = pwquality_default_settings();
    if (!probe) {
        return "libpwquality could not allocate its settings";
    }
    apply_defaults(probe);
    if (pwquality_get_str_value(q->settings, PWQ_SETTING_DICT_PATH, &dictpath)
            == 0 && dictpath) {
        pwquality_set_str_value(probe, PWQ_SETTING_DICT_PATH, dictpath);
    }
    rc = check_locked(probe, "elephant", NULL, &aux);
    if (rc != PWQ_ERROR_CRACKLIB_CHECK
        || (aux && strstr((const char *)aux, "loading"))) {
        err = apr_psprintf(p, "the cracklib dictionary check does not work "
                           "(%s): install cracklib-runtime",
                           rc < 0 ? pwq_error(p, rc, aux)
                                  : "a dictionary word passed");
    }
    pwquality_free_settings(probe);
    return err;
}

static int like_name(const char *password, const char *name)
{
    return *name && (!strcasecmp(password, name)
                     || (strlen(name) >= 4 && strcasestr(password, name)));
}

pwreset_msg pwreset_quality_check(apr_pool_t *p, pwreset_quality *q,
                                  const char *password, const char *username,
                                  const char *email, const char **detail)
{
    const char *at = email ? strchr(email, '@') : NULL;
    const char *local = at ? apr_pstrmemdup(p, email, at - email) : "";
    void *aux = NULL;
    int rc;

    *detail = NULL;
    if (like_name(password, username) || like_name(password, local)) {
        return PWRESET_MSG_PW_NAME;
    }
    rc = check_locked(q->settings, password, username, &aux);
    if (rc < 0) {
        *detail = pwq_error(p, rc, aux);
        return PWRESET_MSG_PW_WEAK;
    }
    return PWRESET_MSG_NONE;
}
