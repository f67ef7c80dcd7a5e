/* SPDX-License-Identifier: Apache-2.0 */
/* Passwords attackers try first: a list of commonly used ones, compiled
 * into the module (data/common-passwords.txt; its origin and licence are
 * in data/README.md).  Pure: APR only. */
#ifndef PWRESET_COMMON_H
#define PWRESET_COMMON_H

#include <apr_pools.h>

/* The list, made by build-aux/gen-common-list: lower case, sorted by byte,
 * NUL-separated in one string. */
extern const apr_size_t pwreset_common_count;
extern const char pwreset_common_words[];
extern const apr_uint32_t pwreset_common_offsets[];

/* 1 when `password`, compared without regard to ASCII case, is on the
 * list. */
int pwreset_common_password(const char *password);

#endif
