/* deliver_wire.c - serializing what a local delivery agent needs: the
 * message (as the -H bytes, which the agent parses itself) and the
 * routed addresses with every field a transport or its expansions read.
 *
 * Strings are "<len>:" then the bytes, "T" first when the string is
 * tainted (so taint survives the trip), "-" for NULL. An address's
 * ancestors follow it, nearest first, because $parent_* and
 * $original_* and the pipe/file naming walk up the parent chain. */

/* System */
#include <limits.h>
#include <stddef.h>
#include <sys/socket.h>
/* MTA core */
#include "tern.h"
#include "deliver_wire.h"
#include "route.h"
#include "router.h"
#include "transport.h"

/* The string fields of an address that cross the wire, in order */
static const size_t str_fields[] = {
    offsetof(address_item, address),         offsetof(address_item, unique),
    offsetof(address_item, local_part),      offsetof(address_item, domain),
    offsetof(address_item, prefix),          offsetof(address_item, suffix),
    offsetof(address_item, prefix_v),        offsetof(address_item, suffix_v),
    offsetof(address_item, cc_local_part),   offsetof(address_item, address_data),
    offsetof(address_item, local_part_data), offsetof(address_item, domain_data),
    offsetof(address_item, errors_address),  offsetof(address_item, home_dir),
    offsetof(address_item, current_dir),     offsetof(address_item, return_path),
    offsetof(address_item, remove_headers),  offsetof(address_item, self_hostname),
    offsetof(address_item, dsn_orcpt),       offsetof(address_item, message),
    offsetof(address_item, user_message),
};

/* The same for a filter's mail/vacation reply */
static const size_t reply_fields[] = {
    offsetof(reply_item, to),      offsetof(reply_item, cc),       offsetof(reply_item, bcc),
    offsetof(reply_item, from),    offsetof(reply_item, reply_to), offsetof(reply_item, subject),
    offsetof(reply_item, headers), offsetof(reply_item, text),     offsetof(reply_item, file),
    offsetof(reply_item, log),     offsetof(reply_item, once),     offsetof(reply_item, once_repeat),
};

#define FIELD(base, off) (*(char **)((char *)(base) + (off)))

gstring *wire_put_str(gstring *g, const char *s)
{
    if (!s) return string_catc(g, '-');
    size_t n = strlen(s);
    g = string_fmt_append(g, "%s%zu:", store_is_tainted(s) ? "T" : "", n);
    return n ? string_catn(g, s, n) : g;
}

/* take_uint - the decimal digits at p followed by the byte stop, never
 * reading at or past end (received bytes carry no terminator); what
 * follows stop, or NULL if there are no digits, no stop or the value
 * exceeds max. strtoul would skip white space, take a sign and run on
 * past end. */
static char *take_uint(char *p, const char *end, char stop, unsigned long max, unsigned long *v)
{
    char *start = p;
    unsigned long n = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > max || n > (max - d) / 10) return NULL;
        n = n * 10 + d;
    }
    if (p == start || p >= end || *p != stop) return NULL;
    *v = n;
    return p + 1;
}

/* take_len - "<len>:" with len bytes after it; the bytes, or NULL */
static char *take_len(wire_reader *r, size_t *len)
{
    unsigned long n;
    char *s = take_uint(r->p, r->end, ':', (unsigned long)(r->end - r->p), &n);
    if (!s || n > (unsigned long)(r->end - s)) { r->bad = true; return NULL; }
    *len = n;
    r->p = s + n;
    return s;
}

char *wire_take_str(wire_reader *r)
{
    if (r->bad || r->p >= r->end) { r->bad = true; return NULL; }
    if (*r->p == '-') { r->p++; return NULL; }
    bool tainted = *r->p == 'T';
    if (tainted) r->p++;
    size_t n;
    char *s = take_len(r, &n);
    return s ? string_copyn_taint(s, n, tainted) : NULL;
}

long wire_take_long(wire_reader *r)
{
    if (r->bad) return 0;
    bool neg = r->p < r->end && *r->p == '-';
    unsigned long v;
    char *next = take_uint(r->p + neg, r->end, ' ', LONG_MAX, &v);
    if (!next) { r->bad = true; return 0; }
    r->p = next;
    return neg ? -(long)v : (long)v;
}

/* put_headers - a router's headers_add lines: count, then type and text each */
static gstring *put_headers(gstring *g, const header_line *h)
{
    int n = 0;
    for (const header_line *x = h; x; x = x->next) n++;
    g = string_fmt_append(g, "%d ", n);
    for (; h; h = h->next) {
        g = string_fmt_append(g, "%d ", h->type);
        g = wire_put_str(g, h->text);
    }
    return g;
}

static gstring *put_reply(gstring *g, const reply_item *rp)
{
    if (!rp) return string_cat(g, "0 ");
    g = string_fmt_append(g, "1 %d %d ", rp->file_expand, rp->return_message);
    for (size_t i = 0; i < NELEM(reply_fields); i++) g = wire_put_str(g, FIELD(rp, reply_fields[i]));
    return g;
}

/* put_one - one address without its ancestors */
static gstring *put_one(gstring *g, const address_item *a)
{
    g = string_fmt_append(g, "%ld %ld %u %d %d %d %d %d %d %d ", a->uid, a->gid, a->flags, a->dsn_flags,
                          a->parent_index, a->special_action, a->transport_return, a->basic_errno,
                          a->more_errno, (int)a->dsn_aware);
    for (size_t i = 0; i < NELEM(str_fields); i++) g = wire_put_str(g, FIELD(a, str_fields[i]));
    g = wire_put_str(g, a->router ? a->router->drinst.name : NULL);
    g = wire_put_str(g, a->start_router ? a->start_router->drinst.name : NULL);
    g = wire_put_str(g, a->transport ? a->transport->drinst.name : NULL);
    g = put_headers(g, a->extra_headers);
    return put_reply(g, a->reply);
}

gstring *wire_request(const char *hdata, size_t hlen, long data_offset, const address_item *chain)
{
    gstring *g = string_get(hlen + 1024);
    g = string_fmt_append(g, "%zu:", hlen);
    g = string_catn(g, hdata, hlen);
    int n = 0;
    for (const address_item *a = chain; a; a = a->next) n++;
    g = string_fmt_append(g, "%ld %d ", data_offset, n);
    for (const address_item *a = chain; a; a = a->next) {
        int depth = 0;
        for (const address_item *p = a->parent; p; p = p->parent) depth++;
        g = string_fmt_append(g, "%d ", depth);
        for (const address_item *p = a; p; p = p->parent) g = put_one(g, p);
    }
    return g;
}

static header_line *take_headers(wire_reader *r)
{
    long n = wire_take_long(r);
    if (n < 0) r->bad = true;
    header_line *first = NULL, **tail = &first;
    for (long i = 0; i < n && !r->bad; i++) {
        header_line *h = store_get_zero(sizeof *h, GET_UNTAINTED);
        h->type = (char)wire_take_long(r);
        h->text = wire_take_str(r);
        h->slen = h->text ? strlen(h->text) : 0;
        if (!h->text) r->bad = true;
        *tail = h;
        tail = &h->next;
    }
    return first;
}

static reply_item *take_reply(wire_reader *r)
{
    if (wire_take_long(r) == 0) return NULL;
    reply_item *rp = store_get_zero(sizeof *rp, GET_UNTAINTED);
    rp->file_expand = wire_take_long(r) != 0;
    rp->return_message = wire_take_long(r) != 0;
    for (size_t i = 0; i < NELEM(reply_fields); i++) FIELD(rp, reply_fields[i]) = wire_take_str(r);
    return rp;
}

/* take_drivers - the router or transport by name; NULL name stays NULL */
static void take_drivers(wire_reader *r, address_item *a)
{
    char *rn = wire_take_str(r), *sn = wire_take_str(r), *tn = wire_take_str(r);
    a->router = rn ? route_find_router(rn) : NULL;
    a->start_router = sn ? route_find_router(sn) : NULL;
    a->transport = tn ? route_find_transport(tn) : NULL;
    if ((rn && !a->router) || (sn && !a->start_router) || (tn && !a->transport)) r->bad = true;
}

static address_item *take_one(wire_reader *r)
{
    address_item *a = store_get_zero(sizeof *a, GET_UNTAINTED);
    a->uid = wire_take_long(r);
    a->gid = wire_take_long(r);
    a->flags = (unsigned)wire_take_long(r);
    a->dsn_flags = (int)wire_take_long(r);
    a->parent_index = (int)wire_take_long(r);
    a->special_action = (int)wire_take_long(r);
    a->transport_return = (int)wire_take_long(r);
    a->basic_errno = (int)wire_take_long(r);
    a->more_errno = (int)wire_take_long(r);
    a->dsn_aware = wire_take_long(r) != 0;
    for (size_t i = 0; i < NELEM(str_fields); i++) FIELD(a, str_fields[i]) = wire_take_str(r);
    take_drivers(r, a);
    a->extra_headers = take_headers(r);
    a->reply = take_reply(r);
    return a;
}

/* take_with_ancestors - an address and its parent chain */
static address_item *take_with_ancestors(wire_reader *r)
{
    long depth = wire_take_long(r);
    if (depth < 0 || depth > r->end - r->p) { r->bad = true; return NULL; }
    address_item *a = take_one(r), *child = a;
    for (long i = 0; i < depth && !r->bad; i++) {
        child->parent = take_one(r);
        child = child->parent;
    }
    return a;
}

bool wire_take_request(char *buf, size_t len, char **hdata, size_t *hlen, long *data_offset,
                       address_item **chain)
{
    wire_reader r = {.p = buf, .end = buf + len};
    if (!(*hdata = take_len(&r, hlen))) return false;
    *data_offset = wire_take_long(&r);
    long count = wire_take_long(&r);
    address_item *first = NULL, **tail = &first;
    for (long i = 0; i < count && !r.bad; i++) {
        *tail = take_with_ancestors(&r);
        if (*tail) tail = &(*tail)->next;
    }
    *chain = first;
    return !r.bad && r.p == r.end && first;
}

gstring *wire_frame(const char *s, size_t len)
{
    gstring *g = string_fmt_append(NULL, "%zu\n", len);
    return string_catn(g, s, len);
}

bool wire_frame_at(const char *buf, size_t len, size_t *start, size_t *n)
{
    unsigned long v;
    const char *next = take_uint((char *)buf, buf + len, '\n', len, &v);
    if (!next || v > len - (size_t)(next - buf)) return false;
    *start = (size_t)(next - buf);
    *n = v;
    return true;
}

size_t wire_frames_end(const char *buf, size_t len, gstring **payload)
{
    size_t at = 0, start, n;
    if (payload) *payload = string_get(len + 1);
    while (at < len && wire_frame_at(buf + at, len - at, &start, &n)) {
        at += start;
        if (n == 0) return at;
        if (payload) *payload = string_catn(*payload, buf + at, n);
        at += n;
    }
    return 0;
}

bool wire_send(int sock, const char *s, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = send(sock, s + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += (size_t)n;
    }
    return true;
}
