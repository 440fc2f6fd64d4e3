/* drivers.c - the one registry of driver implementations, and the
 * generic option tables of routers, transports and authenticators.
 *
 * Adding a driver: write src/<kind>s/<name>.c with its info struct and
 * add one line to the matching list below. Nothing else changes. */

/* MTA core */
#include "tern.h"
#include "auth.h"
#include "drivers.h"
#include "router.h"
#include "transport.h"
/* Drivers */
#include "routers/accept.h"

#define RO(name, type) {#name, (type) | OPT_PUBLIC, OPT_OFF(router_instance, name), NULL}
#define RO_AS(name, field, type) {name, (type) | OPT_PUBLIC, OPT_OFF(router_instance, field), NULL}

const optionlist router_generic_options[] = {
    RO(address_data, opt_stringptr),
    RO(address_test, opt_bool),
    RO(caseful_local_part, opt_bool),
    RO(check_local_user, opt_bool),
    RO(condition, opt_stringptr),
    RO(domains, opt_stringptr),
    RO_AS("driver", drinst.driver_name, opt_string),
    RO(more, opt_bool),
    RO_AS("transport", transport_name, opt_stringptr),
    RO(unseen, opt_bool),
    RO_AS("verify", verify_sender, opt_bool_verify),
    RO(verify_recipient, opt_bool),
    RO(verify_sender, opt_bool),
};
const size_t router_generic_options_count = NELEM(router_generic_options);
const router_instance router_generic_default = {
    .address_test = true,
    .more = true,
    .verify_sender = true,
    .verify_recipient = true,
};

#define TO(name, type) {#name, (type) | OPT_PUBLIC, OPT_OFF(transport_instance, name), NULL}
const optionlist transport_generic_options[] = {
    TO(body_only, opt_bool),
    {"driver", opt_string | OPT_PUBLIC, OPT_OFF(transport_instance, drinst.driver_name), NULL},
    TO(group, opt_expand_gid),
    TO(headers_add, opt_stringptr),
    TO(headers_only, opt_bool),
    TO(return_path, opt_stringptr),
    TO(user, opt_expand_uid),
};
const size_t transport_generic_options_count = NELEM(transport_generic_options);
const transport_instance transport_generic_default = {0};

#define AO(name, type) {#name, (type) | OPT_PUBLIC, OPT_OFF(auth_instance, name), NULL}
const optionlist auth_generic_options[] = {
    AO(advertise_condition, opt_stringptr),
    AO(client_condition, opt_stringptr),
    {"driver", opt_string | OPT_PUBLIC, OPT_OFF(auth_instance, drinst.driver_name), NULL},
    AO(public_name, opt_string),
    AO(server_condition, opt_stringptr),
    AO(server_debug_print, opt_stringptr),
    AO(server_set_id, opt_stringptr),
};
const size_t auth_generic_options_count = NELEM(auth_generic_options);
const auth_instance auth_generic_default = {0};

static const driver_info *const router_infos[] = {
    &accept_router_info.drinfo,
    NULL,
};
static const driver_info *const transport_infos[] = {NULL};
static const driver_info *const auth_infos[] = {NULL};

const drivers_kind_desc drivers_kinds[DRIVER_KINDS] = {
    [DRIVER_ROUTER] = {"routers", "router", router_generic_options, NELEM(router_generic_options),
                       sizeof(router_instance), &router_generic_default, router_infos},
    [DRIVER_TRANSPORT] = {"transports", "transport", transport_generic_options,
                          NELEM(transport_generic_options), sizeof(transport_instance),
                          &transport_generic_default, transport_infos},
    [DRIVER_AUTH] = {"authenticators", "authenticator", auth_generic_options,
                     NELEM(auth_generic_options), sizeof(auth_instance), &auth_generic_default,
                     auth_infos},
};

const driver_info *drivers_find(enum driver_kind kind, const char *name)
{
    for (const driver_info *const *p = drivers_kinds[kind].infos; *p; p++)
        if (strcmp((*p)->driver_name, name) == 0) return *p;
    return NULL;
}
