/* manualroute.c - the manualroute router: routes domains by a list of rules
 * or an expanded route_data string naming hosts.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
/* This driver */
#include "manualroute.h"

#define OFF(f) OPT_OFF(manualroute_router_options, f)

static const optionlist manualroute_router_optionlist[] = {
    {"host_all_ignored", opt_string, OFF(host_all_ignored), NULL},
    {"host_find_failed", opt_string, OFF(host_find_failed), NULL},
    {"hosts_randomize", opt_bool, OFF(hosts_randomize), NULL},
    {"route_data", opt_stringptr, OFF(route_data), NULL},
    {"route_list", opt_string, OFF(route_list), NULL},
    {"same_domain_copy_routing", opt_bool, OFF(same_domain_copy_routing), NULL},
};

const manualroute_router_options manualroute_router_options_default = {
    .host_all_ignored = "defer",
    .host_find_failed = "freeze",
};

/* word_in - S is one of the NULL-terminated WORDS */
static bool word_in(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0) return true;
    return false;
}

/* manualroute_router_init - exactly one of route_list and route_data, and
 * known words for the two host-failure options */
static const char *manualroute_router_init(driver_instance *d)
{
    static const char *const find_failed[] = {"freeze", "defer", "fail", "decline", "pass", "ignore", NULL};
    const char *err = router_generic_init(d);
    if (err) return err;
    const manualroute_router_options *o = d->options_block;
    if (!o->route_list == !o->route_data)
        return string_copy("route_list or route_data (but not both) must be specified");
    if (!word_in(o->host_find_failed, find_failed))
        return string_copy("unrecognized setting for host_find_failed option");
    if (strcmp(o->host_all_ignored, "ignore") == 0 || !word_in(o->host_all_ignored, find_failed))
        return string_copy("unrecognized setting for host_all_ignored option");
    return NULL;
}

const router_info manualroute_router_info = {
    .drinfo = {
        .driver_name = "manualroute",
        .options = manualroute_router_optionlist,
        .options_count = NELEM(manualroute_router_optionlist),
        .options_default = &manualroute_router_options_default,
        .options_len = sizeof(manualroute_router_options),
        .init = manualroute_router_init,
    },
};
