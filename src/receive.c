/* receive.c - reading one message (SMTP DATA or BDAT, or local input)
 * onto the spool.
 *
 * Runs in the connection child or the -bs/-bm process, never as root.
 * The body goes to a temporary file as it arrives; the -H file is built
 * at the end. Durability rule (DESIGN.md section 5): both files are
 * renamed into place (-D first, then -H at once after it) and made
 * durable by one syncfs(2) of the spool file system before the 250 reply or exit status 0. A
 * message abandoned for any reason leaves no file behind. */

/* System */
#include <ctype.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "acl.h"
#include "expand.h"
#include "globals.h"
#include "header.h"
#include "log.h"
#include "receive.h"
#include "receive_int.h"
#include "rewrite.h"
#include "smtp_in.h"
#include "spool.h"
#include "version.h"
#include "xp_all.h"
/* This module */
#include "smtp_in_int.h"

#define RCV_WBUF (64 * 1024)

/* rcv_flush - write the body buffer to the -D temp file */
static bool rcv_flush(rcv *r)
{
    if (r->fd < 0 || !r->wbuf->len) { if (r->wbuf) r->wbuf->len = 0; return r->fd < 0 || true; }
    const char *p = r->wbuf->s;
    size_t n = r->wbuf->len;
    while (n) {
        ssize_t w = write(r->fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { r->write_failed = true; break; }
        p += w;
        n -= (size_t)w;
    }
    r->wbuf->len = 0;
    return !r->write_failed;
}

/* body_keep - the first and last LIMIT_MESSAGE_BODY_VISIBLE bytes of the
 * body, for $message_body and $message_body_end in the DATA ACL */
static void body_keep(rcv *r, const char *s, size_t n, bool eol)
{
    if (!r->body_visible) return;
    const size_t vis = LIMIT_MESSAGE_BODY_VISIBLE;
    if (!r->body_head) {
        r->body_head = string_get_tainted(vis + 1, GET_TAINTED);
        r->body_tail = string_get_tainted(2 * vis + 2, GET_TAINTED);
    }
    if (r->body_head->len < vis) {
        size_t k = n < vis - r->body_head->len ? n : vis - r->body_head->len;
        r->body_head = string_catn(r->body_head, s, k);
        if (eol && r->body_head->len < vis) r->body_head = string_catc(r->body_head, '\n');
    }
    if (n > vis) { s += n - vis; n = vis; }
    r->body_tail = string_catn(r->body_tail, s, n);
    if (eol) r->body_tail = string_catc(r->body_tail, '\n');
    if (r->body_tail->len > 2 * vis) { /* keep the last vis bytes */
        memmove(r->body_tail->s, r->body_tail->s + r->body_tail->len - vis, vis);
        r->body_tail->len = vis;
    }
}

/* body_out - one body line (or piece of one) to the -D file; under -bh
 * (keep_body) the body stays in wbuf instead, bounded by
 * message_size_limit, because the MIME ACL and regex scan it and there
 * is no file */
static void body_out(rcv *r, const char *s, size_t n, bool eol)
{
    r->body_bytes += (long)n + (eol ? 1 : 0);
    body_keep(r, s, n, eol);
    if (r->too_big || (r->fd < 0 && !r->keep_body)) return;
    if (r->fd >= 0 && r->wbuf->len + n + 1 > RCV_WBUF) rcv_flush(r);
    r->wbuf = string_catn(r->wbuf, s, n);
    if (eol) r->wbuf = string_catc(r->wbuf, '\n');
    if (r->fd >= 0 && r->wbuf->len >= RCV_WBUF) rcv_flush(r);
}

/* rcv_body_to - append the body received so far to fd: the copy that
 * the MIME ACL and the regex condition scan (acl_mime_source) */
bool rcv_body_to(void *ctx, int fd)
{
    rcv *r = ctx;
    if (r->fd < 0) return r->wbuf->len == 0 || write(fd, r->wbuf->s, r->wbuf->len) == (ssize_t)r->wbuf->len;
    if (!rcv_flush(r)) return false;
    int in = open(r->tmp_d, O_RDONLY | O_CLOEXEC);
    if (in < 0) return false;
    off_t off = (off_t)strlen(msg.id) + 3; /* after the "<id>-D" line */
    char *buf = store_get(RCV_WBUF, GET_TAINTED);
    bool ok = true;
    for (;;) {
        ssize_t n = pread(in, buf, RCV_WBUF, off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { ok = n == 0; break; }
        if (write(fd, buf, (size_t)n) != n) { ok = false; break; }
        off += n;
    }
    close(in);
    return ok;
}

/* rcv_cleanup - remove the temp file of an abandoned message */
void rcv_cleanup(rcv *r)
{
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    if (r->tmp_d) unlink(r->tmp_d);
    r->tmp_d = NULL;
}

/* rcv_open - a new id and the -D temp file (nothing for -bh) */
bool rcv_open(rcv *r)
{
    char id[MESSAGE_ID_LENGTH + 1];
    struct timeval tv;
    memset(r, 0, sizeof *r);
    spool_new_message_id(id);
    gettimeofday(&tv, NULL);
    msg.id = string_copy_perm(id);
    msg.received_sec = tv.tv_sec;
    msg.received_time = tv.tv_sec;
    msg.received_usec = (int)tv.tv_usec;
    r->fd = -1;
    r->wbuf = string_get_tainted(RCV_WBUF, GET_TAINTED);
    r->keep_body = conn.host_checking;
    /* only the ACLs run on the message read $message_body(_end) at reception */
    r->body_visible = cfg.acl_smtp_data || cfg.acl_not_smtp || cfg.acl_smtp_mime || cfg.acl_not_smtp_mime;
    r->limit = expand_string_integer(cfg.message_size_limit, true);
    header_builder_init(&r->hb, (size_t)(cfg.header_maxsize > 0 ? cfg.header_maxsize : 0),
                        (size_t)(cfg.header_line_maxsize > 0 ? cfg.header_line_maxsize : 0));
    if (conn.host_checking) return true;
    r->dir = spool_input_dir(cfg.spool_directory, id, cfg.split_spool_directory);
    r->tmp_d = string_sprintf("%s/hdr.%s-D.%d", r->dir, id, (int)getpid());
    r->fd = open(r->tmp_d, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (r->fd < 0) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to create spool file %s: %s", r->tmp_d,
                  strerror(errno));
        r->tmp_d = NULL;
        return false;
    }
    r->wbuf = string_fmt_append(r->wbuf, "%s-D\n", id);
    return true;
}

long rcv_bytes_read(const rcv *r)
{
    return r->body_bytes + (long)r->hb.total + (r->in_body ? 1 : 0);
}

/* rcv_line - one line of the message: headers first, then body */
void rcv_line(rcv *r, const char *s, size_t n, bool eol)
{
    if (n > (size_t)msg.max_received_linelength) msg.max_received_linelength = (int)n;
    if (r->in_body) {
        body_out(r, s, n, eol);
        if (eol) msg.body_linecount++;
        for (size_t i = 0; i < n; i++) if (!s[i]) msg.body_zerocount++;
    } else if (!r->hdr_error) {
        enum header_add_result h = header_add_line(&r->hb, s, n);
        if (h == HDR_END) r->in_body = true;
        else if (h == HDR_END_BODY) { r->in_body = true; rcv_line(r, s, n, eol); }
        else if (h == HDR_TOO_BIG || h == HDR_LINE_TOO_LONG) r->hdr_error = h;
    }
    if (r->limit > 0 && rcv_bytes_read(r) > r->limit) r->too_big = true;
}

/* ---- Received and the local fix-ups ---- */

/* rcvhost - "from ..." part of the default Received: header */
static gstring *rcvhost(gstring *g)
{
    if (conn.sender_host_address) {
        const char *helo = smtp_helo_shown(true) ? conn.sender_helo_name : NULL;
        if (conn.sender_host_name)
            g = string_fmt_append(g, "from %s%s([%s]%s%s%s%s)\n\t", conn.sender_host_name,
                                  conn.sender_ident ? "\n\t" : " ", conn.sender_host_address,
                                  helo ? " helo=" : "", helo ? helo : "",
                                  conn.sender_ident ? " ident=" : "",
                                  conn.sender_ident ? conn.sender_ident : "");
        else
            g = string_fmt_append(g, "from %s\n\t", smtp_rcvhost_bare(helo));
        return g;
    }
    if (conn.sender_ident) g = string_fmt_append(g, "from %s ", conn.sender_ident);
    if (conn.sender_helo_name) g = string_fmt_append(g, "(helo=%s)\n\t", conn.sender_helo_name);
    return g;
}

/* received_header - received_header_text; its default is built here
 * (the same text the default expansion gives) */
static char *received_header(void)
{
    msg.received_for = msg.recipients_count == 1 ? msg.recipients[0].address : NULL;
    /* the default text is built in C (same result, no expansion per message) */
    if (cfg.received_header_text && cfg.received_header_text != main_options_default.received_header_text) {
        char *s = expand_string(cfg.received_header_text);
        if (!s) {
            log_write(L_always, LOG_MAIN | LOG_PANIC, "Expansion of \"%s\" (received_header_text) "
                      "failed: %s", cfg.received_header_text, expand_error());
            return NULL;
        }
        return *s ? string_sprintf("%s;\n\t%s\n", s, smtp_tod_full()) : NULL;
    }
    gstring *g = string_cat(NULL, "Received: ");
    g = rcvhost(g);
    g = string_fmt_append(g, "by %s ", cfg.primary_hostname);
    if (conn.received_protocol) g = string_fmt_append(g, "with %s ", conn.received_protocol);
    /* two spaces before "(TLS1.3)", as the default expansion gives */
    if (conn.tls_in_ver) g = string_fmt_append(g, " (%s)", conn.tls_in_ver);
    if (conn.tls_in_cipher_std) g = string_fmt_append(g, " tls %s\n\t", conn.tls_in_cipher_std);
    g = string_fmt_append(g, "(Exim %s)\n\t", TERN_EXIM_COMPAT);
    if (msg.sender_address) g = string_fmt_append(g, "(envelope-from <%s>)\n\t", msg.sender_address);
    g = string_fmt_append(g, "id %s", msg.id);
    if (msg.recipients_count == 1) g = string_fmt_append(g, "\n\tfor %s", msg.recipients[0].address);
    g = string_fmt_append(g, ";\n\t%s\n", smtp_tod_full());
    return string_from_gstring(g);
}

/* header_is - h is a "name:" header (case-independent) */
static bool header_is(const header_line *h, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(h->text, name, n) == 0 && h->text[n] == ':';
}

/* qualify_one - an address header holding one bare local part gets the
 * qualify domain; the new header follows the old one, which is kept
 * marked deleted, as Exim keeps it */
static void qualify_one(header_line *h, const char *name, const char *domain)
{
    char *v = header_value(h);
    if (!*v) return;
    for (const char *p = v; *p; p++) /* one dot-atom local part (RFC 5322 3.2.3), nothing else */
        if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-/=?^_`{|}~.", *p)) return;
    header_line *q = header_split(string_sprintf("%s: %s@%s\n", name, v, domain), NULL);
    h->type = HTYPE_OLD;
    q->next = h->next;
    h->next = q;
}

/* qualify_headers - unqualified sender and recipient headers of local
 * input (RFC 5322 section 3.4 wants a domain) */
static void qualify_headers(header_line **list)
{
    static const char *const senders[] = {"From", "Sender", "Reply-To"};
    static const char *const rcpts[] = {"To", "Cc", "Bcc"};
    const char *qd = cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname;
    const char *qr = cfg.qualify_recipient ? cfg.qualify_recipient : qd;
    for (header_line *h = *list; h; h = h->next) {
        if (h->type == HTYPE_OLD) continue;
        for (size_t i = 0; i < NELEM(senders); i++)
            if (header_is(h, senders[i])) qualify_one(h, senders[i], qd);
        for (size_t i = 0; i < NELEM(rcpts); i++)
            if (header_is(h, rcpts[i])) qualify_one(h, rcpts[i], qr);
    }
}

/* originator - From: for local input that has none: the sender as it
 * was before rewriting (the header is then rewritten like any other),
 * with the caller's name for non-SMTP input (-F or the passwd entry) */
static char *originator(const rcv *r, const char *sender)
{
    const char *addr = sender && *sender ? sender
        : string_sprintf("%s@%s", conn.sender_ident, cfg.qualify_domain ? cfg.qualify_domain
                                                                        : cfg.primary_hostname);
    if (r->originator_name && *r->originator_name)
        return string_sprintf("From: %s <%s>\n", r->originator_name, addr);
    return string_sprintf("From: %s\n", addr);
}

/* append_chain - header lines made elsewhere, at the end of list */
static void append_chain(header_line **list, header_line *chain)
{
    while (*list) list = &(*list)->next;
    *list = chain;
}

/* The envelope rewriting records (X-rewrote-*, marked deleted) and the
 * sender as received, which local fix-ups need. */
typedef struct rw_records {
    header_line *rcpts, *sender;
    const char *orig_sender;
} rw_records;

/* local_fixups - Message-ID, Date and From for local or submission input
 * (RFC 5322 3.6: both are required; RFC 6409 section 8). The rewriting
 * records go where Exim puts them: after Message-ID and around From. */
static void local_fixups(const rcv *r, header_line **list, const rw_records *rw)
{
    if (!conn.local && !msg.submission) {
        append_chain(list, rw->rcpts);
        append_chain(list, rw->sender);
        return;
    }
    qualify_headers(list);
    if (!header_find(*list, "message-id")) {
        const char *dom = cfg.message_id_header_domain ? expand_cstring(cfg.message_id_header_domain)
                                                       : NULL;
        header_append(list, string_sprintf("Message-Id: <E%s@%s>\n", msg.id,
                                           dom && *dom ? dom : cfg.primary_hostname));
    }
    append_chain(list, rw->rcpts);
    if (!header_find(*list, "from"))
        rewrite_headers(rewrite_rules_list(), header_append(list, originator(r, rw->orig_sender)));
    append_chain(list, rw->sender);
    if (!header_find(*list, "date")) header_append(list, string_sprintf("Date: %s\n", smtp_tod_full()));
}

/* acl_body_vars - $message_body, $message_body_end, $recipients for the
 * DATA and non-SMTP ACLs */
static void acl_body_vars(const rcv *r)
{
    const size_t vis = LIMIT_MESSAGE_BODY_VISIBLE;
    msg.body = r->body_head ? string_from_gstring(r->body_head) : string_copy("");
    const gstring *t = r->body_tail;
    msg.body_end = !t ? string_copy("")
                 : string_copyn_taint(t->len > vis ? t->s + t->len - vis : t->s, t->len > vis ? vis : t->len,
                                      GET_TAINTED);
    gstring *g = string_get(64);
    for (int i = 0; i < msg.recipients_count; i++)
        g = string_fmt_append(g, "%s%s", i ? ", " : "", msg.recipients[i].address);
    msg.recipients_str = string_from_gstring(g);
}

void rcv_headers_done(rcv *r)
{
    if (r->headers_done) return;
    r->headers_done = true;
    msg.headers = header_finish(&r->hb);
    header_line *mid = header_find(msg.headers, "message-id");
    if (mid) {
        char *v = header_value(mid);
        size_t n = strlen(v);
        if (n >= 2 && v[0] == '<' && v[n - 1] == '>') v = string_copyn_taint(v + 1, n - 2, GET_TAINTED);
        msg.message_id_header = v;
    }
    header_line *subj = header_find(msg.headers, "subject");
    if (subj) msg.subject = header_value(subj);
}

/* rcv_finish_headers - rewriting (envelope first, then the headers as
 * received: before the DATA ACL, as in Exim), fix-ups and Received */
void rcv_finish_headers(rcv *r)
{
    rcv_headers_done(r);
    header_line *list = msg.headers;
    rw_records rw = {.orig_sender = msg.sender_address};
    if (msg.recipients_count && log_selected(L_received_recipients)) {
        r->rcpts_received = store_get(sizeof(char *) * (size_t)msg.recipients_count, GET_UNTAINTED);
        for (int i = 0; i < msg.recipients_count; i++) r->rcpts_received[i] = msg.recipients[i].address;
    }
    rewrite_envelope(&rw.rcpts, &rw.sender);
    rewrite_headers(rewrite_rules_list(), list);
    local_fixups(r, &list, &rw);
    long before = (long)header_size(list);
    char *rh = received_header();
    if (rh) header_prepend(&list, rh);
    msg.headers = list;
    msg.size = (long)header_size(list) + 1 + r->body_bytes;
    r->received_bytes = msg.size - before - 1 - r->body_bytes;
    acl_body_vars(r);
}

/* ---- spooling ---- */

/* acl_vars_for_spool - every ACL variable, connection then message, each
 * in the order set (the lists are newest first), in one list: all are
 * kept with the message for its delivery */
static acl_var *acl_vars_for_spool(void)
{
    acl_var *all = NULL;
    const acl_var *lists[] = {msg.acl_m, conn.acl_c};
    for (size_t i = 0; i < NELEM(lists); i++)
        for (const acl_var *v = lists[i]; v; v = v->next) {
            acl_var *c = store_get(sizeof *c, GET_UNTAINTED);
            *c = *v;
            c->next = all;
            all = c;
        }
    return all;
}

static spool_header *build_header(const rcv *r)
{
    spool_header *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    memcpy(h->id, msg.id, MESSAGE_ID_LENGTH + 1);
    struct passwd *pw = getpwuid(geteuid());
    h->caller_login = string_copy(pw ? pw->pw_name : "unknown");
    if (conn.local && conn.sender_ident) h->caller_login = conn.sender_ident;
    h->caller_uid = conn.local ? proc.real_uid : geteuid();
    h->caller_gid = conn.local ? proc.real_gid : getegid();
    h->sender = msg.sender_address ? msg.sender_address : "";
    h->received_time = msg.received_sec;
    h->received_usec = msg.received_usec;
    h->helo_name = conn.sender_helo_name;
    h->host_address = conn.sender_host_address;
    h->host_port = conn.sender_host_port;
    h->host_name = conn.sender_host_name;
    h->interface_address = conn.interface_address;
    h->interface_port = conn.interface_port;
    h->ident = conn.sender_ident;
    h->received_protocol = conn.received_protocol;
    h->tls_cipher = conn.tls_in_cipher;
    h->tls_certificate_verified = conn.tls_in_certificate_verified;
    h->tls_peerdn = conn.tls_in_peerdn ? string_printing(conn.tls_in_peerdn) : NULL;
    h->tls_sni = conn.tls_in_sni ? string_printing(conn.tls_in_sni) : NULL;
    h->tls_ver = conn.tls_in_ver;
    h->body_linecount = msg.body_linecount;
    h->body_zerocount = msg.body_zerocount;
    h->max_received_linelength = msg.max_received_linelength;
    h->allow_unqualified_recipient = conn.unqualified_recipient_ok;
    h->allow_unqualified_sender = conn.unqualified_sender_ok;
    h->deliver_firsttime = true;
    if (msg.acl.freeze) h->frozen_at = msg.received_sec; /* control = freeze */
    h->local = r->local_input;
    if (r->local_input) {
        h->auth_id = conn.sender_ident;
        h->auth_sender = msg.sender_address;
    }
    if (conn.sender_host_authenticated) {
        h->host_auth = conn.sender_host_authenticated;
        h->auth_id = conn.authenticated_id;
        h->auth_sender = msg.authenticated_sender;
    }
    h->dsn_envid = msg.dsn_envid;
    h->dsn_ret = msg.dsn_ret;
    h->recipients = msg.recipients;
    h->recipients_count = msg.recipients_count;
    h->headers = msg.headers;
    h->acl_vars = acl_vars_for_spool();
    return h;
}

/* rcv_spool - -D and -H on disk, durably. Returns OK or ERROR (logged). */
int rcv_spool(rcv *r)
{
    rcv_acl_headers(r);
    if (conn.host_checking) return OK;
    const char *err = NULL;
    char *tmp_h = NULL;
    rcv_flush(r);
    /* No fsync per file: after both renames one syncfs makes the data, the
     * header and the directory entries durable together (DESIGN.md section 9:
     * one sync to accept). The 250 is only sent after it returns. */
    if (r->write_failed) err = string_sprintf("write failed: %s", strerror(errno));
    close(r->fd);
    r->fd = -1;
    gstring *g = err ? NULL : spool_format_header(build_header(r));
    if (!err && spool_write_temp_sync(r->dir, string_sprintf("%s-H", msg.id), g->s, g->len, false,
                                      &tmp_h, &err) == OK) {
        if (rename(r->tmp_d, string_sprintf("%s/%s-D", r->dir, msg.id)) != 0 ||
            rename(tmp_h, string_sprintf("%s/%s-H", r->dir, msg.id)) != 0 ||
            spool_syncfs(r->dir) != OK)
            err = string_sprintf("rename or sync failed: %s", strerror(errno));
        else { r->tmp_d = NULL; return OK; }
    }
    log_write(L_always, LOG_MAIN | LOG_PANIC, "spool write failed for %s: %s", msg.id, err);
    if (tmp_h) unlink(tmp_h);
    unlink(string_sprintf("%s/%s-H", r->dir, msg.id));
    unlink(string_sprintf("%s/%s-D", r->dir, msg.id));
    rcv_cleanup(r);
    return ERROR;
}

/* rcv_tls_fields - X= CV= DN= SNI= of the "<=" line, each under its
 * log selector (tls_cipher and tls_certificate_verified are defaults) */
static gstring *rcv_tls_fields(gstring *g)
{
    if (!conn.tls_in_cipher) return g;
    if (log_selected(L_tls_cipher)) g = string_fmt_append(g, " X=%s", conn.tls_in_cipher);
    if (log_selected(L_tls_certificate_verified))
        g = string_fmt_append(g, " CV=%s", conn.tls_in_certificate_verified ? "yes" : "no");
    if (log_selected(L_tls_peerdn) && conn.tls_in_peerdn)
        g = string_fmt_append(g, " DN=\"%s\"", string_printing(conn.tls_in_peerdn));
    if (log_selected(L_tls_sni) && conn.tls_in_sni)
        g = string_fmt_append(g, " SNI=%s", string_printing(conn.tls_in_sni));
    return g;
}

/* rcv_log_arrival - the "<=" mainlog line with Exim's fields */
void rcv_log_arrival(const rcv *r, bool chunked)
{
    /* "(=": kept although the client was told it was rejected (fakereject) */
    gstring *g = string_fmt_append(NULL, "%s %s", msg.acl.fake_response == FAIL ? "(=" : "<=",
                                   msg.sender_address && *msg.sender_address ? msg.sender_address : "<>");
    g = string_fmt_append(g, " %s", smtp_host_and_ident(true));
    if (conn.sender_host_address && conn.sender_ident)
        g = string_fmt_append(g, " U=%s", conn.sender_ident);
    if (conn.received_protocol) g = string_fmt_append(g, " P=%s", conn.received_protocol);
    g = rcv_tls_fields(g);
    if (conn.sender_host_authenticated) {
        g = string_fmt_append(g, " A=%s", conn.sender_host_authenticated);
        if (conn.authenticated_id) g = string_fmt_append(g, ":%s", conn.authenticated_id);
    }
#ifdef EXPERIMENTAL_PROXY
    g = xp_proxy_log_prx(g, &conn);
#endif
    if (chunked) g = string_cat(g, " K");
    g = string_fmt_append(g, " S=%lld", msg.size);
    if (msg.message_id_header && log_selected(L_msg_id))
        g = string_fmt_append(g, " id=%s", msg.message_id_header);
    if (msg.subject && log_selected(L_subject)) g = string_fmt_append(g, " T=\"%s\"", msg.subject);
    if (log_selected(L_received_recipients)) {
        g = string_cat(g, " for");
        /* as received: Exim lists them before rewriting */
        for (int i = 0; i < msg.recipients_count; i++)
            g = string_fmt_append(g, " %s", r->rcpts_received ? r->rcpts_received[i] : msg.recipients[i].address);
    }
    log_write(L_always, LOG_MAIN, "%s", string_from_gstring(g));
    if (msg.acl.freeze) log_write(L_always, LOG_MAIN, "frozen by ACL");
    else if (msg.acl.queue) log_write(L_always, LOG_MAIN, "no immediate delivery: queued by ACL");
}

/* rcv_log_discarded - an ACL discarded every recipient: Exim logs the
 * arrival and a blackhole delivery at once; nothing is spooled */
void rcv_log_discarded(const rcv *r, bool chunked, const char *acl_name)
{
    rcv_log_arrival(r, chunked);
    log_write(L_always, LOG_MAIN, "=> blackhole (%s ACL discarded recipients)", acl_name);
    log_write(L_always, LOG_MAIN, "Completed");
}
