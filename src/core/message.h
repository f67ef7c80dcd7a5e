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
    PWRESET_MSG_PW_WEAK,            /* libpwquality said no; detail says why */
    /* What the other pages say, for the JSON answers that stand for them. */
    PWRESET_MSG_SENT,               /* a request was taken, account or not */
    PWRESET_MSG_CHANGED,            /* the password was changed */
    PWRESET_MSG_INVALID,            /* the link or the form expired */
    PWRESET_MSG_TOO_MANY,           /* 429 */
    PWRESET_MSG_FORBIDDEN,          /* 403: sent from another site */
    PWRESET_MSG_METHOD,             /* 405 */
    PWRESET_MSG_UNAVAILABLE,        /* 503 */
    PWRESET_MSG_ERROR,              /* 500 */
    PWRESET_MSG_COUNT
} pwreset_msg;

#endif
