/* smtp_tls.c - the SMTP side of TLS: advertising STARTTLS, the STARTTLS
 * command (RFC 3207) with acl_smtp_starttls, the reset of the session
 * after the handshake, and implicit TLS before the banner (RFC 8314,
 * tls_on_connect_ports and -tls-on-connect).
 *
 * Runs in the connection child (or a -bs/-bh process). The handshake
 * itself and the $tls_in_* variables belong to tls_server.c; this file
 * decides when, for which host, and what the session forgets. */

/* MTA core */
#include "tern.h"
#include "acl.h"
#include "globals.h"
#include "log.h"
#include "tls.h"
/* This module */
#include "smtp_in_int.h"

void smtp_tls_advertise(gstring **g)
{
    conn.tls_advertised = !conn.tls && (conn.local || smtp_host_in(cfg.tls_advertise_hosts));
    if (conn.tls_advertised) *g = string_cat(*g, "STARTTLS\n");
}

/* verify_mode - must (tls_verify_hosts) or may (tls_try_verify_hosts)
 * this client show a certificate? */
static enum tls_verify verify_mode(void)
{
    if (smtp_host_in(cfg.tls_verify_hosts)) return TLS_VERIFY_REQUIRE;
    if (smtp_host_in(cfg.tls_try_verify_hosts)) return TLS_VERIFY_TRY;
    return TLS_VERIFY_NONE;
}

/* forget_session - RFC 3207 section 4.2: after the handshake the server
 * discards what it knew from the client: HELO, extensions offered, AUTH.
 * tls_remember_esmtp keeps the EHLO state (not the name) for clients that
 * do not send EHLO again (Exim's workaround). */
static void forget_session(void)
{
    conn.sender_helo_name = NULL; /* always: it was given in clear */
    if (!cfg.tls_remember_esmtp) {
        conn.helo_verb = NULL;
        conn.esmtp = false;
        conn.auth_advertised = false;
        conn.pipelining_advertised = conn.chunking_advertised = false;
        conn.dsn_advertised = conn.smtputf8_advertised = false;
    }
    conn.tls_advertised = false;
    conn.sender_host_authenticated = NULL;
    conn.authenticated_id = NULL;
    conn.auth_public_name = NULL;
    conn.received_protocol = smtp_protocol_name();
}

enum smtp_next smtp_tls_command(char *line, char *arg)
{
    if (*arg) return smtp_synprot_error(L_smtp_syntax_error, 501, line, "unexpected argument data");
    if (!conn.tls_advertised)
        return smtp_synprot_error(L_smtp_protocol_error, 503, line,
                                  "STARTTLS command used when not advertised");
    if (cfg.acl_smtp_starttls) {
        char *um, *lm;
        int rc = smtp_run_acl(ACL_WHERE_STARTTLS, NULL, cfg.acl_smtp_starttls, &um, &lm);
        if (rc != OK) return smtp_acl_fail(ACL_WHERE_STARTTLS, rc, um, lm, NULL);
    }
    smtp_reset_message(); /* an implied RSET, as Exim does */
    /* Anything pipelined behind STARTTLS came in clear: never a command
     * of the encrypted session (the sync check has already refused it
     * when PIPELINING was not advertised, as Exim does) */
    smtp_io_discard_input();
    struct tls_session *s = tls_server_prepare(conn.in_fd, conn.out_fd, verify_mode());
    if (!s) {
        smtp_printf("454 TLS currently unavailable\r\n");
        return NEXT_CONTINUE;
    }
    smtp_printf("220 TLS go ahead\r\n");
    if (!smtp_flush()) {
        tls_close(s, false);
        return NEXT_DROP;
    }
    /* A failed handshake leaves the peer in an unknown state: close, as
     * Exim's GnuTLS build does, rather than read its TLS records as
     * commands */
    if (tls_server_handshake(s, smtp_io_timeout_ms()) != OK) return NEXT_DROP;
    forget_session();
    return NEXT_CONTINUE;
}

bool smtp_tls_on_connect(void)
{
    struct tls_session *s = tls_server_prepare(conn.in_fd, conn.out_fd, verify_mode());
    return s && tls_server_handshake(s, smtp_io_timeout_ms()) == OK;
}
