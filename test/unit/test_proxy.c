/* test_proxy.c - EXPERIMENTAL_PROXY: the PROXY v1/v2 header parser (table
 * driven, every prefix, trailing bytes) and the connection hook over a
 * socket pair (split writes, pipelined SMTP, slow sender, EOF). */
#include "tern.h"
#include "globals.h"
#include "unit.h"

#ifdef EXPERIMENTAL_PROXY
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include "experimental/proxy.h"

/* ---- v2 header builder ---- */

struct hdr { unsigned char b[2048]; size_t n; };

static void put(struct hdr *h, const void *p, size_t n) { memcpy(h->b + h->n, p, n), h->n += n; }
static void put16(struct hdr *h, unsigned v) { unsigned char b[2] = {v >> 8, v & 255}; put(h, b, 2); }

static void tlv(struct hdr *h, unsigned type, const void *v, size_t n)
{
    unsigned char t = (unsigned char)type;
    put(h, &t, 1), put16(h, (unsigned)n), put(h, v, n);
}

/* v2 - signature, ver_cmd, fam, then body (length fixed up by v2_len) */
static void v2(struct hdr *h, unsigned ver_cmd, unsigned fam)
{
    static const unsigned char sig[12] = "\r\n\r\n\0\r\nQUIT\n";
    unsigned char vf[2] = {ver_cmd, fam};
    h->n = 0;
    put(h, sig, 12), put(h, vf, 2), put16(h, 0);
}

static void v2_len(struct hdr *h) { h->b[14] = (h->n - 16) >> 8, h->b[15] = (h->n - 16) & 255; }

static void inet4(struct hdr *h)
{
    unsigned char a[8] = {192, 0, 2, 1, 198, 51, 100, 2};
    put(h, a, 8), put16(h, 0x1234), put16(h, 25);
}

static void inet6(struct hdr *h)
{
    unsigned char a[32];
    inet_pton(AF_INET6, "2001:db8::1", a), inet_pton(AF_INET6, "2001:db8::2", a + 16);
    put(h, a, 32), put16(h, 40000), put16(h, 587);
}

/* parse_all - feed in one go; returns rc, *used */
static int parse_all(struct xp_proxy_parser *p, const void *b, size_t n, size_t *used)
{
    xp_proxy_parser_init(p);
    return xp_proxy_parse(p, b, n, used);
}

/* check_prefixes - every proper prefix is P_MORE, then the rest completes;
 * also byte by byte; and with SMTP bytes behind it, exactly n are used */
static void check_prefixes(const void *b, size_t n, const char *label)
{
    static struct xp_proxy_parser p;
    size_t used;
    int bad = 0;
    for (size_t k = 0; k < n; k++) {
        xp_proxy_parser_init(&p);
        if (xp_proxy_parse(&p, b, k, &used) != P_MORE || used != k) bad++;
        if (xp_proxy_parse(&p, (const char *)b + k, n - k, &used) != P_OK || used != n - k) bad++;
    }
    CHECK_INT(bad, 0, label);
    xp_proxy_parser_init(&p);
    int rc = P_MORE;
    for (size_t k = 0; k < n && rc == P_MORE; k++) rc = xp_proxy_parse(&p, (const char *)b + k, 1, &used);
    CHECK_INT(rc, P_OK, label);
    char big[2100];
    memcpy(big, b, n), memcpy(big + n, "EHLO x\r\n", 8);
    CHECK_INT(parse_all(&p, big, n + 8, &used), P_OK, label);
    CHECK_INT(used, n, label);
}

static void test_v1(void)
{
    static const struct { const char *in; int rc; int fam; unsigned sp, dp; bool local; } cases[] = {
        {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n", P_OK, AF_INET, 56324, 25, false},
        {"PROXY TCP6 2001:db8::1 2001:db8::2 4000 587\r\n", P_OK, AF_INET6, 4000, 587, false},
        {"PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", P_OK, AF_INET, 0, 65535, false},
        {"PROXY UNKNOWN\r\n", P_OK, 0, 0, 0, true},
        {"PROXY UNKNOWN 1.2.3.4 whatever\r\n", P_OK, 0, 0, 0, true},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\rX\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 65536\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 99999 25\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 123456 25\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 -1 25\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 2a 25\r\n", P_INVALID},
        {"PROXY TCP4 2001:db8::1 198.51.100.2 1 25\r\n", P_INVALID},
        {"PROXY TCP6 192.0.2.1 2001:db8::2 1 25\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.256 198.51.100.2 1 25\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1  198.51.100.2 1 25\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 1 25 \r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 1\r\n", P_INVALID},
        {"PROXY TCP4 192.0.2.1 198.51.100.2 1 25 7\r\n", P_INVALID},
        {"PROXY TCP5 192.0.2.1 198.51.100.2 1 25\r\n", P_INVALID},
        {"PROXY tcp4 192.0.2.1 198.51.100.2 1 25\r\n", P_INVALID},
        {"proxy TCP4 192.0.2.1 198.51.100.2 1 25\r\n", P_INVALID},
        {"PROXYTCP4 192.0.2.1 198.51.100.2 1 25\r\n", P_INVALID},
        {"PROXY \r\n", P_INVALID},
        {"EHLO client.example\r\n", P_INVALID},
        {"PROXY UNKNOWN\tx\r\n", P_INVALID},
    };
    struct xp_proxy_parser p;
    for (size_t i = 0; i < NELEM(cases); i++) {
        size_t used;
        int rc = parse_all(&p, cases[i].in, strlen(cases[i].in), &used);
        CHECK_INT(rc, cases[i].rc, cases[i].in);
        if (rc != P_OK) { CHECK(p.why != NULL, cases[i].in); continue; }
        CHECK_INT(used, strlen(cases[i].in), cases[i].in);
        CHECK_INT(p.version, 1, cases[i].in);
        CHECK_INT(p.local, cases[i].local, cases[i].in);
        if (!cases[i].local) {
            CHECK_INT(p.family, cases[i].fam, cases[i].in);
            CHECK_INT(p.sport, cases[i].sp, cases[i].in);
            CHECK_INT(p.dport, cases[i].dp, cases[i].in);
        }
        check_prefixes(cases[i].in, strlen(cases[i].in), cases[i].in);
    }
}

/* test_v1_limit - 106, 107 bytes are fine, 108 is refused at byte 107 */
static void test_v1_limit(void)
{
    struct xp_proxy_parser p;
    char line[200];
    for (size_t total = 106; total <= 108; total++) {
        size_t used;
        memcpy(line, "PROXY UNKNOWN ", 14);
        memset(line + 14, 'x', total - 16);
        memcpy(line + total - 2, "\r\n", 2);
        int rc = parse_all(&p, line, total, &used);
        CHECK_INT(rc, total <= LIMIT_PROXY_V1_LINE ? P_OK : P_INVALID, "v1 length limit");
        if (rc == P_INVALID) CHECK_INT(used, LIMIT_PROXY_V1_LINE, "v1 refused at the limit byte");
    }
}

static void test_v2_valid(void)
{
    struct hdr h;
    struct xp_proxy_parser p;
    size_t used;

    v2(&h, 0x21, 0x11), inet4(&h), v2_len(&h);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 inet");
    CHECK_INT(p.family, AF_INET, "v2 inet family");
    CHECK_INT(p.sport, 0x1234, "v2 port in network order");
    CHECK(memcmp(p.src, "\xc0\x00\x02\x01", 4) == 0, "v2 inet src");
    check_prefixes(h.b, h.n, "v2 inet prefixes");

    v2(&h, 0x21, 0x21), inet6(&h), v2_len(&h);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 inet6");
    CHECK_INT(p.family, AF_INET6, "v2 inet6 family");
    CHECK_INT(p.dport, 587, "v2 inet6 dport");
    check_prefixes(h.b, h.n, "v2 inet6 prefixes");

    v2(&h, 0x20, 0x00), v2_len(&h);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 local");
    CHECK(p.local, "v2 local keeps endpoints");
    check_prefixes(h.b, h.n, "v2 local prefixes");

    v2(&h, 0x20, 0x11), inet4(&h), tlv(&h, 0x99, "\xff\xff\xff", 3), v2_len(&h);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 local with body");
    CHECK(p.local, "v2 local with body is local");

    v2(&h, 0x21, 0x00), v2_len(&h);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 proxy unspec");
    CHECK(p.local, "v2 unspec keeps endpoints");

    v2(&h, 0x21, 0x31), h.n += 216, v2_len(&h);
    memset(h.b + 16, 'u', 216);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 unix");
    CHECK(p.local, "v2 unix keeps endpoints");
}

static void test_v2_tlvs(void)
{
    struct hdr h, ssl;
    struct xp_proxy_parser p;
    size_t used;
    ssl.n = 0;
    put(&ssl, "\x07\x00\x00\x00\x00", 5);
    tlv(&ssl, 0x21, "TLSv1.3", 7), tlv(&ssl, 0x22, "client.example", 14);
    tlv(&ssl, 0x23, "TLS_AES_256_GCM_SHA384", 22), tlv(&ssl, 0x24, "SHA256", 6);
    tlv(&ssl, 0x25, "RSA2048", 7);
    v2(&h, 0x21, 0x11), inet4(&h);
    tlv(&h, 0x01, "smtp", 4), tlv(&h, 0x02, "mx.example", 10), tlv(&h, 0x04, "", 0);
    tlv(&h, 0x05, "id-42", 5), tlv(&h, 0x20, ssl.b, ssl.n), tlv(&h, 0xE0, "custom", 6);
    v2_len(&h);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 tlvs");
    CHECK(p.tlv.alpn.len == 4 && memcmp(p.tlv.alpn.p, "smtp", 4) == 0, "alpn");
    CHECK(p.tlv.authority.len == 10, "authority");
    CHECK(p.tlv.unique_id.len == 5, "unique id");
    CHECK(p.tlv.has_ssl && p.tlv.ssl_client == 7 && p.tlv.ssl_verify == 0, "ssl fixed part");
    CHECK(p.tlv.ssl_cn.len == 14 && memcmp(p.tlv.ssl_cn.p, "client.example", 14) == 0, "ssl cn");
    CHECK(p.tlv.ssl_version.len == 7 && p.tlv.ssl_cipher.len == 22, "ssl version, cipher");
    CHECK(p.tlv.ssl_sig_alg.len == 6 && p.tlv.ssl_key_alg.len == 7, "ssl algs");
    check_prefixes(h.b, h.n, "v2 tlvs prefixes");

    /* CRC32C over the whole header with the CRC field zeroed (RFC 3720) */
    v2(&h, 0x21, 0x11), inet4(&h), tlv(&h, 0x03, "\0\0\0\0", 4), v2_len(&h);
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < h.n; i++) {
        crc ^= h.b[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
    }
    crc = ~crc;
    unsigned char cb[4] = {crc >> 24, crc >> 16, crc >> 8, crc};
    memcpy(h.b + h.n - 4, cb, 4);
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_OK, "v2 good crc32c");
    CHECK(p.tlv.has_crc, "crc seen");
    h.b[h.n - 1] ^= 1;
    CHECK_INT(parse_all(&p, h.b, h.n, &used), P_INVALID, "v2 bad crc32c");
}

/* test_v2_invalid - each case builds a header that must be refused */
static void test_v2_invalid(void)
{
    struct hdr h, ssl;
    struct xp_proxy_parser p;
    size_t used;
#define BAD(label) do { CHECK_INT(parse_all(&p, h.b, h.n, &used), P_INVALID, label); CHECK(p.why != NULL, label); } while (0)
    v2(&h, 0x21, 0x11), inet4(&h), v2_len(&h), h.b[5] = 'X';
    BAD("bad signature");
    v2(&h, 0x11, 0x11), inet4(&h), v2_len(&h);
    BAD("version 1 in a v2 signature");
    CHECK_INT(used, 13, "refused at the version byte");
    v2(&h, 0x31, 0x11), inet4(&h), v2_len(&h);
    BAD("version 3");
    v2(&h, 0x22, 0x11), inet4(&h), v2_len(&h);
    BAD("command 2");
    v2(&h, 0x21, 0x11), h.n += 8, v2_len(&h);
    BAD("inet length too small");
    v2(&h, 0x21, 0x21), inet4(&h), h.n += 8, v2_len(&h);
    BAD("inet6 length too small (family mismatch)");
    v2(&h, 0x21, 0x31), inet4(&h), v2_len(&h);
    BAD("unix length too small");
    v2(&h, 0x21, 0x41), inet4(&h), v2_len(&h);
    BAD("unknown family");
    v2(&h, 0x21, 0x12), inet4(&h), v2_len(&h);
    BAD("dgram");
    v2(&h, 0x21, 0x11), inet4(&h), h.b[14] = 0xFF, h.b[15] = 0xFF;
    BAD("length 65535");
    CHECK_INT(used, 16, "oversized refused after the length field");
    v2(&h, 0x21, 0x11), inet4(&h), put(&h, "\x01\x00\x09" "ab", 5), v2_len(&h);
    BAD("tlv longer than the header");
    v2(&h, 0x21, 0x11), inet4(&h), put(&h, "\x01\x00", 2), v2_len(&h);
    BAD("truncated tlv header");
    v2(&h, 0x21, 0x11), inet4(&h), tlv(&h, 0x20, "\x01\x00\x00", 3), v2_len(&h);
    BAD("ssl tlv too short");
    ssl.n = 0, put(&ssl, "\x01\0\0\0\0", 5), tlv(&ssl, 0x20, "\x01\0\0\0\0", 5);
    v2(&h, 0x21, 0x11), inet4(&h), tlv(&h, 0x20, ssl.b, ssl.n), v2_len(&h);
    BAD("ssl nested in ssl");
    ssl.n = 0, put(&ssl, "\x01\0\0\0\0", 5), put(&ssl, "\x22\x00\x20" "cn", 5);
    v2(&h, 0x21, 0x11), inet4(&h), tlv(&h, 0x20, ssl.b, ssl.n), v2_len(&h);
    BAD("ssl sub-tlv overruns the ssl tlv");
    char id[LIMIT_PROXY_UNIQUE_ID + 1];
    memset(id, 'i', sizeof id);
    v2(&h, 0x21, 0x11), inet4(&h), tlv(&h, 0x05, id, sizeof id), v2_len(&h);
    BAD("unique id over 128 bytes");
    v2(&h, 0x21, 0x11), inet4(&h), tlv(&h, 0x03, "\0\0", 2), v2_len(&h);
    BAD("crc32c of 2 bytes");
#undef BAD
}

/* test_v2_limit - whole header of 535, 536 fine; 537 refused */
static void test_v2_limit(void)
{
    struct hdr h;
    struct xp_proxy_parser p;
    static char pad[600];
    for (size_t total = 535; total <= 537; total++) {
        size_t used;
        v2(&h, 0x21, 0x11), inet4(&h), tlv(&h, 0x04, pad, total - 16 - 12 - 3), v2_len(&h);
        int rc = parse_all(&p, h.b, h.n, &used);
        CHECK_INT(rc, total <= LIMIT_PROXY_V2_HEADER ? P_OK : P_INVALID, "v2 length limit");
    }
}

/* ---- the connection hook over a socket pair ---- */

/* writer - child: write chunks of s with delay_ms between them, then linger */
static pid_t writer(int fd, const char *s, size_t n, size_t chunk, int delay_ms)
{
    pid_t pid = fork();
    if (pid) return pid;
    for (size_t off = 0; off < n; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        if (write(fd, s + off, k) != (ssize_t)k) _exit(1);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    struct timespec ts = {0, 300000000L};
    nanosleep(&ts, NULL);
    _exit(0);
}

static void reap(pid_t pid) { kill(pid, SIGKILL), waitpid(pid, NULL, 0); }

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void fresh_conn(void)
{
    memset(&conn, 0, sizeof conn);
    conn.sender_host_address = "127.0.0.1";
    conn.sender_host_port = 40000;
}

static void test_conn_split_and_pipelined(void)
{
    int sv[2];
    const char hdr[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\nEHLO client\r\nMAIL FROM:<>\r\n";
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t pid = writer(sv[1], hdr, sizeof hdr - 1, 7, 20); /* header split over many writes */
    fresh_conn();
    CHECK_INT(xp_proxy_conn_start(sv[0], &conn), OK, "split header accepted");
    CHECK_STR(conn.sender_host_address, "192.0.2.1", "client address adopted");
    CHECK_INT(conn.sender_host_port, 56324, "client port adopted");
    CHECK(!store_is_tainted(conn.sender_host_address), "address re-made by inet_ntop, untainted");
    CHECK_STR(xp_proxy_var("proxy_host_address"), "127.0.0.1", "proxy_host_address");
    CHECK_STR(xp_proxy_var("proxy_local_address"), "127.0.0.1", "proxy_local_address alias");
    CHECK_STR(xp_proxy_var("proxy_host_port"), "40000", "proxy_host_port");
    CHECK_STR(xp_proxy_var("proxy_target_address"), "198.51.100.2", "proxy_target_address");
    CHECK_STR(xp_proxy_var("proxy_external_port"), "25", "proxy_external_port");
    CHECK_STR(xp_proxy_var("proxy_session"), "yes", "proxy_session");
    CHECK(xp_proxy_var("sender_host_address") == NULL, "not a proxy variable");
    CHECK(!xp_proxy_failed(&conn), "not failed");
    char rest[100];
    size_t got = 0;
    while (got < 27) {
        ssize_t r = read(sv[0], rest + got, sizeof rest - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    CHECK(got == 27 && memcmp(rest, "EHLO client\r\nMAIL FROM:<>\r\n", 27) == 0,
          "SMTP bytes behind the header left in the socket");
    reap(pid), close(sv[0]), close(sv[1]);

    /* the same in one packet */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (write(sv[1], hdr, sizeof hdr - 1) < 0) return;
    fresh_conn();
    CHECK_INT(xp_proxy_conn_start(sv[0], &conn), OK, "one-packet header");
    ssize_t r = read(sv[0], rest, sizeof rest);
    CHECK(r == 27 && memcmp(rest, "EHLO client\r\n", 13) == 0, "pipelined SMTP kept (one packet)");
    close(sv[0]), close(sv[1]);
}

static void test_conn_v2_pipelined(void)
{
    struct hdr h;
    int sv[2];
    v2(&h, 0x21, 0x21), inet6(&h), tlv(&h, 0x22 - 0x20, "mx", 2), v2_len(&h);
    put(&h, "QUIT\r\n", 6);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (write(sv[1], h.b, h.n) < 0) return;
    fresh_conn();
    CHECK_INT(xp_proxy_conn_start(sv[0], &conn), OK, "v2 over socket");
    CHECK_STR(conn.sender_host_address, "2001:db8::1", "v6 client adopted");
    CHECK_STR(xp_proxy_var("proxy_tlv_authority"), "mx", "authority TLV variable");
    CHECK(store_is_tainted(xp_proxy_var("proxy_tlv_authority")), "TLV value tainted");
    char rest[16];
    CHECK(read(sv[0], rest, sizeof rest) == 6 && memcmp(rest, "QUIT\r\n", 6) == 0, "v2: QUIT kept");
    close(sv[0]), close(sv[1]);
}

static void test_conn_failures(void)
{
    int sv[2];
    const char hdr[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n";
    /* 1 byte per 100 ms: the 1 s deadline covers the whole header, not each read */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t pid = writer(sv[1], hdr, sizeof hdr - 1, 1, 100);
    fresh_conn();
    xp_proxy_opts.proxy_protocol_timeout = 1;
    double t0 = now_s();
    CHECK_INT(xp_proxy_conn_start(sv[0], &conn), FAIL, "slow header times out");
    double dt = now_s() - t0;
    CHECK(dt > 0.9 && dt < 1.6, "timeout after about 1 s");
    CHECK(xp_proxy_failed(&conn), "failed flag");
    CHECK_STR(xp_proxy_var("proxy_session"), "yes", "failed: proxy_session still yes");
    CHECK_STR(xp_proxy_var("proxy_host_address"), "", "failed: empty proxy_host_address");
    CHECK_STR(conn.sender_host_address, "127.0.0.1", "failed: address unchanged");
    reap(pid), close(sv[0]), close(sv[1]);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (write(sv[1], "PROXY TCP4 1.2", 14) < 0) return;
    close(sv[1]);
    fresh_conn();
    CHECK_INT(xp_proxy_conn_start(sv[0], &conn), FAIL, "EOF inside the header");
    close(sv[0]);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (write(sv[1], "EHLO x\r\n", 8) < 0) return;
    fresh_conn();
    CHECK_INT(xp_proxy_conn_start(sv[0], &conn), FAIL, "SMTP instead of a header");
    CHECK(xp_proxy_failed(&conn), "SMTP instead of a header: failed");
    close(sv[0]), close(sv[1]);
    xp_proxy_opts.proxy_protocol_timeout = 3;

    xp_proxy_conn_init();
    CHECK(conn.proxy == NULL && !xp_proxy_failed(&conn), "conn_init forgets");
    CHECK_STR(xp_proxy_var("proxy_session"), "", "no session: proxy_session empty");
    CHECK_STR(xp_proxy_var("proxy_host_port"), "0", "no session: port 0");
}

static void test_log_prx(void)
{
    int sv[2];
    const char hdr[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n";
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (write(sv[1], hdr, sizeof hdr - 1) < 0) return;
    fresh_conn();
    CHECK_INT(xp_proxy_conn_start(sv[0], &conn), OK, "header for PRX");
    gstring *g = string_get(64);
    g = string_cat(g, "<= a@b");
    g = xp_proxy_log_prx(g, &conn);
    CHECK_STR(string_from_gstring(g), "<= a@b PRX=127.0.0.1", "PRX= field");
    xp_proxy_conn_init();
    g = xp_proxy_log_prx(string_get(8), &conn);
    CHECK_STR(string_from_gstring(g), "", "no PRX= without a proxy");
    close(sv[0]), close(sv[1]);
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    cfg.log_selector = "+proxy"; /* log.c reads it once */
    test_v1();
    test_v1_limit();
    test_v2_valid();
    test_v2_tlvs();
    test_v2_invalid();
    test_v2_limit();
    test_conn_split_and_pipelined();
    test_conn_v2_pipelined();
    test_conn_failures();
    test_log_prx();
    return unit_done("test_proxy");
}
#else
int main(void)
{
    printf("test_proxy: skipped: EXPERIMENTAL_PROXY is not built\n");
    return 0;
}
#endif
