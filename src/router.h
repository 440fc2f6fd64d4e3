/* router.h - generic router instance (options common to every router). */
#ifndef TERN_ROUTER_H
#define TERN_ROUTER_H

#include "drivers.h"

typedef struct router_instance {
    driver_instance drinst;
    char *address_data;
    bool address_test;
    bool caseful_local_part;
    bool check_local_user;
    char *condition;
    char *domains;
    bool more;
    char *transport_name;
    bool unseen;
    bool verify_sender;
    bool verify_recipient; /* must follow verify_sender: opt_bool_verify sets both */
} router_instance;

typedef struct router_info {
    driver_info drinfo;
} router_info;

extern const optionlist router_generic_options[];
extern const size_t router_generic_options_count;
extern const router_instance router_generic_default;

#endif
