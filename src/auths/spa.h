/* spa.h - spa authenticator: private options and registration. */
#ifndef TERN_AUTHS_SPA_H
#define TERN_AUTHS_SPA_H
#include "../auth.h"

typedef struct spa_auth_options {
    char *client_domain;
    char *client_password;
    char *client_username;
    char *server_password;
} spa_auth_options;

extern const spa_auth_options spa_auth_options_default;
extern const auth_info spa_auth_info;
#endif
