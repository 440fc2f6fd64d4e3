/* tls_int.h - shared between tls.c and tls_server.c (and a future
 * tls_client.c). OpenSSL types are visible only to these files. */
#ifndef TERN_TLS_INT_H
#define TERN_TLS_INT_H

/* System */
#include <openssl/ssl.h>
/* MTA core */
#include "tern.h"
#include "tls.h"

struct tls_session {
    SSL *ssl;
    int rfd, wfd;
    bool verify_optional;  /* tls_try_verify_hosts: a bad cert is noted, not fatal */
    bool verify_failed;    /* the verify callback saw an error */
    bool closed;           /* close_notify received (and ours sent): no more I/O */
    const char *peer_addr; /* for the "SSL verify error" log line */
};

/* The expanded values that make one server context. */
typedef struct tls_ctx_spec {
    const char *certificate, *privatekey, *ciphers, *dhparam, *eccurve;
    const char *verify_certificates, *crl;
    const char *ocsp_file;  /* server: proofs to staple (tls_ocsp.c) */
} tls_ctx_spec;

struct tls_cache {
    SSL_CTX *ctx;     /* NULL if the last load failed */
    uint64_t stamp;   /* of the files it was loaded from (tls_server.c) */
};

/* tls_error_text - the oldest queued OpenSSL error as text (clears the
 * queue); fallback when the queue is empty */
char *tls_error_text(const char *fallback);
/* tls_ctx_new - a context for one side with the options of spec; NULL
 * and *err set if any file or value is bad */
SSL_CTX *tls_ctx_new(bool server, const tls_ctx_spec *spec, char **err);
/* tls_session_new - an SSL on the two fds */
struct tls_session *tls_session_new(SSL_CTX *ctx, int rfd, int wfd);
/* tls_set_nonblocking - the fds non-blocking (for the handshake and
 * after: all waits are poll()s with deadlines) or blocking again */
void tls_set_nonblocking(struct tls_session *s, bool on);
/* tls_wait - after an SSL call returned rc: wait for the fd it wants,
 * until deadline_ms (monotonic). 1 retry, 0 timeout, -1 no retry */
int tls_wait(struct tls_session *s, int rc, long deadline_ms);
#ifndef DISABLE_OCSP
/* tls_ocsp_load - tls_ocsp_file (a list; "PEM "/"DER " prefixes) into
 * ctx's stapling callback; false with *err on a bad file (tls_ocsp.c) */
bool tls_ocsp_load(SSL_CTX *ctx, const char *list, char **err);
#endif
/* tls_now_ms - the monotonic clock in ms, for deadlines */
long tls_now_ms(void);
/* tls_ver_name - "TLS1.3" (SSL_get_version without the "v") */
char *tls_ver_name(const SSL *ssl);
/* tls_cert_pem - a certificate as PEM text; NULL on failure */
char *tls_cert_pem(X509 *cert, bool tainted);
/* tls_name_oneline - "/C=GB/O=.../CN=..." as Exim's OpenSSL build shows
 * DNs; tainted (it comes from the peer) */
char *tls_name_oneline(X509_NAME *name);

#endif
