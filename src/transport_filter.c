/* transport_filter.c - the processes of a transport_filter, for every
 * transport (appendfile, pipe, lmtp, smtp): the filter command itself,
 * reading the message on its standard input and writing the changed
 * message on its standard output, and a writer child that feeds it the
 * message as transport_write_message makes it (LF line ends, no
 * escaping: those apply to what the filter writes).
 *
 * Runs in the transport's process: the local delivery child (with the
 * user's uid) or the remote delivery process (exim user). The filter
 * runs in its own process group so that a timeout kills whatever it
 * started. Never runs a command whose path is tainted. */

/* System */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "address.h"
#include "globals.h"
#include "transport.h"

/* filter_argv - the command split into words first, then each expanded
 * (message data cannot add arguments); NULL with *err */
static char **filter_argv(const transport_instance *t, char **err)
{
    const char *p = t->transport_filter;
    char **argv = store_get_zero(sizeof *argv * (LIMIT_FILTER_ARGS + 1), GET_UNTAINTED);
    int n = 0;
    char *w;
    while ((w = string_nextword(&p)) && n < LIMIT_FILTER_ARGS) {
        if (!(argv[n++] = transport_expand(t, "transport_filter", w, err))) return NULL;
    }
    if (!n || argv[0][0] != '/') {
        *err = string_sprintf("%s transport: transport_filter must start with an absolute path",
                              t->drinst.name);
        return NULL;
    }
    if (store_is_tainted(argv[0])) {
        *err = string_sprintf("%s transport: tainted transport_filter command \"%s\" not permitted",
                              t->drinst.name, argv[0]);
        return NULL;
    }
    return argv;
}

/* start_filter - the command reading in[0], writing out[1]; its pid */
static pid_t start_filter(char **argv, int in[2], int out[2])
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    signal(SIGPIPE, SIG_DFL);
    execv(argv[0], argv);
    _exit(127); /* Exim's "unable to execute command" status */
}

/* start_writer - a child writing the message into fd in the form the
 * filter reads (LF line ends, no dot-stuffing, no escaping). A filter
 * that stops reading early is not an error (Exim ignores it too). */
static pid_t start_writer(const transport_write_ctx *c, int fd, int other[3])
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    for (int i = 0; i < 3; i++) close(other[i]);
    signal(SIGPIPE, SIG_IGN);
    transport_write_ctx w = *c;
    w.fd = fd;
    w.options = (c->options & ~(unsigned)(TW_CRLF | TW_DOT_STUFF | TW_BSMTP)) | TW_UNFILTERED;
    w.check_string = w.escape_string = NULL;
    char *err;
    int rc = transport_write_message(&w, &err);
    _exit(rc == OK || errno == EPIPE ? 0 : 1);
}

int transport_filter_start(transport_write_ctx *c, transport_filter_proc *fp, char **err)
{
    fp->filter_pid = fp->writer_pid = -1;
    fp->out_fd = -1;
    char **argv = filter_argv(c->t, err);
    if (!argv) {
        errno = 0; /* a configuration or expansion error: no errno to show */
        return DEFER;
    }
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0) {
        *err = string_sprintf("failed to create pipe for transport filter: %s", strerror(errno));
        return DEFER;
    }
    if (pipe2(out, O_CLOEXEC) < 0) {
        *err = string_sprintf("failed to create pipe for transport filter: %s", strerror(errno));
        close(in[0]); close(in[1]);
        return DEFER;
    }
    fp->filter_pid = start_filter(argv, in, out);
    int others[3] = {in[0], out[0], out[1]};
    if (fp->filter_pid > 0) fp->writer_pid = start_writer(c, in[1], others);
    close(in[0]); close(in[1]); close(out[1]);
    fp->out_fd = out[0];
    if (fp->filter_pid > 0 && fp->writer_pid > 0) return OK;
    *err = string_sprintf("failed to fork transport filter process: %s", strerror(errno));
    transport_filter_finish(c, fp, true, err);
    return DEFER;
}

ssize_t transport_filter_read(const transport_write_ctx *c, transport_filter_proc *fp, char *buf, size_t n)
{
    int timeout = c->t->transport_filter_timeout;
    struct pollfd p = {.fd = fp->out_fd, .events = POLLIN};
    for (;;) {
        int r = poll(&p, 1, timeout > 0 ? timeout * 1000 : -1);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) { errno = ETIMEDOUT; return -1; }
        if (r < 0) return -1;
        ssize_t got = read(fp->out_fd, buf, n);
        if (got < 0 && errno == EINTR) continue;
        return got;
    }
}

/* reap - a child's status within timeout seconds, killing its process
 * group when the time is up: the exit code, or minus the signal */
static int reap(pid_t pid, int timeout, bool kill_now)
{
    if (pid <= 0) return -1;
    if (kill_now) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    time_t end = time(NULL) + (timeout > 0 ? timeout : 0);
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, timeout > 0 ? WNOHANG : 0);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return -1;
        if (r == 0 && time(NULL) >= end) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            timeout = 0; /* now wait for the kill to land */
        } else if (r == 0) usleep(10000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

int transport_filter_finish(transport_write_ctx *c, transport_filter_proc *fp, bool abandon, char **err)
{
    int timeout = c->t->transport_filter_timeout;
    if (fp->out_fd >= 0) close(fp->out_fd);
    fp->out_fd = -1;
    int fstatus = reap(fp->filter_pid, timeout, abandon);
    int wstatus = reap(fp->writer_pid, timeout, abandon);
    fp->filter_pid = fp->writer_pid = -1;
    if (abandon) return DEFER;
    c->filter_status = fstatus;
    if (fstatus != 0) {
        c->filter_failed = true;
        *err = string_sprintf("transport filter process failed (%d)%s", fstatus,
                              fstatus == 127 ? ": unable to execute command" : "");
        return DEFER;
    }
    if (wstatus != 0) {
        *err = string_copy("error writing the message to the transport filter");
        return DEFER;
    }
    return OK;
}
