/* acl_pending.c - weak fallback definitions of the expansion, list
 * matching and DNS functions the ACL engine calls, so the engine links
 * and its tests run before those subsystems are merged. Each real
 * definition overrides its weak one; this file goes away at merge.
 * Fallbacks refuse what they cannot do (no '$' expansion, no DNS). */

/* System */
#include <arpa/inet.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "expand.h"
#include "match.h"

#define WEAK __attribute__((weak))

static const char *pending_error;

WEAK char *expand_string(const char *s)
{
    if (strchr(s, '$')) { pending_error = "expansion not merged"; return NULL; }
    return string_copy_taint(s, store_is_tainted(s));
}

WEAK const char *expand_error(void) { return pending_error ? pending_error : ""; }
WEAK bool expand_forced_fail(void) { return false; }

/* in_list - exact comparison with each item; "!" negates, "*" matches all */
static int in_list(const char *s, const char *list, bool caseless)
{
    int sep = 0;
    for (char *item; (item = string_nextinlist(&list, &sep));) {
        bool neg = *item == '!';
        if (neg) item++;
        bool hit = strcmp(item, "*") == 0 || (caseless ? strcasecmp(item, s) == 0 : strcmp(item, s) == 0);
        if (hit) return neg ? FAIL : OK;
    }
    return FAIL;
}

WEAK int match_isinlist(const char *s, const char *list, enum match_list_type type, bool caseless,
                        const char **valueptr)
{
    return in_list(s, list, caseless);
}

WEAK int match_host_list(const match_host *h, const char *list, const char **valueptr)
{
    if (!h->address) return strcmp(list, ":") == 0 || !*list ? FAIL : in_list("", list, false);
    return in_list(h->address, list, false);
}

WEAK int match_address_list(const char *address, bool caseless, const char *list, const char **valueptr)
{
    return in_list(address, list, caseless);
}

WEAK int dns_lookup(const char *name, int type, dns_answer *ans, char **err)
{
    *err = string_copy("DNS resolver not merged");
    return DEFER;
}

WEAK char *dns_reverse_name(const char *ip)
{
    struct in_addr a;
    if (inet_pton(AF_INET, ip, &a) != 1) return NULL;
    const unsigned char *b = (const unsigned char *)&a;
    return string_sprintf("%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
}

WEAK int dns_host_addresses(const char *name, char ***addrs) { return DEFER; }
WEAK int dns_host_names(const char *ip, char ***names) { return DEFER; }
