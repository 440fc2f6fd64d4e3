/* smtp_data.c - the smtp transport's message data: after the server's
 * 354, the message as transport_write_message writes it for every
 * transport (headers_add, headers_remove, return_path_add, router
 * headers; CRLF line ends and dot-stuffing) straight to the socket, or
 * through transport_filter (a child process; a second child feeds it);
 * then ".". Also whether the message needs BODY=8BITMIME.
 *
 * Runs in the delivery process as the exim user. The socket is made
 * blocking with a send timeout (data_timeout) while the message is
 * written, and SIGPIPE is ignored meanwhile (a peer that goes away is an
 * ordinary write error). */

/* System */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
/* MTA core */
#include "../tern.h"
#include "smtp_int.h" /* first: settles AFL_FILE (see there) */
#include "../expand.h"
#include "../globals.h"
#include "../transport.h"

/* ---- 8BITMIME ---- */

static bool has_8bit(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] & 0x80) return true;
    return false;
}

bool smtp_message_8bit(const smtp_ctx *x)
{
    for (const header_line *h = x->spool->headers; h; h = h->next)
        if (h->type != HTYPE_OLD && has_8bit(h->text, h->slen)) return true;
    char buf[LIMIT_TRANSPORT_CHUNK];
    off_t off = x->data_start;
    for (ssize_t n; (n = pread(x->data_fd, buf, sizeof buf, off)) != 0; off += n) {
        if (n < 0) return errno == EINTR ? smtp_message_8bit(x) : false;
        if (has_8bit(buf, (size_t)n)) return true;
    }
    return false;
}

/* ends_mid_line - does what transport_write_message wrote not end in a
 * newline? (only a body without a final newline does) */
static bool ends_mid_line(const smtp_ctx *x)
{
    if (x->t->headers_only) return false;
    char last;
    if (x->size_body <= 0) return false;
    return pread(x->data_fd, &last, 1, x->data_start + x->size_body - 1) == 1 && last != '\n';
}

/* write_ctx - the transport_write_message context for this delivery */
static transport_write_ctx write_ctx(const smtp_ctx *x, int fd, unsigned options)
{
    transport_write_ctx w = {.fd = fd, .t = x->t, .addr = x->addrlist, .options = options};
    return w;
}

/* ---- transport_filter ---- */

/* filter_argv - the command split into words first, then each expanded
 * (message data cannot add arguments); NULL with *err */
static char **filter_argv(const smtp_ctx *x, char **err)
{
    const char *p = x->t->transport_filter;
    char **argv = store_get_zero(sizeof *argv * (LIMIT_FILTER_ARGS + 1), GET_UNTAINTED);
    int n = 0;
    char *w;
    while ((w = string_nextword(&p)) && n < LIMIT_FILTER_ARGS) {
        if (!(argv[n++] = transport_expand(x->t, "transport_filter", w, err))) return NULL;
    }
    if (!n || argv[0][0] != '/') {
        *err = string_sprintf("%s transport: transport_filter must start with an absolute path",
                              x->t->drinst.name);
        return NULL;
    }
    if (store_is_tainted(argv[0])) {
        *err = string_sprintf("%s transport: tainted transport_filter command \"%s\" not permitted",
                              x->t->drinst.name, argv[0]);
        return NULL;
    }
    return argv;
}

/* start_filter - the filter reading in[0], writing out[1]; its pid */
static pid_t start_filter(char **argv, int in[2], int out[2])
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    signal(SIGPIPE, SIG_DFL);
    execv(argv[0], argv);
    _exit(127);
}

/* start_writer - a child writing the message (LF line ends) into fd */
static pid_t start_writer(const smtp_ctx *x, int fd, int other[3])
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    for (int i = 0; i < 3; i++) close(other[i]);
    char *err;
    transport_write_ctx w = write_ctx(x, fd, 0);
    _exit(transport_write_message(&w, &err) == OK ? 0 : 1);
}

static int reap(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* send_filtered - message through transport_filter to the peer */
static int send_filtered(smtp_ctx *x, smtp_conn *c, char **err)
{
    char **argv = filter_argv(x, err);
    if (!argv) return ERROR;
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0) { *err = string_sprintf("pipe: %s", strerror(errno)); return ERROR; }
    if (pipe2(out, O_CLOEXEC) < 0) { close(in[0]); close(in[1]); *err = "pipe failed"; return ERROR; }
    pid_t fpid = start_filter(argv, in, out);
    int others[3] = {in[0], out[0], out[1]};
    pid_t wpid = fpid > 0 ? start_writer(x, in[1], others) : -1;
    close(in[0]); close(in[1]); close(out[1]);
    bool need_crlf = false;
    int rc = wpid > 0 ? smtp_out_send_stream(c, out[0], x->t->transport_filter_timeout,
                                             x->ob->data_timeout, &need_crlf) : DEFER;
    close(out[0]);
    int fstatus = fpid > 0 ? reap(fpid) : -1, wstatus = wpid > 0 ? reap(wpid) : -1;
    if (rc != OK) return DEFER;
    if (fstatus != 0 || wstatus != 0) {
        *err = string_sprintf("transport filter process failed (%d)%s", fstatus,
                              fstatus == 127 ? " (command not found or not executable)" : "");
        return ERROR; /* the connection is dropped: no "." for a broken message */
    }
    return smtp_out_end_data(c, need_crlf, x->ob->data_timeout);
}

/* ---- the data ---- */

int smtp_data_send(smtp_ctx *x, smtp_conn *c, char **err)
{
    *err = NULL;
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    int rc;
    if (x->t->transport_filter) rc = send_filtered(x, c, err);
    else {
        smtp_out_set_blocking(c, true, x->ob->data_timeout);
        transport_write_ctx w = write_ctx(x, c->fd, TW_CRLF | TW_DOT_STUFF);
        rc = transport_write_message(&w, err);
        int e = errno;
        smtp_out_set_blocking(c, false, 0);
        if (rc != OK && !*err) *err = string_copy("error writing message");
        if (rc != OK) {
            c->error = e == EAGAIN || e == EWOULDBLOCK ? ETIMEDOUT : e;
            c->error_text = *err;
        }
        if (rc == OK) rc = smtp_out_end_data(c, ends_mid_line(x), x->ob->data_timeout);
    }
    sigaction(SIGPIPE, &old, NULL);
    return rc;
}
