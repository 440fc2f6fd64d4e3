/* smtp_out.c - client side of one outgoing SMTP connection.
 *
 * Runs in the delivery process (or its transport child) as the exim
 * user. Everything read from the peer is bounded (LIMIT_SMTP_REPLY_LINE,
 * LIMIT_SMTP_REPLY) and tainted; every wait has a deadline. A reply that
 * breaks a limit or is not SMTP-shaped ends the connection with a clean
 * DEFER and a log text saying what the peer sent, never a hang or a
 * memory blow-up. TLS (STARTTLS) will wrap the fd below this API. */

/* System */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "smtp_out.h"

#define READ_CHUNK 4096

static void set_error(smtp_conn *c, int err, const char *text)
{
    if (c->error) return; /* keep the first */
    c->error = err;
    c->error_text = string_copy(text);
}

/* make_sockaddr - ip text to sockaddr; false if not an IP address */
static bool make_sockaddr(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *len = sizeof *s4;
        return true;
    }
    if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof *s6;
        return true;
    }
    return false;
}

/* wait_fd - poll for ev until timeout seconds pass: 1 ready, 0 timeout */
static int wait_fd(int fd, short ev, int timeout)
{
    struct pollfd p = {.fd = fd, .events = ev};
    for (;;) {
        int n = poll(&p, 1, timeout > 0 ? timeout * 1000 : 0);
        if (n >= 0) return n > 0;
        if (errno != EINTR) return 1; /* let the read/write report it */
    }
}

static int bind_interface(int fd, const char *interface, int family)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!make_sockaddr(interface, 0, &ss, &len) || ss.ss_family != family) return 0;
    return bind(fd, (struct sockaddr *)&ss, len);
}

int smtp_out_connect(smtp_conn *c, const char *ip, int port, const char *interface,
                     int timeout, bool keepalive)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->host_address = ip;
    c->port = port;
    c->out = string_get(256);
    struct sockaddr_storage ss;
    socklen_t len;
    if (!make_sockaddr(ip, port, &ss, &len)) {
        set_error(c, EINVAL, string_sprintf("bad IP address \"%s\"", ip));
        return DEFER;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) { set_error(c, errno, strerror(errno)); return DEFER; }
    if (interface && bind_interface(fd, interface, ss.ss_family) < 0) {
        set_error(c, errno, string_sprintf("failed to bind to %s: %s", interface, strerror(errno)));
        close(fd);
        return DEFER;
    }
    if (keepalive) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &(int){1}, sizeof(int));
    /* each command group is written whole; Nagle would only hold the last
     * segment back for the peer's delayed ACK (about 40 ms per message) */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
    if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
        set_error(c, errno, strerror(errno));
        close(fd);
        return DEFER;
    }
    if (!wait_fd(fd, POLLOUT, timeout)) {
        set_error(c, ERRNO_CONNECT_TIMEOUT, "Connection timed out");
        close(fd);
        return DEFER;
    }
    int soerr = 0;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &(socklen_t){sizeof soerr});
    if (soerr) { set_error(c, soerr, strerror(soerr)); close(fd); return DEFER; }
    smtp_out_attach(c, fd);
    c->host_address = ip;
    c->port = port;
    return OK;
}

void smtp_out_attach(smtp_conn *c, int fd)
{
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->out = string_get(256);
    /* malloc'd: a kept connection outlives the pool of the message that opened it */
    c->inbuf = store_malloc(LIMIT_SMTP_REPLY_LINE + READ_CHUNK);
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void smtp_out_queue(smtp_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->out = string_vfmt_append(c->out, fmt, ap);
    va_end(ap);
    c->out = string_catn(c->out, "\r\n", 2);
}

/* write_all - write len bytes with a deadline of timeout seconds in all */
static int write_all(smtp_conn *c, const char *p, size_t len, int timeout)
{
    time_t deadline = time(NULL) + timeout;
    while (len) {
        int left = (int)(deadline - time(NULL));
        if (left <= 0 || !wait_fd(c->fd, POLLOUT, left)) {
            set_error(c, ETIMEDOUT, "timed out writing to remote host");
            return DEFER;
        }
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            set_error(c, errno == EPIPE ? ERRNO_SMTP_CLOSED : errno,
                      string_sprintf("error writing to remote host: %s", strerror(errno)));
            return DEFER;
        }
        p += n;
        len -= (size_t)n;
    }
    return OK;
}

int smtp_out_flush(smtp_conn *c, int timeout)
{
    if (c->fd < 0) return DEFER;
    int rc = write_all(c, c->out->s, c->out->len, timeout);
    gstring_reset(c->out);
    return rc;
}

/* fill - read more bytes into inbuf; OK, or DEFER on timeout/close/error */
static int fill(smtp_conn *c, time_t deadline)
{
    if (c->inpos > 0) { /* slide the unread part down */
        memmove(c->inbuf, c->inbuf + c->inpos, c->inlen - c->inpos);
        c->inlen -= c->inpos;
        c->inpos = 0;
    }
    for (;;) {
        int left = (int)(deadline - time(NULL));
        if (left <= 0 || !wait_fd(c->fd, POLLIN, left)) {
            set_error(c, ETIMEDOUT, "Connection timed out");
            return DEFER;
        }
        ssize_t n = recv(c->fd, c->inbuf + c->inlen, LIMIT_SMTP_REPLY_LINE + READ_CHUNK - c->inlen, 0);
        if (n > 0) { c->inlen += (size_t)n; return OK; }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        set_error(c, n == 0 ? ERRNO_SMTP_CLOSED : errno,
                  n == 0 ? "Remote host closed connection" : strerror(errno));
        return DEFER;
    }
}

/* read_line - next line into *line (CR/LF stripped); OK or DEFER */
static int read_line(smtp_conn *c, time_t deadline, str_view *line)
{
    for (;;) {
        char *start = c->inbuf + c->inpos;
        char *nl = memchr(start, '\n', c->inlen - c->inpos);
        if (nl) {
            size_t n = (size_t)(nl - start);
            c->inpos += n + 1;
            if (n && start[n - 1] == '\r') n--;
            *line = sv(start, n);
            return OK;
        }
        if (c->inlen - c->inpos >= LIMIT_SMTP_REPLY_LINE) {
            set_error(c, ERRNO_SMTP_FORMAT, "reply line from remote host too long (garbage?)");
            return DEFER;
        }
        if (fill(c, deadline) != OK) return DEFER;
    }
}

/* reply_shape - 3 digits then ' ', '-' or end; the separator or 0 if bad */
static char reply_shape(str_view l)
{
    if (l.len < 3 || l.p[0] < '2' || l.p[0] > '5' || l.p[1] < '0' || l.p[1] > '9' || l.p[2] < '0'
        || l.p[2] > '9')
        return 0;
    if (l.len == 3) return ' ';
    return l.p[3] == ' ' || l.p[3] == '-' ? l.p[3] : 0;
}

int smtp_out_read_reply(smtp_conn *c, int timeout, smtp_reply *r)
{
    r->code = 0;
    r->text = NULL;
    if (c->fd < 0) return DEFER;
    time_t deadline = time(NULL) + timeout;
    gstring *g = string_get_tainted(128, GET_TAINTED);
    for (;;) {
        str_view l;
        if (read_line(c, deadline, &l) != OK) return DEFER;
        char sep = reply_shape(l);
        if (!sep || (r->code && (l.p[0] - '0') * 100 + (l.p[1] - '0') * 10 + l.p[2] - '0' != r->code)) {
            set_error(c, ERRNO_SMTP_FORMAT, string_sprintf("malformed SMTP reply (line \"%s\")",
                                                     string_printing_n(l.p, l.len > 80 ? 80 : l.len)));
            return DEFER;
        }
        r->code = (l.p[0] - '0') * 100 + (l.p[1] - '0') * 10 + l.p[2] - '0';
        if (g->len) g = string_catc(g, '\n');
        g = string_catn(g, l.p, l.len);
        if (g->len > LIMIT_SMTP_REPLY) {
            set_error(c, ERRNO_SMTP_FORMAT, "SMTP reply from remote host too long (garbage?)");
            return DEFER;
        }
        if (sep == ' ') break;
    }
    r->text = string_from_gstring(g);
    return OK;
}

int smtp_out_command(smtp_conn *c, int timeout, smtp_reply *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->out = string_vfmt_append(c->out, fmt, ap);
    va_end(ap);
    c->out = string_catn(c->out, "\r\n", 2);
    if (smtp_out_flush(c, timeout) != OK) return DEFER;
    return smtp_out_read_reply(c, timeout, r);
}

/* ehlo_keyword - does line (after "250-" / "250 ") start with kw? */
static const char *ehlo_keyword(const char *line, const char *kw)
{
    size_t n = strlen(kw);
    if (strncasecmp(line, kw, n) != 0) return NULL;
    if (line[n] && line[n] != ' ' && line[n] != '=' && line[n] != '\n') return NULL;
    return line + n;
}

void smtp_out_parse_ehlo(smtp_conn *c, const smtp_reply *r)
{
    c->caps = 0;
    c->size_max = 0;
    const char *p = r->text;
    bool first = true;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        const char *kw = strlen(p) > 4 ? p + 4 : "";
        const char *rest;
        if (!first) { /* the first line is the greeting */
            if (ehlo_keyword(kw, "PIPELINING")) c->caps |= CAP_PIPELINING;
            if (ehlo_keyword(kw, "8BITMIME")) c->caps |= CAP_8BITMIME;
            if (ehlo_keyword(kw, "DSN")) c->caps |= CAP_DSN;
            if (ehlo_keyword(kw, "STARTTLS")) c->caps |= CAP_STARTTLS;
            if ((rest = ehlo_keyword(kw, "SIZE"))) {
                c->caps |= CAP_SIZE;
                c->size_max = strtol(*rest ? rest + 1 : "0", NULL, 10);
            }
        }
        first = false;
        p = nl ? nl + 1 : NULL;
    }
}

int smtp_out_end_data(smtp_conn *c, bool need_crlf, int timeout)
{
    const char *end = need_crlf ? "\r\n.\r\n" : ".\r\n";
    return write_all(c, end, strlen(end), timeout);
}

void smtp_out_set_blocking(smtp_conn *c, bool blocking, int timeout)
{
    int fl = fcntl(c->fd, F_GETFL);
    (void)fcntl(c->fd, F_SETFL, blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK);
    struct timeval tv = {.tv_sec = blocking ? timeout : 0};
    (void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void smtp_out_close(smtp_conn *c, bool quit)
{
    if (c->fd < 0) return;
    if (!c->out) c->out = string_get(64);
    if (quit) {
        smtp_reply r;
        smtp_out_queue(c, "QUIT");
        if (smtp_out_flush(c, 5) == OK) (void)smtp_out_read_reply(c, 2, &r);
    }
    shutdown(c->fd, SHUT_WR);
    close(c->fd);
    c->fd = -1;
    store_free(c->inbuf);
    c->inbuf = NULL;
}

char *smtp_out_reply_log(const smtp_reply *r, const char *after)
{
    /* string_printing turns the "\n" between lines into a visible \n */
    return string_sprintf("SMTP error from remote mail server after %s: %s", after,
                          string_printing(r->text ? r->text : ""));
}
