/* route.h - the router loop: runs an address through the configured
 * routers in order, applying each router's preconditions, and the helpers
 * that routers share (queueing an address for its transport, uid/gid). */
#ifndef TERN_ROUTE_H
#define TERN_ROUTE_H

#include "tern.h"
#include "address.h"
#include "router.h"
#include "transport.h"

struct passwd;

/* route_address - route addr through the routers (from addr->start_router,
 * or the first). Returns OK (addr is on lists->local or lists->remote, or
 * children are on lists->new), DISCARD (blackholed), DEFER or FAIL with
 * addr->message set. */
int route_address(address_item *addr, router_lists *lists, enum router_verify verify);

/* route_new_address - an address_item for "local@domain" (or a pipe or
 * file when flags say so). The domain defaults to qualify_recipient. */
address_item *route_new_address(const char *address, unsigned flags);

/* route_split - local part and domain of an address (the last '@' that
 * is not inside quotes). Returns false with *err set on a syntax error. */
bool route_split(const char *address, char **lp, char **domain, const char **err);

/* route_unseen_copy - for "unseen" (and a filter with no significant
 * delivery): a copy of addr that carries on at the router after r */
void route_unseen_copy(const router_instance *r, address_item *addr, router_lists *lists);
/* route_find_transport - the transport instance called name, or NULL */
transport_instance *route_find_transport(const char *name);

/* route_queue - the common end of accept, dnslookup, manualroute,
 * ipliteral: set the router's transport (or tname), uid/gid and home, and
 * put addr on the local or remote list. Returns OK or DEFER. */
int route_queue(const router_instance *r, address_item *addr, const struct passwd *pw,
                const char *tname, router_lists *lists);

/* route_remote - the end of the remote routers: the hosts (already
 * looked up), self handling when the first host is this one, fallback
 * hosts, then route_queue. Returns OK, DECLINE, PASS, DEFER or FAIL. */
int route_remote(const router_instance *r, address_item *addr, host_item *hosts,
                 const char *tname, router_lists *lists);

/* route_get_ugid - uid/gid for addr from the router's user/group and
 * check_local_user; false with addr->message set on failure */
bool route_get_ugid(const router_instance *r, address_item *addr, const struct passwd *pw);

/* route_set_vars - copy addr's fields into dlv for the expansion variables */
void route_set_vars(const address_item *addr);

/* route_expand - expand option value s of router r; NULL with *err on failure
 * (*forced tells a forced failure apart) */
char *route_expand(const router_instance *r, const char *opt, const char *s, bool *forced,
                   char **err);

/* route_ignore_hosts - r's ignore_target_hosts, expanded (NULL: none) */
const char *route_ignore_hosts(const router_instance *r);

/* route_child_inherit - make c a child of parent, with what children
 * inherit (errors_to, router-added headers, address_data) */
void route_child_inherit(address_item *c, address_item *parent);

/* route_require_files - r's require_files precondition: OK, FAIL (skip
 * the router) or DEFER with *err (route_require.c) */
int route_require_files(const router_instance *r, char **err);

/* route_find_router - router instance by name, or NULL */
const router_instance *route_find_router(const char *name);

#endif
