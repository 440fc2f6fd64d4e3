/* iplookup.c - the iplookup router: asks an external host over UDP or TCP
 * for a replacement address.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
/* This driver */
#include "iplookup.h"

#define OFF(f) OPT_OFF(iplookup_router_options, f)

static const optionlist iplookup_router_optionlist[] = {
    {"hosts", opt_string, OFF(hosts), NULL},
    {"optional", opt_bool, OFF(optional), NULL},
    {"port", opt_int, OFF(port), NULL},
    {"protocol", opt_string, OFF(protocol), NULL},
    {"query", opt_stringptr, OFF(query), NULL},
    {"reroute", opt_stringptr, OFF(reroute), NULL},
    {"response_pattern", opt_string, OFF(response_pattern), NULL},
    {"timeout", opt_time, OFF(timeout), NULL},
};

const iplookup_router_options iplookup_router_options_default = {
    .timeout = 5,
};

/* iplookup_router_init - a port and hosts are required; protocol is udp or tcp */
static const char *iplookup_router_init(driver_instance *d)
{
    const char *err = router_generic_init(d);
    if (err) return err;
    const iplookup_router_options *o = d->options_block;
    if (o->port <= 0) return string_copy("a port must be specified");
    if (!o->hosts) return string_copy("a host list must be specified");
    if (o->protocol && strcmp(o->protocol, "udp") != 0 && strcmp(o->protocol, "tcp") != 0)
        return string_copy("protocol not specified as udp or tcp");
    return NULL;
}

const router_info iplookup_router_info = {
    .drinfo = {
        .driver_name = "iplookup",
        .options = iplookup_router_optionlist,
        .options_count = NELEM(iplookup_router_optionlist),
        .options_default = &iplookup_router_options_default,
        .options_len = sizeof(iplookup_router_options),
        .init = iplookup_router_init,
    },
};
