/* route_remote.c - what dnslookup, manualroute and ipliteral share once
 * they have hosts: the "self" option when the first host is this
 * machine, ignore_target_hosts already applied, fallback_hosts, and
 * queueing for the transport.
 *
 * Runs in the delivery process and in verification; DNS only through
 * host.c. */

/* MTA core */
#include "tern.h"
#include "globals.h"
#include "host.h"
#include "log.h"
#include "route.h"

/* self_action - the router's "self" option: freeze (default), defer,
 * fail, pass, send, or reroute:<domain> */
static int self_action(const router_instance *r, address_item *addr, host_item *hosts)
{
    const char *self = r->self ? r->self : "freeze";
    addr->self_hostname = hosts->name;
    dlv.self_hostname = hosts->name;
    const char *why = hosts->mx >= 0 ? "lowest numbered MX record points to local host"
                                     : "remote host address is the local host";
    if (strcmp(self, "send") == 0) return OK;
    if (strcmp(self, "pass") == 0) return PASS;
    if (strncmp(self, "reroute:", 8) == 0) {
        addr->domain = string_copy(self + 8);
        addr->address = string_sprintf("%s@%s", addr->local_part, addr->domain);
        addr->unique = string_lc(addr->address);
        return REROUTED;
    }
    addr->message = string_copy(why);
    log_write(L_always, LOG_MAIN, "%s: %s (while routing <%s>)", why, addr->domain, addr->address);
    if (strcmp(self, "fail") == 0) return FAIL;
    if (strcmp(self, "freeze") == 0) addr->special_action = 'F';
    return DEFER;
}

/* fallbacks - fallback_hosts, looked up by name */
static void fallbacks(const router_instance *r, address_item *addr)
{
    if (!r->fallback_hosts) return;
    for (const host_item *h = addr->host_list; h; h = h->next)
        if (h->fallback) return; /* a copied routing already has them */
    const char *err;
    host_item *f = host_parse_list(r->fallback_hosts, false, &err);
    char *lerr;
    if (f && host_find_byname(&f, route_ignore_hosts(r), &lerr) == OK) {
        for (host_item *h = f; h; h = h->next) h->fallback = true; /* after the others */
        host_item **tail = &addr->host_list;
        while (*tail) tail = &(*tail)->next;
        *tail = f;
    }
}

int route_remote(const router_instance *r, address_item *addr, host_item *hosts,
                 const char *tname, router_lists *lists)
{
    if (host_first_is_local(hosts)) {
        int rc = self_action(r, addr, hosts);
        if (rc != OK) return rc;
    }
    addr->host_list = hosts;
    fallbacks(r, addr);
    return route_queue(r, addr, NULL, tname, lists);
}
