/* pipe_run.c - process handling for the pipe transport: environment,
 * fork and exec, feeding the message, waiting with a timeout, and what
 * the command printed.
 *
 * Runs in the delivery child with the user's uid. The command runs in
 * its own process group so a timeout kills everything it started. */

/* System */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "../address.h"
#include "../globals.h"
#include "../spool.h"
#include "../transport.h"
/* This driver */
#include "pipe_int.h"

#define PIPE_MAX_ENV 64

bool pipe_code_in_list(int code, const char *list)
{
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        char *end;
        long v = strtol(item, &end, 10);
        if (!*end && v == code) return true;
    }
    return false;
}

static void env_add(char **env, int *n, const char *name, const char *value)
{
    if (*n < PIPE_MAX_ENV) env[(*n)++] = string_sprintf("%s=%s", name, value ? value : "");
}

char **pipe_environment(const transport_instance *t, const pipe_transport_options *o,
                        const address_item *a, char **err)
{
    char **env = store_get(sizeof(char *) * (PIPE_MAX_ENV + 1), GET_UNTAINTED);
    int n = 0;
    const address_item *named = (a->flags & AFL_PIPE) && a->parent ? a->parent : a;
    const spool_header *h = dlv.spool_hdr;
    env_add(env, &n, "LOCAL_PART", named->local_part);
    env_add(env, &n, "LOCAL_PART_PREFIX", named->prefix);
    env_add(env, &n, "LOCAL_PART_SUFFIX", named->suffix);
    env_add(env, &n, "DOMAIN", named->domain);
    env_add(env, &n, "HOME", a->home_dir);
    env_add(env, &n, "MESSAGE_ID", h ? h->id : "");
    env_add(env, &n, "PATH", o->path);
    env_add(env, &n, "QUALIFY_DOMAIN", cfg.qualify_domain);
    env_add(env, &n, "RECIPIENT", string_sprintf("%s@%s", named->local_part, named->domain));
    env_add(env, &n, "SENDER", h ? h->sender : "");
    env_add(env, &n, "SHELL", "/bin/sh");
    if (cfg.timezone) env_add(env, &n, "TZ", cfg.timezone);
    env_add(env, &n, "USER", a->local_part);
    env_add(env, &n, "LOGNAME", a->local_part);
    if (o->environment) {
        char *e = transport_expand(t, "environment", o->environment, err);
        if (!e) return NULL;
        const char *list = e;
        int sep = 0;
        char *item;
        while ((item = string_nextinlist(&list, &sep))) if (strchr(item, '=') && n < PIPE_MAX_ENV) env[n++] = item;
    }
    env[n] = NULL;
    return env;
}

/* find_in_path - argv[0] without a '/' is looked for in path */
static char *find_in_path(const char *cmd, const char *path)
{
    if (strchr(cmd, '/') || !path) return string_copy(cmd);
    int sep = ':';
    char *dir;
    while ((dir = string_nextinlist(&path, &sep))) {
        char *full = string_sprintf("%s/%s", dir, cmd);
        if (access(full, X_OK) == 0) return full;
    }
    return string_copy(cmd);
}

int pipe_start(const pipe_transport_options *o, char **argv, char **envp, pipe_run *r, char **err)
{
    int in[2];
    r->out_fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (r->out_fd < 0) r->out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (r->out_fd < 0 || pipe2(in, O_CLOEXEC) != 0) {
        *err = string_sprintf("failed to set up the command's pipes: %s", strerror(errno));
        return DEFER;
    }
    char *prog = find_in_path(argv[0], o->path);
    r->pid = fork();
    if (r->pid == 0) {
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(r->out_fd, 1);
        dup2(r->out_fd, 2);
        umask((mode_t)o->umask);
        signal(SIGPIPE, SIG_DFL);
        execve(prog, argv, envp);
        _exit(PIPE_EXEC_FAILED);
    }
    close(in[0]);
    if (r->pid < 0) {
        close(in[1]);
        *err = string_sprintf("fork failed for the command: %s", strerror(errno));
        return DEFER;
    }
    r->in_fd = in[1];
    return OK;
}

/* filter_failure - Exim's pipe wording when the transport filter failed
 * (PANIC: also to the panic log) or timed out (a failure unless
 * timeout_defer); DEFER for other write errors, errno kept */
static int filter_failure(const pipe_transport_options *o, address_item *a, const transport_write_ctx *c,
                          char **err)
{
    int e = errno;
    if (c->filter_failed) {
        a->basic_errno = ERRNO_FILTER_FAIL;
        *err = string_sprintf("Transport filter process failed (%d)%s", c->filter_status,
                              c->filter_status == 127 ? ": unable to execute command" : "");
        return PANIC;
    }
    if (c->filter_timed_out) {
        *err = string_copy("transport filter timeout while writing to pipe");
        return o->timeout_defer ? DEFER : FAIL;
    }
    errno = e;
    return DEFER;
}

int pipe_feed(const transport_instance *t, const pipe_transport_options *o, address_item *a,
              pipe_run *r, char **err)
{
    signal(SIGPIPE, SIG_IGN);
    transport_write_ctx c = {.fd = r->in_fd, .t = t, .addr = a, .check_string = o->check_string,
                             .escape_string = o->escape_string};
    if (o->use_crlf) c.options |= TW_CRLF;
    if (o->use_bsmtp) c.options |= TW_BSMTP;
    int rc = OK;
    if (o->message_prefix) {
        char *p = transport_expand(t, "message_prefix", o->message_prefix, err);
        if (!p || write(r->in_fd, p, strlen(p)) < 0) rc = DEFER;
    }
    if (rc == OK && transport_write_message(&c, err) != OK) rc = filter_failure(o, a, &c, err);
    if (rc == OK && o->message_suffix) {
        char *s = transport_expand(t, "message_suffix", o->message_suffix, err);
        if (!s || write(r->in_fd, s, strlen(s)) < 0) rc = DEFER;
    }
    if (rc == DEFER && errno == EPIPE) r->child_gone = true;
    close(r->in_fd);
    r->in_fd = -1;
    return rc;
}

void pipe_kill(pipe_run *r)
{
    if (r->pid > 0) {
        kill(-r->pid, SIGKILL);
        while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {}
    }
}

int pipe_wait(const pipe_transport_options *o, pipe_run *r)
{
    int status = 0;
    time_t end = time(NULL) + (o->timeout > 0 ? o->timeout : 0);
    for (;;) {
        pid_t p = waitpid(r->pid, &status, o->timeout > 0 ? WNOHANG : 0);
        if (p == r->pid) return status;
        if (p < 0 && errno != EINTR) return status;
        if (o->timeout > 0 && time(NULL) >= end) {
            r->timed_out = true;
            pipe_kill(r);
            return status;
        }
        if (o->timeout > 0) usleep(10000);
    }
}

void pipe_output_result(const pipe_transport_options *o, address_item *a, pipe_run *r)
{
    char buf[LIMIT_PIPE_OUTPUT];
    ssize_t n = r->out_fd >= 0 ? pread(r->out_fd, buf, sizeof buf - 1, 0) : 0;
    if (r->out_fd >= 0) close(r->out_fd);
    if (n <= 0) return;
    if (o->max_output > 0 && n > o->max_output) n = o->max_output;
    buf[n] = 0;
    int rc = a->transport_return;
    if (o->log_output || (o->log_fail_output && rc == FAIL) || (o->log_defer_output && rc == DEFER)) {
        size_t first = strcspn(buf, "\n"); /* the first line only, as Exim */
        a->log_note = string_sprintf("<%s>: %s transport output: %s", a->address, dlv.transport_name,
                                     string_printing(string_copyn(buf, first)));
    }
    if (!o->return_output && !(o->return_fail_output && rc != OK)) return;
    if (rc == OK) {
        a->transport_return = FAIL;
        a->message = string_copy("return message generated");
        a->user_message = string_copy(""); /* the bounce shows the output alone */
    }
    a->return_text = string_copy(buf); /* for the bounce; not for the log */
}
