/* host.h - finding the hosts for a remote delivery: host lists with
 * ports, MX and SRV records sorted by preference (equal preferences
 * shuffled), A/AAAA addresses, hosts to ignore, the resolver's
 * qualification of short names, and recognising the local host (for
 * the routers' "self" and check_secondary_mx). Used by the dnslookup,
 * manualroute and ipliteral routers and by the smtp transport. */
#ifndef TERN_HOST_H
#define TERN_HOST_H

#include "tern.h"
#include "address.h"

/* host_find_byname - fill in the addresses of every host in the chain
 * from its name (system resolver, so /etc/hosts counts); hosts with
 * several addresses are expanded into several items. ignore: a host list
 * of addresses to drop. Returns OK, FAIL (no address at all) or DEFER. */
int host_find_byname(host_item **chain, const char *ignore, char **err);

/* What a DNS host search may do (the dnslookup router's options). */
typedef struct host_find_opts {
    const char *ignore;        /* ignore_target_hosts (expanded host list) */
    bool mx_only;              /* mx_domains: no MX is a failure */
    bool mx_fail_is_none;      /* mx_fail_domains: MX lookup error = no MX */
    const char *srv_service;   /* check_srv: "_service._tcp." looked up first */
    bool srv_fail_is_none;     /* srv_fail_domains */
    bool ipv4_only, ipv4_prefer;
    bool qualify_single;       /* a name without dots gets the resolver's domain */
    bool search_parents;       /* the resolver's search list is tried */
} host_find_opts;

/* What the search found out besides the hosts. */
typedef struct host_find_info {
    char *fully_qualified;     /* the name that answered (qualify/search) */
    bool local_removed;        /* this host was in the MX list, it and worse MXs dropped */
    bool local_first;          /* the best host is this host (the chain is then
                                * the local host's items: "self" decides) */
    bool from_srv;
} host_find_info;

/* host_find_dns - SRV (if asked), then MX records for domain, then
 * addresses of each target through DNS A/AAAA; without MX records the
 * domain's own addresses (unless mx_only). Hosts after this host in MX
 * order are dropped (info->local_removed); if this host is the best,
 * info->local_first. Returns OK, FAIL (no such domain, null MX: *err
 * says so, no usable host) or DEFER. */
int host_find_dns(const char *domain, const host_find_opts *o, host_item **chain,
                  host_find_info *info, char **err);

/* host_find_bydns - host_find_dns with only mx_only and ignore (for
 * manualroute's "name/MX" items); no local host processing. */
int host_find_bydns(const char *domain, bool mx_only, const char *ignore, bool randomize,
                    host_item **chain, char **err);

/* host_parse_list - a host list ("a:b/MX:c::25:[::1]:26") into items;
 * ports may be numbers or service names. NULL with *err on a syntax
 * error. */
host_item *host_parse_list(const char *list, bool randomize, const char **err);

/* host_is_local - is address one of this host's own interface addresses
 * (or in hosts_treat_as_local)? */
bool host_is_local(const char *address);

/* host_first_is_local - is the first host of the chain this host? */
bool host_first_is_local(const host_item *chain);

/* host_new - an item for name (no address, PORT_NONE) with MX preference mx */
host_item *host_new(const char *name, int mx);
/* host_ignored - is addr in the ignore host list (NULL: never)? */
bool host_ignored(const char *addr, const char *ignore);

/* host_chain_string - "name [addr]:name [addr]" for debug and -bt */
char *host_chain_string(const host_item *chain);

/* host_random - a random number for host order (randomize, equal MX
 * preferences): the kernel's generator, since random() is unseeded
 * outside queue runs and would give every process the same order */
unsigned host_random(void);

#endif
