/* SPDX-License-Identifier: Apache-2.0 */
/* What every libFuzzer harness of the core shares: APR started once, a
 * pool cleared after every input, exact-size copies of the input (so that
 * AddressSanitizer sees a read past its end, which it cannot inside a
 * pool's blocks), fields cut from it, and the abort() that tells libFuzzer
 * an invariant broke.  Built by "make fuzz" (Makefile.am); nothing here
 * prints unless something is wrong. */
#ifndef PWRESET_FUZZ_H
#define PWRESET_FUZZ_H

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_allocator.h>
#include <apr_strings.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The process's pool, and the one cleared after each input.  Debian's APR
 * takes its blocks from mmap(), where LeakSanitizer does not look for
 * pointers: the allocator is kept here too, or it would be taken for a
 * leak whenever libFuzzer checks for one. */
/* The field sets the module's forms and JSON bodies ask for (request,
 * link, update), for fuzz_form.c and fuzz_json.c. */
static const char *const fuzz_email[] = {"email", NULL};
static const char *const fuzz_token[] = {"token", NULL};
static const char *const fuzz_passwords[] = {"password", "confirm", NULL};
static const char *const *const name_sets[] = {fuzz_email, fuzz_token,
                                               fuzz_passwords};
#define MAX_NAMES 2

static apr_pool_t *fuzz_root, *fuzz_pool;
static apr_allocator_t *fuzz_allocator;

/* An invariant that must hold whatever the input: libFuzzer reports the
 * abort() with the input that caused it. */
#define FUZZ_CHECK(cond)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,      \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

static inline void fuzz_init(void)
{
    if (apr_initialize() != APR_SUCCESS
        || apr_allocator_create(&fuzz_allocator) != APR_SUCCESS) {
        abort();
    }
    atexit(apr_terminate);
    /* Freed blocks are given back at once: no memory is kept between
     * inputs, and a pointer kept past a clear points to unmapped (or, with
     * a malloc() allocator, freed) memory, which the sanitizers see. */
    apr_allocator_max_free_set(fuzz_allocator, 1);
    if (apr_pool_create_ex(&fuzz_root, NULL, NULL, fuzz_allocator)
        != APR_SUCCESS) {
        abort();
    }
    apr_allocator_owner_set(fuzz_allocator, fuzz_root);
    if (apr_pool_create(&fuzz_pool, fuzz_root) != APR_SUCCESS) {
        abort();
    }
}

/* Everything an input allocated goes with the pool's clear. */
static inline void fuzz_done(void)
{
    apr_pool_clear(fuzz_pool);
}

static inline apr_status_t fuzz_free_(void *mem)
{
    free(mem);
    return APR_SUCCESS;
}

/* n bytes and a NUL in a malloc() block of exactly that size, freed when
 * fuzz_pool is cleared. */
static inline char *fuzz_strndup(const void *d, size_t n)
{
    char *s = malloc(n + 1);

    if (!s) {
        abort();
    }
    memcpy(s, d, n);
    s[n] = '\0';
    apr_pool_cleanup_register(fuzz_pool, s, fuzz_free_, apr_pool_cleanup_null);
    return s;
}

/* An exact copy of n bytes, without a NUL after them: a read past the end
 * is caught. */
static inline const char *fuzz_memdup(const void *d, size_t n)
{
    char *s = malloc(n ? n : 1);

    if (!s) {
        abort();
    }
    memcpy(s, d, n);
    apr_pool_cleanup_register(fuzz_pool, s, fuzz_free_, apr_pool_cleanup_null);
    return s;
}

/* The input read field by field: each field ends at a NUL byte (or the
 * end), so a field is a C string as the core gets them.  Past the end,
 * fields are "". */
typedef struct {
    const uint8_t *d;
    size_t n, at;
} fuzz_fields;

static inline void fuzz_fields_init(fuzz_fields *f, const uint8_t *d, size_t n)
{
    f->d = d;
    f->n = n;
    f->at = 0;
}

static inline const char *fuzz_field(fuzz_fields *f)
{
    const uint8_t *start = f->d + f->at, *nul;
    size_t left = f->n - f->at, len;

    nul = left ? memchr(start, '\0', left) : NULL;
    len = nul ? (size_t)(nul - start) : left;
    f->at += nul ? len + 1 : len;
    return fuzz_strndup(start, len);
}

/* One byte of the input, 0 past its end. */
static inline unsigned fuzz_byte(fuzz_fields *f)
{
    return f->at < f->n ? f->d[f->at++] : 0u;
}

/* A new folder of the process's own, under $TMPDIR ("make fuzz" points
 * it into the build tree) or /tmp, for the harnesses whose function reads
 * files; `name` says whose.  Aborts when it cannot be made. */
static inline const char *fuzz_tmpdir(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = apr_pstrcat(fuzz_root, tmp && *tmp ? tmp : "/tmp",
                            "/pwreset-fuzz-", name, "-XXXXXX", NULL);

    if (!mkdtemp(dir)) {
        perror(dir);
        abort();
    }
    return dir;
}

/* How many times the `len` bytes of `needle` occur in s. */
static inline size_t fuzz_count(const char *s, const char *needle)
{
    size_t n = 0, len = strlen(needle);

    while ((s = strstr(s, needle))) {
        n++;
        s += len;
    }
    return n;
}

#endif
