/* SPDX-License-Identifier: Apache-2.0 */
/* The breached-list search, measured on a file of the real format.
 *
 *   breached-lookup generate N FILE   N SHA-1 lines ("filler i"), plus those
 *                                     of "breached bench password i" for
 *                                     i < 10000, sorted, CRLF
 *   breached-lookup verify FILE       every line: the format and the order
 *                                     (the start-up check samples them)
 *   breached-lookup lookup FILE K     K lookups (half hits, half misses)
 *                                     through the module's own code: time
 *                                     per lookup and this process's
 *                                     resident memory before and after */
#include "breached.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <ctype.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define KNOWN 10000

static int cmp20(const void *a, const void *b)
{
    return memcmp(a, b, SHA_DIGEST_LENGTH);
}

static int generate(long n, const char *path)
{
    long total = n + KNOWN;
    unsigned char *d = malloc((size_t)total * SHA_DIGEST_LENGTH);
    static const char hex[] = "0123456789ABCDEF";
    char name[64], line[64];
    FILE *f = fopen(path, "w");

    if (!d || !f) {
        perror(path);
        return 1;
    }
    for (long i = 0; i < total; i++) {
        int len = i < n ? snprintf(name, sizeof(name), "filler %ld", i)
                        : snprintf(name, sizeof(name),
                                   "breached bench password %ld", i - n);
        SHA1((unsigned char *)name, (size_t)len, d + i * SHA_DIGEST_LENGTH);
    }
    qsort(d, (size_t)total, SHA_DIGEST_LENGTH, cmp20);
    for (long i = 0; i < total; i++) {
        const unsigned char *h = d + i * SHA_DIGEST_LENGTH;
        for (int k = 0; k < SHA_DIGEST_LENGTH; k++) {
            line[2 * k] = hex[h[k] >> 4];
            line[2 * k + 1] = hex[h[k] & 15];
        }
        fprintf(f, "%.40s:%ld\r\n", line, 1 + i % 97);
    }
    free(d);
    return fclose(f) != 0;
}

/* A line of /proc/self/status, in KiB: RssAnon is this process's own
 * memory; RssFile the pages of mapped files it has touched, which are the
 * kernel's page cache, shared and given back under pressure. */
static long status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    size_t n = strlen(field);

    while (f && fgets(line, sizeof(line), f)) {
        if (!strncmp(line, field, n) && line[n] == ':') {
            kib = atol(line + n + 1);
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

static int lookup(const char *path, long k)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    const char *base;
    long hits = 0, anon0, file0, anon1, file1;
    apr_time_t t0, t1;
    char hex[PWRESET_SHA1_HEX + 1], pw[64];

    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        return 1;
    }
    base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    madvise((void *)base, (size_t)st.st_size, MADV_RANDOM);
    anon0 = status_kib("RssAnon");
    file0 = status_kib("RssFile");
    t0 = apr_time_now();
    for (long i = 0; i < k; i++) {
        snprintf(pw, sizeof(pw), i % 2 ? "breached bench password %ld"
                                       : "never breached %ld", (i / 2) % KNOWN);
        pwreset_sha1_hex(pw, hex);
        hits += pwreset_breached_find(base, (apr_size_t)st.st_size, hex);
    }
    t1 = apr_time_now();
    anon1 = status_kib("RssAnon");
    file1 = status_kib("RssFile");
    printf("file: %s, %.1f MB\n", path, st.st_size / 1e6);
    printf("lookups: %ld (%ld hits, expected %ld)\n", k, hits, k / 2);
    printf("time per lookup: %.2f us (SHA-1 included)\n",
           (double)(t1 - t0) / (double)k);
    printf("own memory (RssAnon): %ld KiB before, %ld KiB after\n", anon0,
           anon1);
    printf("file pages touched (RssFile, shared page cache): %ld KiB "
           "before, %ld KiB after\n", file0, file1);
    return hits == k / 2 ? 0 : 1;
}

static int verify(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256], prev[41] = "";
    long n = 0;

    if (!f) {
        perror(path);
        return 2;
    }
    while (fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\r\n");
        size_t hex = strspn(line, "0123456789abcdefABCDEF");

        n++;
        if (hex != 40 || line[40] != ':' || len < 42
            || strspn(line + 41, "0123456789") != len - 41) {
            fprintf(stderr, "%s:%ld: not HEX40:COUNT\n", path, n);
            return 1;
        }
        for (int i = 0; i < 40; i++) {
            line[i] = (char)toupper((unsigned char)line[i]);
        }
        if (n > 1 && strncmp(prev, line, 40) >= 0) {
            fprintf(stderr, "%s:%ld: not after the line before it\n", path, n);
            return 1;
        }
        memcpy(prev, line, 40);
    }
    fclose(f);
    printf("%s: %ld lines, all HEX40:COUNT, sorted\n", path, n);
    return 0;
}

int main(int argc, char **argv)
{
    apr_initialize();
    if (argc == 4 && !strcmp(argv[1], "generate")) {
        return generate(atol(argv[2]), argv[3]);
    }
    if (argc == 3 && !strcmp(argv[1], "verify")) {
        return verify(argv[2]);
    }
    if (argc == 4 && !strcmp(argv[1], "lookup")) {
        return lookup(argv[2], atol(argv[3]));
    }
    fprintf(stderr, "usage: %s generate N FILE | verify FILE | lookup FILE K\n",
            argv[0]);
    return 2;
}
