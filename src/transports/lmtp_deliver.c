/* lmtp_deliver.c - the lmtp transport's delivery: talk LMTP (RFC 2033)
 * to a command's standard input/output or to a UNIX-domain socket:
 * LHLO, MAIL FROM, one RCPT TO per address of the batch, DATA, the
 * message (CRLF, dot-stuffed), then one reply per accepted recipient.
 * 2xx delivers, 4xx defers, 5xx fails, each address on its own.
 *
 * Runs in the transport child with the mail user's uid. Every read has
 * the transport's timeout; a server that goes away or stalls defers the
 * addresses that have no final answer yet. */

/* System */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "../globals.h"
#include "../spool.h"
#include "../transport.h"
/* This driver */
#include "lmtp.h"
#include "pipe_int.h"

typedef struct lmtp_conn {
    int in, out;        /* we read replies from in, write commands to out */
    pid_t pid;          /* the command, or 0 for a socket */
    int timeout;
    char buf[LIMIT_SMTP_REPLY_LINE];
    size_t have;
} lmtp_conn;

/* start_command - fork and exec the command with pipes both ways */
static int start_command(const transport_instance *t, const char *cmd, lmtp_conn *c, char **err)
{
    char **argv = pipe_split_args(t, cmd, false, err);
    if (!argv) return DEFER;
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) {
        *err = string_sprintf("pipe() failed: %s", strerror(errno));
        return DEFER;
    }
    c->pid = fork();
    if (c->pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    if (c->pid < 0) { *err = string_sprintf("fork() failed: %s", strerror(errno)); return DEFER; }
    c->in = from[0];
    c->out = to[1];
    return OK;
}

static int connect_socket(const char *path, lmtp_conn *c, char **err)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sun.sun_path) { *err = string_sprintf("socket path too long: %s", path); return DEFER; }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
        *err = string_sprintf("Failed to connect to socket %s for %s transport: %s", path, "lmtp", strerror(errno));
        if (fd >= 0) close(fd);
        return DEFER;
    }
    c->in = c->out = fd;
    return OK;
}

/* read_line - one reply line (CRLF removed); false on timeout or EOF */
static bool read_line(lmtp_conn *c, char **line, bool *timed_out)
{
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->have);
        if (nl) {
            size_t n = (size_t)(nl - c->buf);
            *line = string_copyn_taint(c->buf, n && nl[-1] == '\r' ? n - 1 : n, true);
            memmove(c->buf, nl + 1, c->have - n - 1);
            c->have -= n + 1;
            return true;
        }
        if (c->have == sizeof c->buf) c->have = 0; /* overlong line: drop it */
        struct pollfd p = {.fd = c->in, .events = POLLIN};
        int r = poll(&p, 1, c->timeout * 1000);
        if (r == 0) { *timed_out = true; return false; }
        if (r < 0 && errno == EINTR) continue;
        ssize_t k = r < 0 ? -1 : read(c->in, c->buf + c->have, sizeof c->buf - c->have);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        c->have += (size_t)k;
    }
}

/* reply - a whole (multi-line) reply; its code, or -1 (timeout or EOF,
 * with *text saying which) */
static int reply(lmtp_conn *c, char **text)
{
    gstring *g = NULL;
    char *line;
    bool timed_out = false;
    for (;;) {
        if (!read_line(c, &line, &timed_out)) {
            *text = string_copy(timed_out ? "timeout" : "connection closed");
            return -1;
        }
        g = string_fmt_append(g, "%s%s", g ? "\n" : "", line);
        if (strlen(line) < 4 || line[3] != '-') break;
    }
    *text = string_from_gstring(g);
    return (int)strtol(*text, NULL, 10);
}

/* send_cmd - one command line; false if the server is gone */
static bool send_cmd(lmtp_conn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static bool send_cmd(lmtp_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gstring *g = string_vfmt_append(NULL, fmt, ap);
    va_end(ap);
    g = string_catn(g, "\r\n", 2);
    for (size_t off = 0; off < g->len;) {
        ssize_t n = write(c->out, g->s + off, g->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += (size_t)n;
    }
    return true;
}

/* set - one address's result from a reply */
static void set(address_item *a, int code, const char *after, const char *text)
{
    if (code >= 200 && code < 300) { a->transport_return = OK; return; }
    a->transport_return = code >= 500 && code < 600 ? FAIL : DEFER;
    a->message = code < 0 ? string_sprintf("LMTP %s after %s", text, after)
                          : string_sprintf("LMTP error after %s: %s", after, string_printing(text));
    if (code >= 0) a->user_message = a->message;
}

/* set_all - every address still pending gets the same result */
static void set_all(address_item *chain, int code, const char *after, const char *text)
{
    for (address_item *a = chain; a; a = a->next)
        if (a->transport_return == PENDING_DEFER) set(a, code, after, text);
}

static char *rcpt_of(const transport_instance *t, const address_item *a)
{
    if (!t->rcpt_include_affixes) return string_sprintf("%s@%s", a->local_part, a->domain);
    return string_sprintf("%s%s%s@%s", a->prefix ? a->prefix : "", a->local_part, a->suffix ? a->suffix : "", a->domain);
}

/* send_data - DATA, the message, the dot; false if it could not be sent */
static bool send_data(const transport_instance *t, lmtp_conn *c, address_item *chain, char **err)
{
    char *text = "connection closed";
    int code = send_cmd(c, "DATA") ? reply(c, &text) : -1;
    if (code != 354) {
        set_all(chain, code, "DATA", text);
        return false;
    }
    transport_write_ctx w = {.fd = c->out, .t = t, .addr = chain, .options = TW_CRLF | TW_DOT_STUFF};
    int rc = transport_write_message(&w, err);
    if (rc == OK && send_cmd(c, w.ended_mid_line ? "\r\n." : ".")) return true;
    if (w.filter_failed || w.filter_timed_out) {
        for (address_item *a = chain; a; a = a->next) {
            if (a->transport_return != PENDING_DEFER) continue;
            a->transport_return = DEFER;
            a->basic_errno = w.filter_failed ? ERRNO_FILTER_FAIL : ETIMEDOUT;
            a->message = string_copy(w.filter_failed ? "Filter process failure" : "transport filter timed out");
        }
        return false;
    }
    set_all(chain, -1, "sending data block", "connection closed");
    return false;
}

/* dialogue - the LMTP conversation for the batch in chain */
static void dialogue(const transport_instance *t, lmtp_conn *c, address_item *chain)
{
    char *text, *err = NULL;
    int code = reply(c, &text);
    if (code / 100 != 2) { set_all(chain, code, "initial connection", text); return; }
    if (!send_cmd(c, "LHLO %s", cfg.primary_hostname) || (code = reply(c, &text)) / 100 != 2) {
        set_all(chain, code, string_sprintf("LHLO %s", cfg.primary_hostname), text);
        return;
    }
    const char *sender = dlv.spool_hdr && dlv.spool_hdr->sender ? dlv.spool_hdr->sender : "";
    if (!send_cmd(c, "MAIL FROM:<%s>", sender) || (code = reply(c, &text)) / 100 != 2) {
        set_all(chain, code, string_sprintf("MAIL FROM:<%s>", sender), text);
        return;
    }
    int accepted = 0;
    for (address_item *a = chain; a; a = a->next) {
        char *r = rcpt_of(t, a);
        text = "connection closed";
        code = send_cmd(c, "RCPT TO:<%s>", r) ? reply(c, &text) : -1;
        if (code / 100 == 2) { accepted++; continue; }
        set(a, code, string_sprintf("RCPT TO:<%s>", r), text);
        if (code < 0) { set_all(chain, -1, "RCPT", "connection closed"); return; }
    }
    if (!accepted || !send_data(t, c, chain, &err)) { send_cmd(c, "QUIT"); return; }
    for (address_item *a = chain; a; a = a->next) {
        if (a->transport_return != PENDING_DEFER) continue;
        code = reply(c, &text);
        set(a, code, "end of data", text);
    }
    if (send_cmd(c, "QUIT")) (void)reply(c, &text);
}

/* finish - close the connection and reap the command */
static void finish(lmtp_conn *c)
{
    if (c->in >= 0) close(c->in);
    if (c->out >= 0 && c->out != c->in) close(c->out);
    if (c->pid <= 0) return;
    int status;
    for (int i = 0; i < 50; i++) {
        pid_t r = waitpid(c->pid, &status, WNOHANG);
        if (r == c->pid || (r < 0 && errno != EINTR)) return;
        if (r == 0) { struct timespec ts = {0, 20000000}; nanosleep(&ts, NULL); }
    }
    kill(c->pid, SIGKILL);
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {}
}

bool lmtp_transport_deliver(transport_instance *t, address_item *chain)
{
    const lmtp_transport_options *o = t->drinst.options_block;
    lmtp_conn *c = store_get_zero(sizeof *c, GET_UNTAINTED);
    c->in = c->out = -1;
    c->timeout = o->timeout > 0 ? o->timeout : 300;
    for (address_item *a = chain; a; a = a->next) a->transport_return = PENDING_DEFER;
    char *err = NULL;
    int rc;
    if (o->socket) {
        char *path = transport_expand(t, "socket", o->socket, &err);
        rc = path ? connect_socket(path, c, &err) : DEFER;
    } else {
        rc = start_command(t, o->command, c, &err);
    }
    if (rc != OK) {
        for (address_item *a = chain; a; a = a->next) { a->transport_return = DEFER; a->message = err; }
        finish(c);
        return true;
    }
    signal(SIGPIPE, SIG_IGN);
    dialogue(t, c, chain);
    finish(c);
    return true;
}
