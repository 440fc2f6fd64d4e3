/* autoreply.c - the autoreply transport: composes and sends an automatic
 * reply (vacation messages) instead of delivering the message.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration; the delivery
 * is in autoreply_deliver.c, the "once" records in autoreply_once.c. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../transport.h"
/* This driver */
#include "autoreply.h"
#include "autoreply_int.h"

#define OFF(f) OPT_OFF(autoreply_transport_options, f)

static const optionlist autoreply_transport_optionlist[] = {
    {"bcc", opt_stringptr, OFF(bcc), NULL},
    {"cc", opt_stringptr, OFF(cc), NULL},
    {"file", opt_stringptr, OFF(file), NULL},
    {"file_expand", opt_bool, OFF(file_expand), NULL},
    {"file_optional", opt_bool, OFF(file_optional), NULL},
    {"from", opt_stringptr, OFF(from), NULL},
    {"headers", opt_stringptr, OFF(headers), NULL},
    {"log", opt_stringptr, OFF(log), NULL},
    {"mode", opt_octint, OFF(mode), NULL},
    {"never_mail", opt_stringptr, OFF(never_mail), NULL},
    {"once", opt_stringptr, OFF(once), NULL},
    {"once_file_size", opt_int, OFF(once_file_size), NULL},
    {"once_repeat", opt_stringptr, OFF(once_repeat), NULL},
    {"reply_to", opt_stringptr, OFF(reply_to), NULL},
    {"return_message", opt_bool, OFF(return_message), NULL},
    {"subject", opt_stringptr, OFF(subject), NULL},
    {"text", opt_stringptr, OFF(text), NULL},
    {"to", opt_stringptr, OFF(to), NULL},
};

const autoreply_transport_options autoreply_transport_options_default = {
    .mode = 0600,
};

/* autoreply_transport_init - every private option stands alone */
static const char *autoreply_transport_init(driver_instance *d)
{
    return transport_generic_init(d);
}

const transport_info autoreply_transport_info = {
    .drinfo = {
        .driver_name = "autoreply",
        .options = autoreply_transport_optionlist,
        .options_count = NELEM(autoreply_transport_optionlist),
        .options_default = &autoreply_transport_options_default,
        .options_len = sizeof(autoreply_transport_options),
        .init = autoreply_transport_init,
    },
    .deliver = autoreply_transport_deliver,
    .local = true,
};
