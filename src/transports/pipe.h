/* pipe.h - pipe transport: private options and registration. */
#ifndef TERN_TRANSPORTS_PIPE_H
#define TERN_TRANSPORTS_PIPE_H
#include "../transport.h"

typedef struct pipe_transport_options {
    char *allow_commands;
    char *batch_id;
    int batch_max;
    char *check_string;
    char *command;
    char *environment;
    char *escape_string;
    bool force_command;
    bool freeze_exec_fail;
    bool freeze_signal;
    bool ignore_status;
    bool log_defer_output;
    bool log_fail_output;
    bool log_output;
    int max_output;
    char *message_prefix;
    char *message_suffix;
    char *path;
    bool permit_coredump;
    bool pipe_as_creator;
    bool restrict_to_path;
    bool return_fail_output;
    bool return_output;
    char *temp_errors;
    int timeout;
    bool timeout_defer;
    int umask;
    bool use_bsmtp;
    bool use_crlf;
    bool use_shell;
} pipe_transport_options;

extern const pipe_transport_options pipe_transport_options_default;
extern const transport_info pipe_transport_info;
#endif
