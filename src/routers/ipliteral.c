/* ipliteral.c - the ipliteral router: routes domains written as IP literals
 * ([192.0.2.1]) straight to that address.
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
#include "ipliteral.h"

#define OFF(f) OPT_OFF(ipliteral_router_options, f)

const ipliteral_router_options ipliteral_router_options_default = {
};

/* ipliteral_router_init - no private options; run the generic checks */
static const char *ipliteral_router_init(driver_instance *d)
{
    return router_generic_init(d);
}

/* ipliteral_router_route - "[1.2.3.4]" or "[IPv6:...]" domains */
static int ipliteral_router_route(router_instance *r, address_item *addr, const struct passwd *pw,
                                  enum router_verify v, router_lists *lists)
{
    (void)pw; (void)v;
    const char *d = addr->domain;
    size_t n = strlen(d);
    if (n < 3 || d[0] != '[' || d[n - 1] != ']') return DECLINE;
    char *ip = string_copyn(d + 1, n - 2);
    if (strncasecmp(ip, "ipv6:", 5) == 0) ip += 5;
    if (!match_is_ip(ip, NULL)) return DECLINE;
    const char *ignore = route_ignore_hosts(r);
    if (ignore) {
        match_host mh = {.address = ip};
        if (match_host_list(&mh, ignore, NULL) == OK) return DECLINE;
    }
    host_item *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    h->name = string_copy(d);
    h->address = ip;
    h->port = PORT_NONE;
    h->mx = MX_NONE;
    return route_remote(r, addr, h, NULL, lists);
}

const router_info ipliteral_router_info = {
    .drinfo = {
        .driver_name = "ipliteral",
        .options = NULL,
        .options_count = 0,
        .options_default = &ipliteral_router_options_default,
        .options_len = sizeof(ipliteral_router_options),
        .init = ipliteral_router_init,
    },
    .route = ipliteral_router_route,
    .needs_transport = true,
};
