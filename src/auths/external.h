/* external.h - external authenticator: private options and registration. */
#ifndef TERN_AUTHS_EXTERNAL_H
#define TERN_AUTHS_EXTERNAL_H
#include "../auth.h"

typedef struct external_auth_options {
    char *client_send;
    char *server_param2;
    char *server_param3;
} external_auth_options;

extern const external_auth_options external_auth_options_default;
extern const auth_info external_auth_info;
#endif
