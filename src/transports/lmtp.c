/* lmtp.c - the lmtp transport: delivers to a local LMTP server over a
 * pipe to a command or a UNIX socket.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration; the delivery
 * is in lmtp_deliver.c. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../transport.h"
/* This driver */
#include "lmtp.h"

#define OFF(f) OPT_OFF(lmtp_transport_options, f)

static const optionlist lmtp_transport_optionlist[] = {
    {"batch_id", opt_stringptr, OFF(batch_id), NULL},
    {"batch_max", opt_int, OFF(batch_max), NULL},
    {"command", opt_stringptr, OFF(command), NULL},
    {"ignore_quota", opt_bool, OFF(ignore_quota), NULL},
    {"socket", opt_stringptr, OFF(socket), NULL},
    {"timeout", opt_time, OFF(timeout), NULL},
};

const lmtp_transport_options lmtp_transport_options_default = {
    .batch_max = 1,
    .timeout = 300,
};

/* lmtp_transport_init - exactly one of command and socket */
static const char *lmtp_transport_init(driver_instance *d)
{
    const char *err = transport_generic_init(d);
    if (err) return err;
    const lmtp_transport_options *o = d->options_block;
    if (!o->command == !o->socket)
        return string_copy("one (and only one) of command or socket must be set");
    return NULL;
}

const transport_info lmtp_transport_info = {
    .drinfo = {
        .driver_name = "lmtp",
        .options = lmtp_transport_optionlist,
        .options_count = NELEM(lmtp_transport_optionlist),
        .options_default = &lmtp_transport_options_default,
        .options_len = sizeof(lmtp_transport_options),
        .init = lmtp_transport_init,
    },
    .deliver = lmtp_transport_deliver,
    .local = true,
};
