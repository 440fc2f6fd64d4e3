/* cram_md5.h - cram_md5 authenticator: private options and registration. */
#ifndef TERN_AUTHS_CRAM_MD5_H
#define TERN_AUTHS_CRAM_MD5_H
#include "../auth.h"

typedef struct cram_md5_auth_options {
    char *client_name;
    char *client_secret;
    char *server_secret;
} cram_md5_auth_options;

extern const cram_md5_auth_options cram_md5_auth_options_default;
extern const auth_info cram_md5_auth_info;
#endif
