/* dnslookup.c - the dnslookup router: finds MX, SRV or address records for
 * the domain and hands the address to a remote transport with that host list.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration, and the
 * routing: the DNS search itself is host_dns.c's; here the options are
 * turned into search options, failures into router results (decline,
 * defer, fail), qualified or widened domains into a re-route, and
 * same_domain_copy_routing reuses the previous address's hosts. Runs in
 * the delivery process and in verification. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
#include "../globals.h"
#include "../spool.h"
#include "../host.h"
#include "../match.h"
#include "../route.h"
/* This driver */
#include "dnslookup.h"

#define OFF(f) OPT_OFF(dnslookup_router_options, f)

static const optionlist dnslookup_router_optionlist[] = {
    {"check_secondary_mx", opt_bool, OFF(check_secondary_mx), NULL},
    {"check_srv", opt_stringptr, OFF(check_srv), NULL},
    {"fail_defer_domains", opt_stringptr, OFF(fail_defer_domains), NULL},
    {"ipv4_only", opt_stringptr, OFF(ipv4_only), NULL},
    {"ipv4_prefer", opt_stringptr, OFF(ipv4_prefer), NULL},
    {"mx_domains", opt_stringptr, OFF(mx_domains), NULL},
    {"mx_fail_domains", opt_stringptr, OFF(mx_fail_domains), NULL},
    {"qualify_single", opt_bool, OFF(qualify_single), NULL},
    {"rewrite_headers", opt_bool, OFF(rewrite_headers), NULL},
    {"same_domain_copy_routing", opt_bool, OFF(same_domain_copy_routing), NULL},
    {"search_parents", opt_bool, OFF(search_parents), NULL},
    {"srv_fail_domains", opt_stringptr, OFF(srv_fail_domains), NULL},
    {"widen_domains", opt_string, OFF(widen_domains), NULL},
};

const dnslookup_router_options dnslookup_router_options_default = {
    .qualify_single = true,
    .rewrite_headers = true,
};

/* dnslookup_router_init - the private options need no cross-checks; run the generic ones */
static const char *dnslookup_router_init(driver_instance *d)
{
    return router_generic_init(d);
}

/* in_list - does domain match an (expanded) domain-list option? */
static bool in_list(const router_instance *r, const char *opt, const char *list, const char *domain)
{
    if (!list) return false;
    bool forced;
    char *err;
    char *l = route_expand(r, opt, list, &forced, &err);
    return l && match_isinlist(domain, l, MCL_DOMAIN, true, NULL) == OK;
}

/* flag_option - ipv4_only / ipv4_prefer: true unless unset, forced to
 * fail, empty, "0", "no" or "false" */
static bool flag_option(const router_instance *r, const char *opt, const char *s)
{
    if (!s) return false;
    bool forced;
    char *err;
    char *v = route_expand(r, opt, s, &forced, &err);
    return v && *v && strcmp(v, "0") != 0 && strcasecmp(v, "no") != 0 && strcasecmp(v, "false") != 0;
}

/* find_opts - the search options for this address; false with
 * addr->message when check_srv cannot be expanded */
static bool find_opts(const router_instance *r, const dnslookup_router_options *o, address_item *addr,
                      host_find_opts *fo)
{
    memset(fo, 0, sizeof *fo);
    fo->ignore = route_ignore_hosts(r);
    fo->mx_only = in_list(r, "mx_domains", o->mx_domains, addr->domain);
    fo->mx_fail_is_none = in_list(r, "mx_fail_domains", o->mx_fail_domains, addr->domain);
    fo->srv_fail_is_none = in_list(r, "srv_fail_domains", o->srv_fail_domains, addr->domain);
    fo->ipv4_only = flag_option(r, "ipv4_only", o->ipv4_only);
    fo->ipv4_prefer = flag_option(r, "ipv4_prefer", o->ipv4_prefer);
    fo->qualify_single = o->qualify_single;
    fo->search_parents = o->search_parents;
    if (o->check_srv) {
        bool forced;
        char *err;
        char *srv = route_expand(r, "check_srv", o->check_srv, &forced, &err);
        if (!srv && !forced) { addr->message = err; return false; }
        fo->srv_service = srv && *srv ? srv : NULL;
    }
    return true;
}

/* widen - the domain with each widen_domains suffix, until one resolves */
static int widen(const host_find_opts *fo, const dnslookup_router_options *o, const address_item *addr,
                 enum router_verify v, host_item **hosts, host_find_info *info, char **err)
{
    if (!o->widen_domains || (v == V_SENDER && o->rewrite_headers)) return FAIL;
    const char *list = o->widen_domains;
    int sep = 0;
    char *w;
    while ((w = string_nextinlist(&list, &sep))) {
        char *d = string_sprintf("%s.%s", addr->domain, w);
        int rc = host_find_dns(d, fo, hosts, info, err);
        if (rc == OK && !info->fully_qualified) info->fully_qualified = d;
        if (rc != FAIL || (*err && !strstr(*err, "no host found"))) return rc;
    }
    return FAIL;
}

/* ---- same_domain_copy_routing: the last result for this message ---- */

static struct {
    const router_instance *r;
    const void *message;           /* dlv.spool_hdr of the message */
    char id[MESSAGE_ID_LENGTH + 1];
    char *domain;                  /* in the message's pool */
    host_item *hosts;
} copy_cache;

static host_item *copied_routing(const router_instance *r, const address_item *addr)
{
    if (!dlv.spool_hdr || copy_cache.r != r || copy_cache.message != dlv.spool_hdr) return NULL;
    if (strcmp(copy_cache.id, dlv.spool_hdr->id) != 0 || strcasecmp(copy_cache.domain, addr->domain) != 0)
        return NULL;
    DEBUG(D_route) debug_printf("%s: routing of %s copied from the previous address\n", r->drinst.name,
                                addr->address);
    return copy_cache.hosts;
}

static void remember_routing(const router_instance *r, const address_item *addr, host_item *hosts)
{
    if (!dlv.spool_hdr || r->headers_add || r->headers_remove) return;
    copy_cache.r = r;
    copy_cache.message = dlv.spool_hdr;
    snprintf(copy_cache.id, sizeof copy_cache.id, "%s", dlv.spool_hdr->id);
    copy_cache.domain = string_copy(addr->domain);
    copy_cache.hosts = hosts;
}

/* ---- results ---- */

/* failed_lookup - what a FAIL or DEFER from the search becomes */
static int failed_lookup(const router_instance *r, const dnslookup_router_options *o, address_item *addr,
                         int rc, char *err)
{
    if (rc == DEFER) {
        if (r->pass_on_timeout) return PASS;
        addr->message = string_copy("host lookup did not complete");
        return DEFER;
    }
    if (in_list(r, "fail_defer_domains", o->fail_defer_domains, addr->domain)) {
        addr->message = string_sprintf("DNS lookup for %s failed", addr->domain);
        return DEFER;
    }
    if (err && (strstr(err, "no SMTP service") || strstr(err, "non-existent hosts"))) {
        addr->message = err;
        return FAIL;
    }
    return DECLINE;
}

/* rerouted - the resolver or widen_domains qualified the domain: route
 * the address again under its full name */
static int rerouted(const router_instance *r, address_item *addr, const char *fq)
{
    DEBUG(D_route) debug_printf("%s router widened %s to %s\n", r->drinst.name, addr->domain, fq);
    addr->domain = string_copy(fq);
    if (addr->domain[0] && addr->domain[strlen(addr->domain) - 1] == '.')
        addr->domain[strlen(addr->domain) - 1] = 0;
    addr->address = string_sprintf("%s@%s", addr->local_part, addr->domain);
    addr->unique = string_lc(addr->address);
    return REROUTED;
}

/* dnslookup_router_route - SRV (check_srv), MX, else the domain's A/AAAA */
static int dnslookup_router_route(router_instance *r, address_item *addr, const struct passwd *pw,
                                  enum router_verify v, router_lists *lists)
{
    (void)pw;
    const dnslookup_router_options *o = r->drinst.options_block;
    host_item *hosts = o->same_domain_copy_routing ? copied_routing(r, addr) : NULL;
    if (hosts) return route_remote(r, addr, hosts, NULL, lists);
    host_find_opts fo;
    if (!find_opts(r, o, addr, &fo)) return DEFER;
    host_find_info info;
    char *err = NULL;
    int rc = host_find_dns(addr->domain, &fo, &hosts, &info, &err);
    if (rc == FAIL && !(err && !strstr(err, "no host found"))) rc = widen(&fo, o, addr, v, &hosts, &info, &err);
    if (rc != OK) return failed_lookup(r, o, addr, rc, err);
    if (info.fully_qualified && info.fully_qualified[0] != '*') return rerouted(r, addr, info.fully_qualified);
    if (o->check_secondary_mx && !info.local_removed) {
        DEBUG(D_route) debug_printf("check_secondary_mx: local host not in the MX list of %s\n", addr->domain);
        return DECLINE;
    }
    if (info.local_removed) addr->flags |= AFL_LOCAL_HOST_REMOVED;
    if (o->same_domain_copy_routing && !info.local_first) remember_routing(r, addr, hosts);
    return route_remote(r, addr, hosts, NULL, lists);
}

const router_info dnslookup_router_info = {
    .drinfo = {
        .driver_name = "dnslookup",
        .options = dnslookup_router_optionlist,
        .options_count = NELEM(dnslookup_router_optionlist),
        .options_default = &dnslookup_router_options_default,
        .options_len = sizeof(dnslookup_router_options),
        .init = dnslookup_router_init,
    },
    .route = dnslookup_router_route,
    .needs_transport = true,
};
