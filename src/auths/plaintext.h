/* plaintext.h - plaintext authenticator: private options and registration. */
#ifndef TERN_AUTHS_PLAINTEXT_H
#define TERN_AUTHS_PLAINTEXT_H
#include "../auth.h"

typedef struct plaintext_auth_options {
    bool client_ignore_invalid_base64;
    char *client_send;
    char *server_prompts;
} plaintext_auth_options;

extern const plaintext_auth_options plaintext_auth_options_default;
extern const auth_info plaintext_auth_info;
#endif
