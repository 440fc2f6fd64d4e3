/* transport.c - what every transport shares: writing the message out with
 * the header changes routers and transports ask for (headers_add,
 * headers_remove, headers_rewrite, Return-path:, Envelope-to:, Delivery-date:), line-end
 * and dot-stuffing conversion, mbox "From " escaping, size limits, and the
 * tainted-path check for file names.
 *
 * Runs in the transport's process (a child with the user's uid for local
 * transports). Reads the -D file through dlv.data_fd with pread, so the
 * file offset that holds the lock is never moved. */

/* System */
#include <time.h>
/* MTA core */
#include "tern.h"
#include "address.h"
#include "expand.h"
#include "globals.h"
#include "rewrite.h"
#include "spool.h"
#include "transport.h"

/* An output buffer that converts line ends and escapes line starts. */
typedef struct outbuf {
    transport_write_ctx *c;
    char buf[8192];
    size_t used;
    bool at_line_start;
    bool failed;
    int failed_errno;
} outbuf;

static void ob_flush(outbuf *o)
{
    size_t off = 0;
    while (off < o->used && !o->failed) {
        ssize_t n = write(o->c->fd, o->buf + off, o->used - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            o->failed = true;
            o->failed_errno = n < 0 ? errno : EIO;
            break;
        }
        off += (size_t)n;
    }
    o->c->written += (long long)off;
    o->used = 0;
}

static void ob_put(outbuf *o, const char *p, size_t n)
{
    while (n) {
        if (o->used == sizeof o->buf) ob_flush(o);
        size_t k = sizeof o->buf - o->used;
        if (k > n) k = n;
        memcpy(o->buf + o->used, p, k);
        o->used += k;
        p += k;
        n -= k;
    }
}

/* ob_line_start - escapes that apply at the start of a line */
static size_t ob_line_start(outbuf *o, const char *p, size_t n)
{
    transport_write_ctx *c = o->c;
    if ((c->options & TW_DOT_STUFF) && *p == '.') ob_put(o, ".", 1);
    if (c->check_string && *c->check_string) {
        size_t cl = strlen(c->check_string);
        if (n >= cl && memcmp(p, c->check_string, cl) == 0) {
            ob_put(o, c->escape_string ? c->escape_string : "", c->escape_string ? strlen(c->escape_string) : 0);
            return cl;
        }
    }
    return 0;
}

/* ob_text - text with LF line ends, converted as the options say */
static void ob_text(outbuf *o, const char *p, size_t n)
{
    bool crlf = o->c->options & TW_CRLF;
    while (n) {
        if (o->at_line_start) {
            size_t skip = ob_line_start(o, p, n);
            p += skip;
            n -= skip;
            o->at_line_start = false;
            if (!n) break;
        }
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        if (len && crlf && p[len - 1] == '\r') len--; /* stored CRLF: never doubled */
        ob_put(o, p, len);
        if (!nl) return;
        ob_put(o, crlf ? "\r\n" : "\n", crlf ? 2 : 1);
        size_t used = (size_t)(nl - p) + 1;
        p += used;
        n -= used;
        o->at_line_start = true;
    }
}

/* header_removed - is the header named in the colon list (case-independent)? */
static bool header_removed(const char *text, const char *list)
{
    if (!list) return false;
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        size_t n = strlen(item);
        if (n && item[n - 1] == ':') n--;
        if (n && strncasecmp(text, item, n) == 0 && (text[n] == ':' || text[n] == ' ')) return true;
    }
    return false;
}

/* added_text - a headers_add value, one or more lines, each ending in \n */
static void put_added(outbuf *o, const char *h)
{
    if (!h || !*h) return;
    size_t n = strlen(h);
    ob_text(o, h, n);
    if (h[n - 1] != '\n') ob_text(o, "\n", 1);
}

/* envelope_to - the addresses in the chain, for Envelope-to: */
static char *envelope_to(const address_item *a)
{
    gstring *g = NULL;
    for (; a; a = a->next) {
        const address_item *top = a;
        while (top->parent && (top->flags & AFL_PFR)) top = top->parent;
        if (g) g = string_cat(g, ",\n\t");
        g = string_cat(g, top->address);
    }
    return g ? string_from_gstring(g) : string_copy("");
}

/* generic_headers - Return-path:, Envelope-to:, Delivery-date: */
static void generic_headers(outbuf *o, transport_write_ctx *c)
{
    if (c->options & TW_RETURN_PATH)
        put_added(o, string_sprintf("Return-path: <%s>", msg.return_path ? msg.return_path : ""));
    if (c->options & TW_ENVELOPE_TO) put_added(o, string_sprintf("Envelope-to: %s", envelope_to(c->addr)));
    if (c->options & TW_DELIVERY_DATE) {
        char buf[64];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
        put_added(o, string_sprintf("Delivery-date: %s", buf));
    }
}

/* write_headers - the message's headers with additions and removals */
static int write_headers(outbuf *o, transport_write_ctx *c, char **err)
{
    const transport_instance *t = c->t;
    char *tremove = NULL, *tadd = NULL;
    if (t && t->headers_remove && !(tremove = transport_expand(t, "headers_remove", t->headers_remove, err)))
        return DEFER;
    if (t && t->headers_add && !(tadd = transport_expand(t, "headers_add", t->headers_add, err)))
        return DEFER;
    rewrite_rule *rules = NULL;
    const char *rwerr = t && t->headers_rewrite ? rewrite_parse_list(t->headers_rewrite, &rules) : NULL;
    if (rwerr) {
        *err = string_sprintf("%s transport: headers_rewrite: %s", t->drinst.name, rwerr);
        return DEFER;
    }
    generic_headers(o, c);
    const spool_header *h = dlv.spool_hdr;
    for (const header_line *hl = h ? h->headers : NULL; hl; hl = hl->next) {
        if (hl->type == HTYPE_OLD) continue;
        if (header_removed(hl->text, c->addr ? c->addr->remove_headers : NULL)) continue;
        if (header_removed(hl->text, tremove)) continue;
        /* headers_rewrite: the message's own headers only, not those of routers or this transport */
        char *rw = rules ? rewrite_header_line(rules, hl, false) : NULL;
        if (rw) ob_text(o, rw, strlen(rw));
        else ob_text(o, hl->text, hl->slen);
    }
    for (const header_line *hl = c->addr ? c->addr->extra_headers : NULL; hl; hl = hl->next)
        put_added(o, hl->text);
    put_added(o, tadd);
    return OK;
}

/* write_body - the -D file after its first line */
static void write_body(outbuf *o)
{
    char buf[LIMIT_TRANSPORT_CHUNK];
    off_t off = dlv.data_offset;
    for (;;) {
        ssize_t n = pread(dlv.data_fd, buf, sizeof buf, off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { o->failed = true; return; }
        if (n == 0) return;
        ob_text(o, buf, (size_t)n);
        off += n;
    }
}

/* bsmtp_envelope - MAIL FROM, one RCPT TO per address, DATA (raw: no
 * line-start escaping applies to these lines) */
static void bsmtp_envelope(outbuf *o, transport_write_ctx *c)
{
    const char *nl = c->options & TW_CRLF ? "\r\n" : "\n";
    char *s = string_sprintf("MAIL FROM:<%s>%s", msg.return_path ? msg.return_path : "", nl);
    ob_put(o, s, strlen(s));
    for (const address_item *a = c->addr; a; a = a->next) {
        s = string_sprintf("RCPT TO:<%s@%s>%s", a->local_part, a->domain, nl);
        ob_put(o, s, strlen(s));
    }
    s = string_sprintf("DATA%s", nl);
    ob_put(o, s, strlen(s));
}

void transport_copy_result(address_item *chain)
{
    for (address_item *a = chain ? chain->next : NULL; a; a = a->next) {
        a->transport_return = chain->transport_return;
        a->basic_errno = chain->basic_errno;
        a->more_errno = chain->more_errno;
        a->message = chain->message;
        a->user_message = chain->user_message;
        a->special_action = chain->special_action;
    }
}

/* write_content - headers and body as the options say */
static int write_content(outbuf *o, transport_write_ctx *c, char **err)
{
    if (!(c->options & TW_BODY_ONLY)) {
        if (write_headers(o, c, err) != OK) return DEFER;
        ob_text(o, "\n", 1); /* headers_only too: the blank line ends the header */
    }
    if (!(c->options & TW_HEADERS_ONLY)) write_body(o);
    return OK;
}

/* write_filtered - what transport_filter makes of the message, with the
 * line-end conversion and escaping applied to the filter's output */
static int write_filtered(outbuf *o, transport_write_ctx *c, char **err)
{
    transport_filter_proc fp;
    if (transport_filter_start(c, &fp, err) != OK) return DEFER;
    char *buf = store_get(LIMIT_TRANSPORT_CHUNK, GET_TAINTED);
    ssize_t n;
    while ((n = transport_filter_read(c, &fp, buf, LIMIT_TRANSPORT_CHUNK)) > 0 && !o->failed)
        ob_text(o, buf, (size_t)n);
    if (o->failed) { /* the caller reports the write error */
        transport_filter_finish(c, &fp, true, err);
        return OK;
    }
    if (n < 0) {
        int e = errno;
        c->filter_timed_out = e == ETIMEDOUT;
        *err = c->filter_timed_out ? string_copy("transport filter timed out")
                                   : string_sprintf("error reading from transport filter: %s", strerror(e));
        transport_filter_finish(c, &fp, true, err);
        errno = e;
        return DEFER;
    }
    return transport_filter_finish(c, &fp, false, err);
}

int transport_write_message(transport_write_ctx *c, char **err)
{
    const transport_instance *t = c->t;
    if (t) {
        if (t->return_path_add) c->options |= TW_RETURN_PATH;
        if (t->envelope_to_add) c->options |= TW_ENVELOPE_TO;
        if (t->delivery_date_add) c->options |= TW_DELIVERY_DATE;
        if (t->headers_only) c->options |= TW_HEADERS_ONLY;
        if (t->body_only) c->options |= TW_BODY_ONLY;
    }
    outbuf *o = store_get_zero(sizeof *o, GET_UNTAINTED);
    o->c = c;
    o->at_line_start = true;
    if (c->options & TW_BSMTP) bsmtp_envelope(o, c);
    bool filtered = t && t->transport_filter && !(c->options & TW_UNFILTERED);
    if ((filtered ? write_filtered(o, c, err) : write_content(o, c, err)) != OK) return DEFER;
    c->ended_mid_line = !o->at_line_start;
    if (c->options & TW_BSMTP) {
        if (!o->at_line_start) ob_put(o, "\n", 1);
        ob_put(o, c->options & TW_CRLF ? ".\r\n" : ".\n", c->options & TW_CRLF ? 3 : 2);
    }
    ob_flush(o);
    if (o->failed) {
        int e = o->failed_errno;
        *err = string_sprintf("error writing message: %s", strerror(e));
        errno = e;
        return DEFER;
    }
    return OK;
}

char *transport_expand(const transport_instance *t, const char *opt, const char *s, char **err)
{
    char *v = expand_string(s);
    if (!v) {
        *err = string_sprintf("failed to expand \"%s\" in %s transport: %s", s, t->drinst.name,
                              expand_error());
        (void)opt;
    }
    return v;
}

/* literal_slashes - '/' characters of tmpl outside "${...}" */
static int literal_slashes(const char *tmpl, bool *simple)
{
    int n = 0;
    *simple = strchr(tmpl, '{') == NULL;
    for (const char *p = tmpl; *p; p++) if (*p == '/') n++;
    return n;
}

bool transport_path_safe(const transport_instance *t, const char *path, const char *what,
                         const char *tmpl, char **err)
{
    if (!store_is_tainted(path)) return true;
    bool bad = false;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 32 || *p == 127) bad = true;
    if (strstr(path, "/../") || strstr(path, "/./") || string_has_prefix(path, "../")) bad = true;
    size_t n = strlen(path);
    if (n >= 3 && strcmp(path + n - 3, "/..") == 0) bad = true;
    bool simple;
    int want = tmpl ? literal_slashes(tmpl, &simple) : 0;
    if (tmpl && simple) {
        int got = 0;
        for (const char *p = path; *p; p++) if (*p == '/') got++;
        if (got != want) bad = true;
    }
    if (!bad) return true;
    *err = string_sprintf("Tainted '%s' (%s for %s transport) not permitted",
                          string_printing(path), what, t->drinst.name);
    return false;
}

int transport_check_size(const transport_instance *t, char **err)
{
    if (!t->message_size_limit) return OK;
    long long limit = expand_string_integer(t->message_size_limit, false);
    if (limit < 0) {
        *err = string_sprintf("failed to expand message_size_limit in %s transport", t->drinst.name);
        return DEFER;
    }
    off_t end = lseek(dlv.data_fd, 0, SEEK_END);
    if (limit > 0 && end - dlv.data_offset > limit) {
        *err = string_copy("message is too big");
        return FAIL;
    }
    return OK;
}
