/* acl.h - access control lists: parsing the "begin acl" section and
 * running an ACL at each SMTP (and non-SMTP) checkpoint. */
#ifndef TERN_ACL_H
#define TERN_ACL_H

#include "tern.h"

/* Where an ACL runs; names as Exim logs them ("RCPT", "DATA" ...). */
enum acl_where {
    ACL_WHERE_RCPT, ACL_WHERE_MAIL, ACL_WHERE_PREDATA, ACL_WHERE_MIME, ACL_WHERE_DKIM,
    ACL_WHERE_DATA, ACL_WHERE_PRDR, ACL_WHERE_NOTSMTP, ACL_WHERE_AUTH, ACL_WHERE_CONNECT,
    ACL_WHERE_ETRN, ACL_WHERE_EXPN, ACL_WHERE_HELO, ACL_WHERE_MAILAUTH,
    ACL_WHERE_NOTSMTP_START, ACL_WHERE_NOTQUIT, ACL_WHERE_QUIT, ACL_WHERE_STARTTLS,
    ACL_WHERE_VRFY, ACL_WHERE_DELIVERY, ACL_WHERE_UNKNOWN,
    ACL_WHERE_COUNT
};

/* acl_where_name - "RCPT", "MAIL", "DATA", ... for log lines */
const char *acl_where_name(enum acl_where where);

/* acl_init - parse every ACL of cfg.sections.acls; dies with file:line
 * on syntax errors (called once after the config is read) */
void acl_init(void);

/* acl_check - run the ACL given by acl_text (a name, an inline ACL, or
 * a file path, as the acl_smtp_* options allow; NULL means the default
 * for that checkpoint) for where.
 *   recipient: the RCPT address (ACL_WHERE_RCPT), else NULL
 * Returns OK (accept), DISCARD, FAIL (deny), FAIL_DROP (drop), DEFER or
 * ERROR. *user_msg and *log_msg receive the "message" and
 * "log_message" texts (NULL if none). */
int acl_check(enum acl_where where, const char *recipient, const char *acl_text,
              char **user_msg, char **log_msg);

/* acl_eval - ${acl{name}{arg1}...} from the expansion language: runs
 * the named ACL with $acl_arg1.. set to argv (at most 9). Returns OK
 * (accept) or FAIL (deny) with *result the "message" text (or ""), FAIL_FORCED on
 * defer, ERROR otherwise (*result then holds the reason). */
int acl_eval(const char *name, int argc, char **argv, char **result);

/* acl_log_reject - write the log line for an ACL result that is not a
 * plain accept, worded as Exim's:
 *   H=host [ip] F=<sender> rejected RCPT <rcpt>: log text
 *   ... temporarily rejected ...  (DEFER, ERROR)
 *   ... RCPT <rcpt>: discarded by RCPT ACL: log text  (DISCARD)
 * arg is the command argument: the recipient for RCPT, the sender for
 * MAIL, the HELO name for HELO, the VRFY/EXPN/ETRN argument. The logs
 * written follow the last ACL's log_reject_target (main:reject default). */
void acl_log_reject(enum acl_where where, int rc, const char *arg, const char *user_msg,
                    const char *log_msg);

/* acl_trace_enable - -bh mode: write Exim's ">>> " trace lines of ACL
 * processing to fp (NULL turns them off). While on, "delay" is not
 * imposed, as under Exim's -bh. */
void acl_trace_enable(FILE *fp);
/* acl_trace_pause - stop the trace; returns where it went (NULL: off),
 * for acl_trace_enable to resume */
FILE *acl_trace_pause(void);

/* acl_default_accepts - what an unset ACL option means at this checkpoint */
bool acl_default_accepts(enum acl_where where);

/* acl_message_reset - forget $acl_m* and per-message controls (MAIL,
 * RSET, EHLO, HELO, after STARTTLS, after each message) */
void acl_message_reset(void);

/* acl_var_set / acl_var_get - $acl_c... and $acl_m... by full name
 * ("acl_m_foo"); unset variables read as NULL */
int acl_var_set(const char *name, const char *value);
const char *acl_var_get(const char *name);

/* acl_mime_source - how acl_mime_check and the regex condition get the
 * body of the message being received: write_body(ctx, fd) appends it
 * to fd (receive.c's rcv_body_to) */
void acl_mime_source(bool (*write_body)(void *ctx, int fd), void *ctx);

/* acl_mime_check - run acl (acl_smtp_mime / acl_not_smtp_mime) once per
 * MIME part, when the message has a Content-Type header. Returns OK or
 * the first result that was not accept, with the ACL's texts. */
int acl_mime_check(enum acl_where where, const char *acl, char **user_msg, char **log_msg);

/* acl_mime_unspool - remove <spool>/scan/<id> (unless control =
 * no_mbox_unspool) once the message is accepted or rejected */
void acl_mime_unspool(void);

/* acl_mime_part_count - $mime_part_count: -1 until the MIME ACL ran */
const char *acl_mime_part_count(void);

#endif
