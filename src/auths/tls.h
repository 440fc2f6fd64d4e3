/* tls.h - tls authenticator: private options and registration. */
#ifndef TERN_AUTHS_TLS_H
#define TERN_AUTHS_TLS_H
#include "../auth.h"

typedef struct tls_auth_options {
    char *server_param1;
    char *server_param2;
    char *server_param3;
} tls_auth_options;

extern const tls_auth_options tls_auth_options_default;
extern const auth_info tls_auth_info;
#endif
