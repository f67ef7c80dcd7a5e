/* SPDX-License-Identifier: Apache-2.0 */
/* The request, link and update flows (docs/DESIGN.md), built from the pure
 * pieces (token, page, input, password) and the store and delivery glue.
 *
 * Every response is a page of our own, sent with r->status set and OK
 * returned, so that refusals carry the same headers as everything else.
 * Headers go in r->err_headers_out, which survives every status. */
#include "handlers.h"
#include "breached.h"
#include "delivery.h"
#include "limit.h"
#include "mod_pwreset_private.h"
#include "status.h"
#include "store.h"
#include "core/common.h"
#include "core/input.h"
#include "core/json.h"
#include "core/lang.h"
#include "core/page.h"
#include "core/password.h"
#include "core/quality.h"
#include "core/token.h"

#include <apr_atomic.h>
#include <apr_md5.h> /* apr_password_validate */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_cookies.h>

/* Every form of ours fits: an address of 254 bytes or two passwords of 72,
 * each %-escaped, with room to spare. */
#define FORM_MAX 4096
/* On https the cookie carries the __Secure- prefix: a browser then takes
 * it only from a secure origin with the Secure attribute, so a page on
 * plain http (or a man in the middle there) cannot plant one. */
#define COOKIE_NAME "pwreset_form"
#define COOKIE_NAME_SECURE "__Secure-pwreset_form"
#define RETRY_AFTER "60"

typedef enum { SERVE_REQUEST, SERVE_LINK, SERVE_UPDATE } serve_kind;

/* What a request of ours carries between hooks. */
typedef struct {
    const char *link_args;   /* the query string before it was hidden */
    int body_read;           /* the whole body has been read */
    int json;                /* answer in JSON (see wants_json()) */
    pwreset_page_ctx ctx;    /* the language and the site's name */
} req_state;

static req_state *state_of(request_rec *r)
{
    req_state *st = ap_get_module_config(r->request_config, &pwreset_module);

    if (!st) {
        st = apr_pcalloc(r->pool, sizeof(*st));
        ap_set_module_config(r->request_config, &pwreset_module, st);
    }
    return st;
}

/* Every configured server gets password checks that work: a missing
 * cracklib dictionary stops httpd here rather than letting weak passwords
 * through later.  Servers with the same PwResetQualityConfig (most often
 * none) share one checker. */
static int make_quality(apr_pool_t *pconf, server_rec *s,
                        const pwreset_settings *cfg)
{
    pwreset_cycle *cycle = pwreset_cycle_get();
    const char *file = pwreset_cfg_quality_config(cfg);
    const char *key = file ? file : "";
    const char *err = NULL;
    pwreset_quality *q = apr_hash_get(cycle->qualities, key,
                                      APR_HASH_KEY_STRING);

    if (!q) {
        q = pwreset_quality_create(pconf, file, &err);
        if (q) {
            err = pwreset_quality_selftest(pconf, q);
        }
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, PWRLOGNO(0007)
                         "password checks unavailable: %s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        apr_hash_set(cycle->qualities, key, APR_HASH_KEY_STRING, q);
    }
    pwreset_runtime_make(s)->quality = q;
    return OK;
}

/* ---- responses ------------------------------------------------------ */

/* What an answer says; each is a page, or a JSON object standing for it. */
typedef enum {
    PAGE_REQUEST,       /* the request form (msg: what was wrong) */
    PAGE_SENT,          /* the answer to every well-formed request */
    PAGE_INVALID,       /* the link or the form is invalid or expired */
    PAGE_UPDATE,        /* the new-password form (msg: what was wrong) */
    PAGE_CHANGED,
    PAGE_SEE_OTHER,     /* the link's 303 */
    PAGE_TOO_MANY,
    PAGE_FORBIDDEN,
    PAGE_METHOD,
    PAGE_UNAVAILABLE,
    PAGE_ERROR,
    PAGE_KINDS
} page_kind;

/* What the new-password form shows besides a message. */
typedef struct {
    const char *username;
    int min_length;
    long expires_in;         /* seconds the form cookie has left */
} form_info;

static const char *html_of(apr_pool_t *p, const pwreset_page_ctx *c,
                           page_kind kind, pwreset_msg msg,
                           const char *detail, const form_info *form)
{
    switch (kind) {
    case PAGE_REQUEST:
        return pwreset_page_request(p, c, msg);
    case PAGE_SENT:
        return pwreset_page_request_sent(p, c);
    case PAGE_INVALID:
        return pwreset_page_invalid(p, c);
    case PAGE_UPDATE:
        return pwreset_page_update(p, c, form->username, msg, detail,
                                   form->min_length, form->expires_in);
    case PAGE_CHANGED:
        return pwreset_page_changed(p, c);
    case PAGE_SEE_OTHER:
        return pwreset_page_see_other(p, c);
    case PAGE_TOO_MANY:
        return pwreset_page_too_many(p, c);
    case PAGE_FORBIDDEN:
        return pwreset_page_forbidden(p, c);
    case PAGE_METHOD:
        return pwreset_page_method(p, c);
    case PAGE_UNAVAILABLE:
        return pwreset_page_unavailable(p, c);
    default:
        return pwreset_page_error(p, c);
    }
}

/* The pages that say the same to everyone (every kind but the
 * new-password form, without a message): made here for each language, so
 * that a request only picks one.  pages[language * PAGE_KINDS + kind]. */
static const char *const *make_pages(apr_pool_t *pconf,
                                     const pwreset_settings *cfg)
{
    pwreset_page_ctx c;
    const char **pages;
    int langs = 0;

    while (pwreset_languages[langs]) {
        langs++;
    }
    pages = apr_pcalloc(pconf, sizeof(*pages) * langs * PAGE_KINDS);
    c.site = pwreset_cfg_site(cfg);
    c.templates = pwreset_cfg_templates(cfg);
    c.request_url = pwreset_cfg_request_url(cfg);
    for (int l = 0; l < langs; l++) {
        c.lang = pwreset_languages[l];
        for (int k = 0; k < PAGE_KINDS; k++) {
            if (k != PAGE_UPDATE) {
                pages[l * PAGE_KINDS + k] = html_of(pconf, &c, k,
                                                    PWRESET_MSG_NONE, NULL,
                                                    NULL);
            }
        }
    }
    return pages;
}

/* One of those, or NULL when the page must be made for this request. */
static const char *made_page(const pwreset_runtime *rt,
                             const pwreset_page_ctx *c, page_kind kind,
                             pwreset_msg msg)
{
    if (!rt || !rt->pages || kind == PAGE_UPDATE
        || msg != PWRESET_MSG_NONE) {
        return NULL;
    }
    for (int l = 0; pwreset_languages[l]; l++) {
        if (pwreset_languages[l] == c->lang) {
            return rt->pages[l * PAGE_KINDS + kind];
        }
    }
    return NULL;
}

int pwreset_handlers_post_config(apr_pool_t *pconf, server_rec *s)
{
    /* Even an unconfigured handler answers (500) with the usual headers. */
    pwreset_cycle_get()->csp = pwreset_page_csp(pconf, NULL, NULL);
    for (server_rec *sp = s; sp; sp = sp->next) {
        const pwreset_settings *cfg = pwreset_cfg_get(sp);
        int rc;

        if (!cfg->configured) {
            continue;
        }
        if ((rc = make_quality(pconf, sp, cfg)) != OK) {
            return rc;
        }
        /* The templates' own <style> elements, by their hashes, and the
         * site's sources. */
        pwreset_runtime_make(sp)->csp = pwreset_page_csp(pconf,
            pwreset_templates_styles(pwreset_cfg_templates(cfg)),
            pwreset_cfg_csp_extra(cfg));
        pwreset_runtime_make(sp)->pages = make_pages(pconf, cfg);
    }
    return OK;
}

/* The message that stands for a page in JSON, when it has none of its
 * own. */
static pwreset_msg page_message(page_kind kind, pwreset_msg msg)
{
    static const pwreset_msg of[] = {
        [PAGE_REQUEST] = PWRESET_MSG_FORM_MALFORMED,
        [PAGE_SENT] = PWRESET_MSG_SENT,
        [PAGE_INVALID] = PWRESET_MSG_INVALID,
        [PAGE_UPDATE] = PWRESET_MSG_FORM_MALFORMED,
        [PAGE_CHANGED] = PWRESET_MSG_CHANGED,
        [PAGE_SEE_OTHER] = PWRESET_MSG_NONE,
        [PAGE_TOO_MANY] = PWRESET_MSG_TOO_MANY,
        [PAGE_FORBIDDEN] = PWRESET_MSG_FORBIDDEN,
        [PAGE_METHOD] = PWRESET_MSG_METHOD,
        [PAGE_UNAVAILABLE] = PWRESET_MSG_UNAVAILABLE,
        [PAGE_ERROR] = PWRESET_MSG_ERROR,
    };

    return msg != PWRESET_MSG_NONE ? msg : of[kind];
}

/* The JSON answer: {"error": code, "message": words} for a refusal, what
 * the form needs for a GET of the update URL, {"status": ..., "message":
 * ...} for the rest.  Codes are stable (README.md lists them); messages
 * are in the negotiated language. */
static const char *json_of(request_rec *r, int status, page_kind kind,
                           pwreset_msg msg, const char *detail,
                           const form_info *form)
{
    const pwreset_page_ctx *c = &state_of(r)->ctx;
    pwreset_msg m = page_message(kind, msg);
    const char *words = pwreset_page_message(r->pool, c, m, detail);

    if (status >= 400) {
        return pwreset_json_object(r->pool, "error", pwreset_msg_code(m),
                                   "message", words, NULL);
    }
    if (kind == PAGE_UPDATE) {
        return pwreset_json_object(r->pool, "username", form->username,
                                   "#min_length",
                                   apr_itoa(r->pool, form->min_length),
                                   "#expires_in",
                                   apr_ltoa(r->pool, form->expires_in), NULL);
    }
    if (kind == PAGE_REQUEST) {
        return pwreset_json_object(r->pool, "@fields", "[\"email\"]", NULL);
    }
    return pwreset_json_object(r->pool, "status", pwreset_msg_code(m),
                               "message", words, NULL);
}

/* Send an answer: a page, or JSON when the request asked for it.  Every
 * header goes in err_headers_out, which survives every status. */
static int answer(request_rec *r, int status,
                  page_kind kind, pwreset_msg msg, const char *detail,
                  const form_info *form)
{
    apr_table_t *h = r->err_headers_out;
    const pwreset_runtime *rt = pwreset_runtime_get(r->server);
    const pwreset_page_ctx *c = &state_of(r)->ctx;
    int json = state_of(r)->json && kind != PAGE_SEE_OTHER;
    const char *body;
    apr_size_t len;

    if (json) {
        body = json_of(r, status, kind, msg, detail, form);
    }
    else if (!(body = made_page(rt, c, kind, msg))) {
        body = html_of(r->pool, c, kind, msg, detail, form);
    }

    if (!body) {
        /* Out of memory in jansson: still a JSON answer. */
        status = HTTP_INTERNAL_SERVER_ERROR;
        body = json ? "{\"error\":\"server_error\"}\n" : "";
    }
    len = strlen(body);
    apr_table_setn(h, "Cache-Control", "no-store");
    apr_table_setn(h, "Referrer-Policy", "no-referrer");
    apr_table_setn(h, "X-Content-Type-Options", "nosniff");
    apr_table_setn(h, "Content-Security-Policy",
                   rt && rt->csp ? rt->csp : pwreset_cycle_get()->csp);
    /* A body we did not read (refused before reading, or too big) is not
     * read now either: httpd would read up to LimitRequestBody to keep the
     * connection.  Close it instead. */
    if (r->method_number == M_POST && !state_of(r)->body_read) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    r->status = status;
    ap_set_content_type(r, json ? "application/json"
                                : "text/html; charset=utf-8");
    ap_set_content_length(r, len);
    if (!r->header_only) {
        ap_rwrite(body, (int)len, r);
    }
    return OK;
}

static int send_invalid(request_rec *r)
{
    return answer(r, HTTP_BAD_REQUEST, PAGE_INVALID, PWRESET_MSG_NONE,
                  NULL, NULL);
}

static int send_unavailable(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Retry-After", RETRY_AFTER);
    return answer(r, HTTP_SERVICE_UNAVAILABLE, PAGE_UNAVAILABLE,
                  PWRESET_MSG_NONE, NULL, NULL);
}

static int send_server_error(request_rec *r)
{
    return answer(r, HTTP_INTERNAL_SERVER_ERROR, PAGE_ERROR,
                  PWRESET_MSG_NONE, NULL, NULL);
}

/* ---- language and format --------------------------------------------- */

/* The q-value of one media type in an Accept header, in thousandths (0
 * when absent, or malformed). */
static int accept_q(const char *accept, const char *type)
{
    apr_size_t n = strlen(type);
    int best = 0;

    while (accept && *accept) {
        apr_size_t len = strcspn(accept, ",");
        const char *t = accept, *end = accept + len;

        while (t < end && (*t == ' ' || *t == '\t')) {
            t++;
        }
        if ((apr_size_t)(end - t) >= n && !strncasecmp(t, type, n)
            && (t + n == end || t[n] == ';' || t[n] == ' ')) {
            const char *semi = memchr(t, ';', (apr_size_t)(end - t));
            int q = semi ? pwreset_param_q(semi + 1,
                                           (apr_size_t)(end - semi - 1))
                         : 1000;

            best = q > best ? q : best;
        }
        accept = *end ? end + 1 : end;
    }
    return best;
}

static int is_type(const char *ct, const char *type)
{
    apr_size_t n = strlen(type);

    return ct && !strncasecmp(ct, type, n)
           && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* JSON is answered to a JSON body, and to an Accept that ranks
 * application/json at least as high as text/html (browsers name text/html;
 * "any type" alone does not count). */
static int wants_json(request_rec *r)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");
    int json;

    if (r->method_number == M_POST
        && is_type(apr_table_get(r->headers_in, "Content-Type"),
                   "application/json")) {
        return 1;
    }
    json = accept_q(accept, "application/json");
    return json > 0 && json >= accept_q(accept, "text/html");
}

/* The language and the format of the answer, and what they depend on. */
static void choose_answer(request_rec *r, const pwreset_settings *cfg,
                          serve_kind kind)
{
    req_state *st = state_of(r);
    const pwreset_lang *forced = pwreset_cfg_language(cfg);

    st->ctx.site = pwreset_cfg_site(cfg);
    st->ctx.templates = pwreset_cfg_templates(cfg);
    st->ctx.request_url = pwreset_cfg_request_url(cfg);
    if (forced) {
        st->ctx.lang = forced;
    }
    else {
        st->ctx.lang = pwreset_lang_negotiate(
            apr_table_get(r->headers_in, "Accept-Language"));
        apr_table_mergen(r->err_headers_out, "Vary", "Accept-Language");
    }
    /* The link is a browser's: always a page and a redirect. */
    if (kind != SERVE_LINK) {
        st->json = wants_json(r);
        apr_table_mergen(r->err_headers_out, "Vary", "Accept");
    }
}

/* The client limit: POSTs from one client address (r->useragent_ip, so
 * that mod_remoteip applies) to the request and update handlers.  Returns 0,
 * or 1 after answering 429 itself. */
static int past_client_limit(request_rec *r, const pwreset_settings *cfg)
{
    const pwreset_limit *l = pwreset_cfg_client_limit(cfg);
    long retry = 0;

    /* An IPv6 client has a /64 to itself: counted as one. */
    if (!pwreset_limit_hit(r->server, l, "client",
                           pwreset_client_key(r->pool, r->useragent_ip),
                           r->request_time, &retry, r->pool)) {
        return 0;
    }
    pwreset_stat_add(PWRESET_STAT_CLIENT_LIMIT, 1);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PWRLOGNO(0120) "client limit "
                  "reached (%d POSTs in %d s)", l->count, l->window);
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_ltoa(r->pool, retry));
    answer(r, HTTP_TOO_MANY_REQUESTS, PAGE_TOO_MANY, PWRESET_MSG_NONE,
           NULL, NULL);
    return 1;
}

/* ---- forged forms --------------------------------------------------- */

/* 1 when `origin` (normalised) is one the admin named: a
 * PwResetTrustedOrigin, or PwResetLinkURL's. */
static int named_origin(request_rec *r, const pwreset_settings *cfg,
                        const char *o)
{
    const apr_array_header_t *trusted = pwreset_cfg_trusted_origins(cfg);
    const pwreset_link *link = pwreset_cfg_link(cfg);

    if (link && !strcmp(o, pwreset_origin_normalize(r->pool, link->origin))) {
        return 1;
    }
    for (int i = 0; trusted && i < trusted->nelts; i++) {
        if (!strcmp(o, APR_ARRAY_IDX(trusted, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

/* 1 when `o` (normalised) is this request's own origin, as the browser
 * addressed it. */
static int request_origin(request_rec *r, const char *o)
{
    return r->hostname
           && !strcmp(o, pwreset_origin_make(r->pool, ap_http_scheme(r),
                                             r->hostname,
                                             ap_get_server_port(r)));
}

/* A POST a browser says comes from another site.  Sec-Fetch-Site decides
 * when it is there: same-origin and none (typed, bookmarked) pass;
 * same-site and cross-site pass only from an origin the admin named (a
 * PwResetTrustedOrigin, PwResetLinkURL's), never from whatever the Host
 * header says.  Without it, Origin decides when it is there: this
 * request's own origin or a named one.  Clients that send neither (curl,
 * old browsers) are served: they are not a victim's browser. */
static const char *forged(request_rec *r, const pwreset_settings *cfg)
{
    const char *fetch = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *o = origin ? pwreset_origin_normalize(r->pool, origin) : NULL;

    if (fetch) {
        if (!strcasecmp(fetch, "same-origin") || !strcasecmp(fetch, "none")) {
            return NULL;
        }
        return o && named_origin(r, cfg, o) ? NULL : "Sec-Fetch-Site";
    }
    if (origin && !(o && (request_origin(r, o) || named_origin(r, cfg, o)))) {
        return "Origin";
    }
    return NULL;
}

/* Returns 0, or 1 after refusing a forged POST with 403 itself. */
static int refused_as_forged(request_rec *r, const pwreset_settings *cfg)
{
    const char *why = forged(r, cfg);
    const char *value;

    if (!why) {
        return 0;
    }
    value = apr_table_get(r->headers_in, why);
    pwreset_stat_add(PWRESET_STAT_FORGED, 1);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PWRLOGNO(0122) "a POST sent "
                  "from another site was refused (%s: %.80s)", why,
                  ap_escape_logitem(r->pool, value));
    answer(r, HTTP_FORBIDDEN, PAGE_FORBIDDEN, PWRESET_MSG_NONE, NULL,
           NULL);
    return 1;
}

static int method_not_allowed(request_rec *r, const char *allow)
{
    apr_table_setn(r->err_headers_out, "Allow", allow);
    return answer(r, HTTP_METHOD_NOT_ALLOWED, PAGE_METHOD,
                  PWRESET_MSG_NONE, NULL, NULL);
}

/* ---- the form cookie ------------------------------------------------ */

static int is_https(request_rec *r)
{
    return !strcasecmp(ap_http_scheme(r), "https");
}

static void set_form_cookie(request_rec *r, const pwreset_settings *cfg,
                            const char *value, long max_age)
{
    int secure = is_https(r);

    apr_table_addn(r->err_headers_out, "Set-Cookie", apr_psprintf(r->pool,
                   "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
                   secure ? COOKIE_NAME_SECURE : COOKIE_NAME, value,
                   pwreset_cfg_update_url(cfg), max_age, secure ? "; Secure" : ""));
}

/* ---- reading input -------------------------------------------------- */

/* Read the whole body of a POST (a form or JSON) into *body.  Returns OK
 * or the status to answer with; never more than FORM_MAX bytes are kept. */
static int read_body(request_rec *r, const char **body, apr_size_t *len)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    char *buf = apr_palloc(r->pool, FORM_MAX + 1);
    apr_size_t got = 0;
    long n;

    if (!is_type(ct, "application/x-www-form-urlencoded")
        && !is_type(ct, "application/json")) {
        return HTTP_UNSUPPORTED_MEDIA_TYPE;
    }
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return HTTP_BAD_REQUEST;
    }
    if (r->remaining > FORM_MAX) {
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (ap_should_client_block(r)) {
        while ((n = ap_get_client_block(r, buf + got, FORM_MAX + 1 - got))
               > 0) {
            got += (apr_size_t)n;
            if (got > FORM_MAX) {
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
        }
        if (n < 0) {
            return HTTP_BAD_REQUEST;
        }
    }
    buf[got] = '\0';
    *body = buf;
    *len = got;
    state_of(r)->body_read = 1;
    return OK;
}

/* Read and parse a POSTed form, or JSON object, holding exactly `names`.
 * Returns OK, or the status to answer with and *problem, what to say. */
static int read_form(request_rec *r, const char *const *names,
                     const char **values, pwreset_msg *problem)
{
    const char *body = NULL;
    apr_size_t len = 0;
    int status = read_body(r, &body, &len);

    if (status != OK) {
        *problem = status == HTTP_UNSUPPORTED_MEDIA_TYPE
                       ? PWRESET_MSG_FORM_TYPE
                   : status == HTTP_REQUEST_ENTITY_TOO_LARGE
                       ? PWRESET_MSG_FORM_TOO_LARGE
                       : PWRESET_MSG_FORM_UNREADABLE;
        return status;
    }
    if ((is_type(apr_table_get(r->headers_in, "Content-Type"),
                 "application/json")
             ? pwreset_json_parse(r->pool, body, len, names, values)
             : pwreset_form_parse(r->pool, body, len, names, values))
        != PWRESET_FORM_OK) {
        *problem = PWRESET_MSG_FORM_MALFORMED;
        return HTTP_BAD_REQUEST;
    }
    return OK;
}

/* ---- settings ------------------------------------------------------- */

static const char *missing_setting(const pwreset_settings *cfg,
                                   serve_kind kind)
{
    if (!cfg->configured || !pwreset_cfg_keys(cfg)) {
        return "PwResetSecretFile";
    }
    if (kind == SERVE_REQUEST && !pwreset_cfg_link(cfg)) {
        return "PwResetLinkURL";
    }
    if (kind != SERVE_REQUEST && !pwreset_cfg_update_url(cfg)) {
        return "PwResetUpdateURL";
    }
    if (kind != SERVE_LINK && !pwreset_cfg_sender(cfg)) {
        return "PwResetMailFrom";
    }
    return NULL;
}

/* ---- pwreset-request ------------------------------------------------ */

static pwreset_msg address_problem(pwreset_addr_status st)
{
    return st == PWRESET_ADDR_EMPTY    ? PWRESET_MSG_ADDR_EMPTY
         : st == PWRESET_ADDR_TOO_LONG ? PWRESET_MSG_ADDR_TOO_LONG
                                       : PWRESET_MSG_ADDR_INVALID;
}

static int serve_request(request_rec *r, const pwreset_settings *cfg)
{
    static const char *const names[] = {"email", NULL};
    const char *values[1], *email;
    pwreset_msg problem = PWRESET_MSG_NONE;
    char *lower;
    pwreset_addr_status st;
    int status, limited;

    if (r->method_number == M_GET) {
        return answer(r, HTTP_OK, PAGE_REQUEST, PWRESET_MSG_NONE, NULL,
                      NULL);
    }
    if (r->method_number != M_POST) {
        return method_not_allowed(r, "GET, HEAD, POST");
    }
    if (refused_as_forged(r, cfg) || past_client_limit(r, cfg)) {
        return OK;
    }
    status = read_form(r, names, values, &problem);
    if (status != OK) {
        return answer(r, status, PAGE_REQUEST, problem, NULL, NULL);
    }
    email = pwreset_trim(r->pool, values[0]);
    st = pwreset_addr_check(email);
    if (st != PWRESET_ADDR_OK) {
        return answer(r, HTTP_BAD_REQUEST, PAGE_REQUEST,
                      address_problem(st), NULL, NULL);
    }
    /* From here on, nothing depends on whether the address has an account:
     * the delivery thread finds out, after this response is gone.  The
     * account limit is counted here for every address alike (lower-cased,
     * as the default query compares), and there again per account.  A full
     * queue is logged there and answered the same way here. */
    lower = apr_pstrdup(r->pool, email);
    ap_str_tolower(lower);
    limited = pwreset_limit_hit(r->server, pwreset_cfg_account_limit(cfg),
                                "account", lower, r->request_time, NULL,
                                r->pool);
    pwreset_stat_add(PWRESET_STAT_REQUESTS, 1);
    pwreset_delivery_reset(r->server, email, r->useragent_ip,
                           r->request_time, state_of(r)->ctx.lang, limited);
    return answer(r, HTTP_OK, PAGE_SENT, PWRESET_MSG_NONE, NULL, NULL);
}

/* ---- tokens against the store --------------------------------------- */

typedef enum { CHECK_OK, CHECK_INVALID, CHECK_UNAVAILABLE } check_result;

/* Verify a token and that its account still has the hash it was made for.
 * On CHECK_OK, *user is that account. */
static check_result check_token(request_rec *r, const pwreset_settings *cfg,
                                const char *token, pwreset_purpose purpose,
                                pwreset_user **user, long *expires)
{
    pwreset_claims claims;
    pwreset_token_status st;

    st = pwreset_token_verify(r->pool, pwreset_cfg_keys(cfg), token, purpose,
                              (long)apr_time_sec(r->request_time),
                              purpose == PWRESET_PURPOSE_LINK
                                  ? pwreset_cfg_token_lifetime(cfg)
                                  : pwreset_cfg_form_lifetime(cfg),
                              &claims);
    if (st != PWRESET_TOKEN_OK) {
        pwreset_stat_add(st == PWRESET_TOKEN_EXPIRED
                             ? PWRESET_STAT_TOKENS_EXPIRED
                             : PWRESET_STAT_TOKENS_INVALID, 1);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PWRLOGNO(0110) "%s token "
                      "refused: %s", purpose == PWRESET_PURPOSE_LINK
                      ? "link" : "form", pwreset_token_status_str(st));
        return CHECK_INVALID;
    }
    if (pwreset_store_by_name(r->pool, r->server, claims.sub, user)
        != APR_SUCCESS) {
        return CHECK_UNAVAILABLE;
    }
    if (!*user) {
        pwreset_stat_add(PWRESET_STAT_TOKENS_NO_USER, 1);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PWRLOGNO(0111) "token refused: "
                      "user %s no longer exists", claims.sub);
        return CHECK_INVALID;
    }
    if (!pwreset_token_matches(r->pool, &claims, (*user)->hash)) {
        pwreset_stat_add(PWRESET_STAT_TOKENS_USED, 1);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PWRLOGNO(0112) "token refused: "
                      "the password of user %s changed since it was made",
                      claims.sub);
        return CHECK_INVALID;
    }
    *expires = claims.exp;
    return CHECK_OK;
}

static int answer_check(request_rec *r, check_result res)
{
    return res == CHECK_UNAVAILABLE ? send_unavailable(r)
                                    : send_invalid(r);
}

/* ---- pwreset-link --------------------------------------------------- */

/* The mailed token must never reach a log: take it out of everything that
 * mod_log_config and the error log read, before anything is logged. */
static void hide_one(request_rec *r)
{
    const char *hidden = "token=[hidden]";
    const char *path = r->parsed_uri.path ? r->parsed_uri.path : r->uri;

    if (!r->args) {
        return;
    }
    r->args = apr_pstrdup(r->pool, hidden);
    r->parsed_uri.query = r->args;
    r->unparsed_uri = apr_pstrcat(r->pool, path, "?", hidden, NULL);
    /* An HTTP/0.9 request line has no protocol. */
    r->the_request = r->assbackwards
        ? apr_pstrcat(r->pool, r->method, " ", r->unparsed_uri, NULL)
        : apr_pstrcat(r->pool, r->method, " ", r->unparsed_uri, " ",
                      r->protocol, NULL);
}

/* The request, and those it was redirected from internally, whose request
 * lines mod_log_config may log. */
static void hide_query(request_rec *r)
{
    for (; r; r = r->prev) {
        hide_one(r);
    }
}

/* As early as httpd lets a module see a request: a request for the path of
 * PwResetLinkURL has its token taken out of everything that is logged or
 * shown (the scoreboard, mod_status) before any of it is, and kept aside
 * for the link handler. */
/* 1 when r->uri, as httpd will read it once normalised (%-escapes of
 * unreserved characters decoded, "//" merged, "." and ".." resolved), is
 * `path`: "/reset//link" and "/reset/%6cink" reach the same handler. */
static int same_path(request_rec *r, const char *path)
{
    char *uri = apr_pstrdup(r->pool, r->uri);

    if (!strcmp(uri, path)) {
        return 1;
    }
    return ap_normalize_path(uri, AP_NORMALIZE_NOT_ABOVE_ROOT
                                      | AP_NORMALIZE_DECODE_UNRESERVED
                                      | AP_NORMALIZE_MERGE_SLASHES)
           && ap_unescape_url(uri) == OK && !strcmp(uri, path);
}

int pwreset_handlers_post_read_request(request_rec *r)
{
    const pwreset_settings *cfg = pwreset_cfg_get(r->server);
    const pwreset_link *link = cfg ? pwreset_cfg_link(cfg) : NULL;

    if (link && r->args && r->uri && same_path(r, link->path)) {
        state_of(r)->link_args = r->args;
        hide_query(r);
    }
    return DECLINED;
}

/* How often a process says that the link is served elsewhere: anyone can
 * send a request that reaches the handler at another path (<Location>
 * matches a prefix), so a one-time warning could be used up by them. */
#define LATE_WARNING_EVERY apr_time_from_sec(600)

/* The link served at a path other than PwResetLinkURL's (an Alias, a
 * rewrite, a proxy that strips a prefix): its token could only be hidden
 * now, and showed until then in mod_status and to the modules that ran
 * before. */
static void warn_late_hiding(request_rec *r, const pwreset_settings *cfg)
{
    static volatile apr_uint64_t next;
    apr_uint64_t due = apr_atomic_read64(&next);
    const pwreset_link *link = pwreset_cfg_link(cfg);

    if ((apr_uint64_t)r->request_time < due
        || apr_atomic_cas64(&next,
                            (apr_uint64_t)(r->request_time
                                           + LATE_WARNING_EVERY),
                            due) != due) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, PWRLOGNO(0121)
                  "pwreset-link serves %s, not the path of PwResetLinkURL "
                  "(%s): the token could show in mod_status until the "
                  "handler hid it; serve the link at PwResetLinkURL's path "
                  "(said at most every 10 minutes)",
                  ap_escape_logitem(r->pool, r->uri),
                  link ? link->path : "(not set)");
}

/* `args` is the query string as it came, before hide_query(). */
static int serve_link(request_rec *r, const pwreset_settings *cfg,
                      const char *args)
{
    static const char *const names[] = {"token", NULL};
    const char *values[1];
    const pwreset_key *key;
    const char *form_token;
    pwreset_user *user = NULL;
    check_result res;
    long expires = 0;

    if (r->method_number != M_GET) {
        return method_not_allowed(r, "GET, HEAD");
    }
    if (pwreset_form_parse(r->pool, args, strlen(args), names, values)
        != PWRESET_FORM_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PWRLOGNO(0113) "link without "
                      "exactly one token parameter");
        return send_invalid(r);
    }
    res = check_token(r, cfg, values[0], PWRESET_PURPOSE_LINK, &user,
                      &expires);
    if (res != CHECK_OK) {
        return answer_check(r, res);
    }
    /* A GET changes nothing: the link stays usable until the password
     * changes.  The form token moves into a cookie and the mailed one
     * leaves the address bar. */
    key = &APR_ARRAY_IDX(pwreset_cfg_keys(cfg), 0, pwreset_key);
    form_token = pwreset_token_issue(r->pool, key, PWRESET_PURPOSE_FORM,
                                     user->username, user->hash,
                                     (long)apr_time_sec(r->request_time),
                                     pwreset_cfg_form_lifetime(cfg));
    if (!form_token) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PWRLOGNO(0114) "could not make "
                      "a form token for user %s", user->username);
        return send_server_error(r);
    }
    set_form_cookie(r, cfg, form_token, pwreset_cfg_form_lifetime(cfg));
    apr_table_setn(r->headers_out, "Location", pwreset_cfg_update_url(cfg));
    pwreset_stat_add(PWRESET_STAT_LINKS_ACCEPTED, 1);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  PWRLOGNO(0115) "reset link of user "
                  "%s accepted", user->username);
    return answer(r, HTTP_SEE_OTHER, PAGE_SEE_OTHER, PWRESET_MSG_NONE,
                  NULL, NULL);
}

/* ---- pwreset-update ------------------------------------------------- */

/* The rules, in the order a person can best act on them. */
static pwreset_msg new_password_problem(request_rec *r,
                                        const pwreset_settings *cfg,
                                        const pwreset_user *user,
                                        const char *password,
                                        const char *confirm,
                                        const char **detail)
{
    pwreset_msg problem = pwreset_password_check(password, confirm,
                                                 pwreset_cfg_min_length(cfg));

    *detail = NULL;
    if (problem != PWRESET_MSG_NONE) {
        return problem;
    }
    /* The lists before bcrypt: they cost microseconds, it milliseconds. */
    if (pwreset_common_password(password)) {
        return PWRESET_MSG_PW_COMMON;
    }
    if (pwreset_breached_password(r->server, password)) {
        return PWRESET_MSG_PW_BREACHED;
    }
    if (apr_password_validate(password, user->hash) == APR_SUCCESS) {
        return PWRESET_MSG_PW_CURRENT;
    }
    return pwreset_quality_check(r->pool,
                                 pwreset_runtime_get(r->server)->quality,
                                 password,
                                 user->username, user->email, detail);
}

static int update_post(request_rec *r, const pwreset_settings *cfg,
                       pwreset_user *user, const form_info *form)
{
    static const char *const names[] = {"password", "confirm", NULL};
    const char *values[2], *detail = NULL, *hash;
    pwreset_msg problem = PWRESET_MSG_NONE;
    apr_status_t rv;
    int status, changed = 0;

    status = read_form(r, names, values, &problem);
    if (status == OK) {
        problem = new_password_problem(r, cfg, user, values[0], values[1],
                                       &detail);
        status = problem != PWRESET_MSG_NONE ? HTTP_UNPROCESSABLE_ENTITY : OK;
    }
    if (status != OK) {
        return answer(r, status, PAGE_UPDATE, problem, detail, form);
    }
    hash = pwreset_password_hash(r->pool, values[0],
                                 pwreset_cfg_bcrypt_cost(cfg));
    if (!hash) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PWRLOGNO(0116) "bcrypt failed");
        return send_server_error(r);
    }
    rv = pwreset_store_update(r->pool, r->server, user->username, user->hash,
                              hash, &changed);
    if (rv != APR_SUCCESS) {
        return send_unavailable(r);
    }
    if (!changed) {
        /* Another tab with the same link won the compare-and-swap. */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PWRLOGNO(0117) "password of "
                      "user %s changed concurrently; this form lost",
                      user->username);
        set_form_cookie(r, cfg, "", 0);
        return send_invalid(r);
    }
    pwreset_stat_add(PWRESET_STAT_PASSWORDS_CHANGED, 1);
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                  PWRLOGNO(0118) "password of user "
                  "%s changed", user->username);
    set_form_cookie(r, cfg, "", 0);
    pwreset_delivery_changed(r->server, user->username, user->email,
                             r->useragent_ip, r->request_time,
                             state_of(r)->ctx.lang);
    return answer(r, HTTP_OK, PAGE_CHANGED, PWRESET_MSG_NONE, NULL,
                  NULL);
}

static int serve_update(request_rec *r, const pwreset_settings *cfg)
{
    const char *token = NULL;
    pwreset_user *user = NULL;
    check_result res;
    form_info form;
    long expires = 0;

    if (r->method_number != M_GET && r->method_number != M_POST) {
        return method_not_allowed(r, "GET, HEAD, POST");
    }
    if (r->method_number == M_POST
        && (refused_as_forged(r, cfg) || past_client_limit(r, cfg))) {
        return OK;
    }
    if (ap_cookie_read(r, is_https(r) ? COOKIE_NAME_SECURE : COOKIE_NAME,
                       &token, 0) != APR_SUCCESS
        || !token
        || !*token) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PWRLOGNO(0119) "new-password "
                      "form asked for without a form cookie");
        return send_invalid(r);
    }
    res = check_token(r, cfg, token, PWRESET_PURPOSE_FORM, &user, &expires);
    if (res != CHECK_OK) {
        if (res == CHECK_INVALID) {
            set_form_cookie(r, cfg, "", 0);
        }
        return answer_check(r, res);
    }
    form.username = user->username;
    form.min_length = pwreset_cfg_min_length(cfg);
    form.expires_in = expires - (long)apr_time_sec(r->request_time);
    if (r->method_number == M_GET) {
        return answer(r, HTTP_OK, PAGE_UPDATE, PWRESET_MSG_NONE, NULL,
                      &form);
    }
    return update_post(r, cfg, user, &form);
}

/* ---- the hook ------------------------------------------------------- */

int pwreset_handlers_handler(request_rec *r)
{
    const pwreset_settings *cfg;
    const char *missing, *args;
    serve_kind kind;

    if (!r->handler) {
        return DECLINED;
    }
    if (!strcmp(r->handler, "pwreset-request")) {
        kind = SERVE_REQUEST;
    }
    else if (!strcmp(r->handler, "pwreset-link")) {
        kind = SERVE_LINK;
    }
    else if (!strcmp(r->handler, "pwreset-update")) {
        kind = SERVE_UPDATE;
    }
    else {
        return DECLINED;
    }
    cfg = pwreset_cfg_get(r->server);
    /* The query as it came: kept aside by pwreset_post_read_request(), or
     * here when the link is served at another path (an Alias, a rewrite). */
    args = state_of(r)->link_args ? state_of(r)->link_args
                                  : (r->args ? r->args : "");
    if (kind == SERVE_LINK) {
        if (!state_of(r)->link_args && r->args) {
            warn_late_hiding(r, cfg);
        }
        hide_query(r);
    }
    choose_answer(r, cfg, kind);
    missing = missing_setting(cfg, kind);
    if (missing) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PWRLOGNO(0101) "%s cannot serve: "
                      "%s is not set for this server", r->handler, missing);
        return send_server_error(r);
    }
    r->allowed = (AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_POST);
    switch (kind) {
    case SERVE_REQUEST:
        return serve_request(r, cfg);
    case SERVE_LINK:
        return serve_link(r, cfg, args);
    default:
        return serve_update(r, cfg);
    }
}
