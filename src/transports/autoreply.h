/* autoreply.h - autoreply transport: private options and registration. */
#ifndef TERN_TRANSPORTS_AUTOREPLY_H
#define TERN_TRANSPORTS_AUTOREPLY_H
#include "../transport.h"

typedef struct autoreply_transport_options {
    char *bcc;
    char *cc;
    char *file;
    bool file_expand;
    bool file_optional;
    char *from;
    char *headers;
    char *log;
    int mode;
    char *never_mail;
    char *once;
    int once_file_size;
    char *once_repeat;
    char *reply_to;
    bool return_message;
    char *subject;
    char *text;
    char *to;
} autoreply_transport_options;

extern const autoreply_transport_options autoreply_transport_options_default;
extern const transport_info autoreply_transport_info;
#endif
