/* tls.h - TLS for SMTP (OpenSSL 3): the public API of tls.c (shared
 * context and certificate loading) and tls_server.c (STARTTLS and
 * tls_on_connect_ports on the server side). A client side (the smtp
 * transport) will sit beside tls_server.c on the same tls.c helpers.
 * No OpenSSL types here: callers see struct tls_session only. */
#ifndef TERN_TLS_H
#define TERN_TLS_H

#include "tern.h"

struct tls_session;   /* one TLS connection; owned by tls.c */
struct tls_cache;     /* a preloaded server context (proc.tls_cache) */

/* tls_server_preload - in the daemon, before any fork: build the server
 * context once when no TLS option needs per-connection expansion, so
 * the key is read while still root (as Exim 4.96 does) and every
 * connection child inherits it. Failures are logged; each connection
 * then tries again (and gets 454). */
void tls_server_preload(void);

/* tls_server_refresh - in the daemon, before each connection child:
 * reload the preloaded context if any of its files changed (a renewed
 * certificate or OCSP proof is used without a restart, as Exim 4.96
 * does). A failed reload is logged and the old context kept. */
void tls_server_refresh(void);

/* Client certificates: tls_verify_hosts, tls_try_verify_hosts, or neither */
enum tls_verify { TLS_VERIFY_NONE, TLS_VERIFY_TRY, TLS_VERIFY_REQUIRE };

/* tls_server_prepare - a session on in_fd/out_fd with the server context
 * (preloaded, or built now from the expanded options). NULL when the
 * configuration is unusable: logged as "TLS error on connection from
 * ...", and the caller answers 454 (nothing was sent yet). */
struct tls_session *tls_server_prepare(int in_fd, int out_fd, enum tls_verify verify);

/* tls_server_handshake - the server side of the handshake, bounded by
 * timeout_ms in all (smtp_receive_timeout; -1 none). OK: conn.tls and
 * the $tls_in_* variables are set. FAIL: logged, session freed, the fds
 * are blocking again. */
int tls_server_handshake(struct tls_session *s, int timeout_ms);

/* tls_read - up to n bytes of application data; >0 bytes, 0 at EOF
 * (close_notify or TCP close), -2 on timeout, -1 on a TLS error (logged) */
long tls_read(struct tls_session *s, char *buf, size_t n, int timeout_ms);
/* tls_write - all of p; false if the peer is gone or too slow */
bool tls_write(struct tls_session *s, const char *p, size_t n, int timeout_ms);
/* tls_pending - decrypted bytes waiting inside the TLS layer */
bool tls_pending(const struct tls_session *s);
/* tls_close - send close_notify (if notify) and free the session */
void tls_close(struct tls_session *s, bool notify);

/* tls_version_report - "Library version: OpenSSL ..." lines for -d -bV */
void tls_version_report(FILE *f);

#endif
