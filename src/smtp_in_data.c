/* smtp_in_data.c - the message data phase of an SMTP session: DATA with
 * dot-unstuffing (RFC 5321 section 4.5.2) and BDAT chunks (RFC 3030),
 * then the data ACL, spooling and the final reply.
 *
 * Runs in the connection child. Lines are cut into pieces of at most
 * LIMIT_DATA_LINE bytes, so a peer sending one endless line costs
 * bounded memory. A message that is not complete (peer gone, timeout,
 * limits) is never spooled. */

/* MTA core */
#include "tern.h"
#include "acl.h"
#include "deliver.h"
#include "globals.h"
#include "log.h"
#include "receive_int.h"
#include "smtp_in.h"
/* This module */
#include "smtp_in_int.h"

enum { RD_END = -3, RD_TIMEOUT = -2, RD_EOF = -1, RD_BADBDAT = -4 };

typedef struct data_src {
    bool bdat, last;
    long chunk_left, chunk_size, chunk_total;
    gstring *line;
    int pushback;  /* a byte read ahead after a CR; -1 for none */
    int lf_mode;   /* how the first line ended: 0 not yet, 1 bare LF, 2 CRLF */
} data_src;

/* next_bdat - after a non-LAST chunk: reply, then read the next BDAT */
static int next_bdat(data_src *d)
{
    smtp_printf("250 %ld byte chunk received\r\n", d->chunk_size);
    char *line, *arg;
    enum smtp_cmd_id id = smtp_read_line(&line);
    if (id == CMD_EOF) return RD_EOF;
    if (id == CMD_TIMEOUT) return RD_TIMEOUT;
    if (id != CMD_BADCHAR && smtp_parse_verb(line, &arg) == CMD_BDAT) {
        char *end;
        long long v = strtoll(arg, &end, 10);
        while (*end == ' ') end++;
        if (end != arg && v >= 0 && v <= 0x7fffffffLL && (!*end || strcasecmp(end, "LAST") == 0)) {
            d->chunk_left = d->chunk_size = (long)v;
            d->chunk_total += (long)v;
            d->last = *end != 0;
            return 0;
        }
    }
    smtp_printf("503 only BDAT permissible after non-LAST BDAT\r\n");
    return RD_BADBDAT;
}

/* data_getc - one byte of message data from DATA or the BDAT chunks */
static int data_getc(data_src *d)
{
    if (d->pushback >= 0) {
        int c = d->pushback;
        d->pushback = -1;
        return c;
    }
    if (!d->bdat) {
        int c = smtp_getc();
        return c == -1 ? RD_EOF : c == -2 ? RD_TIMEOUT : c;
    }
    while (d->chunk_left == 0) {
        if (d->last) return RD_END;
        int rc = next_bdat(d);
        if (rc) return rc;
    }
    int c = smtp_getc();
    if (c < 0) return c == -1 ? RD_EOF : RD_TIMEOUT;
    d->chunk_left--;
    return c;
}

/* read_line - the next line into d->line; 1 whole line, 0 piece of a long
 * line, or RD_*. RFC 5321 section 2.3.8 forbids bare CR and LF; Exim 4.96
 * ends a line at CRLF and at a bare CR, and at a bare LF only in a message
 * whose first line ended with one: after a CRLF first line a bare LF is
 * stored as a space. */
static int read_line(data_src *d)
{
    d->line->len = 0;
    for (;;) {
        int c = data_getc(d);
        if (c < 0) {
            if (c == RD_END && d->line->len) return 1;
            return c;
        }
        if (c == '\n') {
            if (!d->lf_mode) d->lf_mode = 1;
            if (d->lf_mode == 1) return 1;
            c = ' ';
        } else if (c == '\r') {
            int n = data_getc(d);
            if (n == '\n' && !d->lf_mode) d->lf_mode = 2;
            if (n >= 0 && n != '\n') d->pushback = n;
            if (n == RD_END) d->pushback = -1;
            return 1;
        }
        d->line = string_catc(d->line, (char)c);
        if (d->line->len >= LIMIT_DATA_LINE) return 0;
    }
}

/* read_message - all lines until the end marker; 0 or RD_* */
static int read_message(data_src *d, rcv *r)
{
    bool line_start = true;
    for (;;) {
        int rc = read_line(d);
        if (rc == RD_END) return 0;
        if (rc < 0) return rc;
        const char *s = d->line->s;
        size_t n = d->line->len;
        if (!d->bdat && line_start && n && s[0] == '.') {
            if (n == 1 && rc == 1) return 0;
            s++, n--; /* RFC 5321 4.5.2: remove the leading dot */
        }
        rcv_line(r, s, n, rc == 1);
        line_start = rc == 1;
    }
}

/* data_failed - peer gone or timed out mid-message */
static enum smtp_next data_failed(int rc, const rcv *r)
{
    msg.id = NULL; /* Exim logs these without the id of the lost message */
    if (rc == RD_TIMEOUT) {
        log_write(L_always, LOG_MAIN, "SMTP data timeout (message abandoned) on connection from "
                  "%s F=<%s>", smtp_host_and_ident(false), msg.sender_address);
        smtp_printf("421 %s SMTP incoming data timeout - closing connection.\r\n",
                    conn.active_hostname);
    } else if (rc == RD_EOF) {
        /* Exim's wording: where in the message the data stopped */
        const char *where = r->in_body ? "" : r->hb.total ? " (after header)" : " (header)";
        log_write(L_lost_incoming_connection, LOG_MAIN, "SMTP connection from %s lost while "
                  "reading message data%s", smtp_host_and_ident(false), where);
        smtp_printf("421 Lost incoming connection\r\n");
    }
    return rc == RD_BADBDAT ? NEXT_CONTINUE : NEXT_DROP;
}

/* limits_failed - size or header limits passed: reply 552, log */
static bool limits_failed(rcv *r)
{
    if (r->too_big) {
        log_write(L_size_reject, LOG_MAIN | LOG_REJECT, "rejected from <%s> %s: message too big: "
                  "read=%ld max=%ld", msg.sender_address, smtp_host_and_ident(true),
                  rcv_bytes_read(r), r->limit);
        smtp_printf("552 Message size exceeds maximum permitted\r\n");
        return true;
    }
    if (r->hdr_error == HDR_TOO_BIG) {
        log_write(L_always, LOG_MAIN | LOG_REJECT, "ridiculously long message header received "
                  "from %s (more than %ld characters): message abandoned",
                  smtp_host_and_ident(false), (long)cfg.header_maxsize);
        smtp_printf("552 Message header is ridiculously long\r\n");
        return true;
    }
    if (r->hdr_error == HDR_LINE_TOO_LONG) {
        log_write(L_always, LOG_MAIN | LOG_REJECT, "message header line longer than %d characters "
                  "received from %s: message abandoned", cfg.header_line_maxsize,
                  smtp_host_and_ident(false));
        smtp_printf("552 A message header line is too long\r\n");
        return true;
    }
    return false;
}

/* acl_outcome - after the MIME or DATA ACL: true if the message may be
 * kept. A discard is answered and logged as Exim does when no recipient
 * is left: arrival, a blackhole delivery and Completed, nothing spooled. */
static bool acl_outcome(const rcv *r, enum acl_where where, int rc, char *um, char *lm,
                        enum smtp_next *next, bool bdat)
{
    if (rc == OK) return true;
    if (rc == DISCARD) {
        rcv_log_discarded(r, bdat, where == ACL_WHERE_MIME ? "MIME" : "DATA");
        conn.messages++;
        smtp_printf("250 OK id=%s\r\n", msg.id);
        return false;
    }
    *next = smtp_acl_fail(where, rc, um, lm, NULL);
    return false;
}

/* fake_reply - control = fakereject/fakedefer: the message is kept, the
 * client is told it was refused (Exim's default text) */
static void fake_reply(void)
{
    const char *t = msg.acl.fake_response_text;
    if (!t) t = "Your message has been rejected but is being kept for evaluation.\nIf it was a "
                "legitimate message, it may still be delivered to the target recipient(s).";
    smtp_respond(msg.acl.fake_response == DEFER ? 450 : 550, NULL, smtp_wrap_reply(t));
}

/* data_acls - acl_smtp_mime once per MIME part (Exim runs it first),
 * then acl_smtp_data; true if the message may be kept */
static bool data_acls(rcv *r, bool bdat, enum smtp_next *next)
{
    char *um, *lm;
    acl_mime_source(rcv_body_to, r);
    int rc = acl_mime_check(ACL_WHERE_MIME, cfg.acl_smtp_mime, &um, &lm);
    if (rc != OK) {
        acl_mime_unspool(); /* Exim removes the copy before logging the reject */
        return acl_outcome(r, ACL_WHERE_MIME, rc, um, lm, next, bdat);
    }
    if (!cfg.acl_smtp_data) return true;
    msg.size -= r->received_bytes; /* as Exim: $message_size without our Received: */
    rc = smtp_run_acl(ACL_WHERE_DATA, NULL, cfg.acl_smtp_data, &um, &lm);
    msg.size += r->received_bytes;
    return acl_outcome(r, ACL_WHERE_DATA, rc, um, lm, next, bdat);
}

/* data_acl - data_acls with -bh's trace paused: Exim shows no ">>> "
 * lines for the ACLs run while the message data is taken */
static bool data_acl(rcv *r, bool bdat, enum smtp_next *next)
{
    FILE *trace = acl_trace_pause();
    bool keep = data_acls(r, bdat, next);
    acl_trace_enable(trace);
    return keep;
}

/* accepted - the message is safe on disk: log and say so */
static void accepted(const rcv *r, bool bdat, data_src *d)
{
    rcv_log_arrival(r, bdat);
    conn.messages++;
    if (bdat && conn.host_checking)
        smtp_printf("250- %ld byte chunk, total %ld\r\n", d->chunk_size, d->chunk_total + 3);
    if (msg.acl.fake_response != OK) fake_reply();
    else smtp_printf("250 OK id=%s\r\n", msg.id);
    if (conn.host_checking) {
        smtp_flush();
        printf("\n**** SMTP testing: that is not a real message id!\n\n");
        fflush(stdout);
        return;
    }
    smtp_flush(); /* the reply goes out before any delivery starts */
    deliver_after_receive(msg.id);
}

enum smtp_next receive_smtp_data(bool bdat, long first_chunk, bool first_last)
{
    rcv r;
    data_src d = {.bdat = bdat, .last = first_last, .chunk_left = first_chunk,
                  .chunk_size = first_chunk, .chunk_total = first_chunk, .line = string_get_tainted(256, GET_TAINTED),
                  .pushback = -1};
    enum smtp_next next = NEXT_CONTINUE;
    enum store_pool old = store_set_pool(POOL_MSG);
    if (!rcv_open(&r)) {
        smtp_printf("451 Temporary local problem - please try later\r\n");
        store_set_pool(old);
        return NEXT_CONTINUE;
    }
    int rc = read_message(&d, &r);
    if (rc < 0) next = data_failed(rc, &r);
    else if (!limits_failed(&r)) {
        rcv_finish_headers(&r);
        bool keep = data_acl(&r, bdat, &next);
        acl_mime_unspool();
        if (keep) {
            if (rcv_spool(&r) == OK) accepted(&r, bdat, &d);
            else smtp_printf("451 Error while writing spool file\r\n");
        }
    }
    acl_mime_unspool();
    rcv_cleanup(&r);
    store_set_pool(old);
    msg.id = NULL;
    smtp_reset_message();
    return next;
}
