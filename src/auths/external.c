/* external.c - the external authenticator: the EXTERNAL mechanism
 * (RFC 4422 appendix A), usually backed by a TLS client certificate.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../auth.h"
/* This driver */
#include "external.h"

#define OFF(f) OPT_OFF(external_auth_options, f)

static const optionlist external_auth_optionlist[] = {
    {"client_send", opt_stringptr, OFF(client_send), NULL},
    {"server_param2", opt_stringptr, OFF(server_param2), NULL},
    {"server_param3", opt_stringptr, OFF(server_param3), NULL},
};

const external_auth_options external_auth_options_default = {
};

/* external_auth_init - public_name defaults to the instance name */
static const char *external_auth_init(driver_instance *d)
{
    return auth_generic_init(d, true);
}

const auth_info external_auth_info = {
    .drinfo = {
        .driver_name = "external",
        .options = external_auth_optionlist,
        .options_count = NELEM(external_auth_optionlist),
        .options_default = &external_auth_options_default,
        .options_len = sizeof(external_auth_options),
        .init = external_auth_init,
    },
};
