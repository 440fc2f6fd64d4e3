/* transport.h - generic transport instance: the options every transport has.
 *
 * Fields follow Exim 4.96's generic transport options (with the 4.8x
 * experimental name tpda_delivery_action as another name of event_action);
 * the table is transport_generic_options[] in drivers.c. */
#ifndef TERN_TRANSPORT_H
#define TERN_TRANSPORT_H

#include "drivers.h"

typedef struct transport_instance {
    driver_instance drinst;
    bool body_only;
    char *current_directory;
    char *debug_print;
    bool delivery_date_add;
    bool disable_logging;
    bool envelope_to_add;
    char *event_action;
    char *group;
    char *headers_add;
    bool headers_only;
    char *headers_remove;
    char *headers_rewrite;
    char *home_directory;
    bool initgroups;
    char *max_parallel;
    char *message_size_limit;
    bool rcpt_include_affixes;
    unsigned char retry_use_local_part; /* DRIVER_BOOL_UNSET: true for local transports */
    char *return_path;
    bool return_path_add;
    char *shadow_condition;
    char *shadow_transport;
    char *transport_filter;
    int transport_filter_timeout;
    char *user;
} transport_instance;

struct address_item;

typedef struct transport_info {
    driver_info drinfo;
    /* deliver - deliver the current message to addr (a chain for batched
     * and remote transports, linked by next). Sets each address's
     * transport_return, message and errno fields. Returns false only if
     * the transport could not run at all (then all are deferred).
     * Local transports run in a child process with the address's uid. */
    bool (*deliver)(struct transport_instance *t, struct address_item *addr);
    bool local; /* runs as a local delivery (appendfile, autoreply, lmtp, pipe) */
} transport_info;

extern const optionlist transport_generic_options[];
extern const size_t transport_generic_options_count;
extern const transport_instance transport_generic_default;

/* transport_generic_init - settle driver-dependent generic defaults;
 * returns NULL or an error message. Every transport's init calls it. */
const char *transport_generic_init(driver_instance *d);

#endif
