/* match.h - matching against domain, host, address and local-part lists.
 *
 * Lists are passed already expanded by the caller where the option is
 * expanded; items such as "lsearch;/file", "+name", "!", regexes, CIDR
 * are handled here. Results are OK (matched), FAIL (no match) or DEFER
 * (a lookup or DNS failure made the answer unknown). */
#ifndef TERN_MATCH_H
#define TERN_MATCH_H

#include "tern.h"

enum match_list_type { MCL_STRING, MCL_DOMAIN, MCL_HOST, MCL_ADDRESS, MCL_LOCALPART };

/* The host being matched: address and (if known, or lookup allowed) name. */
typedef struct match_host {
    const char *address;
    const char *name;  /* NULL until looked up */
    bool lookup_allowed; /* may do a reverse lookup for name items */
} match_host;

/* match_isinlist - s against a list of the given type. valueptr, if not
 * NULL, receives the lookup value of the matching item ($domain_data ...). */
int match_isinlist(const char *s, const char *list, enum match_list_type type, bool caseless,
                   const char **valueptr);
int match_host_list(const match_host *h, const char *list, const char **valueptr);
int match_address_list(const char *address, bool caseless, const char *list, const char **valueptr);
/* match_check_string - one pattern against a subject (wildcards, regex, lookups) */
int match_check_string(const char *s, const char *pattern, int expand_setup, bool caseless,
                       enum match_list_type type, const char **valueptr);
/* match_ip - is ip in the list of IP addresses / CIDR networks? (for ${if match_ip}) */
int match_ip(const char *ip, const char *list);
/* match_reset_cache - forget cached named-list results (per message) */
void match_reset_cache(void);

#endif
