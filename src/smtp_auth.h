/* smtp_auth.h - server side of SMTP AUTH, for the SMTP command code. */
#ifndef TERN_SMTP_AUTH_H
#define TERN_SMTP_AUTH_H

#include "tern.h"
#include "smtp_in_int.h"

/* smtp_auth_advertise - append "AUTH mech ...\n" to an EHLO reply when
 * auth_advertise_hosts and the instances' server_advertise_condition
 * allow; remembers what was offered */
void smtp_auth_advertise(gstring **g);

/* smtp_auth_command - the AUTH command (RFC 4954 section 4) */
enum smtp_next smtp_auth_command(char *line, char *arg);

/* smtp_auth_protocol - "esmtp" -> "esmtpa" once authenticated */
const char *smtp_auth_protocol(const char *proto);

/* smtp_auth_mail_param - AUTH= on MAIL (RFC 4954 section 5): OK (taken
 * or ignored, as Exim does), or ERROR after sending a reply */
int smtp_auth_mail_param(const char *value, char *line, enum smtp_next *next);

#endif
