/* host.h - finding the hosts for a remote delivery: MX records sorted by
 * preference (equal preferences shuffled), A/AAAA addresses, hosts to
 * ignore, and recognising the local host (for the routers' "self").
 * Used by the dnslookup, manualroute and ipliteral routers and by the
 * smtp transport. */
#ifndef TERN_HOST_H
#define TERN_HOST_H

#include "tern.h"
#include "address.h"

/* host_find_byname - fill in the addresses of every host in the chain
 * from its name (system resolver, so /etc/hosts counts); hosts with
 * several addresses are expanded into several items. ignore: a host list
 * of addresses to drop. Returns OK, FAIL (no address at all) or DEFER. */
int host_find_byname(host_item **chain, const char *ignore, char **err);

/* host_find_bydns - MX records for domain, then addresses; without MX
 * records the domain's own A/AAAA (unless mx_only). Returns OK, FAIL
 * (no such domain / no usable host) or DEFER. *fully_qualified gets the
 * name that answered (for widen_domains). */
int host_find_bydns(const char *domain, bool mx_only, const char *ignore, bool randomize,
                    host_item **chain, char **err);

/* host_parse_list - a route_list host list ("a:b/MX:c::25") into items;
 * NULL with *err on a syntax error */
host_item *host_parse_list(const char *list, bool randomize, const char **err);

/* host_is_local - is address one of this host's own interface addresses? */
bool host_is_local(const char *address);

/* host_remove_local - drop hosts at or after the first local one (self
 * handling); returns true if the first host was local */
bool host_first_is_local(const host_item *chain);

/* host_chain_string - "name [addr]:name [addr]" for debug and -bt */
char *host_chain_string(const host_item *chain);

#endif
