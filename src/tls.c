/* tls.c - the parts of TLS that the server and client sides share:
 * building an OpenSSL context from Exim's options (certificate and key
 * lists, a self-signed certificate when none is configured, cipher list,
 * DH parameters, EC groups, CA store and CRLs), non-blocking I/O waits
 * with a deadline, and naming helpers for the $tls_* variables.
 *
 * Runs in the daemon (preloading, as root: it reads the key files) and in
 * connection children (as exim_user). Never logs: callers do, with their
 * own context. Nothing here reads network data except through SSL. */

/* System */
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
/* This module */
#include "tls_int.h"

char *tls_error_text(const char *fallback)
{
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e) return string_copy(fallback);
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return string_copy(buf);
}

/* ---- certificates and keys ---- */

/* load_pair - one certificate chain file and its key (the key may be in
 * the certificate file, as Exim allows when tls_privatekey is unset) */
static bool load_pair(SSL_CTX *ctx, const char *cert, const char *key, char **err)
{
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        *err = string_sprintf("(SSL_CTX_use_certificate_chain_file file=%s): %s", cert,
                              tls_error_text("unreadable"));
        return false;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        *err = string_sprintf("(SSL_CTX_use_PrivateKey_file file=%s): %s", key,
                              tls_error_text("unreadable"));
        return false;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        *err = string_sprintf("(SSL_CTX_check_private_key file=%s): %s", key,
                              tls_error_text("key does not match certificate"));
        return false;
    }
    return true;
}

/* load_certs - tls_certificate and tls_privatekey as parallel lists:
 * OpenSSL keeps one chain per key type, so an RSA and an EC pair can be
 * offered together and the client's signature algorithms pick one */
static bool load_certs(SSL_CTX *ctx, const char *certs, const char *keys, char **err)
{
    int csep = 0, ksep = 0;
    const char *cl = certs, *kl = keys && *keys ? keys : NULL;
    char *cert, *key = NULL;
    while ((cert = string_nextinlist(&cl, &csep))) {
        if (kl && !(key = string_nextinlist(&kl, &ksep))) {
            *err = string_copy("(tls_privatekey): fewer files than in tls_certificate");
            return false;
        }
        if (!load_pair(ctx, cert, kl ? key : cert, err)) return false;
    }
    return true;
}

/* self_signed - the certificate Exim 4.96 makes when tls_certificate is
 * unset: good for opportunistic encryption, verified by nobody */
static bool self_signed(SSL_CTX *ctx, char **err)
{
    EVP_PKEY *pk = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    bool ok = pk && x;
    if (ok) {
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), 60L * 60 * 24 * 365);
        X509_set_pubkey(x, pk);
        X509_NAME *n = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Tern self-signed",
                                   -1, -1, 0);
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                   (const unsigned char *)cfg.primary_hostname, -1, -1, 0);
        X509_set_issuer_name(x, n);
        ok = X509_sign(x, pk, EVP_sha256()) > 0 && SSL_CTX_use_certificate(ctx, x) == 1 &&
             SSL_CTX_use_PrivateKey(ctx, pk) == 1;
    }
    if (!ok) *err = string_sprintf("(self-signed certificate): %s", tls_error_text("failed"));
    X509_free(x);
    EVP_PKEY_free(pk);
    return ok;
}

/* ---- key exchange and ciphers ---- */

/* set_ciphers - tls_require_ciphers (OpenSSL's syntax; '_' is read as
 * '-', as Exim does, so GnuTLS-style names written by habit still parse).
 * TLS 1.3 suites are not affected, as in Exim. */
static bool set_ciphers(SSL_CTX *ctx, const char *list, char **err)
{
    if (!list || !*list) return true;
    char *l = string_copy(list);
    for (char *p = l; *p; p++) if (*p == '_') *p = '-';
    if (SSL_CTX_set_cipher_list(ctx, l) == 1) return true;
    *err = string_sprintf("(SSL_CTX_set_cipher_list %s): %s", l, tls_error_text("no cipher matched"));
    return false;
}

/* dh_group_name - Exim's names for standard primes (RFC 7919, RFC 3526
 * as IKE numbers, RFC 5114) to OpenSSL's; NULL if unknown here */
static const char *dh_group_name(const char *v)
{
    static const struct { const char *exim, *ossl; } names[] = {
        {"ffdhe2048", "ffdhe2048"}, {"ffdhe3072", "ffdhe3072"}, {"ffdhe4096", "ffdhe4096"},
        {"ffdhe6144", "ffdhe6144"}, {"ffdhe8192", "ffdhe8192"}, {"ike5", "modp_1536"},
        {"ike14", "modp_2048"},     {"ike15", "modp_3072"},     {"ike16", "modp_4096"},
        {"ike17", "modp_6144"},     {"ike18", "modp_8192"},     {"ike22", "dh_1024_160"},
        {"ike23", "dh_2048_224"},   {"ike24", "dh_2048_256"},
    };
    for (size_t i = 0; i < NELEM(names); i++)
        if (strcmp(v, names[i].exim) == 0) return names[i].ossl;
    return NULL;
}

/* dh_from_file - PEM PKCS#3 parameters; NULL on error */
static EVP_PKEY *dh_from_file(const char *path, char **err)
{
    BIO *b = BIO_new_file(path, "r");
    EVP_PKEY *pk = b ? PEM_read_bio_Parameters(b, NULL) : NULL;
    BIO_free(b);
    if (!pk) *err = string_sprintf("(DH params file %s): %s", path, tls_error_text("unreadable"));
    return pk;
}

/* dh_from_name - a named standard group */
static EVP_PKEY *dh_from_name(const char *name)
{
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *pk = NULL;
    OSSL_PARAM p[] = {OSSL_PARAM_utf8_string("group", (char *)name, 0), OSSL_PARAM_END};
    if (pc && EVP_PKEY_paramgen_init(pc) == 1 && EVP_PKEY_CTX_set_params(pc, p) == 1)
        EVP_PKEY_paramgen(pc, &pk);
    EVP_PKEY_CTX_free(pc);
    return pk;
}

/* set_dhparam - tls_dhparam: unset or "default" picks a standard group
 * sized to the certificate (Tern does not ship Exim's own primes); "none"
 * leaves finite-field DH off; "/file" or a standard name. A prime longer
 * than tls_dh_max_bits is ignored, as Exim does. */
static bool set_dhparam(SSL_CTX *ctx, const char *v, char **err)
{
    if (!v || !*v || strcmp(v, "default") == 0) return SSL_CTX_set_dh_auto(ctx, 1) == 1;
    if (strcmp(v, "none") == 0) return true;
    EVP_PKEY *pk;
    if (*v == '/') pk = dh_from_file(v, err);
    else {
        const char *name = dh_group_name(v);
        pk = name ? dh_from_name(name) : NULL;
        if (!pk) *err = string_sprintf("(tls_dhparam): unknown DH parameters \"%s\"", v);
    }
    if (!pk) return false;
    if (EVP_PKEY_get_bits(pk) > cfg.tls_dh_max_bits) {
        EVP_PKEY_free(pk);
        return true;
    }
    if (SSL_CTX_set0_tmp_dh_pkey(ctx, pk) == 1) return true;
    EVP_PKEY_free(pk);
    *err = string_sprintf("(tls_dhparam %s): %s", v, tls_error_text("refused"));
    return false;
}

/* set_eccurve - tls_eccurve: "auto" leaves OpenSSL's own list; otherwise
 * a curve name or a colon-separated list (X25519, P-256, prime256v1 ...) */
static bool set_eccurve(SSL_CTX *ctx, const char *v, char **err)
{
    if (!v || !*v || strcmp(v, "auto") == 0) return true;
    if (SSL_CTX_set1_groups_list(ctx, v) == 1) return true;
    *err = string_sprintf("(tls_eccurve): unknown curve \"%s\": %s", v, tls_error_text("no such curve"));
    return false;
}

/* ---- peer verification ---- */

/* set_cas - tls_verify_certificates: "system" for OpenSSL's default
 * store, a PEM bundle file, or a hashed directory. A file's subjects are
 * also sent to clients as the acceptable CA list. */
static bool set_cas(SSL_CTX *ctx, const char *v, bool server, char **err)
{
    if (!v || !*v) return true;
    if (strcmp(v, "system") == 0) {
        if (SSL_CTX_set_default_verify_paths(ctx) == 1) return true;
        *err = string_sprintf("(SSL_CTX_set_default_verify_paths): %s", tls_error_text("unusable"));
        return false;
    }
    struct stat st;
    if (stat(v, &st) != 0) {
        *err = string_sprintf("(tls_verify_certificates %s): %s", v, strerror(errno));
        return false;
    }
    bool dir = S_ISDIR(st.st_mode);
    if (SSL_CTX_load_verify_locations(ctx, dir ? NULL : v, dir ? v : NULL) != 1) {
        *err = string_sprintf("(SSL_CTX_load_verify_locations %s): %s", v, tls_error_text("unusable"));
        return false;
    }
    if (server && !dir) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(v);
        if (names) SSL_CTX_set_client_CA_list(ctx, names);
    }
    return true;
}

/* set_crl - tls_crl: a PEM file (several CRLs may be concatenated) or a
 * hashed directory; each CA in the chain then needs its CRL */
static bool set_crl(SSL_CTX *ctx, const char *v, char **err)
{
    if (!v || !*v) return true;
    X509_STORE *st = SSL_CTX_get_cert_store(ctx);
    struct stat sb;
    bool dir = stat(v, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (X509_STORE_load_locations(st, dir ? NULL : v, dir ? v : NULL) != 1) {
        *err = string_sprintf("(tls_crl %s): %s", v, tls_error_text("unusable"));
        return false;
    }
    X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    return true;
}

SSL_CTX *tls_ctx_new(bool server, const tls_ctx_spec *spec, char **err)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx) {
        *err = string_sprintf("(SSL_CTX_new): %s", tls_error_text("failed"));
        return NULL;
    }
    /* No renegotiation (a CPU-exhaustion lever, and RFC 8446 dropped it);
     * no session tickets: tls_resumption_hosts is not supported */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    bool ok = spec->certificate && *spec->certificate
                  ? load_certs(ctx, spec->certificate, spec->privatekey, err)
                  : !server || self_signed(ctx, err);
    ok = ok && set_ciphers(ctx, spec->ciphers, err) && set_dhparam(ctx, spec->dhparam, err) &&
         set_eccurve(ctx, spec->eccurve, err) &&
         set_cas(ctx, spec->verify_certificates, server, err) && set_crl(ctx, spec->crl, err);
#ifndef DISABLE_OCSP
    ok = ok && (!server || tls_ocsp_load(ctx, spec->ocsp_file, err));
#endif
    if (ok) return ctx;
    SSL_CTX_free(ctx);
    return NULL;
}

/* ---- sessions and non-blocking I/O ---- */

struct tls_session *tls_session_new(SSL_CTX *ctx, int rfd, int wfd)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl) return NULL;
    struct tls_session *s = store_get_in(POOL_PERM, sizeof *s, GET_UNTAINTED);
    memset(s, 0, sizeof *s);
    s->ssl = ssl;
    s->rfd = rfd;
    s->wfd = wfd;
    SSL_set_rfd(ssl, rfd);
    SSL_set_wfd(ssl, wfd);
    return s;
}

/* set_nonblock - O_NONBLOCK on or off */
static void set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

void tls_set_nonblocking(struct tls_session *s, bool on)
{
    set_nonblock(s->rfd, on);
    if (s->wfd != s->rfd) set_nonblock(s->wfd, on);
}

long tls_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tls_wait(struct tls_session *s, int rc, long deadline_ms)
{
    int e = SSL_get_error(s->ssl, rc);
    struct pollfd p;
    if (e == SSL_ERROR_WANT_READ) p = (struct pollfd){.fd = s->rfd, .events = POLLIN};
    else if (e == SSL_ERROR_WANT_WRITE) p = (struct pollfd){.fd = s->wfd, .events = POLLOUT};
    else return -1;
    for (;;) {
        long left = deadline_ms < 0 ? -1 : deadline_ms - tls_now_ms();
        if (deadline_ms >= 0 && left <= 0) return 0;
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        return r > 0 ? 1 : r == 0 ? 0 : -1;
    }
}

void tls_close(struct tls_session *s, bool notify)
{
    if (!s || !s->ssl) return;
    if (notify && !s->closed) SSL_shutdown(s->ssl); /* non-blocking: one try, no wait for the reply */
    SSL_free(s->ssl);
    s->ssl = NULL;
}

bool tls_pending(const struct tls_session *s)
{
    return s && s->ssl && SSL_pending(s->ssl) > 0;
}

/* ---- names for variables and logs ---- */

char *tls_ver_name(const SSL *ssl)
{
    char *v = string_copy(SSL_get_version(ssl));
    char *p = strchr(v, 'v');
    if (p) memmove(p, p + 1, strlen(p));
    return v;
}

char *tls_cert_pem(X509 *cert, bool tainted)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *out = NULL, *data;
    if (b && PEM_write_bio_X509(b, cert) == 1) {
        long n = BIO_get_mem_data(b, &data);
        if (n > 0) out = string_copyn_taint(data, (size_t)n, tainted);
    }
    BIO_free(b);
    return out;
}

char *tls_name_oneline(X509_NAME *name)
{
    char *s = X509_NAME_oneline(name, NULL, 0);
    if (!s) return NULL;
    char *out = string_copy_taint(s, GET_TAINTED);
    OPENSSL_free(s);
    return out;
}

void tls_version_report(FILE *f)
{
    fprintf(f, "Library version: OpenSSL: Compile: %s\n"
               "                          Runtime: %s\n"
               "                                 : %s\n",
            OPENSSL_VERSION_TEXT, OpenSSL_version(OPENSSL_VERSION),
            OpenSSL_version(OPENSSL_BUILT_ON));
}
