/* pipe_int.h - helpers shared by the pipe transport's files. */
#ifndef TERN_TRANSPORTS_PIPE_INT_H
#define TERN_TRANSPORTS_PIPE_INT_H

#include "../tern.h"
#include "../address.h"
#include "pipe.h"

#define PIPE_EXEC_FAILED 127 /* the command's exit code when exec fails (as a shell's) */

typedef struct pipe_run {
    pid_t pid;
    int in_fd;       /* the command's standard input */
    int out_fd;      /* unnamed file holding its output */
    bool timed_out;
    bool child_gone; /* EPIPE: the command stopped reading */
} pipe_run;

/* pipe_split_args - words of cmd ("..." and '...' quoting), each then
 * expanded on its own unless raw; NULL with *err */
char **pipe_split_args(const transport_instance *t, const char *cmd, bool raw, char **err);
bool pipe_code_in_list(int code, const char *list);
char **pipe_environment(const transport_instance *t, const pipe_transport_options *o,
                        const address_item *a, char **err);
int pipe_start(const pipe_transport_options *o, char **argv, char **envp, pipe_run *r, char **err);
/* pipe_feed - message_prefix, the message (through transport_filter if
 * set), message_suffix to the command; OK, DEFER (errno kept; EPIPE sets
 * child_gone), or for a failed filter PANIC / a timed-out one FAIL or
 * DEFER (timeout_defer), with *err worded as Exim */
int pipe_feed(const transport_instance *t, const pipe_transport_options *o, address_item *a,
              pipe_run *r, char **err);
int pipe_wait(const pipe_transport_options *o, pipe_run *r);
void pipe_kill(pipe_run *r);
/* pipe_output_result - what the command printed: return_output and
 * return_fail_output (the bounce shows it), log_output,
 * log_fail_output and log_defer_output (its first line is logged) */
void pipe_output_result(const pipe_transport_options *o, address_item *a, pipe_run *r);
bool pipe_transport_deliver(transport_instance *t, address_item *a);

#endif
