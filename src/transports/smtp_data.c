/* smtp_data.c - the smtp transport's message data: after the server's
 * 354, the message as transport_write_message writes it for every
 * transport (headers_add, headers_remove, return_path_add, router
 * headers, transport_filter; CRLF line ends and dot-stuffing) straight
 * to the socket, then ".". Also whether the message needs BODY=8BITMIME.
 *
 * Runs in the delivery process as the exim user. The socket is made
 * blocking with a send timeout (data_timeout) while the message is
 * written, and SIGPIPE is ignored meanwhile (a peer that goes away is an
 * ordinary write error). */

/* System */
#include <signal.h>
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

/* ---- the data ---- */

int smtp_data_send(smtp_ctx *x, smtp_conn *c, char **err)
{
    *err = NULL;
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    smtp_out_set_blocking(c, true, x->ob->data_timeout);
    transport_write_ctx w = {.fd = c->fd, .t = x->t, .addr = x->addrlist, .options = TW_CRLF | TW_DOT_STUFF};
    int rc = transport_write_message(&w, err);
    int e = errno;
    smtp_out_set_blocking(c, false, 0);
    /* a failed filter (or one that never started: nothing was sent) is
     * not the host's fault: the connection is dropped without "." */
    bool unstarted = x->t->transport_filter && !w.written && !w.filter_timed_out;
    if (rc != OK && (w.filter_failed || unstarted)) rc = ERROR;
    else if (rc != OK && w.filter_timed_out) {
        c->error = ETIMEDOUT;
        c->error_text = *err = string_copy("timed out reading the transport filter's output");
    } else if (rc != OK) {
        if (!*err) *err = string_copy("error writing message");
        c->error = e == EAGAIN || e == EWOULDBLOCK ? ETIMEDOUT : e;
        c->error_text = *err;
    }
    if (rc == OK) rc = smtp_out_end_data(c, w.ended_mid_line, x->ob->data_timeout);
    sigaction(SIGPIPE, &old, NULL);
    return rc;
}
