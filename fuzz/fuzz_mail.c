/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzing mail composition, src/core/mail.h.  The first byte chooses:
 *
 *   bits 0-1  0: the reset mail, 1: the "password changed" notice, each
 *             made by pwreset_mail_reset_text() or _changed_text() and
 *             composed; 2: pwreset_mail_compose() of raw fields; 3: the
 *             helpers (quoted-printable, wrapping, display names);
 *   bit 2     with the admin's templates (made once, from a temporary
 *             folder) rather than the built-in words.
 *
 * The second byte chooses the language, the next three the lifetime (or
 * the time of the change); then come NUL-separated fields: user name,
 * address, link, site name, the PwResetMailFrom value, client address,
 * request URL (for mode 2: from, to, subject, text, html).
 *
 * Whatever the fields, a composed message must be safe to pipe to
 * "sendmail -t": no CR, no line over 998 bytes, a header block of exactly
 * the expected fields (one To:, which is the address given), printable
 * ASCII, continuation lines only where folding puts them, the Subject and
 * From decoding back to what was given, and (unless a value holds the
 * boundary, which in the module is random) a multipart body whose parts
 * decode back to the text and HTML given.  And a message for a mailable
 * address and a site name PwResetSiteName accepts is always composed. */
#include "fuzz.h"
#include "input.h"
#include "lang.h"
#include "mail.h"
#include "settings.h"
#include "template.h"

#include <apr_encode.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <unistd.h>

#define BOUNDARY "=_pwreset_0123456789abcdef01234567"
#define MESSAGE_ID "0123456789abcdef01234567.pwreset@example.org"

static const pwreset_templates *templates;
static int languages;

/* The admin's mail templates, as a PwResetTemplateDir holds them. */
static const char *const template_files[][2] = {
    {"reset.txt", "Hello {{username}},\n\nopen {{link}} within {{minutes}} "
                  "minutes to choose a new password on {{site}}.\n-- \n"
                  "{{site}} ({{lang}})\n"},
    {"reset.html", "<!DOCTYPE html>\n<html lang=\"{{lang}}\"><title>{{site}}"
                   "</title><style>p{margin:0}</style>\n<p>Hello "
                   "{{username}},</p>\n<p><a href=\"{{link}}\">{{link}}</a>"
                   "</p>\n<p>{{minutes}} minutes</p>\n"},
    {"notice.txt", "{{username}}: your password on {{site}} was changed at "
                   "{{when}} from {{client}}.{{request_url}}\n"},
    {"notice.html", "<p title=\"{{client}}\">{{username}}, {{site}}, "
                    "{{when}}, <a href=\"{{request_url}}\">again</a></p>\n"},
};

static void load_templates(void)
{
    const char *dir = fuzz_tmpdir("mail"), *err = NULL;
    size_t n = sizeof(template_files) / sizeof(*template_files);

    for (size_t i = 0; i < n; i++) {
        const char *path = apr_pstrcat(fuzz_root, dir, "/",
                                       template_files[i][0], NULL);
        FILE *f = fopen(path, "w");

        if (!f || fputs(template_files[i][1], f) < 0 || fclose(f)) {
            abort();
        }
    }
    templates = pwreset_templates_load(fuzz_root, dir, &err);
    for (size_t i = 0; i < n; i++) {
        unlink(apr_pstrcat(fuzz_root, dir, "/", template_files[i][0], NULL));
    }
    rmdir(dir);
    if (!templates) {
        fprintf(stderr, "fuzz_mail: templates: %s\n", err);
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    load_templates();
    while (pwreset_languages[languages]) {
        languages++;
    }
    return 0;
}

/* ---- decoders ---------------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                                : -1;
}

/* Quoted-printable as pwreset_qp_encode() must write it: soft breaks "=\n",
 * "=XX" in upper case, lines of at most 76 characters, printable ASCII,
 * space and tab only, none of them last on a line.  NULL when not so. */
static const char *qp_decode(const char *s)
{
    char *out = apr_palloc(fuzz_pool, strlen(s) + 1), *o = out;
    size_t col = 0;

    for (; *s; s++) {
        if (*s == '\n') {
            if (col > 76 || (col && (s[-1] == ' ' || s[-1] == '\t'))) {
                return NULL;
            }
            *o++ = '\n';
            col = 0;
        }
        else if (*s == '=' && s[1] == '\n') {
            if (col + 1 > 76) {
                return NULL;
            }
            s++;
            col = 0;
        }
        else if (*s == '=') {
            if (hexval(s[1]) < 0 || hexval(s[2]) < 0) {
                return NULL;
            }
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
            col += 3;
        }
        else if ((*s >= 0x20 && *s <= 0x7e) || *s == '\t') {
            *o++ = *s;
            col++;
        }
        else {
            return NULL;
        }
    }
    /* The last line, as the others. */
    if (col > 76 || (col && (s[-1] == ' ' || s[-1] == '\t'))) {
        return NULL;
    }
    *o = '\0';
    return out;
}

/* Encoded-words (=?UTF-8?B?...?=) folded with "\n ", decoded and joined;
 * each word at most 75 characters, whole UTF-8 characters when `utf8`.
 * NULL when not so. */
static const char *words_decode(const char *s, int utf8)
{
    const char *out = "";

    for (;;) {
        const char *end = strstr(s, "?=");
        const char *b64;
        apr_size_t len = 0;
        const char *bytes;

        if (strncmp(s, "=?UTF-8?B?", 10) || !end || end - s + 2 > 75) {
            return NULL;
        }
        b64 = apr_pstrmemdup(fuzz_pool, s + 10, (apr_size_t)(end - s - 10));
        bytes = apr_pdecode_base64(fuzz_pool, b64, APR_ENCODE_STRING,
                                   APR_ENCODE_NONE, &len);
        if (!bytes || !len || memchr(bytes, '\0', len)
            || (utf8 && !pwreset_utf8_valid(bytes, len))) {
            return NULL;
        }
        out = apr_pstrcat(fuzz_pool, out,
                          apr_pstrmemdup(fuzz_pool, bytes, len), NULL);
        s = end + 2;
        if (!*s) {
            return out;
        }
        if (strncmp(s, "\n ", 2)) {
            return NULL;
        }
        s += 2;
    }
}

/* What pwreset_mail_display_name() wrote, read back; NULL when it is not
 * a phrase a header may hold. */
static const char *display_decode(const char *d)
{
    if (d[0] == '=' && d[1] == '?') {
        return words_decode(d, 0);
    }
    for (const char *c = d; *c; c++) {
        if (*c < 0x20 || *c > 0x7e) {
            return NULL;
        }
    }
    if (d[0] == '"') {
        size_t n = strlen(d);
        char *out = apr_palloc(fuzz_pool, n), *o = out;

        if (n < 2 || d[n - 1] != '"') {
            return NULL;
        }
        for (size_t i = 1; i < n - 1; i++) {
            if (d[i] == '"') {
                return NULL;
            }
            if (d[i] == '\\') {
                if (++i == n - 1) {
                    return NULL;
                }
            }
            *o++ = d[i];
        }
        *o = '\0';
        return out;
    }
    for (const char *c = d; *c; c++) {
        if (!apr_isalnum(*c) && !strchr(" !#$%&'*+-/=?^_`{|}~", *c)) {
            return NULL;
        }
    }
    return strstr(d, "=?") ? NULL : d;
}

/* ---- the message ------------------------------------------------------- */

static size_t header_count(const char *headers, const char *name)
{
    size_t n = 0, len = strlen(name);

    for (const char *l = headers; l && *l;) {
        n += !strncmp(l, name, len) && l[len] == ':';
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    return n;
}

/* The value of a header, continuation lines and all ("\n " kept). */
static const char *header_value(const char *headers, const char *name)
{
    size_t len = strlen(name);

    for (const char *l = headers; l && *l;) {
        const char *end = l;

        while ((end = strchr(end, '\n')) && end[1] == ' ') {
            end++;
        }
        if (!strncmp(l, name, len) && l[len] == ':' && l[len + 1] == ' ') {
            return apr_pstrmemdup(fuzz_pool, l + len + 2,
                                  (apr_size_t)((end ? end : l + strlen(l))
                                               - (l + len + 2)));
        }
        l = end ? end + 1 : NULL;
    }
    return NULL;
}

/* One part: its headers, and its body decoded, which must be `want`. */
static void check_part(const char *part, const char *type, const char *want,
                       int *eight)
{
    const char *head = apr_pstrcat(fuzz_pool, "Content-Type: ", type,
                                   "; charset=utf-8\n"
                                   "Content-Transfer-Encoding: ", NULL);
    const char *enc, *nl, *body;

    FUZZ_CHECK(!strncmp(part, head, strlen(head)));
    enc = part + strlen(head);
    nl = strchr(enc, '\n');
    FUZZ_CHECK(nl && nl[1] == '\n');
    body = nl + 2;
    enc = apr_pstrmemdup(fuzz_pool, enc, (apr_size_t)(nl - enc));
    if (!strcmp(enc, "quoted-printable")) {
        const char *decoded = qp_decode(body);

        FUZZ_CHECK(decoded && !strcmp(decoded, want));
    }
    else {
        int high = 0;

        FUZZ_CHECK(!strcmp(enc, "7bit") || !strcmp(enc, "8bit"));
        FUZZ_CHECK(!strcmp(body, want));
        for (const char *c = body; *c; c++) {
            high |= (unsigned char)*c > 0x7e;
        }
        FUZZ_CHECK(high == !strcmp(enc, "8bit"));
        *eight |= high;
    }
}

/* `bounded`: the To and Subject values are within what the module gives
 * (a mailable address, at most 254 bytes; a subject made of a site name
 * PwResetSiteName accepts, at most 100): then every line is; otherwise
 * those two lines are as long as the caller made them. */
static void check_message(const char *msg, const pwreset_mail *m, int bounded)
{
    const char *sep = strstr(msg, "\n\n"), *headers, *subject, *l;

    /* Lines end in LF alone; none is longer than SMTP takes. */
    FUZZ_CHECK(!strchr(msg, '\r'));
    FUZZ_CHECK(sep);
    for (l = msg; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
        FUZZ_CHECK(strcspn(l, "\n") <= 998
                   || (!bounded && l < sep
                       && (!strncmp(l, "To: ", 4)
                           || (!strncmp(l, "Subject: ", 9)
                               && strncmp(l, "Subject: =?", 11)))));
    }
    headers = apr_pstrmemdup(fuzz_pool, msg, (apr_size_t)(sep - msg + 1));
    /* The header block: printable ASCII, each line a field or a fold. */
    for (const char *c = headers; *c; c++) {
        FUZZ_CHECK(*c == '\n' || (*c >= 0x20 && *c <= 0x7e));
    }
    for (l = headers; *l; l = strchr(l, '\n') + 1) {
        if (*l == ' ') {
            FUZZ_CHECK(l != headers);
            continue;
        }
        FUZZ_CHECK(!strncmp(l, "From: ", 6) || !strncmp(l, "To: ", 4)
                   || !strncmp(l, "Subject: ", 9) || !strncmp(l, "Date: ", 6)
                   || !strncmp(l, "Message-ID: <", 13)
                   || !strncmp(l, "MIME-Version: 1.0\n", 18)
                   || !strncmp(l, "Auto-Submitted: auto-generated\n", 31)
                   || !strncmp(l, "Content-Type: multipart/alternative; "
                                  "boundary=\"", 47)
                   || !strncmp(l, "Content-Transfer-Encoding: 8bit\n", 32));
    }
    FUZZ_CHECK(header_count(headers, "From") == 1
               && header_count(headers, "To") == 1
               && header_count(headers, "Subject") == 1
               && header_count(headers, "Date") == 1
               && header_count(headers, "Message-ID") == 1
               && header_count(headers, "MIME-Version") == 1
               && header_count(headers, "Auto-Submitted") == 1
               && header_count(headers, "Content-Type") == 1
               && header_count(headers, "Content-Transfer-Encoding") <= 1);
    /* To: exactly the one address given, on one line. */
    FUZZ_CHECK(!strcmp(header_value(headers, "To"), m->to));
    FUZZ_CHECK(!strcmp(header_value(headers, "From"), m->from));
    /* Folds only in From: and Subject:. */
    for (l = strstr(headers, "\n "); l; l = strstr(l + 1, "\n ")) {
        const char *start = l;

        while (start > headers && start[-1] != '\n') {
            start--;
        }
        while (*start == ' ') {
            const char *prev = start - 1;

            while (prev > headers && prev[-1] != '\n') {
                prev--;
            }
            start = prev;
        }
        FUZZ_CHECK(!strncmp(start, "From: ", 6)
                   || !strncmp(start, "Subject: ", 9));
    }
    /* The subject reads back as it was given. */
    subject = header_value(headers, "Subject");
    if (pwreset_chars_only(m->subject, PWRESET_CHARS_HEADER)
        && !strstr(m->subject, "=?")) {
        FUZZ_CHECK(!strcmp(subject, m->subject));
    }
    else {
        const char *decoded = words_decode(subject, 1);

        FUZZ_CHECK(decoded && !strcmp(decoded, m->subject));
        for (l = subject; l; l = strstr(l, "\n ")) {
            size_t width;

            l += *l == '\n';
            width = strcspn(l, "\n");
            /* Each line within 76 characters, "Subject: " before the
             * first (RFC 2047, 2). */
            FUZZ_CHECK(width + (l == subject ? 9 : 0) <= 76);
        }
    }
    /* The body, unless a value holds the boundary (which the module makes
     * of random bytes, and no value can know). */
    if (!strstr(m->text, "=_pwreset") && !strstr(m->html, "=_pwreset")) {
        const char *open = "\n--" BOUNDARY "\n", *close = "\n--" BOUNDARY "--\n";
        const char *body = sep + 1, *p1, *p2, *end;
        int eight = 0;

        FUZZ_CHECK(!strcmp(header_value(headers, "Content-Type"),
                           "multipart/alternative; boundary=\"" BOUNDARY
                           "\""));
        FUZZ_CHECK(fuzz_count(body, open) == 2
                   && fuzz_count(body, close) == 1);
        p1 = strstr(body, open);
        FUZZ_CHECK(p1 == body);
        p1 += strlen(open);
        p2 = strstr(p1, open);
        end = strstr(p2 + strlen(open), close);
        FUZZ_CHECK(end && !end[strlen(close)]);
        check_part(apr_pstrmemdup(fuzz_pool, p1, (apr_size_t)(p2 - p1)),
                   "text/plain", m->text, &eight);
        p2 += strlen(open);
        check_part(apr_pstrmemdup(fuzz_pool, p2, (apr_size_t)(end - p2)),
                   "text/html", m->html, &eight);
        FUZZ_CHECK(eight == (header_count(headers,
                                          "Content-Transfer-Encoding") == 1));
    }
}

/* ---- the modes ------------------------------------------------------------ */

static const char *sender_header(const char *spec)
{
    const pwreset_sender *s;

    return pwreset_parse_sender(fuzz_pool, spec, &s) ? "no-reply@example.org"
                                                     : s->header;
}

static void made_mail(unsigned first, fuzz_fields *f)
{
    const pwreset_lang *lang = pwreset_languages[fuzz_byte(f) % languages];
    const pwreset_templates *ts = first & 4 ? templates : NULL;
    unsigned long n = fuzz_byte(f) << 16;
    const char *username, *site, *link, *client, *request_url, *msg;
    pwreset_mail m = {0};
    int changed = (first & 3) == 1, bounded;

    n |= fuzz_byte(f) << 8;
    n |= fuzz_byte(f);
    username = fuzz_field(f);
    m.to = fuzz_field(f);
    link = fuzz_field(f);
    site = fuzz_field(f);
    m.from = sender_header(fuzz_field(f));
    client = fuzz_field(f);
    request_url = fuzz_field(f);
    m.date = apr_time_from_sec(1700000000 + (apr_time_t)n);
    m.message_id = MESSAGE_ID;
    m.boundary = BOUNDARY;
    if (changed) {
        pwreset_mail_changed_text(fuzz_pool, &m, lang, ts, username, site,
                                  client, m.date,
                                  *request_url ? request_url : NULL);
    }
    else {
        /* A lifetime PwResetTokenLifetime allows. */
        pwreset_mail_reset_text(fuzz_pool, &m, lang, ts, username, site, link,
                                1 + (long)(n % 604800));
    }
    FUZZ_CHECK(m.subject && m.text && m.html);
    if (!changed) {
        /* The link as it is, on a line of its own or in the template. */
        FUZZ_CHECK(strstr(m.text, link));
    }
    msg = pwreset_mail_compose(fuzz_pool, &m);
    bounded = pwreset_addr_mailable(m.to)
              && !pwreset_parse_text(fuzz_pool, site);
    if (bounded) {
        FUZZ_CHECK(msg != NULL);
    }
    if (msg) {
        check_message(msg, &m, bounded);
    }
}

static void raw_mail(fuzz_fields *f)
{
    pwreset_mail m = {0};
    const char *msg;

    m.from = sender_header(fuzz_field(f));
    m.to = fuzz_field(f);
    m.subject = fuzz_field(f);
    m.text = fuzz_field(f);
    m.html = fuzz_field(f);
    m.date = apr_time_from_sec(1700000000);
    m.message_id = MESSAGE_ID;
    m.boundary = BOUNDARY;
    msg = pwreset_mail_compose(fuzz_pool, &m);
    if (pwreset_addr_mailable(m.to) && *m.subject
        && pwreset_utf8_valid(m.subject, strlen(m.subject))
        && pwreset_chars_only(m.subject, PWRESET_CHARS_TEXT)) {
        FUZZ_CHECK(msg != NULL);
    }
    if (msg) {
        check_message(msg, &m, pwreset_addr_mailable(m.to)
                                   && strlen(m.subject) <= 200);
    }
}

static void helpers(fuzz_fields *f)
{
    const char *s = fuzz_field(f);
    const char *qp = pwreset_qp_encode(fuzz_pool, s);
    const char *back = qp_decode(qp);
    const char *w = pwreset_wrap(fuzz_pool, s);
    const char *d = pwreset_mail_display_name(fuzz_pool, s);
    size_t n = strlen(s), col = 0;
    int space = 0;

    FUZZ_CHECK(back && !strcmp(back, s));
    /* Wrapping only turns spaces into line breaks; a line longer than 72
     * characters is one word. */
    FUZZ_CHECK(strlen(w) == n);
    for (size_t i = 0; i <= n; i++) {
        FUZZ_CHECK(w[i] == s[i] || (s[i] == ' ' && w[i] == '\n'));
        if (w[i] == '\n' || !w[i]) {
            FUZZ_CHECK(col <= 72 || !space);
            col = 0;
            space = 0;
        }
        else {
            col += ((unsigned char)w[i] & 0xc0) != 0x80;
            space |= w[i] == ' ';
        }
    }
    /* A display name is header-safe and reads back. */
    back = display_decode(d);
    FUZZ_CHECK(back && !strcmp(back, s));
    for (const char *c = d; *c; c++) {
        FUZZ_CHECK((*c >= 0x20 && *c <= 0x7e) || (*c == '\n' && c[1] == ' '));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_fields f;
    unsigned first;

    fuzz_fields_init(&f, data, size);
    first = fuzz_byte(&f);
    switch (first & 3) {
    case 0:
    case 1:
        made_mail(first, &f);
        break;
    case 2:
        raw_mail(&f);
        break;
    default:
        helpers(&f);
        break;
    }
    fuzz_done();
    return 0;
}
