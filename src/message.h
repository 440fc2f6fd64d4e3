/* message.h - the parts of one message that the spool holds: envelope
 * recipients (with their DSN fields), header lines and ACL variables. */
#ifndef TERN_MESSAGE_H
#define TERN_MESSAGE_H

#include "tern.h"

/* DSN NOTIFY flags as stored in the -H file (RFC 3461 section 4.1). */
/* Bit values as Exim 4.96 writes them ("x@y rfc822;x@y 7,12 ..." has 12 =
 * SUCCESS|FAILURE); a NOTIFY= parameter was given when any is set. */
#define RF_DSN_LASTHOP    0x01 /* do not pass DSN requests on */
#define RF_NOTIFY_NEVER   0x02
#define RF_NOTIFY_SUCCESS 0x04
#define RF_NOTIFY_FAILURE 0x08
#define RF_NOTIFY_DELAY   0x10
/* any NOTIFY= value given (Exim keeps no separate "was given" bit) */
#define RF_DSN_FLAGS_SET  (RF_NOTIFY_NEVER | RF_NOTIFY_SUCCESS | RF_NOTIFY_FAILURE | RF_NOTIFY_DELAY)

/* DSN RET values (RFC 3461 section 4.3), as stored in -dsn_ret. */
enum dsn_ret { DSN_RET_NONE = 0, DSN_RET_FULL = 1, DSN_RET_HDRS = 2 };

typedef struct recipient_item {
    char *address;
    char *orcpt;     /* RFC 3461 ORCPT, "rfc822;x@y"; NULL if not given */
    int dsn_flags;   /* RF_* */
    char *errors_to; /* from a redirect router's errors_to; NULL if none */
    int pno;         /* parent number for one_time children; -1 if none */
} recipient_item;

/* Header type characters of the -H file. */
#define HTYPE_OTHER ' '
#define HTYPE_BCC 'B'
#define HTYPE_CC 'C'
#define HTYPE_FROM 'F'
#define HTYPE_ID 'I'
#define HTYPE_RECEIVED 'P'
#define HTYPE_REPLY_TO 'R'
#define HTYPE_SENDER 'S'
#define HTYPE_TO 'T'
#define HTYPE_OLD '*'

typedef struct header_line {
    struct header_line *next;
    char *text;  /* whole header including the final newline */
    size_t slen;
    char type;   /* HTYPE_* */
} header_line;

/* An ACL variable: acl_c* (connection) or acl_m* (message). name is the
 * part after "acl_c" / "acl_m", e.g. "1" or "_foo". */
typedef struct acl_var {
    struct acl_var *next;
    char *name;
    char *value;
    bool conn; /* acl_c, else acl_m */
} acl_var;

/* header_type_of - the -H type character for a header's name */
char header_type_of(const char *text);

#endif
