/* ipliteral.c - the ipliteral router: routes domains written as IP literals
 * ([192.0.2.1]) straight to that address.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
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

const router_info ipliteral_router_info = {
    .drinfo = {
        .driver_name = "ipliteral",
        .options = NULL,
        .options_count = 0,
        .options_default = &ipliteral_router_options_default,
        .options_len = sizeof(ipliteral_router_options),
        .init = ipliteral_router_init,
    },
    .needs_transport = true,
};
