/* SPDX-License-Identifier: Apache-2.0 */
/* The common-password list: a binary search over the compiled table.  See
 * common.h. */
#include "common.h"

#include <apr_lib.h>
#include <string.h>

/* Longer than any entry (the longest is 20 bytes): no need to look. */
#define COMMON_MAX 64

int pwreset_common_password(const char *password)
{
    char lower[COMMON_MAX + 1];
    apr_size_t n = strlen(password), lo = 0, hi = pwreset_common_count;

    if (n > COMMON_MAX) {
        return 0;
    }
    for (apr_size_t i = 0; i <= n; i++) {
        lower[i] = (char)apr_tolower((unsigned char)password[i]);
    }
    while (lo < hi) {
        apr_size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(pwreset_common_words + pwreset_common_offsets[mid],
                         lower);

        if (cmp == 0) {
            return 1;
        }
        if (cmp < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return 0;
}
