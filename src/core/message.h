/* SPDX-License-Identifier: Apache-2.0 */
/* The sentences a page can show about what went wrong.  The flow and the
 * rules name them; page.c alone holds their words, so that pages can be
 * reworded or translated in one place. */
#ifndef PWRESET_MESSAGE_H
#define PWRESET_MESSAGE_H

typedef enum {
    PWRESET_MSG_NONE = 0,
    PWRESET_MSG_FORM_TYPE,          /* not application/x-www-form-urlencoded */
    PWRESET_MSG_FORM_TOO_LARGE,
    PWRESET_MSG_FORM_UNREADABLE,
    PWRESET_MSG_FORM_MALFORMED,     /* missing, repeated or unknown fields */
    PWRESET_MSG_ADDR_EMPTY,
    PWRESET_MSG_ADDR_TOO_LONG,
    PWRESET_MSG_ADDR_INVALID,
    PWRESET_MSG_PW_CHARACTERS,      /* controls or invalid UTF-8 */
    PWRESET_MSG_PW_DIFFER,
    PWRESET_MSG_PW_SHORT,
    PWRESET_MSG_PW_LONG,            /* over bcrypt's 72 bytes */
    PWRESET_MSG_PW_CURRENT,
    PWRESET_MSG_PW_NAME,            /* holds the user name or address */
    PWRESET_MSG_PW_COMMON,          /* on the common-password list */
    PWRESET_MSG_PW_BREACHED,        /* in PwResetBreachedList */
    PWRESET_MSG_PW_WEAK             /* libpwquality said no; detail says why */
} pwreset_msg;

#endif
