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
    char *const *aliases; /* its other names (NULL-terminated), or NULL */
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

/* match_captures - after match_isinlist returned OK: the subject and
 * the offset pairs ($0, $1, ...) of the regex or "*" item that matched;
 * returns how many pairs (0 when the item set none) */
int match_captures(const char **subject, const size_t **ovec);

/* match_error - why the last call returned DEFER (worded for logs) */
const char *match_error(void);

/* match_is_ip - 4 or 6 if s is an IP address (with "/mask" allowed when
 * maskptr is not NULL: *maskptr gets the mask or -1), else 0 */
int match_is_ip(const char *s, int *maskptr);
/* match_ip_in_net - is ip inside net ("a.b.c.d", "a.b.c.0/24", v6 alike)?
 * IPv4-mapped IPv6 addresses count as their IPv4 form. */
bool match_ip_in_net(const char *ip, const char *net);
/* match_ip_key - ip masked to mask bits as a lookup key "a.b.c.0/24";
 * mask < 0: the address alone. IPv6 uses '.' between groups unless
 * colons is set (iplsearch keys). */
char *match_ip_key(const char *ip, int mask, bool colons);

/* match_set_local_interfaces - the addresses "@[]" and @mx_* treat as
 * this host's (a list, as local_interfaces); NULL: ask the system */
void match_set_local_interfaces(const char *list);

#endif
