/* auth.h - generic authenticator instance. */
#ifndef TERN_AUTH_H
#define TERN_AUTH_H

#include "drivers.h"

typedef struct auth_instance {
    driver_instance drinst;
    char *advertise_condition;
    char *client_condition;
    char *public_name;
    char *server_condition;
    char *server_debug_print;
    char *server_set_id;
} auth_instance;

typedef struct auth_info {
    driver_info drinfo;
} auth_info;

extern const optionlist auth_generic_options[];
extern const size_t auth_generic_options_count;
extern const auth_instance auth_generic_default;

#endif
