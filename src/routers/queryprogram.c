/* queryprogram.c - the queryprogram router: runs a program that decides
 * how an address is routed.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
/* System */
#include <pwd.h>
/* This driver */
#include "queryprogram.h"

#define OFF(f) OPT_OFF(queryprogram_router_options, f)

static const optionlist queryprogram_router_optionlist[] = {
    {"command", opt_stringptr, OFF(command), NULL},
    {"command_group", opt_gid, OFF(command_group), NULL},
    {"command_user", opt_uid, OFF(command_user), NULL},
    {"current_directory", opt_string, OFF(current_directory), NULL},
    {"timeout", opt_time, OFF(timeout), NULL},
};

const queryprogram_router_options queryprogram_router_options_default = {
    .current_directory = "/",
    .timeout = 3600,
};

/* queryprogram_router_init - command and command_user are required; the
 * group defaults to the user's primary group */
static const char *queryprogram_router_init(driver_instance *d)
{
    const char *err = router_generic_init(d);
    if (err) return err;
    queryprogram_router_options *o = d->options_block;
    if (!o->command) return string_copy("a command specification is required");
    if (!o->command_user.set) return string_copy("command_user must be specified");
    if (!o->command_group.set) {
        struct passwd *pw = getpwuid((uid_t)o->command_user.id);
        if (!pw) return string_sprintf("no group for command_user %ld", o->command_user.id);
        o->command_group.set = true;
        o->command_group.id = (long)pw->pw_gid;
    }
    return NULL;
}

const router_info queryprogram_router_info = {
    .drinfo = {
        .driver_name = "queryprogram",
        .options = queryprogram_router_optionlist,
        .options_count = NELEM(queryprogram_router_optionlist),
        .options_default = &queryprogram_router_options_default,
        .options_len = sizeof(queryprogram_router_options),
        .init = queryprogram_router_init,
    },
};
