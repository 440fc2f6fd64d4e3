/* drivers.c - the one registry of driver implementations, the generic
 * option tables of routers, transports and authenticators, and the
 * generic checks every driver's init runs first.
 *
 * Adding a driver: write src/<kind>s/<name>.c with its info struct and
 * add one line to the matching list below. Nothing else changes.
 * Runs at config load; the tables are read-only. */

/* MTA core */
#include "tern.h"
#include "auth.h"
#include "drivers.h"
#include "globals.h"
#include "rewrite.h"
#include "router.h"
#include "transport.h"
/* Drivers */
#include "auths/cram_md5.h"
#include "auths/dovecot.h"
#include "auths/external.h"
#include "auths/plaintext.h"
#include "auths/spa.h"
#include "auths/tls.h"
#include "routers/accept.h"
#include "routers/dnslookup.h"
#include "routers/ipliteral.h"
#include "routers/iplookup.h"
#include "routers/manualroute.h"
#include "routers/queryprogram.h"
#include "routers/redirect.h"
#include "transports/appendfile.h"
#include "transports/autoreply.h"
#include "transports/lmtp.h"
#include "transports/pipe.h"
#include "transports/smtp.h"

/* ---- routers ---- */

#define RO(name, type) {#name, (type) | OPT_PUBLIC, OPT_OFF(router_instance, name), NULL}
#define RO_AS(name, field, type) {name, (type) | OPT_PUBLIC, OPT_OFF(router_instance, field), NULL}

const optionlist router_generic_options[] = {
    RO(address_data, opt_stringptr),
    RO(address_test, opt_bool),
    RO(cannot_route_message, opt_stringptr),
    RO(caseful_local_part, opt_bool),
    RO(check_local_user, opt_bool),
    RO(condition, opt_stringptr),
    RO(debug_print, opt_stringptr),
    RO(disable_logging, opt_bool),
    RO(dnssec_request_domains, opt_stringptr),
    RO(dnssec_require_domains, opt_stringptr),
    RO(domains, opt_stringptr),
    RO_AS("driver", drinst.driver_name, opt_string),
    RO(dsn_lasthop, opt_bool), /* EXPERIMENTAL_DSN in 4.8x; always present since */
    RO(errors_to, opt_stringptr),
    RO(expn, opt_bool),
    RO_AS("fail_verify", fail_verify_sender, opt_bool_verify),
    RO(fail_verify_recipient, opt_bool),
    RO(fail_verify_sender, opt_bool),
    RO(fallback_hosts, opt_string),
    RO(group, opt_expand_gid),
    RO(headers_add, opt_stringptr),
    RO(headers_remove, opt_stringptr),
    RO(ignore_target_hosts, opt_stringptr),
    RO(initgroups, opt_bool),
    RO(local_part_prefix, opt_stringptr),
    RO(local_part_prefix_optional, opt_bool),
    RO(local_part_suffix, opt_stringptr),
    RO(local_part_suffix_optional, opt_bool),
    RO(local_parts, opt_stringptr),
    RO(log_as_local, opt_bool),
    RO(more, opt_expand_bool),
    RO(pass_on_timeout, opt_bool),
    RO(pass_router, opt_string),
    RO(redirect_router, opt_string),
    RO(require_files, opt_stringptr),
    RO(retry_use_local_part, opt_bool),
    RO(router_home_directory, opt_stringptr),
    RO(self, opt_string),
    RO(senders, opt_stringptr),
    RO(set, opt_string),
    {"translate_ip_address", opt_missing | OPT_PUBLIC, 0, "SUPPORT_TRANSLATE_IP_ADDRESS"},
    RO_AS("transport", transport_name, opt_stringptr),
    RO(transport_current_directory, opt_stringptr),
    RO(transport_home_directory, opt_stringptr),
    RO(unseen, opt_expand_bool),
    RO(user, opt_expand_uid),
    RO_AS("verify", verify_sender, opt_bool_verify),
    RO(verify_only, opt_bool),
    RO(verify_recipient, opt_bool),
    RO(verify_sender, opt_bool),
};
const size_t router_generic_options_count = NELEM(router_generic_options);
const router_instance router_generic_default = {
    .address_test = true,
    .dnssec_request_domains = "*",
    .expn = true,
    .log_as_local = DRIVER_BOOL_UNSET,
    .more = {.value = true},
    .retry_use_local_part = DRIVER_BOOL_UNSET,
    .self = "freeze",
    .verify_sender = true,
    .verify_recipient = true,
};

/* self_valid - the self option: freeze defer fail send pass, or reroute:X */
static bool self_valid(const char *s)
{
    static const char *const words[] = {"freeze", "defer", "fail", "send", "pass"};
    for (size_t i = 0; i < NELEM(words); i++)
        if (strcmp(s, words[i]) == 0) return true;
    return string_has_prefix(s, "reroute:");
}

const char *router_generic_init(driver_instance *d)
{
    router_instance *r = (router_instance *)d;
    const router_info *ri = (const router_info *)d->info;
    if (r->log_as_local == DRIVER_BOOL_UNSET) r->log_as_local = ri->log_as_local;
    if (r->retry_use_local_part == DRIVER_BOOL_UNSET) /* any option that looks at the local part */
        r->retry_use_local_part = r->check_local_user || r->local_parts || r->condition || r->local_part_prefix
                                  || r->local_part_suffix || r->senders || r->require_files;
    if (r->self && !self_valid(r->self))
        return string_sprintf("%s is not valid for the self option", r->self);
    return NULL;
}

/* routers_check_transports - after the whole config is read (Exim checks
 * this once all drivers exist, so duplicate names are reported first) */
const char *routers_check_transports(void)
{
    for (driver_instance *d = cfg.sections.drivers[DRIVER_ROUTER]; d; d = d->next) {
        const router_instance *r = (const router_instance *)d;
        const router_info *ri = (const router_info *)d->info;
        if (ri && ri->needs_transport && !r->transport_name && !r->verify_only)
            return string_sprintf("%s router:\n  a transport is required for this router", d->name);
    }
    return NULL;
}

/* ---- transports ---- */

#define TO(name, type) {#name, (type) | OPT_PUBLIC, OPT_OFF(transport_instance, name), NULL}
const optionlist transport_generic_options[] = {
    TO(body_only, opt_bool),
    TO(current_directory, opt_stringptr),
    TO(debug_print, opt_stringptr),
    TO(delivery_date_add, opt_bool),
    TO(disable_logging, opt_bool),
    {"driver", opt_string | OPT_PUBLIC, OPT_OFF(transport_instance, drinst.driver_name), NULL},
    TO(envelope_to_add, opt_bool),
    TO(event_action, opt_stringptr),
    TO(group, opt_expand_gid),
    TO(headers_add, opt_stringptr),
    TO(headers_only, opt_bool),
    TO(headers_remove, opt_stringptr),
    TO(headers_rewrite, opt_rewrite),
    TO(home_directory, opt_stringptr),
    TO(initgroups, opt_bool),
    TO(max_parallel, opt_stringptr),
    TO(message_size_limit, opt_stringptr),
    TO(rcpt_include_affixes, opt_bool),
    TO(retry_use_local_part, opt_bool),
    TO(return_path, opt_stringptr),
    TO(return_path_add, opt_bool),
    TO(shadow_condition, opt_stringptr),
    TO(shadow_transport, opt_string),
#ifdef EXPERIMENTAL_TPDA
    {"tpda_delivery_action", opt_alias | OPT_PUBLIC, 0, "event_action"},
#else
    {"tpda_delivery_action", opt_missing | OPT_PUBLIC, 0, "EXPERIMENTAL_TPDA"},
#endif
    TO(transport_filter, opt_stringptr),
    TO(transport_filter_timeout, opt_time),
    TO(user, opt_expand_uid),
};
const size_t transport_generic_options_count = NELEM(transport_generic_options);
const transport_instance transport_generic_default = {
    .retry_use_local_part = DRIVER_BOOL_UNSET,
    .transport_filter_timeout = 300,
};

const char *transport_generic_init(driver_instance *d)
{
    transport_instance *t = (transport_instance *)d;
    const transport_info *ti = (const transport_info *)d->info;
    if (t->retry_use_local_part == DRIVER_BOOL_UNSET) t->retry_use_local_part = ti->local;
    rewrite_rule *rules; /* checked now; parsed again where used (transport.c) */
    return t->headers_rewrite ? rewrite_parse_list(t->headers_rewrite, &rules) : NULL;
}

/* ---- authenticators ---- */

#define AO(name, type) {#name, (type) | OPT_PUBLIC, OPT_OFF(auth_instance, name), NULL}
const optionlist auth_generic_options[] = {
    AO(client_condition, opt_stringptr),
    AO(client_set_id, opt_stringptr),
    {"driver", opt_string | OPT_PUBLIC, OPT_OFF(auth_instance, drinst.driver_name), NULL},
    AO(public_name, opt_string),
    AO(server_advertise_condition, opt_stringptr),
    AO(server_condition, opt_stringptr),
    AO(server_debug_print, opt_stringptr),
    AO(server_mail_auth_condition, opt_stringptr),
    AO(server_set_id, opt_stringptr),
};
const size_t auth_generic_options_count = NELEM(auth_generic_options);
const auth_instance auth_generic_default = {0};

const char *auth_generic_init(driver_instance *d, bool name_default)
{
    auth_instance *a = (auth_instance *)d;
    if (a->public_name) return NULL;
    if (!name_default)
        return string_sprintf("no public name specified for the %s authenticator", d->name);
    a->public_name = d->name;
    return NULL;
}

/* ---- the registry ---- */

static const driver_info *const router_infos[] = {
    &accept_router_info.drinfo,
    &dnslookup_router_info.drinfo,
    &ipliteral_router_info.drinfo,
    &iplookup_router_info.drinfo,
    &manualroute_router_info.drinfo,
    &queryprogram_router_info.drinfo,
    &redirect_router_info.drinfo,
    NULL,
};
static const driver_info *const transport_infos[] = {
    &appendfile_transport_info.drinfo,
    &autoreply_transport_info.drinfo,
    &lmtp_transport_info.drinfo,
    &pipe_transport_info.drinfo,
    &smtp_transport_info.drinfo,
    NULL,
};
static const driver_info *const auth_infos[] = {
    &cram_md5_auth_info.drinfo,
    &dovecot_auth_info.drinfo,
    &external_auth_info.drinfo,
    &plaintext_auth_info.drinfo,
    &spa_auth_info.drinfo,
    &tls_auth_info.drinfo,
    NULL,
};

/* Drivers Exim has that Tern does not build: naming one in a config gets
 * a clear "not built" error instead of "cannot find". */
static const char *const router_not_built[] = {NULL};
static const char *const transport_not_built[] = {NULL};
static const char *const auth_not_built[] = {"cyrus_sasl", "gsasl", "heimdal_gssapi", NULL};
static const char *const *const not_built[DRIVER_KINDS] = {
    [DRIVER_ROUTER] = router_not_built,
    [DRIVER_TRANSPORT] = transport_not_built,
    [DRIVER_AUTH] = auth_not_built,
};

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

bool drivers_not_built(enum driver_kind kind, const char *name)
{
    for (const char *const *p = not_built[kind]; *p; p++)
        if (strcmp(*p, name) == 0) return true;
    return false;
}
