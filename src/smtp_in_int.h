/* smtp_in_int.h - shared between the SMTP server's files (smtp_in.c,
 * smtp_in_io.c, smtp_cmds.c, receive.c). Not for anyone else. */
#ifndef TERN_SMTP_IN_INT_H
#define TERN_SMTP_IN_INT_H

#include "tern.h"
#include "acl.h"
#include "smtp_parse.h"

/* What a command handler tells the session loop. */
enum smtp_next { NEXT_CONTINUE, NEXT_QUIT, NEXT_DROP };

/* ---- smtp_in_io.c ---- */
/* smtp_io_init - buffers for one session */
void smtp_io_init(void);
/* smtp_printf - append to the reply buffer (sent at the next read) */
void smtp_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* smtp_flush - write out buffered replies; false if the peer is gone */
bool smtp_flush(void);
/* smtp_read_command - the next line, at most LIMIT_SMTP_CMD_LINE bytes
 * (a longer line comes back in pieces). Returns CMD_EOF, CMD_TIMEOUT,
 * CMD_BADCHAR (NUL present) or CMD_UNKNOWN with *line set. */
enum smtp_cmd_id smtp_read_line(char **line);
/* smtp_getc - one byte of message data; -1 at EOF, -2 on timeout */
int smtp_getc(void);
/* smtp_getbuf - up to want bytes of data (BDAT); returns 0 at EOF, -2 timeout */
long smtp_getbuf(char *buf, size_t want);
/* smtp_input_pending - bytes already sent by the peer that we have not
 * read (RFC 2920 section 3: the synchronization check) */
bool smtp_input_pending(void);
/* smtp_pending_excerpt - printable start of the unread input, for logs */
char *smtp_pending_excerpt(void);
/* smtp_io_discard_input - drop (and wipe) buffered unread input */
void smtp_io_discard_input(void);
/* smtp_io_timeout_ms - smtp_receive_timeout in ms; -1 for none */
int smtp_io_timeout_ms(void);

/* ---- smtp_in.c ---- */
/* smtp_synprot_error - count a syntax/protocol error and send the reply;
 * NEXT_DROP once smtp_max_synprot_errors is passed */
enum smtp_next smtp_synprot_error(int log_sel, int code, const char *data, const char *text);
/* smtp_acl_fail - Exim's reply and log line for an ACL that did not accept */
enum smtp_next smtp_acl_fail(enum acl_where where, int rc, const char *user_msg,
                             const char *log_msg, const char *subject);
/* smtp_wrap_reply - a message for the client in lines of at most
 * LIMIT_SMTP_REPLY_WRAP characters, split at spaces, as Exim sends them */
const char *smtp_wrap_reply(const char *m);
/* smtp_respond - "code text" with multi-line text split at newlines */
void smtp_respond(int code, const char *ecode, const char *text);
/* smtp_check_sync - false (and 554, logged) if input came too soon */
bool smtp_check_sync(const char *cmdline);
/* smtp_reset_message - RSET, and after each message */
void smtp_reset_message(void);
/* smtp_host_list_match - is the peer in a host list option? */
bool smtp_host_in(const char *list);
/* smtp_run_acl - acl_check wrapper that also prints -bh results */
int smtp_run_acl(enum acl_where where, const char *recipient, const char *acl,
                 char **user_msg, char **log_msg);
/* smtp_dropped_log - "SMTP call from ... dropped: why" line */
void smtp_dropped_log(const char *why);

/* smtp_protocol_name - $received_protocol for the session's state:
 * [local-](e)smtp, then "s" under TLS and "a" once authenticated */
char *smtp_protocol_name(void);

/* ---- smtp_tls.c ---- */
/* smtp_tls_advertise - add STARTTLS to an EHLO reply if this host gets it */
void smtp_tls_advertise(gstring **g);
/* smtp_tls_command - STARTTLS (RFC 3207) */
enum smtp_next smtp_tls_command(char *line, char *arg);
/* smtp_tls_on_connect - the handshake before the banner (RFC 8314);
 * false if it failed (logged) and the connection must close */
bool smtp_tls_on_connect(void);

/* ---- smtp_cmds.c ---- */
enum smtp_next smtp_dispatch(enum smtp_cmd_id id, char *line, char *arg);

/* ---- receive.c ---- */
/* receive_smtp_data - DATA (after the 354) or the whole BDAT sequence */
enum smtp_next receive_smtp_data(bool bdat, long first_chunk, bool first_last);

#endif
