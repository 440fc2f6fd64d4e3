/* smtp_out.h - the client side of one outgoing SMTP connection: connect
 * with a timeout, buffered (pipelined) commands, a bounded reply reader,
 * EHLO capabilities, and the message data with dot-stuffing. Used by the
 * smtp transport (transports/smtp.c) and later by callouts. */
#ifndef TERN_SMTP_OUT_H
#define TERN_SMTP_OUT_H

#include "tern.h"
#include "message.h"
#include "retry.h" /* ERRNO_* values of delivery errors */

/* ESMTP capabilities we use (from the EHLO reply). */
#define CAP_PIPELINING 0x01
#define CAP_SIZE       0x02
#define CAP_8BITMIME   0x04
#define CAP_DSN        0x08
#define CAP_STARTTLS   0x10

typedef struct smtp_reply {
    int code;       /* 3-digit code of the last line; 0 if none was read */
    char *text;     /* all lines, "\n" between them, no CRLF; tainted */
} smtp_reply;

typedef struct smtp_conn {
    int fd;
    const char *host_name, *host_address;
    int port;
    char *inbuf;           /* bytes read but not yet consumed */
    size_t inlen, inpos;
    gstring *out;          /* commands queued for the next flush */
    unsigned caps;         /* CAP_* */
    long size_max;         /* SIZE parameter from EHLO; 0 if none */
    bool esmtp;            /* EHLO accepted */
    int error;             /* errno or ERRNO_* of the first failure */
    char *error_text;      /* what to log for it */
} smtp_conn;

/* smtp_out_connect - TCP connect to ip:port (from interface when not
 * NULL), giving up after timeout seconds. OK, or DEFER with c->error and
 * c->error_text set ("Connection refused", "Connection timed out"). */
int smtp_out_connect(smtp_conn *c, const char *ip, int port, const char *interface,
                     int timeout, bool keepalive);
/* smtp_out_attach - use an already connected fd (tests, and later a
 * proxied or pre-connected socket) */
void smtp_out_attach(smtp_conn *c, int fd);
/* smtp_out_queue - add a command line (CRLF appended) to the output buffer */
void smtp_out_queue(smtp_conn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* smtp_out_flush - write everything queued; OK or DEFER (error set) */
int smtp_out_flush(smtp_conn *c, int timeout);
/* smtp_out_read_reply - read one complete reply, waiting at most timeout
 * seconds. OK with r filled; DEFER with c->error set on timeout, close,
 * or a reply longer than LIMIT_SMTP_REPLY(_LINE) or not SMTP-shaped. */
int smtp_out_read_reply(smtp_conn *c, int timeout, smtp_reply *r);
/* smtp_out_command - queue, flush and read the reply */
int smtp_out_command(smtp_conn *c, int timeout, smtp_reply *r, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
/* smtp_out_parse_ehlo - set c->caps and c->size_max from an EHLO reply */
void smtp_out_parse_ehlo(smtp_conn *c, const smtp_reply *r);
/* The message itself is written by transport_write_message (CRLF,
 * dot-stuffing) straight to c->fd, made blocking with a send timeout
 * for the time: */
/* smtp_out_set_blocking - blocking with SO_SNDTIMEO = timeout, or back
 * to non-blocking */
void smtp_out_set_blocking(smtp_conn *c, bool blocking, int timeout);
/* smtp_out_end_data - "." (after a CRLF when the data did not end one) */
int smtp_out_end_data(smtp_conn *c, bool need_crlf, int timeout);
/* smtp_out_close - send QUIT (without waiting long for its reply) and close */
void smtp_out_close(smtp_conn *c, bool quit);

/* smtp_out_reply_log - "SMTP error from remote mail server after CMD: 550 ..."
 * text as Exim logs it, with the reply made printable. */
char *smtp_out_reply_log(const smtp_reply *r, const char *after);

#endif
