/* dnslookup.c - the dnslookup router: finds MX, SRV or address records for
 * the domain and hands the address to a remote transport with that host list.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
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

/* widen - the domain with each widen_domains suffix, until one resolves */
static int widen(const router_instance *r, const dnslookup_router_options *o, address_item *addr,
                 bool mx_only, host_item **hosts, char **err)
{
    if (!o->widen_domains || strchr(addr->domain, '.')) return FAIL;
    const char *list = o->widen_domains;
    int sep = 0;
    char *w;
    while ((w = string_nextinlist(&list, &sep))) {
        char *d = string_sprintf("%s.%s", addr->domain, w);
        int rc = host_find_bydns(d, mx_only, r->ignore_target_hosts, false, hosts, err);
        if (rc != FAIL) {
            if (rc == OK && o->rewrite_headers) {
                addr->domain = d;
                addr->address = string_sprintf("%s@%s", addr->local_part, d);
            }
            return rc;
        }
    }
    return FAIL;
}

/* dnslookup_router_route - MX records, else the domain's A/AAAA */
static int dnslookup_router_route(router_instance *r, address_item *addr, const struct passwd *pw,
                                  enum router_verify v, router_lists *lists)
{
    (void)pw; (void)v;
    const dnslookup_router_options *o = r->drinst.options_block;
    bool mx_only = in_list(r, "mx_domains", o->mx_domains, addr->domain);
    host_item *hosts = NULL;
    char *err = NULL;
    int rc = host_find_bydns(addr->domain, mx_only, r->ignore_target_hosts, false, &hosts, &err);
    if (rc == FAIL) rc = widen(r, o, addr, mx_only, &hosts, &err);
    if (rc == DEFER) {
        if (r->pass_on_timeout) return PASS;
        addr->message = string_sprintf("host lookup for %s did not complete (DNS timeout?)", addr->domain);
        return DEFER;
    }
    if (rc == FAIL) {
        if (err && strstr(err, "no SMTP service")) { addr->message = err; return FAIL; }
        if (in_list(r, "fail_defer_domains", o->fail_defer_domains, addr->domain)) {
            addr->message = string_sprintf("DNS lookup for %s failed", addr->domain);
            return DEFER;
        }
        return DECLINE;
    }
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
