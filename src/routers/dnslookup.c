/* dnslookup.c - the dnslookup router: finds MX, SRV or address records for
 * the domain and hands the address to a remote transport with that host list.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
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

const router_info dnslookup_router_info = {
    .drinfo = {
        .driver_name = "dnslookup",
        .options = dnslookup_router_optionlist,
        .options_count = NELEM(dnslookup_router_optionlist),
        .options_default = &dnslookup_router_options_default,
        .options_len = sizeof(dnslookup_router_options),
        .init = dnslookup_router_init,
    },
    .needs_transport = true,
};
