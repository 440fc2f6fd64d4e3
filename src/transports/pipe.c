/* pipe.c - the pipe transport: delivers a message to the standard input
 * of a command.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../transport.h"
/* This driver */
#include "pipe.h"
#include "pipe_int.h"

#define OFF(f) OPT_OFF(pipe_transport_options, f)

static const optionlist pipe_transport_optionlist[] = {
    {"allow_commands", opt_stringptr, OFF(allow_commands), NULL},
    {"batch_id", opt_stringptr, OFF(batch_id), NULL},
    {"batch_max", opt_int, OFF(batch_max), NULL},
    {"check_string", opt_string, OFF(check_string), NULL},
    {"command", opt_stringptr, OFF(command), NULL},
    {"environment", opt_stringptr, OFF(environment), NULL},
    {"escape_string", opt_string, OFF(escape_string), NULL},
    {"force_command", opt_bool, OFF(force_command), NULL},
    {"freeze_exec_fail", opt_bool, OFF(freeze_exec_fail), NULL},
    {"freeze_signal", opt_bool, OFF(freeze_signal), NULL},
    {"ignore_status", opt_bool, OFF(ignore_status), NULL},
    {"log_defer_output", opt_bool, OFF(log_defer_output), NULL},
    {"log_fail_output", opt_bool, OFF(log_fail_output), NULL},
    {"log_output", opt_bool, OFF(log_output), NULL},
    {"max_output", opt_mkint, OFF(max_output), NULL},
    {"message_prefix", opt_stringptr, OFF(message_prefix), NULL},
    {"message_suffix", opt_stringptr, OFF(message_suffix), NULL},
    {"path", opt_stringptr, OFF(path), NULL},
    {"permit_coredump", opt_bool, OFF(permit_coredump), NULL},
    {"pipe_as_creator", opt_bool, OFF(pipe_as_creator), NULL},
    {"restrict_to_path", opt_bool, OFF(restrict_to_path), NULL},
    {"return_fail_output", opt_bool, OFF(return_fail_output), NULL},
    {"return_output", opt_bool, OFF(return_output), NULL},
    {"temp_errors", opt_string, OFF(temp_errors), NULL},
    {"timeout", opt_time, OFF(timeout), NULL},
    {"timeout_defer", opt_bool, OFF(timeout_defer), NULL},
    {"umask", opt_octint, OFF(umask), NULL},
    {"use_bsmtp", opt_bool, OFF(use_bsmtp), NULL},
    {"use_crlf", opt_bool, OFF(use_crlf), NULL},
    {"use_shell", opt_bool, OFF(use_shell), NULL},
};

const pipe_transport_options pipe_transport_options_default = {
    .batch_max = 1,
    .max_output = 20 * 1024,
    .message_prefix = "From ${if def:return_path{$return_path}{MAILER-DAEMON}} ${tod_bsdinbox}\n",
    .message_suffix = "\n",
    .path = "/bin:/usr/bin",
    .temp_errors = "75:73",
    .timeout = 3600,
    .umask = 022,
};

/* temp_errors_valid - "*" or a colon list of exit codes */
static bool temp_errors_valid(const char *list)
{
    if (strcmp(list, "*") == 0) return true;
    int sep = 0;
    const char *l = list;
    char *item;
    while ((item = string_nextinlist(&l, &sep))) {
        long long v;
        if (!options_parse_int(item, &v, false)) return false;
    }
    return true;
}

/* pipe_transport_init - the shell excludes command restrictions; the
 * command itself may come from the router, so it is not required here */
static const char *pipe_transport_init(driver_instance *d)
{
    const char *err = transport_generic_init(d);
    if (err) return err;
    pipe_transport_options *o = d->options_block;
    if (o->use_bsmtp) {
        const pipe_transport_options *def = &pipe_transport_options_default;
        o->check_string = ".";
        o->escape_string = "..";
        if (o->message_prefix == def->message_prefix) o->message_prefix = NULL;
        if (o->message_suffix == def->message_suffix) o->message_suffix = NULL;
    }
    if (o->use_shell && o->allow_commands) return string_copy("both allow_commands and use_shell set");
    if (o->use_shell && o->restrict_to_path) return string_copy("both restrict_to_path and use_shell set");
    if (o->temp_errors && !temp_errors_valid(o->temp_errors))
        return string_copy("temp_errors must be a list of numbers or an asterisk");
    return NULL;
}

const transport_info pipe_transport_info = {
    .drinfo = {
        .driver_name = "pipe",
        .options = pipe_transport_optionlist,
        .options_count = NELEM(pipe_transport_optionlist),
        .options_default = &pipe_transport_options_default,
        .options_len = sizeof(pipe_transport_options),
        .init = pipe_transport_init,
    },
    .deliver = pipe_transport_deliver,
    .local = true,
};
