/* auth.h - generic authenticator instance: the options every SMTP AUTH
 * mechanism driver has (Exim 4.96's generic authenticator options). */
#ifndef TERN_AUTH_H
#define TERN_AUTH_H

#include "drivers.h"

typedef struct auth_instance {
    driver_instance drinst;
    char *client_condition;
    char *client_set_id;
    char *public_name;
    char *server_advertise_condition;
    char *server_condition;
    char *server_debug_print;
    char *server_mail_auth_condition;
    char *server_set_id;
} auth_instance;

typedef struct auth_info {
    driver_info drinfo;
} auth_info;

extern const optionlist auth_generic_options[];
extern const size_t auth_generic_options_count;
extern const auth_instance auth_generic_default;

/* auth_generic_init - default public_name to the instance name when the
 * config leaves it unset (every driver but cram_md5 does this). */
const char *auth_generic_init(driver_instance *d, bool name_default);

#endif
