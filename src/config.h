/* Per-server configuration: one reset service per virtual host. */
#ifndef PWRESET_CONFIG_H
#define PWRESET_CONFIG_H

#include <httpd.h>
#include <http_config.h>
#include <apr_tables.h>

#include "limit.h"

#define PWRESET_UNSET (-1)

typedef struct {
    int configured;                 /* any PwReset directive here or above */
    apr_array_header_t *keys;       /* pwreset_key; first signs */
    const char *link_url;           /* absolute http(s) URL */
    const char *link_site;          /* its host, for the mail's words */
    const char *link_path;          /* its path: where the token arrives */
    const char *link_origin;        /* scheme://host[:port] */
    const char *update_url;
    const char *request_url;
    const char *request_url_abs;    /* absolute, for mail; NULL if unknown */
    const char *mail_from;
    const char *mail_domain;        /* right of '@' in mail_from */
    const char *const *sendmail_argv;
    int sendmail_timeout;           /* seconds */
    int token_lifetime;
    int form_lifetime;
    int min_length;
    int bcrypt_cost;
    const char *q_by_email;
    const char *q_by_name;
    const char *q_update;
    struct pwreset_quality *quality;
    pwreset_cache cache;            /* spec NULL: unset */
    pwreset_limit account_limit;    /* count PWRESET_UNSET: unset, 0: off */
    pwreset_limit client_limit;
    /* mod_dbd labels, derived from the SQL: servers that share a mod_dbd
     * configuration but not the statements never collide. */
    const char *l_by_email;
    const char *l_by_name;
    const char *l_update;
} pwreset_cfg;

extern const command_rec pwreset_cmds[];

void *pwreset_create_server_config(apr_pool_t *p, server_rec *s);
void *pwreset_merge_server_config(apr_pool_t *p, void *basev, void *addv);

#define PWRESET_DEFAULT_SENDMAIL "/usr/sbin/sendmail -t -i"

/* 1 when any abuse limit is on (and so the cache is needed). */
int pwreset_cfg_limits_on(const pwreset_cfg *c);

/* Fill in the defaults of everything left unset (after merging). */
void pwreset_cfg_finalize(pwreset_cfg *c, apr_pool_t *p);

/* The settings of a server. */
pwreset_cfg *pwreset_cfg_get(server_rec *s);

#endif
