/* cram_md5.c - the cram_md5 authenticator: CRAM-MD5 (RFC 2195) as
 * server and client.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../auth.h"
/* This driver */
#include "cram_md5.h"

#define OFF(f) OPT_OFF(cram_md5_auth_options, f)

static const optionlist cram_md5_auth_optionlist[] = {
    {"client_name", opt_stringptr, OFF(client_name), NULL},
    {"client_secret", opt_stringptr, OFF(client_secret), NULL},
    {"server_secret", opt_stringptr, OFF(server_secret), NULL},
};

const cram_md5_auth_options cram_md5_auth_options_default = {
};

/* cram_md5_auth_init - a public_name is required */
static const char *cram_md5_auth_init(driver_instance *d)
{
    return auth_generic_init(d, false);
}

const auth_info cram_md5_auth_info = {
    .drinfo = {
        .driver_name = "cram_md5",
        .options = cram_md5_auth_optionlist,
        .options_count = NELEM(cram_md5_auth_optionlist),
        .options_default = &cram_md5_auth_options_default,
        .options_len = sizeof(cram_md5_auth_options),
        .init = cram_md5_auth_init,
    },
};
