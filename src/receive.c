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

/* body_out - one body line (or piece of one) to the -D file */
static void body_out(rcv *r, const char *s, size_t n, bool eol)
{
    r->body_bytes += (long)n + (eol ? 1 : 0);
    if (r->too_big || r->fd < 0) return;
    if (r->wbuf->len + n + 1 > RCV_WBUF) rcv_flush(r);
    if (n >= RCV_WBUF) {
        r->wbuf = string_catn(r->wbuf, s, n);
        rcv_flush(r);
    } else {
        r->wbuf = string_catn(r->wbuf, s, n);
    }
    if (eol) r->wbuf = string_catc(r->wbuf, '\n');
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
    msg.received_usec = (int)tv.tv_usec;
    r->fd = -1;
    r->wbuf = string_get_tainted(RCV_WBUF, GET_TAINTED);
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
        if (conn.sender_host_name)
            g = string_fmt_append(g, "from %s%s([%s]%s%s%s%s)\n\t", conn.sender_host_name,
                                  conn.sender_ident ? "\n\t" : " ", conn.sender_host_address,
                                  conn.sender_helo_name ? " helo=" : "",
                                  conn.sender_helo_name ? conn.sender_helo_name : "",
                                  conn.sender_ident ? " ident=" : "",
                                  conn.sender_ident ? conn.sender_ident : "");
        else
            g = string_fmt_append(g, "from [%s]%s%s%s\n\t", conn.sender_host_address,
                                  conn.sender_helo_name ? " (helo=" : "",
                                  conn.sender_helo_name ? conn.sender_helo_name : "",
                                  conn.sender_helo_name ? ")" : "");
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
    g = string_fmt_append(g, "(Exim %s)\n\t", TERN_EXIM_COMPAT);
    if (msg.sender_address) g = string_fmt_append(g, "(envelope-from <%s>)\n\t", msg.sender_address);
    g = string_fmt_append(g, "id %s", msg.id);
    if (msg.recipients_count == 1) g = string_fmt_append(g, "\n\tfor %s", msg.recipients[0].address);
    g = string_fmt_append(g, ";\n\t%s\n", smtp_tod_full());
    return string_from_gstring(g);
}

/* qualify_from - an unqualified From: of local input gets the qualify
 * domain (the old header is kept, marked deleted, as Exim does) */
static void qualify_from(header_line **list)
{
    header_line *from = header_find(*list, "from");
    if (!from) return;
    char *v = header_value(from);
    if (!*v || strchr(v, '@') || strchr(v, '<') || strchr(v, ',')) return;
    from->type = HTYPE_OLD;
    header_append(list, string_sprintf("From: %s@%s\n", v, cfg.qualify_domain ?
                                       cfg.qualify_domain : cfg.primary_hostname));
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
    qualify_from(list);
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
    char *rh = received_header();
    if (rh) header_prepend(&list, rh);
    msg.headers = list;
    msg.size = (long)header_size(list) + 1 + r->body_bytes;
}

/* ---- spooling ---- */

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
    h->body_linecount = msg.body_linecount;
    h->body_zerocount = msg.body_zerocount;
    h->max_received_linelength = msg.max_received_linelength;
    h->allow_unqualified_recipient = conn.unqualified_recipient_ok;
    h->allow_unqualified_sender = conn.unqualified_sender_ok;
    h->deliver_firsttime = true;
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
    return h;
}

/* rcv_spool - -D and -H on disk, durably. Returns OK or ERROR (logged). */
int rcv_spool(rcv *r)
{
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

/* rcv_log_arrival - the "<=" mainlog line with Exim's fields */
void rcv_log_arrival(const rcv *r, bool chunked)
{
    gstring *g = string_fmt_append(NULL, "<= %s", msg.sender_address && *msg.sender_address ?
                                   msg.sender_address : "<>");
    g = string_fmt_append(g, " %s", smtp_host_and_ident(true));
    if (conn.sender_host_address && conn.sender_ident)
        g = string_fmt_append(g, " U=%s", conn.sender_ident);
    if (conn.received_protocol) g = string_fmt_append(g, " P=%s", conn.received_protocol);
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
}
