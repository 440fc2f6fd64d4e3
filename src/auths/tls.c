/* tls.c - the tls authenticator: authenticates a client by its TLS
 * certificate, without an AUTH command.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../auth.h"
/* This driver */
#include "tls.h"

#define OFF(f) OPT_OFF(tls_auth_options, f)

static const optionlist tls_auth_optionlist[] = {
    {"server_param", opt_stringptr, OFF(server_param1), NULL},
    {"server_param1", opt_stringptr, OFF(server_param1), NULL},
    {"server_param2", opt_stringptr, OFF(server_param2), NULL},
    {"server_param3", opt_stringptr, OFF(server_param3), NULL},
};

const tls_auth_options tls_auth_options_default = {
};

/* tls_auth_init - the mechanism is never advertised, so its public name
 * is always the instance name, whatever the config says */
static const char *tls_auth_init(driver_instance *d)
{
    ((auth_instance *)d)->public_name = d->name;
    return NULL;
}

const auth_info tls_auth_info = {
    .drinfo = {
        .driver_name = "tls",
        .options = tls_auth_optionlist,
        .options_count = NELEM(tls_auth_optionlist),
        .options_default = &tls_auth_options_default,
        .options_len = sizeof(tls_auth_options),
        .init = tls_auth_init,
    },
};
