/* SPDX-License-Identifier: Apache-2.0 */
/* PwResetBreachedList.  The file is mapped, never read: a 40 GB corpus
 * costs address space, not memory, and a lookup touches a few pages.  It
 * must be replaced by rename(), never rewritten in place: a mapping whose
 * file shrinks kills the process that reads past the new end (SIGBUS).  A
 * graceful restart maps the new file. */
#include "breached.h"
#include "mod_pwreset_private.h"
#include "core/breached.h"

#include <apr_strings.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lines checked at start-up, evenly spread: enough to catch a file that
 * is not sorted or not SHA-1, a few pages of reading. */
#define CHECK_SAMPLES 1000

static apr_status_t unmap(void *data)
{
    pwreset_corpus *c = data;

    munmap((void *)c->base, c->len);
    return APR_SUCCESS;
}

const char *pwreset_corpus_open(apr_pool_t *p, const char *path,
                                const pwreset_corpus **out)
{
    pwreset_corpus *c = apr_pcalloc(p, sizeof(*c));
    struct stat st;
    const char *err;
    void *base;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0) {
        err = apr_psprintf(p, "cannot read '%s': %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return err;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        return apr_psprintf(p, "'%s' is not a regular file with lines in it",
                            path);
    }
    base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) {
        return apr_psprintf(p, "cannot map '%s': %s", path, strerror(errno));
    }
    /* Without it, read-ahead makes every probe read about 128 KiB. */
    madvise(base, (size_t)st.st_size, MADV_RANDOM);
    c->base = base;
    c->len = (apr_size_t)st.st_size;
    apr_pool_cleanup_register(p, c, unmap, apr_pool_cleanup_null);
    err = pwreset_breached_check(p, c->base, c->len, CHECK_SAMPLES);
    if (err) {
        return apr_psprintf(p, "'%s' is not Have I Been Pwned's \"SHA-1, "
                            "ordered by hash\" list: %s", path, err);
    }
    *out = c;
    return NULL;
}

int pwreset_breached_post_config(apr_pool_t *pconf, server_rec *s)
{
    pwreset_cycle *cycle = pwreset_cycle_get();

    for (server_rec *sp = s; sp; sp = sp->next) {
        const pwreset_settings *cfg = pwreset_cfg_get(sp);
        const char *path = pwreset_cfg_breached_list(cfg);
        const pwreset_corpus *c;
        const char *err;

        if (!cfg->configured || !path) {
            continue;
        }
        c = apr_hash_get(cycle->corpora, path, APR_HASH_KEY_STRING);
        if (!c) {
            /* Checked when the directive was read; the file may have gone
             * or changed since. */
            if ((err = pwreset_corpus_open(pconf, path, &c))) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, 0, sp, PWRLOGNO(0010)
                             "PwResetBreachedList: %s", err);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            apr_hash_set(cycle->corpora, path, APR_HASH_KEY_STRING, c);
        }
        pwreset_runtime_make(sp)->breached = c;
    }
    return OK;
}

int pwreset_breached_password(server_rec *s, const char *password)
{
    pwreset_runtime *rt = pwreset_runtime_get(s);
    char hex[PWRESET_SHA1_HEX + 1];

    if (!rt || !rt->breached) {
        return 0;
    }
    pwreset_sha1_hex(password, hex);
    return pwreset_breached_find(rt->breached->base, rt->breached->len, hex);
}
