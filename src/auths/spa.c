/* spa.c - the spa authenticator: NTLM (Microsoft Secure Password
 * Authentication) as server and client.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../auth.h"
/* This driver */
#include "spa.h"

#define OFF(f) OPT_OFF(spa_auth_options, f)

static const optionlist spa_auth_optionlist[] = {
    {"client_domain", opt_stringptr, OFF(client_domain), NULL},
    {"client_password", opt_stringptr, OFF(client_password), NULL},
    {"client_username", opt_stringptr, OFF(client_username), NULL},
    {"server_password", opt_stringptr, OFF(server_password), NULL},
};

const spa_auth_options spa_auth_options_default = {
};

/* spa_auth_init - public_name defaults to the instance name */
static const char *spa_auth_init(driver_instance *d)
{
    return auth_generic_init(d, true);
}

const auth_info spa_auth_info = {
    .drinfo = {
        .driver_name = "spa",
        .options = spa_auth_optionlist,
        .options_count = NELEM(spa_auth_optionlist),
        .options_default = &spa_auth_options_default,
        .options_len = sizeof(spa_auth_options),
        .init = spa_auth_init,
    },
};
