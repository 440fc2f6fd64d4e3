/* plaintext.c - the plaintext authenticator: PLAIN and LOGIN style
 * mechanisms as server and client.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../auth.h"
/* This driver */
#include "plaintext.h"

#define OFF(f) OPT_OFF(plaintext_auth_options, f)

static const optionlist plaintext_auth_optionlist[] = {
    {"client_ignore_invalid_base64", opt_bool, OFF(client_ignore_invalid_base64), NULL},
    {"client_send", opt_stringptr, OFF(client_send), NULL},
    {"server_prompts", opt_stringptr, OFF(server_prompts), NULL},
};

const plaintext_auth_options plaintext_auth_options_default = {
};

/* plaintext_auth_init - public_name defaults to the instance name */
static const char *plaintext_auth_init(driver_instance *d)
{
    return auth_generic_init(d, true);
}

const auth_info plaintext_auth_info = {
    .drinfo = {
        .driver_name = "plaintext",
        .options = plaintext_auth_optionlist,
        .options_count = NELEM(plaintext_auth_optionlist),
        .options_default = &plaintext_auth_options_default,
        .options_len = sizeof(plaintext_auth_options),
        .init = plaintext_auth_init,
    },
};
