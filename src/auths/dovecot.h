/* dovecot.h - dovecot authenticator: private options and registration. */
#ifndef TERN_AUTHS_DOVECOT_H
#define TERN_AUTHS_DOVECOT_H
#include "../auth.h"

typedef struct dovecot_auth_options {
    char *server_socket;
} dovecot_auth_options;

extern const dovecot_auth_options dovecot_auth_options_default;
extern const auth_info dovecot_auth_info;
#endif
