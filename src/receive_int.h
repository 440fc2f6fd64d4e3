/* receive_int.h - the message being received, shared by receive.c
 * (storing) and its two readers: smtp_in_data.c (DATA/BDAT) and
 * receive_local.c (-bm, -t). Not for anyone else. */
#ifndef TERN_RECEIVE_INT_H
#define TERN_RECEIVE_INT_H

#include "tern.h"
#include "header.h"

typedef struct rcv {
    int fd;              /* -D temp file; -1 for -bh */
    char *dir, *tmp_d;
    gstring *wbuf;       /* body bytes not yet written */
    header_builder hb;
    long body_bytes;
    long limit;          /* message_size_limit, 0 for none */
    bool in_body, too_big, write_failed;
    bool keep_body;      /* -bh: body kept in wbuf for the MIME ACL and regex */
    char *originator_name; /* -F or the caller's passwd name (local input) */
    bool local_input;    /* not SMTP: -bm, -t ("-local" in -H) */
    int hdr_error;       /* HDR_TOO_BIG / HDR_LINE_TOO_LONG */
    gstring *body_head, *body_tail; /* for $message_body and $message_body_end */
    bool body_visible;   /* an ACL that can read them will run */
    long received_bytes; /* our Received: header, not in $message_size during the DATA ACL */
    bool headers_done;   /* rcv_headers_done has run */
    char **rcpts_received; /* recipients before rewriting, for the <= line */
} rcv;

bool rcv_open(rcv *r);
/* rcv_line - one line (eol false: a piece of an over-long line) */
void rcv_line(rcv *r, const char *s, size_t n, bool eol);
/* rcv_headers_done - the header section as received is msg.headers
 * (-t reads its recipients here, before any rewriting) */
void rcv_headers_done(rcv *r);
void rcv_finish_headers(rcv *r);
/* rcv_bytes_read - message size so far, as Exim counts it */
long rcv_bytes_read(const rcv *r);
int rcv_spool(rcv *r);
void rcv_cleanup(rcv *r);
/* rcv_body_to - append the body to fd (for acl_mime_source) */
bool rcv_body_to(void *ctx, int fd);
void rcv_log_arrival(const rcv *r, bool chunked);
/* rcv_acl_headers - apply add_header/remove_header (receive_acl_headers.c) */
void rcv_acl_headers(rcv *r);
/* rcv_log_discarded - arrival, "=> blackhole (NAME ACL discarded recipients)", Completed */
void rcv_log_discarded(const rcv *r, bool chunked, const char *acl_name);

#endif
