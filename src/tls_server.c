/* tls_server.c - the server side of TLS: STARTTLS (RFC 3207) and
 * implicit TLS on tls_on_connect_ports (RFC 8314), as Exim 4.96 with
 * OpenSSL does it. Builds or reuses the server context, re-expands the
 * certificate options for SNI, verifies client certificates, runs the
 * handshake with a deadline and fills conn.tls_in_* ($tls_in_cipher ...).
 *
 * Runs in the connection child as exim_user (tls_server_preload runs in
 * the root daemon). Everything learnt from the peer (SNI, its DN and
 * certificate) is tainted; the SNI is used in a file name only when it
 * is a plain host name. The SMTP side (smtp_tls.c) decides when. */

/* System */
#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "smtp_in.h"
/* This module */
#include "tls_int.h"

/* ---- the context ---- */

/* spec_expand - one option, expanded; false (and *err) on failure */
static bool spec_expand(const char *name, const char *opt, const char **out, char **err)
{
    *out = NULL;
    if (!opt) return true;
    *out = expand_cstring(opt);
    if (*out) return true;
    *err = string_sprintf("(expansion of %s): %s", name, expand_error());
    return false;
}

/* ocsp_option - tls_ocsp_file, or NULL in a build without OCSP */
static const char *ocsp_option(void)
{
#ifndef DISABLE_OCSP
    return cfg.tls_ocsp_file;
#else
    return NULL;
#endif
}

/* server_spec - the server's TLS options, expanded now. The CA store is
 * loaded only when some host may be asked for a certificate: reading the
 * system bundle costs more than the rest together. */
static bool server_spec(tls_ctx_spec *s, char **err)
{
    bool verify = (cfg.tls_verify_hosts && *cfg.tls_verify_hosts) ||
                  (cfg.tls_try_verify_hosts && *cfg.tls_try_verify_hosts);
    return spec_expand("tls_certificate", cfg.tls_certificate, &s->certificate, err) &&
           spec_expand("tls_privatekey", cfg.tls_privatekey, &s->privatekey, err) &&
           spec_expand("tls_require_ciphers", cfg.tls_require_ciphers, &s->ciphers, err) &&
           spec_expand("tls_dhparam", cfg.tls_dhparam, &s->dhparam, err) &&
           spec_expand("tls_eccurve", cfg.tls_eccurve, &s->eccurve, err) &&
           spec_expand("tls_verify_certificates", verify ? cfg.tls_verify_certificates : NULL,
                       &s->verify_certificates, err) &&
           spec_expand("tls_crl", verify ? cfg.tls_crl : NULL, &s->crl, err) &&
           spec_expand("tls_ocsp_file", ocsp_option(), &s->ocsp_file, err);
}

/* options_constant - no server TLS option needs expanding per connection */
static bool options_constant(void)
{
    const char *opts[] = {cfg.tls_certificate, cfg.tls_privatekey, cfg.tls_require_ciphers,
                          cfg.tls_dhparam, cfg.tls_eccurve, cfg.tls_verify_certificates, cfg.tls_crl,
                          ocsp_option()};
    for (size_t i = 0; i < NELEM(opts); i++)
        if (opts[i] && strchr(opts[i], '$')) return false;
    return true;
}

/* sni_reexpand - does tls_certificate depend on the client's SNI? */
static bool sni_reexpand(void)
{
    const char *c = cfg.tls_certificate;
    return c && (strstr(c, "tls_sni") || strstr(c, "tls_in_sni"));
}

static int sni_callback(SSL *ssl, int *alert, void *arg);
static int alpn_callback(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg);

/* server_ctx - a new server context, or NULL with *err */
static SSL_CTX *server_ctx(char **err)
{
    tls_ctx_spec spec;
    if (!server_spec(&spec, err)) return NULL;
    SSL_CTX *ctx = tls_ctx_new(true, &spec, err);
    if (ctx) {
        SSL_CTX_set_tlsext_servername_callback(ctx, sni_callback);
        SSL_CTX_set_alpn_select_cb(ctx, alpn_callback, NULL);
    }
    return ctx;
}

/* stamp_list - fold the identity of every file in a list into h */
static uint64_t stamp_list(uint64_t h, const char *list)
{
    int sep = 0;
    char *f;
    while (list && (f = string_nextinlist(&list, &sep))) {
        if (strncmp(f, "PEM ", 4) == 0 || strncmp(f, "DER ", 4) == 0) f += 4;
        struct stat st;
        if (stat(f, &st) != 0) memset(&st, 0, sizeof st);
        uint64_t v[] = {(uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec,
                        (uint64_t)st.st_ino, (uint64_t)st.st_size};
        for (size_t i = 0; i < NELEM(v); i++) h = (h ^ v[i]) * 0x100000001b3ULL; /* FNV-1a step */
    }
    return h;
}

/* files_stamp - what changes when any file of a constant config does */
static uint64_t files_stamp(void)
{
    const char *lists[] = {cfg.tls_certificate, cfg.tls_privatekey, cfg.tls_dhparam,
                           cfg.tls_verify_certificates, cfg.tls_crl, ocsp_option()};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < NELEM(lists); i++) h = stamp_list(h, lists[i]);
    return h;
}

/* cache_load - (re)build the cached context; the old one stays on failure */
static void cache_load(const char *when)
{
    char *err = NULL;
    proc.tls_cache->stamp = files_stamp();
    SSL_CTX *ctx = server_ctx(&err);
    if (!ctx) {
        log_write(L_always, LOG_MAIN, "TLS error (%s the server credentials) %s", when, err);
        return;
    }
    SSL_CTX_free(proc.tls_cache->ctx);
    proc.tls_cache->ctx = ctx;
}

void tls_server_preload(void)
{
    if (!options_constant() || sni_reexpand()) return;
    proc.tls_cache = store_get_in(POOL_PERM, sizeof *proc.tls_cache, GET_UNTAINTED);
    memset(proc.tls_cache, 0, sizeof *proc.tls_cache);
    cache_load("preloading");
}

void tls_server_refresh(void)
{
    if (proc.tls_cache && files_stamp() != proc.tls_cache->stamp) cache_load("reloading");
}

/* ---- SNI (RFC 6066 section 3) ---- */

/* sni_valid - a host name we may put into a file name */
static bool sni_valid(const char *n)
{
    size_t len = strlen(n);
    if (!len || len > LIMIT_TLS_SNI || *n == '.' || strstr(n, "..")) return false;
    for (const char *p = n; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '.' || *p == '_')) return false;
    return true;
}

/* sni_callback - record $tls_in_sni; when tls_certificate uses it,
 * switch to a context built for that name. A name that is not a plain
 * host name is ignored (the default certificate is served). */
static int sni_callback(SSL *ssl, int *alert, void *arg)
{
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!name || !sni_valid(name)) return SSL_TLSEXT_ERR_OK;
    enum store_pool old = store_set_pool(POOL_PERM);
    conn.tls_in_sni = string_copy_taint(name, GET_TAINTED);
    store_set_pool(old);
    if (!sni_reexpand()) return SSL_TLSEXT_ERR_OK;
    char *err = NULL;
    SSL_CTX *ctx = server_ctx(&err);
    if (!ctx) {
        log_write(L_always, LOG_MAIN, "TLS error on connection from %s (SNI %s) %s",
                  smtp_host_and_ident(false), conn.tls_in_sni, err);
        return SSL_TLSEXT_ERR_OK;
    }
    SSL_set_SSL_CTX(ssl, ctx);
    SSL_CTX_free(ctx); /* the SSL holds its own reference now */
    return SSL_TLSEXT_ERR_OK;
}

/* ---- ALPN (RFC 7301) ---- */

/* alpn_callback - tls_alpn: a client that offers ALPN must offer one of
 * these names (Exim's default "smtp : esmtp"), or the handshake fails
 * with no_application_protocol, as in Exim 4.96 (a defence against
 * cross-protocol attacks such as ALPACA). No ALPN offered: no check. */
static int alpn_callback(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg)
{
    const char *list = cfg.tls_alpn ? expand_cstring(cfg.tls_alpn) : NULL;
    if (!list || !*list) return SSL_TLSEXT_ERR_NOACK;
    /* the chosen name must outlive this call: the wire list is PERM */
    unsigned char *wire = store_get_in(POOL_PERM, strlen(list) + 1, GET_UNTAINTED);
    size_t n = 0;
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        size_t len = strlen(item);
        if (!len || len > 255) continue;
        wire[n++] = (unsigned char)len;
        memcpy(wire + n, item, len);
        n += len;
    }
    unsigned char *chosen;
    if (SSL_select_next_proto(&chosen, outlen, wire, (unsigned)n, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
        *out = chosen;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* ---- client certificates ---- */

/* verify_callback - log each failure as Exim does; fatal only when the
 * host is in tls_verify_hosts */
static int verify_callback(int ok, X509_STORE_CTX *x)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct tls_session *s = SSL_get_app_data(ssl);
    if (ok) return 1;
    X509 *cert = X509_STORE_CTX_get_current_cert(x);
    char *dn = cert ? tls_name_oneline(X509_get_subject_name(cert)) : NULL;
    log_write(L_always, LOG_MAIN, "[%s] SSL verify error: depth=%d error=%s cert=%s",
              s->peer_addr ? s->peer_addr : "", X509_STORE_CTX_get_error_depth(x),
              X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)),
              dn ? string_printing(dn) : "");
    s->verify_failed = true;
    return s->verify_optional ? 1 : 0;
}

struct tls_session *tls_server_prepare(int in_fd, int out_fd, enum tls_verify verify)
{
    char *err = NULL;
    bool cached = proc.tls_cache && proc.tls_cache->ctx;
    SSL_CTX *ctx = cached ? proc.tls_cache->ctx : server_ctx(&err);
    struct tls_session *s = ctx ? tls_session_new(ctx, in_fd, out_fd) : NULL;
    if (ctx && !cached) SSL_CTX_free(ctx); /* the SSL keeps it alive */
    if (!s) {
        log_write(L_always, LOG_MAIN, "TLS error on connection from %s %s",
                  smtp_host_and_ident(false), err ? err : tls_error_text("(SSL_new): failed"));
        return NULL;
    }
    SSL_set_app_data(s->ssl, s);
    s->peer_addr = conn.sender_host_address;
    s->verify_optional = verify == TLS_VERIFY_TRY;
    int mode = verify == TLS_VERIFY_REQUIRE ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
             : verify == TLS_VERIFY_TRY     ? SSL_VERIFY_PEER
                                            : SSL_VERIFY_NONE;
    SSL_set_verify(s->ssl, mode, verify_callback);
    return s;
}

/* ---- the handshake ---- */

/* accept_failure - why SSL_accept gave up, in Exim's words */
static char *accept_failure(struct tls_session *s, int rc, int waited)
{
    if (waited == 0) return string_copy("timed out");
    int e = SSL_get_error(s->ssl, rc);
    if (e == SSL_ERROR_SYSCALL && !ERR_peek_error())
        return string_copy(errno && errno != EAGAIN ? strerror(errno) : "TCP connection closed by peer");
    if (e == SSL_ERROR_ZERO_RETURN) return string_copy("TLS connection closed by peer");
    return tls_error_text("unknown error");
}

/* record_session - the $tls_in_* variables (POOL_PERM: the connection
 * child ends with the connection) */
static void record_session(struct tls_session *s, enum tls_verify verify)
{
    enum store_pool old = store_set_pool(POOL_PERM);
    const SSL_CIPHER *c = SSL_get_current_cipher(s->ssl);
    conn.tls_in_ver = tls_ver_name(s->ssl);
    conn.tls_in_bits = SSL_CIPHER_get_bits(c, NULL);
    conn.tls_in_cipher = string_sprintf("%s:%s:%d", conn.tls_in_ver, SSL_CIPHER_get_name(c),
                                        conn.tls_in_bits);
    const char *std = SSL_CIPHER_standard_name(c);
    conn.tls_in_cipher_std = std ? string_copy(std) : NULL;
    X509 *ours = SSL_get_certificate(s->ssl);
    conn.tls_in_ourcert = ours ? tls_cert_pem(ours, GET_UNTAINTED) : NULL;
    X509 *peer = SSL_get1_peer_certificate(s->ssl);
    if (peer) {
        conn.tls_in_peerdn = tls_name_oneline(X509_get_subject_name(peer));
        conn.tls_in_peercert = tls_cert_pem(peer, GET_TAINTED);
        conn.tls_in_certificate_verified = verify != TLS_VERIFY_NONE && !s->verify_failed &&
                                           SSL_get_verify_result(s->ssl) == X509_V_OK;
        X509_free(peer);
    }
    store_set_pool(old);
}

int tls_server_handshake(struct tls_session *s, int timeout_ms)
{
    long deadline = timeout_ms < 0 ? -1 : tls_now_ms() + timeout_ms;
    int rc, waited = 1;
    tls_set_nonblocking(s, true);
    for (;;) {
        ERR_clear_error();
        errno = 0; /* a failed read's errno is part of the reason */
        if ((rc = SSL_accept(s->ssl)) == 1) break;
        if ((waited = tls_wait(s, rc, deadline)) != 1) break;
    }
    if (rc == 1) {
        int mode = SSL_get_verify_mode(s->ssl);
        record_session(s, !(mode & SSL_VERIFY_PEER) ? TLS_VERIFY_NONE
                          : s->verify_optional ? TLS_VERIFY_TRY : TLS_VERIFY_REQUIRE);
        conn.tls = s;
        return OK;
    }
    log_write(L_always, LOG_MAIN, "TLS error on connection from %s (SSL_accept): %s",
              smtp_host_and_ident(false), accept_failure(s, rc, waited));
    tls_close(s, false);
    tls_set_nonblocking(s, false);
    conn.tls_in_sni = NULL;
    return FAIL;
}

/* ---- application data ---- */

long tls_read(struct tls_session *s, char *buf, size_t n, int timeout_ms)
{
    long deadline = timeout_ms < 0 ? -1 : tls_now_ms() + timeout_ms;
    if (!s->ssl || s->closed) return 0;
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int r = SSL_read(s->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
        if (r > 0) return r;
        int e = SSL_get_error(s->ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN) {
            /* close_notify: answer it, and write nothing more (a reply
             * after the peer closed is data it will not read) */
            SSL_shutdown(s->ssl);
            s->closed = true;
            return 0;
        }
        int w = tls_wait(s, r, deadline);
        if (w == 1) continue;
        if (w == 0) return -2;
        if (e == SSL_ERROR_SYSCALL && !ERR_peek_error()) return 0; /* TCP close, no close_notify */
        log_write(L_always, LOG_MAIN, "TLS error (SSL_read): %s", tls_error_text("read failed"));
        return -1;
    }
}

bool tls_write(struct tls_session *s, const char *p, size_t n, int timeout_ms)
{
    long deadline = timeout_ms < 0 ? -1 : tls_now_ms() + timeout_ms;
    while (n && s->ssl && !s->closed) {
        ERR_clear_error();
        int r = SSL_write(s->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
        if (r > 0) {
            p += r;
            n -= (size_t)r;
            continue;
        }
        if (tls_wait(s, r, deadline) != 1) return false;
    }
    return n == 0;
}
