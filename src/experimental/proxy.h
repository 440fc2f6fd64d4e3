/* proxy.h - EXPERIMENTAL_PROXY: HAProxy PROXY protocol v1 and v2 on inbound connections. */
#ifndef TERN_XP_PROXY_H
#define TERN_XP_PROXY_H

#include "../modules.h"
#include "../options.h"

struct xp_proxy_options {
    int proxy_protocol_timeout;
    char *hosts_proxy;
};

extern struct xp_proxy_options xp_proxy_opts;
extern const module_info xp_proxy_module;

/* ---- PROXY header parser (pure; no I/O) ---- */

/* The reply for every command but QUIT after a failed negotiation. */
#define XP_PROXY_REFUSAL_TEXT "Command refused, required Proxy negotiation failed"
#define XP_PROXY_REFUSAL "503 " XP_PROXY_REFUSAL_TEXT

/* A TLV value: points into the parser's buffer (tainted, not terminated). */
struct xp_proxy_tlvs {
    str_view alpn, authority, unique_id, netns;
    bool has_ssl;             /* PP2_TYPE_SSL present */
    unsigned ssl_client;      /* PP2_CLIENT_SSL / _CERT_CONN / _CERT_SESS bits */
    uint32_t ssl_verify;      /* 0 = the client presented a verified certificate */
    str_view ssl_version, ssl_cn, ssl_cipher, ssl_sig_alg, ssl_key_alg;
    bool has_crc;             /* a CRC32C TLV was present and matched */
};

struct xp_proxy_parser {
    int state;                /* private to proxy.c */
    int version;              /* 1 or 2 once known */
    bool local;               /* v1 UNKNOWN, v2 LOCAL/UNSPEC/UNIX: keep the real endpoints */
    int family;               /* AF_INET or AF_INET6 when !local */
    unsigned char src[16], dst[16];
    unsigned sport, dport;
    struct xp_proxy_tlvs tlv;
    const char *why;          /* reason, once P_INVALID was returned */
    size_t len;               /* header bytes taken so far */
    size_t want;              /* v2: total header length once known */
    unsigned char buf[LIMIT_PROXY_V2_HEADER];
};

/* xp_proxy_parser_init - start a new header */
void xp_proxy_parser_init(struct xp_proxy_parser *p);

/* xp_proxy_parse - feed len bytes; P_MORE (all taken), P_OK (*used bytes
 * were header, the rest is not ours) or P_INVALID (p->why says why). */
int xp_proxy_parse(struct xp_proxy_parser *p, const char *data, size_t len, size_t *used);

/* xp_proxy_need - bytes that can be read without reading past the header */
size_t xp_proxy_need(const struct xp_proxy_parser *p);

/* ---- the connection hook (called by the SMTP server after accept) ---- */

struct conn_state;

/* xp_proxy_read_header - read exactly one header from fd within timeout_ms;
 * OK, or FAIL with p->why set. Never reads a byte past the header. */
int xp_proxy_read_header(int fd, int timeout_ms, struct xp_proxy_parser *p);

/* xp_proxy_conn_start - negotiate on a connection from a proxy_required_hosts
 * host: fills c->proxy, and on success replaces c->sender_host_address and
 * port with the original client's. OK or FAIL (then xp_proxy_failed()). */
int xp_proxy_conn_start(int fd, struct conn_state *c);

/* xp_proxy_smtp_start - the SMTP server's hook before the banner: when the
 * peer of a real socket matches hosts_proxy (expanded), negotiate with
 * xp_proxy_conn_start(); anyone else is never read for a header. */
void xp_proxy_smtp_start(struct conn_state *c);

/* xp_proxy_conn_init - forget any proxy state (start of a connection) */
void xp_proxy_conn_init(void);

/* xp_proxy_failed - true when negotiation was required and failed: every
 * command but QUIT gets XP_PROXY_REFUSAL */
bool xp_proxy_failed(const struct conn_state *c);

/* xp_proxy_var - value of a proxy $variable for the expansion table: NULL
 * if name is not one of xp_proxy_var_names, "" when unset */
const char *xp_proxy_var(const char *name);

/* XP_PROXY_VAR_ROWS - the rows of expand.c's variable table (sorted
 * there by name; NF is that table's row maker) */
#define XP_PROXY_VAR_ROWS \
    NF("proxy_external_address", xp_proxy_var), NF("proxy_external_port", xp_proxy_var), \
    NF("proxy_host_address", xp_proxy_var), NF("proxy_host_port", xp_proxy_var), \
    NF("proxy_local_address", xp_proxy_var), NF("proxy_local_port", xp_proxy_var), \
    NF("proxy_session", xp_proxy_var), NF("proxy_ssl_cipher", xp_proxy_var), \
    NF("proxy_ssl_client", xp_proxy_var), NF("proxy_ssl_cn", xp_proxy_var), \
    NF("proxy_ssl_key_alg", xp_proxy_var), NF("proxy_ssl_sig_alg", xp_proxy_var), \
    NF("proxy_ssl_verify", xp_proxy_var), NF("proxy_ssl_version", xp_proxy_var), \
    NF("proxy_target_address", xp_proxy_var), NF("proxy_target_port", xp_proxy_var), \
    NF("proxy_tlv_alpn", xp_proxy_var), NF("proxy_tlv_authority", xp_proxy_var), \
    NF("proxy_tlv_unique_id", xp_proxy_var)
extern const char *const xp_proxy_var_names[];

/* xp_proxy_log_prx - append " PRX=<proxy ip>" for the <= line when
 * log_selector has +proxy and the connection came through a proxy */
gstring *xp_proxy_log_prx(gstring *g, const struct conn_state *c) WARN_UNUSED;

#endif
