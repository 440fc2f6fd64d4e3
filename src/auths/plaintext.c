/* plaintext.c - the plaintext authenticator: PLAIN and LOGIN style
 * mechanisms as server and client.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../auth.h"
#include "../expand.h"
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

/* prompt - send one prompt and take its answer into the $auth vars */
static int prompt(const char *text)
{
    char *resp;
    int rc = auth_get_data(&resp, (const unsigned char *)text, strlen(text));
    return rc == OK ? auth_add_vars(resp) : rc;
}

/* plaintext_auth_server - the initial response (if any) fills $auth1...,
 * then each server_prompts item not yet answered is sent in turn; the
 * server_condition decides. */
static int plaintext_auth_server(auth_instance *a, const char *data)
{
    const plaintext_auth_options *ob = a->drinst.options_block;
    const char *prompts = "";
    if (ob->server_prompts && !(prompts = expand_cstring(ob->server_prompts))) {
        if (expand_forced_fail()) return FAIL;
        return auth_defer(string_sprintf("expansion of \"%s\" failed in %s authenticator: %s",
                                         ob->server_prompts, a->drinst.name, expand_error()));
    }
    int rc, number = 1;
    if (*data && (rc = auth_add_vars(data)) != OK) return rc;
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&prompts, &sep)) && auth_var_count() < LIMIT_EXPAND_NUMERIC) {
        if (number++ <= auth_var_count()) continue;
        if ((rc = prompt(item)) != OK) return rc;
    }
    return auth_check_condition(a);
}

/* plaintext_auth_is_server - a server_condition makes it a server */
static bool plaintext_auth_is_server(const auth_instance *a)
{
    return a->server_condition != NULL;
}

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
    .server = plaintext_auth_server,
    .is_server = plaintext_auth_is_server,
};
