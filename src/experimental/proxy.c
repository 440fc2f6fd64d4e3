/* proxy.c - EXPERIMENTAL_PROXY: HAProxy PROXY protocol v1 and v2 on inbound connections.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_PROXY=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_PROXY) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_proxy_ src/ must match this list):
 *   modules.c       xp_proxy_module in modules_list (conn_init hook)
 *   cfg_main.c      xp_proxy_opts in the main option rows
 *   expand_vars.c   xp_proxy_var() rows for xp_proxy_var_names
 *   smtp_in.c       xp_proxy_smtp_start() in session_start(), before any
 *                   host list, the connect ACL and the banner; it calls
 *                   xp_proxy_conn_start() for proxy_required_hosts
 *   smtp_cmds.c     xp_proxy_failed() / XP_PROXY_REFUSAL_TEXT in smtp_dispatch()
 *   receive.c       xp_proxy_log_prx() on the <= line (after P=, as Exim)
 * smtp_accept_max_per_host is checked by the daemon before the fork, so it
 * counts the proxy's address, as in Exim.
 *
 * Runs in the per-connection child, unprivileged, before the banner. The
 * header comes from a host the admin listed, but its bytes are still
 * network input: the parser is a bounded state machine over (buf, len)
 * that never reads or writes past LIMIT_PROXY_V2_HEADER and never reads a
 * byte of the SMTP stream that follows the header (CVE-2023-42117 in Exim
 * was an out-of-bounds write in this kind of parser). It must never trust
 * a length field beyond the bytes actually received.
 */

/* System */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "../globals.h"
#include "../expand.h"
#include "../log.h"
#include "../match.h"
/* This module */
#include "proxy.h"

struct xp_proxy_options xp_proxy_opts = {
    .proxy_protocol_timeout = 3,
    .hosts_proxy = NULL,
};

const module_info xp_proxy_module = {
    .name = "proxy",
    .feature_word = "Experimental_Proxy",
    .conn_init = xp_proxy_conn_init,
};

/* ---- the header parser ---- */

enum { S_START, S_V1, S_V2_FIXED, S_V2_BODY, S_DONE, S_BAD };

static const unsigned char v2_sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                         0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
static const char v1_sig[] = "PROXY ";
#define V1_SIG_LEN 6
#define V1_MIN_LEN 15 /* "PROXY UNKNOWN\r\n" */
#define V2_FIXED_LEN 16

/* PP2 TLV types (proxy-protocol.txt 2.2) */
enum {
    PP2_TYPE_ALPN = 0x01, PP2_TYPE_AUTHORITY = 0x02, PP2_TYPE_CRC32C = 0x03,
    PP2_TYPE_NOOP = 0x04, PP2_TYPE_UNIQUE_ID = 0x05, PP2_TYPE_SSL = 0x20,
    PP2_SUBTYPE_SSL_VERSION = 0x21, PP2_SUBTYPE_SSL_CN = 0x22,
    PP2_SUBTYPE_SSL_CIPHER = 0x23, PP2_SUBTYPE_SSL_SIG_ALG = 0x24,
    PP2_SUBTYPE_SSL_KEY_ALG = 0x25, PP2_TYPE_NETNS = 0x30,
};

/* xp_proxy_parser_init - start a new header */
void xp_proxy_parser_init(struct xp_proxy_parser *p)
{
    memset(p, 0, sizeof *p);
    p->state = S_START;
}

/* invalid - record why and stop for good */
static int invalid(struct xp_proxy_parser *p, const char *why)
{
    p->state = S_BAD;
    p->why = why;
    return P_INVALID;
}

static unsigned be16(const unsigned char *b) { return (unsigned)b[0] << 8 | b[1]; }

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* ---- v1: "PROXY TCP4 1.2.3.4 5.6.7.8 1234 25\r\n" (section 2.1) ---- */

/* v1_token - the next space-terminated token of the line at *pos; an empty
 * token (two spaces, or a space at the end) is refused by the caller */
static str_view v1_token(const struct xp_proxy_parser *p, size_t *pos, size_t end)
{
    size_t start = *pos;
    while (*pos < end && p->buf[*pos] != ' ') (*pos)++;
    str_view t = sv((const char *)p->buf + start, *pos - start);
    if (*pos < end) (*pos)++; /* the single separating space */
    return t;
}

/* v1_addr - one address of the expected family, as inet_pton reads it */
static bool v1_addr(str_view t, int family, unsigned char *out)
{
    char a[INET6_ADDRSTRLEN];
    if (t.len == 0 || t.len >= sizeof a) return false;
    memcpy(a, t.p, t.len);
    a[t.len] = 0;
    return inet_pton(family, a, out) == 1;
}

/* v1_port - 1 to 5 decimal digits, at most 65535 */
static bool v1_port(str_view t, unsigned *out)
{
    unsigned v = 0;
    if (t.len == 0 || t.len > 5) return false;
    for (size_t i = 0; i < t.len; i++) {
        if (t.p[i] < '0' || t.p[i] > '9') return false;
        v = v * 10 + (unsigned)(t.p[i] - '0');
    }
    if (v > 65535) return false;
    *out = v;
    return true;
}

/* v1_finish - parse the complete line (buf holds it, CRLF included) */
static int v1_finish(struct xp_proxy_parser *p)
{
    size_t end = p->len - 2, pos = V1_SIG_LEN;
    for (size_t i = 0; i < end; i++)
        if (p->buf[i] < 0x20 || p->buf[i] > 0x7e) return invalid(p, "v1: control or 8-bit byte in line");
    str_view proto = v1_token(p, &pos, end);
    if (proto.len == 7 && memcmp(proto.p, "UNKNOWN", 7) == 0) {
        p->local = true; /* 2.1: the rest of the line is ignored */
        p->state = S_DONE;
        return P_OK;
    }
    if (proto.len != 4 || (memcmp(proto.p, "TCP4", 4) != 0 && memcmp(proto.p, "TCP6", 4) != 0))
        return invalid(p, "v1: protocol is not TCP4, TCP6 or UNKNOWN");
    p->family = proto.p[3] == '4' ? AF_INET : AF_INET6;
    str_view src = v1_token(p, &pos, end), dst = v1_token(p, &pos, end);
    str_view sport = v1_token(p, &pos, end), dport = v1_token(p, &pos, end);
    if (pos != end || p->buf[end - 1] == ' ') return invalid(p, "v1: wrong number of fields");
    if (!v1_addr(src, p->family, p->src) || !v1_addr(dst, p->family, p->dst))
        return invalid(p, "v1: address does not match the protocol family");
    if (!v1_port(sport, &p->sport) || !v1_port(dport, &p->dport))
        return invalid(p, "v1: bad port number");
    p->state = S_DONE;
    return P_OK;
}

/* v1_byte - the byte just stored at buf[len-1] of a v1 header */
static int v1_byte(struct xp_proxy_parser *p, unsigned char c)
{
    if (p->len <= V1_SIG_LEN)
        return c == (unsigned char)v1_sig[p->len - 1] ? P_MORE : invalid(p, "bad v1 signature");
    if (c == '\n') {
        if (p->buf[p->len - 2] != '\r') return invalid(p, "v1: line ends in LF without CR");
        if (p->len < V1_MIN_LEN) return invalid(p, "v1: line too short");
        return v1_finish(p);
    }
    if (p->buf[p->len - 2] == '\r') return invalid(p, "v1: CR not followed by LF");
    if (p->len >= LIMIT_PROXY_V1_LINE) return invalid(p, "v1: line longer than 107 bytes");
    return P_MORE;
}

/* ---- v2: 16 fixed bytes, then addresses and TLVs (section 2.2) ---- */

/* crc32c - Castagnoli CRC (RFC 3720 B.4), bitwise: headers are short */
static uint32_t crc32c(const unsigned char *b, size_t n, size_t skip_at)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (i >= skip_at && i < skip_at + 4) ? 0 : b[i];
        crc ^= c;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* ssl_subtlv - one sub-TLV of PP2_TYPE_SSL */
static bool ssl_subtlv(struct xp_proxy_tlvs *t, unsigned type, str_view v)
{
    switch (type) {
    case PP2_SUBTYPE_SSL_VERSION: t->ssl_version = v; return true;
    case PP2_SUBTYPE_SSL_CN: t->ssl_cn = v; return true;
    case PP2_SUBTYPE_SSL_CIPHER: t->ssl_cipher = v; return true;
    case PP2_SUBTYPE_SSL_SIG_ALG: t->ssl_sig_alg = v; return true;
    case PP2_SUBTYPE_SSL_KEY_ALG: t->ssl_key_alg = v; return true;
    case PP2_TYPE_SSL: return false; /* no nesting of SSL in SSL */
    default: return true;             /* 2.2: unknown types are ignored */
    }
}

/* tlv_walk - check that [off, end) of buf is a sequence of whole TLVs, and
 * hand each to the callback for its level. Nothing is read past end. */
static const char *tlv_walk(struct xp_proxy_parser *p, size_t off, size_t end, bool ssl_level);

/* tlv_one - one top-level TLV at buf[at] whose value is v */
static const char *tlv_one(struct xp_proxy_parser *p, unsigned type, size_t at, str_view v)
{
    struct xp_proxy_tlvs *t = &p->tlv;
    switch (type) {
    case PP2_TYPE_ALPN: t->alpn = v; return NULL;
    case PP2_TYPE_AUTHORITY: t->authority = v; return NULL;
    case PP2_TYPE_NETNS: t->netns = v; return NULL;
    case PP2_TYPE_UNIQUE_ID:
        if (v.len > LIMIT_PROXY_UNIQUE_ID) return "v2: UNIQUE_ID TLV longer than 128 bytes";
        t->unique_id = v;
        return NULL;
    case PP2_TYPE_CRC32C:
        if (v.len != 4) return "v2: CRC32C TLV is not 4 bytes";
        if (crc32c(p->buf, p->want, at + 3) != be32((const unsigned char *)v.p))
            return "v2: CRC32C mismatch";
        t->has_crc = true;
        return NULL;
    case PP2_TYPE_SSL:
        if (v.len < 5) return "v2: SSL TLV shorter than its 5 fixed bytes";
        t->has_ssl = true;
        t->ssl_client = (unsigned char)v.p[0];
        t->ssl_verify = be32((const unsigned char *)v.p + 1);
        return tlv_walk(p, at + 3 + 5, at + 3 + v.len, true);
    default: return NULL; /* NOOP and unknown types are skipped */
    }
}

static const char *tlv_walk(struct xp_proxy_parser *p, size_t off, size_t end, bool ssl_level)
{
    while (off < end) {
        if (end - off < 3) return "v2: truncated TLV header";
        unsigned type = p->buf[off], vlen = be16(p->buf + off + 1);
        if (vlen > end - off - 3) return "v2: TLV longer than the space left for it";
        str_view v = sv((const char *)p->buf + off + 3, vlen);
        if (ssl_level) {
            if (!ssl_subtlv(&p->tlv, type, v)) return "v2: SSL TLV nested in SSL TLV";
        } else {
            const char *why = tlv_one(p, type, off, v);
            if (why) return why;
        }
        off += 3 + (size_t)vlen;
    }
    return NULL;
}

/* v2_addresses - the address block of a PROXY command; sets *addr_len */
static const char *v2_addresses(struct xp_proxy_parser *p, size_t *addr_len)
{
    unsigned fam = p->buf[13] >> 4, proto = p->buf[13] & 0x0F;
    size_t body = p->want - V2_FIXED_LEN;
    const unsigned char *a = p->buf + V2_FIXED_LEN;
    *addr_len = 0;
    if (fam == 0) { p->local = true; return NULL; }       /* AF_UNSPEC: real endpoints */
    if (proto != 1) return "v2: transport is not STREAM"; /* SMTP runs over TCP */
    switch (fam) {
    case 1:
        if (body < 12) return "v2: length too small for AF_INET";
        p->family = AF_INET;
        memcpy(p->src, a, 4), memcpy(p->dst, a + 4, 4);
        p->sport = be16(a + 8), p->dport = be16(a + 10);
        *addr_len = 12;
        return NULL;
    case 2:
        if (body < 36) return "v2: length too small for AF_INET6";
        p->family = AF_INET6;
        memcpy(p->src, a, 16), memcpy(p->dst, a + 16, 16);
        p->sport = be16(a + 32), p->dport = be16(a + 34);
        *addr_len = 36;
        return NULL;
    case 3:
        if (body < 216) return "v2: length too small for AF_UNIX";
        p->local = true; /* a Unix-socket client has no address for us */
        *addr_len = 216;
        return NULL;
    default: return "v2: unknown address family";
    }
}

/* v2_finish - the whole header is in buf[0, want) */
static int v2_finish(struct xp_proxy_parser *p)
{
    unsigned cmd = p->buf[12] & 0x0F;
    size_t addr_len;
    if (cmd == 0) { /* LOCAL: health check from the proxy itself */
        p->local = true;
        p->state = S_DONE;
        return P_OK;
    }
    if (cmd != 1) return invalid(p, "v2: command is neither LOCAL nor PROXY");
    const char *why = v2_addresses(p, &addr_len);
    if (!why && !p->local) why = tlv_walk(p, V2_FIXED_LEN + addr_len, p->want, false);
    if (why) return invalid(p, why);
    p->state = S_DONE;
    return P_OK;
}

/* v2_byte - the byte just stored at buf[len-1] of a v2 header */
static int v2_byte(struct xp_proxy_parser *p, unsigned char c)
{
    if (p->len <= sizeof v2_sig)
        return c == v2_sig[p->len - 1] ? P_MORE : invalid(p, "bad v2 signature");
    if (p->len == 13 && (c >> 4) != 2) return invalid(p, "v2 signature with version other than 2");
    if (p->len < V2_FIXED_LEN) return P_MORE;
    if (p->len == V2_FIXED_LEN) {
        p->want = V2_FIXED_LEN + (size_t)be16(p->buf + 14); /* network byte order */
        if (p->want > LIMIT_PROXY_V2_HEADER) return invalid(p, "v2: header longer than 536 bytes");
        p->state = S_V2_BODY;
    }
    return p->len == p->want ? v2_finish(p) : P_MORE;
}

/* parse_byte - store one byte and advance the machine */
static int parse_byte(struct xp_proxy_parser *p, unsigned char c)
{
    ASSERT(p->len < sizeof p->buf); /* every state stops before this */
    p->buf[p->len++] = c;
    switch (p->state) {
    case S_START:
        if (c == 'P') { p->state = S_V1, p->version = 1; return P_MORE; }
        if (c == v2_sig[0]) { p->state = S_V2_FIXED, p->version = 2; return P_MORE; }
        return invalid(p, "not a PROXY protocol header");
    case S_V1: return v1_byte(p, c);
    default: return v2_byte(p, c);
    }
}

/* xp_proxy_parse - feed bytes; see proxy.h */
int xp_proxy_parse(struct xp_proxy_parser *p, const char *data, size_t len, size_t *used)
{
    size_t i = 0;
    int rc = P_MORE;
    if (p->state == S_DONE) rc = P_OK;
    else if (p->state == S_BAD) rc = P_INVALID;
    while (rc == P_MORE && i < len) rc = parse_byte(p, (unsigned char)data[i++]);
    *used = i;
    return rc;
}

/* xp_proxy_need - the most bytes we may read now without passing the end
 * of the header: each version's minimum, then exact lengths */
size_t xp_proxy_need(const struct xp_proxy_parser *p)
{
    switch (p->state) {
    case S_START: return V1_MIN_LEN; /* shorter than any v2 header too */
    case S_V1: return p->len < V1_MIN_LEN ? V1_MIN_LEN - p->len : 1;
    case S_V2_FIXED: return V2_FIXED_LEN - p->len;
    case S_V2_BODY: return p->want - p->len;
    default: return 0;
    }
}

/* ---- the connection: reading the header, the state it leaves ---- */

struct proxy_state {
    bool session;           /* the host had to use the protocol */
    bool failed;            /* ... and did not */
    bool proxied;           /* a PROXY command replaced the client address */
    char *local_address;    /* the proxy as we saw it ($proxy_host_address) */
    int local_port;
    char *external_address; /* where the client reached the proxy */
    int external_port;
    const char *why;        /* failure reason, for the debug output */
    struct xp_proxy_parser *hdr;
};

/* ms_left - milliseconds until deadline (a CLOCK_MONOTONIC time), >= 0 */
static int ms_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
                   (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}

/* read_some - wait for input until the deadline, then read at most n bytes.
 * Returns bytes read, 0 with *why set on timeout, EOF or error. */
static size_t read_some(int fd, char *b, size_t n, const struct timespec *deadline, const char **why)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { *why = "poll failed"; return 0; }
        if (r == 0) { *why = "timeout waiting for the PROXY header"; return 0; }
        ssize_t got = recv(fd, b, n, 0);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got < 0) { *why = "read error"; return 0; }
        if (got == 0) { *why = "connection closed before the PROXY header was complete"; return 0; }
        return (size_t)got;
    }
}

/* xp_proxy_read_header - see proxy.h. Each read asks for no more than
 * xp_proxy_need(), so SMTP commands pipelined behind the header stay in
 * the socket for the SMTP reader. */
int xp_proxy_read_header(int fd, int timeout_ms, struct xp_proxy_parser *p)
{
    struct timespec deadline;
    char b[LIMIT_PROXY_V2_HEADER];
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
    xp_proxy_parser_init(p);
    for (;;) {
        size_t need = xp_proxy_need(p), used;
        ASSERT(need > 0 && need <= sizeof b);
        size_t got = read_some(fd, b, need, &deadline, &p->why);
        if (got == 0) return FAIL;
        int rc = xp_proxy_parse(p, b, got, &used);
        if (rc == P_INVALID) return FAIL;
        ASSERT(used == got); /* need never asks past the header */
        if (rc == P_OK) return OK;
    }
}

/* addr_text - an address from the header as canonical text. The text is
 * made by inet_ntop from 4 or 16 validated bytes, not copied from the
 * wire, so it is allocated untainted (as the accept() peer address is). */
static char *addr_text(int family, const unsigned char *a)
{
    char b[INET6_ADDRSTRLEN];
    if (!inet_ntop(family, a, b, sizeof b)) return NULL;
    return string_copy_taint(b, GET_UNTAINTED);
}

/* proxy_apply - a good header: remember the proxy, adopt the client */
static int proxy_apply(struct conn_state *c, struct proxy_state *st)
{
    struct xp_proxy_parser *p = st->hdr;
    st->local_address = string_copy_taint(c->sender_host_address ? c->sender_host_address : "",
                                          GET_UNTAINTED);
    st->local_port = c->sender_host_port;
    if (p->local) return OK; /* LOCAL / UNKNOWN: the proxy talks for itself */
    char *src = addr_text(p->family, p->src), *dst = addr_text(p->family, p->dst);
    if (!src || !dst) {
        st->failed = true, st->why = "unprintable address";
        return FAIL;
    }
    st->external_address = dst;
    st->external_port = (int)p->dport;
    st->proxied = true;
    c->sender_host_address = src;
    c->sender_host_port = (int)p->sport;
    c->sender_host_name = NULL; /* must be looked up again for the new address */
    return OK;
}

/* xp_proxy_conn_start - see proxy.h */
int xp_proxy_conn_start(int fd, struct conn_state *c)
{
    enum store_pool old = store_set_pool(POOL_CONN);
    struct proxy_state *st = store_get_zero(sizeof *st, GET_UNTAINTED);
    st->session = true;
    st->hdr = store_get(sizeof *st->hdr, GET_TAINTED); /* holds network bytes */
    c->proxy = st;
    int timeout = xp_proxy_opts.proxy_protocol_timeout > 0 ? xp_proxy_opts.proxy_protocol_timeout : 3;
    int rc = xp_proxy_read_header(fd, timeout * 1000, st->hdr);
    if (rc == OK) rc = proxy_apply(c, st);
    else st->failed = true, st->why = st->hdr->why;
    store_set_pool(old);
    if (rc != OK) {
        DEBUG(D_receive) debug_printf("PROXY negotiation failed: %s\n", st->why);
        if (log_selected(L_proxy))
            log_write(L_always, LOG_MAIN, "PROXY negotiation failed from [%s]: %s",
                      c->sender_host_address ? c->sender_host_address : "", st->why);
    }
    return rc;
}

/* xp_proxy_smtp_start - see proxy.h */
void xp_proxy_smtp_start(struct conn_state *c)
{
    if (!c->is_socket || c->local || !c->sender_host_address || !xp_proxy_opts.hosts_proxy) return;
    const char *list = expand_cstring(xp_proxy_opts.hosts_proxy);
    if (!list) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to expand hosts_proxy: %s", expand_error());
        return;
    }
    match_host h = {.address = c->sender_host_address};
    if (match_host_list(&h, list, NULL) != OK) return;
    (void)xp_proxy_conn_start(c->in_fd, c); /* a failure is remembered in c->proxy */
}

/* xp_proxy_conn_init - see proxy.h */
void xp_proxy_conn_init(void) { conn.proxy = NULL; }

/* xp_proxy_failed - see proxy.h */
bool xp_proxy_failed(const struct conn_state *c) { return c->proxy && c->proxy->failed; }

/* xp_proxy_log_prx - see proxy.h (Exim's PRX= is the proxy's own address) */
gstring *xp_proxy_log_prx(gstring *g, const struct conn_state *c)
{
    const struct proxy_state *st = c->proxy;
    if (!st || st->failed || !st->local_address || !log_selected(L_proxy)) return g;
    return string_fmt_append(g, " PRX=%s", st->local_address);
}

/* ---- $variables ---- */

enum pv { PV_SESSION, PV_LOCAL_ADDR, PV_LOCAL_PORT, PV_EXT_ADDR, PV_EXT_PORT, PV_ALPN,
          PV_AUTHORITY, PV_UNIQUE_ID, PV_SSL_CLIENT, PV_SSL_VERIFY, PV_SSL_VERSION, PV_SSL_CN,
          PV_SSL_CIPHER, PV_SSL_SIG_ALG, PV_SSL_KEY_ALG };

/* Seed names (4.84 experimental-spec) and the later 4.96 names side by
 * side: proxy_host_* is the proxy's end of our socket (= proxy_local_*),
 * proxy_target_* is where the client reached the proxy (= proxy_external_*).
 * The TLV names are Tern's own: Exim does not expose v2 TLVs. */
static const struct { const char *name; enum pv id; } proxy_vars[] = {
    {"proxy_external_address", PV_EXT_ADDR}, {"proxy_external_port", PV_EXT_PORT},
    {"proxy_host_address", PV_LOCAL_ADDR},   {"proxy_host_port", PV_LOCAL_PORT},
    {"proxy_local_address", PV_LOCAL_ADDR},  {"proxy_local_port", PV_LOCAL_PORT},
    {"proxy_session", PV_SESSION},           {"proxy_ssl_cipher", PV_SSL_CIPHER},
    {"proxy_ssl_client", PV_SSL_CLIENT},     {"proxy_ssl_cn", PV_SSL_CN},
    {"proxy_ssl_key_alg", PV_SSL_KEY_ALG},   {"proxy_ssl_sig_alg", PV_SSL_SIG_ALG},
    {"proxy_ssl_verify", PV_SSL_VERIFY},     {"proxy_ssl_version", PV_SSL_VERSION},
    {"proxy_target_address", PV_EXT_ADDR},   {"proxy_target_port", PV_EXT_PORT},
    {"proxy_tlv_alpn", PV_ALPN},             {"proxy_tlv_authority", PV_AUTHORITY},
    {"proxy_tlv_unique_id", PV_UNIQUE_ID},
};

const char *const xp_proxy_var_names[] = {
    "proxy_external_address", "proxy_external_port", "proxy_host_address", "proxy_host_port",
    "proxy_local_address", "proxy_local_port", "proxy_session", "proxy_ssl_cipher",
    "proxy_ssl_client", "proxy_ssl_cn", "proxy_ssl_key_alg", "proxy_ssl_sig_alg",
    "proxy_ssl_verify", "proxy_ssl_version", "proxy_target_address", "proxy_target_port",
    "proxy_tlv_alpn", "proxy_tlv_authority", "proxy_tlv_unique_id", NULL,
};

/* tlv_text - a TLV value as a tainted string (it is the proxy's data) */
static const char *tlv_text(str_view v) { return string_copyn_taint(v.p, v.len, GET_TAINTED); }

/* tlv_var - the TLV-backed variables; "" without a good v2 header */
static const char *tlv_var(const struct proxy_state *st, enum pv id)
{
    if (!st || st->failed || !st->hdr || st->hdr->version != 2) return "";
    const struct xp_proxy_tlvs *t = &st->hdr->tlv;
    switch (id) {
    case PV_ALPN: return tlv_text(t->alpn);
    case PV_AUTHORITY: return tlv_text(t->authority);
    case PV_UNIQUE_ID: return tlv_text(t->unique_id);
    case PV_SSL_CLIENT: return t->has_ssl ? string_sprintf("%u", t->ssl_client) : "";
    case PV_SSL_VERIFY: return t->has_ssl ? string_sprintf("%u", (unsigned)t->ssl_verify) : "";
    case PV_SSL_VERSION: return tlv_text(t->ssl_version);
    case PV_SSL_CN: return tlv_text(t->ssl_cn);
    case PV_SSL_CIPHER: return tlv_text(t->ssl_cipher);
    case PV_SSL_SIG_ALG: return tlv_text(t->ssl_sig_alg);
    default: return tlv_text(t->ssl_key_alg);
    }
}

/* proxy_var_value - one variable; booleans are "yes" or "" as in Exim */
static const char *proxy_var_value(const struct proxy_state *st, enum pv id)
{
    bool ok = st && !st->failed;
    switch (id) {
    case PV_SESSION: return st && st->session ? "yes" : "";
    case PV_LOCAL_ADDR: return ok && st->local_address ? st->local_address : "";
    case PV_LOCAL_PORT: return string_sprintf("%d", ok ? st->local_port : 0);
    case PV_EXT_ADDR: return ok && st->external_address ? st->external_address : "";
    case PV_EXT_PORT: return string_sprintf("%d", ok ? st->external_port : 0);
    default: return tlv_var(st, id);
    }
}

/* xp_proxy_var - see proxy.h */
const char *xp_proxy_var(const char *name)
{
    for (size_t i = 0; i < NELEM(proxy_vars); i++)
        if (strcmp(proxy_vars[i].name, name) == 0) return proxy_var_value(conn.proxy, proxy_vars[i].id);
    return NULL;
}
