/* dovecot.c - the dovecot authenticator: hands SMTP AUTH to a Dovecot
 * authentication server over its socket.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../auth.h"
/* This driver */
#include "dovecot.h"

#define OFF(f) OPT_OFF(dovecot_auth_options, f)

static const optionlist dovecot_auth_optionlist[] = {
    {"server_socket", opt_string, OFF(server_socket), NULL},
};

const dovecot_auth_options dovecot_auth_options_default = {
};

/* dovecot_auth_init - public_name defaults to the instance name */
static const char *dovecot_auth_init(driver_instance *d)
{
    return auth_generic_init(d, true);
}

const auth_info dovecot_auth_info = {
    .drinfo = {
        .driver_name = "dovecot",
        .options = dovecot_auth_optionlist,
        .options_count = NELEM(dovecot_auth_optionlist),
        .options_default = &dovecot_auth_options_default,
        .options_len = sizeof(dovecot_auth_options),
        .init = dovecot_auth_init,
    },
};
