/* router.h - generic router instance: the options every router has.
 *
 * The instance starts with driver_instance so a pointer to either is a
 * pointer to both. Fields follow Exim 4.96's generic router options; the
 * table that names them is router_generic_options[] in drivers.c. */
#ifndef TERN_ROUTER_H
#define TERN_ROUTER_H

#include "drivers.h"

typedef struct router_instance {
    driver_instance drinst;
    char *address_data;
    bool address_test;
    char *cannot_route_message;
    bool caseful_local_part;
    bool check_local_user;
    char *condition;
    char *debug_print;
    bool disable_logging;
    char *dnssec_request_domains;
    char *dnssec_require_domains;
    char *domains;
    bool dsn_lasthop;
    char *errors_to;
    bool expn;
    bool fail_verify_sender;
    bool fail_verify_recipient; /* must follow fail_verify_sender: "fail_verify" sets both */
    char *fallback_hosts;
    char *group;
    char *headers_add;
    char *headers_remove;
    char *ignore_target_hosts;
    bool initgroups;
    char *local_part_prefix;
    bool local_part_prefix_optional;
    char *local_part_suffix;
    bool local_part_suffix_optional;
    char *local_parts;
    unsigned char log_as_local;         /* DRIVER_BOOL_UNSET until init decides */
    opt_xbool more;
    bool pass_on_timeout;
    char *pass_router;
    char *redirect_router;
    char *require_files;
    unsigned char retry_use_local_part; /* DRIVER_BOOL_UNSET: true if an option reads the local part */
    char *router_home_directory;
    char *self;
    char *senders;
    char *set;
    char *transport_name;
    char *transport_current_directory;
    char *transport_home_directory;
    opt_xbool unseen;
    char *user;
    bool verify_only;
    bool verify_sender;
    bool verify_recipient; /* must follow verify_sender: opt_bool_verify sets both */
} router_instance;

/* What a router needs from the generic checks (router_generic_init). */
struct address_item;
struct passwd;

/* The lists a router may hand addresses to. */
typedef struct router_lists {
    struct address_item **local;   /* for local transports */
    struct address_item **remote;  /* for remote transports */
    struct address_item **new;     /* generated (redirect) addresses to route */
    struct address_item **succeed; /* routed with nothing to deliver (verify) */
} router_lists;

/* Verification modes a router is run in (v_none for delivery). */
enum router_verify { V_NONE, V_SENDER, V_RECIPIENT, V_EXPN };

typedef struct router_info {
    driver_info drinfo;
    /* route - route addr. Returns OK (accepted: addr placed on a list),
     * DECLINE (try the next router), PASS, DEFER, FAIL, ERROR, DISCARD or
     * REROUTED. pw is the passwd entry when check_local_user matched. */
    int (*route)(struct router_instance *r, struct address_item *addr, const struct passwd *pw,
                 enum router_verify verify, router_lists *lists);
    bool needs_transport; /* accept, dnslookup, ipliteral: no transport is an error */
    bool log_as_local;    /* default of log_as_local when the config leaves it unset */
} router_info;

extern const optionlist router_generic_options[];
extern const size_t router_generic_options_count;
extern const router_instance router_generic_default;

/* router_generic_init - settle generic defaults that depend on the driver
 * and check the generic options; returns NULL or an error message. Every
 * router's init calls it first. */
const char *router_generic_init(driver_instance *d);

/* routers_check_transports - NULL, or the first router lacking a
 * transport it needs (checked after the whole config is read) */
const char *routers_check_transports(void);

#endif
