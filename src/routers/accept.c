/* accept.c - the accept router: accepts every address it is given
 * (subject to the generic preconditions) and assigns its transport.
 * Routing behaviour comes with the delivery work; this file owns the
 * driver's registration and (empty) private options. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
/* This driver */
#include "accept.h"

typedef struct accept_router_options {
    int unused; /* accept has no private options */
} accept_router_options;

static const accept_router_options accept_router_defaults = {0};

const router_info accept_router_info = {
    .drinfo = {
        .driver_name = "accept",
        .options = NULL,
        .options_count = 0,
        .options_default = &accept_router_defaults,
        .options_len = sizeof(accept_router_options),
    },
};
