/* addr_parse.h - one RFC 5322 mailbox out of header text, as Exim reads
 * it: the working address with comments, phrase and source route
 * removed, where it sits in the input, and Exim's wording for errors.
 * Used by address rewriting (header lines, -brw) and nothing that needs
 * a stricter reading. Pure functions: no I/O, no global state. */
#ifndef TERN_ADDR_PARSE_H
#define TERN_ADDR_PARSE_H

#include "tern.h"

/* Group syntax ("name: a, b;", RFC 5322 section 3.4) across the items
 * of one header: GROUP_NONE refuses it (-brw), GROUP_ALLOWED accepts a
 * group start, GROUP_OPEN is inside one until its ';'. */
enum addr_group { GROUP_NONE, GROUP_ALLOWED, GROUP_OPEN };

typedef struct addr_parsed {
    char *address; /* working address; "" only for "<>" with allow_null */
    size_t start;  /* its span in the input: [start, end) */
    size_t end;
    size_t domain; /* offset of the domain in address; 0 if unqualified */
} addr_parsed;

/* addr_parse_extract - one mailbox (the whole of in). *group is carried
 * from item to item of a header (NULL: groups refused). Returns NULL on
 * success or the error as Exim words it (lower case first letter). */
const char *addr_parse_extract(const char *in, bool allow_null, enum addr_group *group, addr_parsed *out);

/* addr_parse_item_end - where the address-list item at s ends: the next
 * ',' outside quotes, comments and angle brackets, or the terminating NUL */
const char *addr_parse_item_end(const char *s);

/* addr_parse_has_at - is there an '@' outside closed quoted strings? */
bool addr_parse_has_at(const char *s);

#endif
