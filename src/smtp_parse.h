/* smtp_parse.h - pure parsers for SMTP command lines: the verb, the
 * MAIL/RCPT address (RFC 5321 section 4.1.2, with Exim's error wording)
 * and ESMTP parameters. No I/O and no global state: the fuzz target and
 * the unit tests call these directly. */
#ifndef TERN_SMTP_PARSE_H
#define TERN_SMTP_PARSE_H

#include "tern.h"

enum smtp_cmd_id {
    CMD_HELO, CMD_EHLO, CMD_MAIL, CMD_RCPT, CMD_DATA, CMD_BDAT, CMD_RSET, CMD_NOOP,
    CMD_QUIT, CMD_VRFY, CMD_EXPN, CMD_ETRN, CMD_HELP, CMD_STARTTLS, CMD_AUTH,
    CMD_UNKNOWN, CMD_EOF, CMD_TIMEOUT, CMD_BADCHAR,
};

/* smtp_parse_verb - which command a line is; *arg gets the argument
 * (leading spaces skipped, trailing spaces removed). line is NUL-free
 * (callers reject NULs first) and has no line ending. */
enum smtp_cmd_id smtp_parse_verb(char *line, char **arg);
/* smtp_cmd_name - "HELO", "MAIL" ... for the C= history */
const char *smtp_cmd_name(enum smtp_cmd_id id);

/* smtp_parse_address - one address as given to MAIL FROM: or RCPT TO:.
 *   in     the text after "FROM:"/"TO:" (spaces allowed before it)
 *   addr   receives the address: source route removed, no <>; "" for <>
 *   rest   receives what follows the address (ESMTP parameters)
 * Returns NULL, or an error worded as Exim words it ("domain missing or
 * malformed" ...). Does not check for a missing domain: callers decide
 * whether unqualified addresses are allowed. */
const char *smtp_parse_address(char *in, char **addr, char **rest);

/* smtp_split_param - take the last "NAME[=VALUE]" word of params.
 * Returns false when params is empty. Cuts it off params in place. */
bool smtp_split_param(char *params, char **name, char **value);

/* smtp_xtext_decode - RFC 3461 section 4 xtext; NULL if malformed */
char *smtp_xtext_decode(const char *s);

#endif
