/* receive.h - receiving one message: from SMTP DATA/BDAT or from a
 * local program (-bm, -t), onto the spool. */
#ifndef TERN_RECEIVE_H
#define TERN_RECEIVE_H

#include "tern.h"

/* How the message data ends (non-SMTP input). */
typedef struct receive_local_opts {
    bool dot_ends;          /* a line with only "." ends it (no -i / -oi) */
    bool extract_rcpts;     /* -t: recipients from To/Cc/Bcc */
    char **rcpts;           /* command-line recipients */
    int rcpts_count;
    bool queue_only;        /* -odq */
    const char *fullname;   /* -F */
    bool sender_forced;     /* -f from a trusted caller: no passwd name in From: */
} receive_local_opts;

/* receive_local - read a message from conn.in_fd (the sendmail
 * interface); returns the exit status (0 when spooled) */
int receive_local(const receive_local_opts *o);

#endif
