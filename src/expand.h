/* expand.h - the ${...} string expansion language.
 *
 * expand_string returns NULL on failure; expand_error() then gives the
 * reason (worded as Exim words it) and expand_forced_fail() tells a
 * forced failure ("fail" keyword, failed lookup without else) apart. */
#ifndef TERN_EXPAND_H
#define TERN_EXPAND_H

#include "tern.h"

char *expand_string(const char *s);
/* expand_cstring - as expand_string, but never copies an unchanged string */
const char *expand_cstring(const char *s);
/* expand_check_condition - expand an option used as a condition (router
 * "condition", ACL "condition"): true unless it expands to "", "0", "no",
 * "false". On failure returns false with the error set. */
bool expand_check_condition(const char *cond, const char *name, const char *type);
/* expand_string_integer - expand and convert with K/M/G; -1 on error */
long long expand_string_integer(const char *s, bool isplus);
const char *expand_error(void);
bool expand_forced_fail(void);
/* expand_test_mode - the -be / -bem mode; returns the exit status */
int expand_test_mode(int argc, char **argv, const char *message_file);
/* expand_load_message - read a message file for $h_ and $message_body (-bem) */
bool expand_load_message(const char *path);

/* expand_check_address_list - every mailbox of a header's address list
 * valid? *bad and *err describe the first failure (verify = header_syntax) */
bool expand_check_address_list(const char *value, char **bad, const char **err);

/* expand_set_numeric - $0..$n for a following expansion from count
 * offset pairs into subject (unset pairs are -1); rewriting uses this */
void expand_set_numeric(const char *subject, const size_t *ovec, int count);

/* expand_rfc2047 - s as RFC 2047 Q-encoded words in headers_charset when
 * it needs encoding, as ${rfc2047:} does; appended to g */
gstring *expand_rfc2047(gstring *g, const char *s);

/* expand_reset_message - forget per-message expansion state ($srs_recipient,
 * $prvscheck_*) before the message pool is reset */
void expand_reset_message(void);

/* expand_rfc2047_raw - decode RFC 2047 encoded words, leaving the bytes
 * in their charset (the MIME ACL's $mime_filename, as Exim 4.96) */
char *expand_rfc2047_raw(const char *s);

#endif
