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

/* acl_eval - ${acl{name}{arg1}...} from the expansion language */
int acl_eval(const char *name, int argc, char **argv, char **result);

#endif
