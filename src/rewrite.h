/* rewrite.h - address rewriting rules of the "begin rewrite" section. */
#ifndef TERN_REWRITE_H
#define TERN_REWRITE_H

#include "tern.h"

/* Flags of a rule, one bit per flag letter (chapter "Address rewriting"). */
#define RW_ENV_FROM    0x0001 /* F envelope sender */
#define RW_ENV_TO      0x0002 /* T envelope recipients */
#define RW_BCC         0x0004 /* b */
#define RW_CC          0x0008 /* c */
#define RW_FROM        0x0010 /* f */
#define RW_REPLY_TO    0x0020 /* r */
#define RW_SENDER      0x0040 /* s */
#define RW_TO          0x0080 /* t */
#define RW_ALL_HEADERS 0x00fc /* h: b c f r s t */
#define RW_ENVELOPE    0x0003 /* E: F T */
#define RW_SMTP        0x0100 /* S: at SMTP time, on MAIL/RCPT */
#define RW_WHOLE       0x0200 /* w: whole address in headers */
#define RW_QUALIFY     0x0400 /* q: qualify unqualified results */
#define RW_REWRITE_ALL 0x0800 /* R: repeat rewriting (up to 10 times) */
#define RW_QUIT        0x1000 /* Q: stop after this rule if it applies */
#define RW_NOMORE      0x2000 /* internal: q and Q both stop */

typedef struct rewrite_rule {
    struct rewrite_rule *next;
    char *key;         /* pattern: an address-list item */
    char *replacement; /* expanded when used */
    unsigned flags;
    const char *file;
    int line;
} rewrite_rule;

/* rewrite_parse_line - one rule; NULL on success or an error message */
const char *rewrite_parse_line(const char *text, rewrite_rule *r);
/* rewrite_init - parse cfg.sections.rewrite; dies with file:line */
void rewrite_init(void);
rewrite_rule *rewrite_rules_list(void);

#endif
