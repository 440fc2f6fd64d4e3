/* smtp_in_io.c - buffered SMTP input and output for one session.
 *
 * Runs in the connection child (or -bs/-bh process), never as root. Input
 * is read in blocks of at most LIMIT_SMTP_INBUF with a poll() timeout of
 * smtp_receive_timeout; command lines are bounded by LIMIT_SMTP_CMD_LINE.
 * Replies are buffered and written only when we are about to wait for
 * input, so a pipelined group (RFC 2920) gets its replies in one write.
 * This file owns the only buffers of the session: module state, reset
 * by smtp_io_init() in each new connection child. Once TLS is up
 * (conn.tls), every read and write goes through tls.c instead of the
 * fds, with the same limits and timeouts. */

/* System */
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "options.h"
#include "expand.h"
#include "smtp_in_int.h"
#include "tls.h"

static struct {
    char *in;        /* LIMIT_SMTP_INBUF bytes, tainted */
    size_t in_pos, in_len;
    bool eof;
    char *line;      /* LIMIT_SMTP_CMD_LINE + 1 bytes, tainted */
    gstring *out;
} io;

void smtp_io_init(void)
{
    enum store_pool old = store_set_pool(POOL_PERM);
    if (!io.in) {
        io.in = store_get(LIMIT_SMTP_INBUF, GET_TAINTED);
        io.line = store_get(LIMIT_SMTP_CMD_LINE + 1, GET_TAINTED);
    }
    io.in_pos = io.in_len = 0;
    io.eof = false;
    io.out = string_get(1024);
    store_set_pool(old);
    signal(SIGPIPE, SIG_IGN);
}

void smtp_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum store_pool old = store_set_pool(POOL_PERM);
    io.out = string_vfmt_append(io.out, fmt, ap);
    store_set_pool(old);
    va_end(ap);
}

/* receive_timeout_ms is below; writes use the same limit */
static int receive_timeout_ms(void);

bool smtp_flush(void)
{
    const char *p = io.out->s;
    size_t len = io.out->len;
    bool ok = true;
    if (conn.tls) {
        ok = tls_write(conn.tls, p, len, receive_timeout_ms());
        len = 0;
    }
    while (len) {
        ssize_t n = write(conn.out_fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { ok = false; break; }
        p += n;
        len -= (size_t)n;
    }
    io.out->len = 0;
    return ok;
}

/* receive_timeout_ms - smtp_receive_timeout, expanded once per connection
 * (it may depend on $sender_host_address); -1 for no limit */
static int receive_timeout_ms(void)
{
    static int ms = -2;
    if (ms != -2) return ms;
    int secs = 0;
    const char *v = cfg.smtp_receive_timeout ? expand_cstring(cfg.smtp_receive_timeout) : NULL;
    if (!v || !options_parse_time(v, &secs)) {
        if (v || cfg.smtp_receive_timeout)
            log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to expand smtp_receive_timeout "
                      "\"%s\": %s", cfg.smtp_receive_timeout, v ? "invalid time" : expand_error());
        secs = 300;
    }
    ms = secs > 0 ? secs * 1000 : -1;
    return ms;
}

int smtp_io_timeout_ms(void)
{
    return receive_timeout_ms();
}

/* fill_tls - fill() once TLS is up */
static int fill_tls(int tmo)
{
    long n = tls_read(conn.tls, io.in, LIMIT_SMTP_INBUF, tmo);
    if (n == -2) return -2;
    if (n <= 0) { io.eof = true; return 0; }
    io.in_pos = 0;
    io.in_len = (size_t)n;
    return 1;
}

/* fill - read more input, flushing replies first; 1 data, 0 EOF, -2 timeout */
static int fill(void)
{
    if (io.eof) return 0;
    smtp_flush();
    int tmo = receive_timeout_ms();
    if (conn.tls) return fill_tls(tmo);
    struct pollfd pfd = {.fd = conn.in_fd, .events = POLLIN};
    for (;;) {
        int r = poll(&pfd, 1, tmo);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return -2;
        break;
    }
    ssize_t n;
    do n = read(conn.in_fd, io.in, LIMIT_SMTP_INBUF);
    while (n < 0 && errno == EINTR);
    if (n <= 0) { io.eof = true; return 0; }
    io.in_pos = 0;
    io.in_len = (size_t)n;
    return 1;
}

int smtp_getc(void)
{
    if (io.in_pos >= io.in_len) {
        int r = fill();
        if (r <= 0) return r == 0 ? -1 : -2;
    }
    return (unsigned char)io.in[io.in_pos++];
}

long smtp_getbuf(char *buf, size_t want)
{
    if (io.in_pos >= io.in_len) {
        int r = fill();
        if (r <= 0) return r;
    }
    size_t n = io.in_len - io.in_pos;
    if (n > want) n = want;
    memcpy(buf, io.in + io.in_pos, n);
    io.in_pos += n;
    return (long)n;
}

enum smtp_cmd_id smtp_read_line(char **line)
{
    size_t n = 0;
    bool nul = false;
    for (;;) {
        int c = smtp_getc();
        if (c == -2) return CMD_TIMEOUT;
        if (c == -1) {
            if (!n) return CMD_EOF;
            break;
        }
        if (c == '\n') break;
        if (c == 0) nul = true;
        io.line[n++] = (char)c;
        if (n >= LIMIT_SMTP_CMD_LINE) break;
    }
    if (n && io.line[n - 1] == '\r') n--;
    io.line[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (!io.line[i]) io.line[i] = '?';
    *line = io.line;
    return nul ? CMD_BADCHAR : CMD_UNKNOWN;
}

bool smtp_input_pending(void)
{
    if (io.in_pos < io.in_len) return true;
    if (io.eof) return false;
    if (conn.tls) return tls_pending(conn.tls); /* only what TLS has decrypted, as Exim */
    struct pollfd pfd = {.fd = conn.in_fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) <= 0) return false;
    char c;
    /* MSG_PEEK: data, not just a hang-up (a QUIT-less close is not a
     * sync error) */
    return recv(conn.in_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

char *smtp_pending_excerpt(void)
{
    if (io.in_pos >= io.in_len) {
        ssize_t n = conn.tls ? tls_read(conn.tls, io.in, LIMIT_SMTP_INBUF, 0)
                             : recv(conn.in_fd, io.in, LIMIT_SMTP_INBUF, MSG_DONTWAIT);
        if (n <= 0) return string_copy("");
        io.in_pos = 0;
        io.in_len = (size_t)n;
    }
    size_t n = io.in_len - io.in_pos;
    if (n > LIMIT_SMTP_SYNC_EXCERPT) n = LIMIT_SMTP_SYNC_EXCERPT;
    return string_printing_n(io.in + io.in_pos, n);
}

void smtp_io_discard_input(void)
{
    /* Bytes that came with or after STARTTLS were sent in clear: they
     * must never be taken as commands of the TLS session (CVE-2011-0411
     * class). Wiped, not just skipped, as they are hostile input. */
    memset(io.in, 0, LIMIT_SMTP_INBUF);
    io.in_pos = io.in_len = 0;
}
