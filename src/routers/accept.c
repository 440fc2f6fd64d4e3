/* accept.c - the accept router: accepts every address it is given
 * (subject to the generic preconditions) and assigns its transport.
 *
 * This file owns the driver's registration and config-time checks;
 * accept has no private options. Runs at config load in every process. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
#include "../route.h"
/* This driver */
#include "accept.h"

typedef struct accept_router_options {
    int unused; /* accept has no private options */
} accept_router_options;

static const accept_router_options accept_router_defaults = {0};

/* accept_router_init - only the generic checks: a transport is required */
static const char *accept_router_init(driver_instance *d)
{
    return router_generic_init(d);
}

/* accept_router_route - queue the address for the router's transport */
static int accept_router_route(router_instance *r, address_item *addr, const struct passwd *pw,
                               enum router_verify v, router_lists *lists)
{
    (void)v;
    return route_queue(r, addr, pw, NULL, lists);
}

const router_info accept_router_info = {
    .drinfo = {
        .driver_name = "accept",
        .options = NULL,
        .options_count = 0,
        .options_default = &accept_router_defaults,
        .options_len = sizeof(accept_router_options),
        .init = accept_router_init,
    },
    .route = accept_router_route,
    .needs_transport = true,
    .log_as_local = true,
};
