/* rewrite.h - address rewriting: the rules of the "begin rewrite"
 * section and of a transport's headers_rewrite, and applying them to
 * envelope addresses, header lines and SMTP command data (chapter
 * "Address rewriting" of the Exim manual). */
#ifndef TERN_REWRITE_H
#define TERN_REWRITE_H

#include "tern.h"
#include "message.h"

/* Flags of a rule, one bit per flag letter. The eight field bits are
 * in -brw's print order (sender: from: to: cc: bcc: reply-to: env-from
 * env-to); one of them is passed as the field being rewritten. */
#define RW_SENDER      0x0001 /* s  Sender: */
#define RW_FROM        0x0002 /* f  From: */
#define RW_TO          0x0004 /* t  To: */
#define RW_CC          0x0008 /* c  Cc: */
#define RW_BCC         0x0010 /* b  Bcc: */
#define RW_REPLY_TO    0x0020 /* r  Reply-To: */
#define RW_ENV_FROM    0x0040 /* F  envelope sender */
#define RW_ENV_TO      0x0080 /* T  envelope recipients */
#define RW_ALL_HEADERS 0x003f /* h  all six headers (and their Resent- forms) */
#define RW_ENVELOPE    0x00c0 /* E  both envelope fields */
#define RW_FIELDS      0x00ff
#define RW_SMTP        0x0100 /* S  MAIL/RCPT data at SMTP time, before ACLs */
#define RW_WHOLE       0x0200 /* w  replace the whole header address item */
#define RW_QUALIFY     0x0400 /* Q  an unqualified result gets qualify_recipient */
#define RW_REPEAT      0x0800 /* R  re-apply to the result (LIMIT_REWRITE_REPEAT) */
#define RW_QUIT        0x1000 /* q  no later rule once this one matched */

typedef struct rewrite_rule {
    struct rewrite_rule *next;
    char *key;         /* pattern: one address-list item, expanded when used */
    char *replacement; /* expanded when used; "*" means "leave alone, stop" */
    unsigned flags;
} rewrite_rule;

/* rewrite_parse_line - one rule; NULL on success or an error message.
 * transport: headers_rewrite rules (no E F T S; default all headers) */
const char *rewrite_parse_line(const char *text, bool transport, rewrite_rule *r);
/* rewrite_parse_list - a headers_rewrite colon list of rules */
const char *rewrite_parse_list(const char *list, rewrite_rule **rules);
/* rewrite_init - parse cfg.sections.rewrite; dies with file:line */
void rewrite_init(void);
rewrite_rule *rewrite_rules_list(void);
/* rewrite_existflags - the union of the rules' flags */
unsigned rewrite_existflags(const rewrite_rule *rules);

/* rewrite_address - address (qualified, working part only) through the
 * rules that apply to field (one RW_ field bit, or RW_SMTP for raw
 * command data). Returns address itself when no rule changed it. If
 * whole is not NULL it gets the full replacement when a "w" rule made
 * the last change, else NULL. Logs with +address_rewrite. */
char *rewrite_address(const rewrite_rule *rules, const char *address, unsigned field, char **whole);

/* rewrite_header_line - the addresses of one From/To/... header through
 * the rules; unqualified ones get qualify_domain (sender fields) or
 * qualify_recipient when qualify allows. Returns the new header text,
 * or NULL when nothing changed. */
char *rewrite_header_line(const rewrite_rule *rules, const header_line *h, bool qualify);
/* rewrite_headers - every rewritable header of list: a changed one is
 * kept marked deleted ("*" in -H) with the new one after it */
void rewrite_headers(const rewrite_rule *rules, header_line *list);

/* rewrite_envelope - at reception: msg's recipients, then its sender.
 * *rcpt_hdrs and *sender_hdr get the deleted-marked X-rewrote-* records
 * Exim keeps in -H (NULL when nothing changed). */
void rewrite_envelope(header_line **rcpt_hdrs, header_line **sender_hdr);
/* rewrite_sender_early - sender verification: the envelope sender is
 * rewritten now and stays so (not again, and no record, at reception) */
void rewrite_sender_early(void);
/* rewrite_smtp - S rules on MAIL/RCPT data; returns data when unchanged */
char *rewrite_smtp(char *data, bool recipient);

/* rewrite_test_mode - -brw address; returns the exit status */
int rewrite_test_mode(int argc, char **argv);

#endif
