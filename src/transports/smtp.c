/* smtp.c - the smtp transport: delivers to remote hosts over SMTP or
 * LMTP, with TLS, AUTH, PRDR, OCSP and DKIM signing.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks, its registration, and the delivery:
 * for each host in turn (smtp_hosts.c builds the list), connect, EHLO,
 * then transactions of up to max_rcpt recipients (MAIL and RCPTs sent
 * together when the server offers PIPELINING), each recipient's and the
 * message's result set on its address_item, and retry items hung on the
 * addresses for retry_update. A connection may be kept for the next
 * message to the same host (smtp_transport_continue, for queue runs).
 * Options are read in every process at config load; delivery runs in
 * the delivery process as the exim user. */

/* System */
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "smtp_int.h" /* first: settles AFL_FILE (see there) */
#include "../expand.h"
#include "../globals.h"
#include "../log.h"
#include "../match.h"
#include "../retry.h"
#include "../smtp_out.h"
#include "../transport.h"
#include "../queue.h"
#include "../spool.h"
#include <arpa/inet.h>
#ifdef EXPERIMENTAL_DSN
#include "../experimental/dsn.h"
#endif

/* Rows of features a build may leave out: refused with the feature's name. */
#ifndef DISABLE_DKIM
#define DKIM_ROW(n, t) {#n, t, OFF(n), NULL}
#else
#define DKIM_ROW(n, t) {#n, opt_missing, 0, "DKIM"}
#endif
#ifndef DISABLE_OCSP
#define OCSP_ROW(n, t) {#n, t, OFF(n), NULL}
#else
#define OCSP_ROW(n, t) {#n, opt_missing, 0, "OCSP"}
#endif
#ifndef DISABLE_PRDR
#define PRDR_ROW(n, t) {#n, t, OFF(n), NULL}
#else
#define PRDR_ROW(n, t) {#n, opt_missing, 0, "PRDR"}
#endif
#ifdef EXPERIMENTAL_TPDA
#define TPDA_ROW(n, t) {#n, t, OFF(n), NULL}
#else
#define TPDA_ROW(n, t) {#n, opt_missing, 0, "EXPERIMENTAL_TPDA"}
#endif
/* 4.8x EXPERIMENTAL_CERTNAMES spelling of 4.96's tls_verify_cert_hostnames */
#ifdef EXPERIMENTAL_CERTNAMES
#define CERTNAMES_ALIAS_ROW {"tls_verify_cert_hostname", opt_alias, 0, "tls_verify_cert_hostnames"}
#else
#define CERTNAMES_ALIAS_ROW {"tls_verify_cert_hostname", opt_missing, 0, "EXPERIMENTAL_CERTNAMES"}
#endif

/* This driver */
#include "smtp.h"
#include "smtp_int.h"

#define OFF(f) OPT_OFF(smtp_transport_options, f)

static const optionlist smtp_transport_optionlist[] = {
    {"address_retry_include_sender", opt_bool, OFF(address_retry_include_sender), NULL},
    {"allow_localhost", opt_bool, OFF(allow_localhost), NULL},
    {"arc_sign", opt_missing, 0, "EXPERIMENTAL_ARC"},
    {"authenticated_sender", opt_stringptr, OFF(authenticated_sender), NULL},
    {"authenticated_sender_force", opt_bool, OFF(authenticated_sender_force), NULL},
    {"command_timeout", opt_time, OFF(command_timeout), NULL},
    {"connect_timeout", opt_time, OFF(connect_timeout), NULL},
    {"connection_max_messages", opt_int, OFF(connection_max_messages), NULL},
    {"dane_require_tls_ciphers", opt_missing, 0, "DANE"},
    {"data_timeout", opt_time, OFF(data_timeout), NULL},
    {"delay_after_cutoff", opt_bool, OFF(delay_after_cutoff), NULL},
    DKIM_ROW(dkim_canon, opt_stringptr),
    DKIM_ROW(dkim_domain, opt_stringptr),
    DKIM_ROW(dkim_hash, opt_stringptr),
    DKIM_ROW(dkim_identity, opt_stringptr),
    DKIM_ROW(dkim_private_key, opt_stringptr),
    DKIM_ROW(dkim_selector, opt_stringptr),
    DKIM_ROW(dkim_sign_headers, opt_stringptr),
    DKIM_ROW(dkim_strict, opt_stringptr),
    DKIM_ROW(dkim_timestamps, opt_stringptr),
    {"dns_qualify_single", opt_bool, OFF(dns_qualify_single), NULL},
    {"dns_search_parents", opt_bool, OFF(dns_search_parents), NULL},
    {"dnssec_request_domains", opt_stringptr, OFF(dnssec_request_domains), NULL},
    {"dnssec_require_domains", opt_stringptr, OFF(dnssec_require_domains), NULL},
    {"dscp", opt_stringptr, OFF(dscp), NULL},
    {"fallback_hosts", opt_string, OFF(fallback_hosts), NULL},
    {"final_timeout", opt_time, OFF(final_timeout), NULL},
    {"gethostbyname", opt_bool, OFF(gethostbyname), NULL},
    {"gnutls_compat_mode", opt_missing, 0, "GnuTLS"},
    {"helo_data", opt_stringptr, OFF(helo_data), NULL},
    {"host_name_extract", opt_stringptr, OFF(host_name_extract), NULL},
    {"hosts", opt_stringptr, OFF(hosts), NULL},
    {"hosts_avoid_esmtp", opt_stringptr, OFF(hosts_avoid_esmtp), NULL},
    {"hosts_avoid_pipelining", opt_stringptr, OFF(hosts_avoid_pipelining), NULL},
    {"hosts_avoid_tls", opt_stringptr, OFF(hosts_avoid_tls), NULL},
    {"hosts_max_try", opt_int, OFF(hosts_max_try), NULL},
    {"hosts_max_try_hardlimit", opt_int, OFF(hosts_max_try_hardlimit), NULL},
    {"hosts_nopass_tls", opt_stringptr, OFF(hosts_nopass_tls), NULL},
    {"hosts_noproxy_tls", opt_stringptr, OFF(hosts_noproxy_tls), NULL},
    {"hosts_override", opt_bool, OFF(hosts_override), NULL},
    {"hosts_pipe_connect", opt_missing, 0, "PIPECONNECT"},
    {"hosts_randomize", opt_bool, OFF(hosts_randomize), NULL},
    OCSP_ROW(hosts_request_ocsp, opt_stringptr),
    {"hosts_require_alpn", opt_stringptr, OFF(hosts_require_alpn), NULL},
    {"hosts_require_auth", opt_stringptr, OFF(hosts_require_auth), NULL},
    {"hosts_require_dane", opt_missing, 0, "DANE"},
    OCSP_ROW(hosts_require_ocsp, opt_stringptr),
    {"hosts_require_tls", opt_stringptr, OFF(hosts_require_tls), NULL},
    {"hosts_try_auth", opt_stringptr, OFF(hosts_try_auth), NULL},
    {"hosts_try_chunking", opt_stringptr, OFF(hosts_try_chunking), NULL},
    {"hosts_try_dane", opt_missing, 0, "DANE"},
    {"hosts_try_fastopen", opt_stringptr, OFF(hosts_try_fastopen), NULL},
    PRDR_ROW(hosts_try_prdr, opt_stringptr),
    {"hosts_verify_avoid_tls", opt_stringptr, OFF(hosts_verify_avoid_tls), NULL},
    {"interface", opt_stringptr, OFF(interface), NULL},
    {"keepalive", opt_bool, OFF(keepalive), NULL},
    {"lmtp_ignore_quota", opt_bool, OFF(lmtp_ignore_quota), NULL},
    {"max_rcpt", opt_int, OFF(max_rcpt), NULL},
    {"message_linelength_limit", opt_int, OFF(message_linelength_limit), NULL},
    {"multi_domain", opt_expand_bool, OFF(multi_domain), NULL},
    {"port", opt_stringptr, OFF(port), NULL},
    {"protocol", opt_string, OFF(protocol), NULL},
    {"retry_include_ip_address", opt_expand_bool, OFF(retry_include_ip_address), NULL},
    {"serialize_hosts", opt_stringptr, OFF(serialize_hosts), NULL},
    {"size_addition", opt_int, OFF(size_addition), NULL},
    {"socks_proxy", opt_missing, 0, "SOCKS"},
    {"tls_alpn", opt_stringptr, OFF(tls_alpn), NULL},
    {"tls_certificate", opt_stringptr, OFF(tls_certificate), NULL},
    {"tls_crl", opt_stringptr, OFF(tls_crl), NULL},
    {"tls_dh_min_bits", opt_int, OFF(tls_dh_min_bits), NULL},
    {"tls_privatekey", opt_stringptr, OFF(tls_privatekey), NULL},
    {"tls_require_ciphers", opt_stringptr, OFF(tls_require_ciphers), NULL},
    {"tls_resumption_hosts", opt_stringptr, OFF(tls_resumption_hosts), NULL},
    {"tls_sni", opt_stringptr, OFF(tls_sni), NULL},
    {"tls_tempfail_tryclear", opt_bool, OFF(tls_tempfail_tryclear), NULL},
    {"tls_try_verify_hosts", opt_stringptr, OFF(tls_try_verify_hosts), NULL},
    CERTNAMES_ALIAS_ROW,
    {"tls_verify_cert_hostnames", opt_stringptr, OFF(tls_verify_cert_hostnames), NULL},
    {"tls_verify_certificates", opt_stringptr, OFF(tls_verify_certificates), NULL},
    {"tls_verify_hosts", opt_stringptr, OFF(tls_verify_hosts), NULL},
    TPDA_ROW(tpda_host_defer_action, opt_stringptr),
    {"utf8_downconvert", opt_missing, 0, "SMTPUTF8 (I18N)"},
};

const smtp_transport_options smtp_transport_options_default = {
    .address_retry_include_sender = true,
    .command_timeout = 300,
    .connect_timeout = 300,
    .connection_max_messages = 500,
    .data_timeout = 300,
    .delay_after_cutoff = true,
    .dkim_hash = "sha256",
    .dns_qualify_single = true,
    .dnssec_request_domains = "*",
    .final_timeout = 600,
    .helo_data = "$primary_hostname",
    .host_name_extract = "${if and {{match{$host}{.outlook.com\\$}} {match{$item}{\\N^250-([\\w.]+)\\s\\N}}} {$1}}",
    .hosts_max_try = 5,
    .hosts_max_try_hardlimit = 50,
    .hosts_request_ocsp = "*",
    .hosts_try_chunking = "*",
    .hosts_try_fastopen = "*",
    .hosts_try_prdr = "*",
    .keepalive = true,
    .max_rcpt = 100,
    .message_linelength_limit = 998,
    .multi_domain = {.value = true},
    .port = "smtp",
    .protocol = "smtp",
    .retry_include_ip_address = {.value = true},
    .size_addition = 1024,
    .tls_dh_min_bits = 1024,
    .tls_tempfail_tryclear = true,
    .tls_try_verify_hosts = "*",
    .tls_verify_cert_hostnames = "*",
    .tls_verify_certificates = "system",
};


/* ---- continued connections (several messages per connection) ---- */

/* The connection kept open after a delivery for the next message to the
 * same host: when a queue runner asked for it (wanted), or while
 * messages taken from wait-<transport> are being carried on. The
 * connection's buffers are malloc'd; its gstring is renewed per use. */
static struct kept_conn {
    bool wanted;
    bool open;
    smtp_conn c;
    const transport_instance *t;
    char address[INET6_ADDRSTRLEN + 1];
    int port;
    int messages;
} kept;

/* Messages to carry on with down the kept connection (continued delivery). */
static struct {
    char ids[LIMIT_WAIT_IDS][MESSAGE_ID_LENGTH + 1];
    int n, next;
    bool running;
} cont;

static bool keep_wanted(void) { return kept.wanted || cont.next < cont.n; }

static void kept_close(void)
{
    if (!kept.open) return;
    kept.c.out = string_get(64);
    kept.c.host_name = kept.c.error_text = NULL;
    smtp_out_close(&kept.c, true);
    kept.open = false;
}

void smtp_transport_continue(bool on)
{
    kept.wanted = on;
    if (!on && !cont.running) kept_close();
}

void smtp_transport_run_continued(void)
{
    if (cont.running || cont.next >= cont.n) return;
    cont.running = true;
    while (cont.next < cont.n && kept.open) {
        char id[MESSAGE_ID_LENGTH + 1];
        memcpy(id, cont.ids[cont.next++], sizeof id);
        DEBUG(D_transport) debug_printf("continued delivery of %s down the connection to %s\n", id, kept.address);
        (void)deliver_message(id, false, false);
    }
    cont.n = cont.next = 0;
    cont.running = false;
    if (!kept.wanted) kept_close();
}

/* take_waiting - after a delivery to h: messages waiting for it, to be
 * delivered down this connection once the current message is done */
static void take_waiting(const smtp_ctx *x, const host_item *h)
{
    if (cont.next < cont.n) return; /* still working through a list */
    int room = x->ob->connection_max_messages - kept.messages - 1;
    if (room > LIMIT_WAIT_IDS) room = LIMIT_WAIT_IDS;
    if (room <= 0) return;
    char **ids = smtp_wait_take(x->t, h->name, x->spool->id, room);
    cont.n = cont.next = 0;
    for (int i = 0; ids && ids[i]; i++)
        snprintf(cont.ids[cont.n++], MESSAGE_ID_LENGTH + 1, "%s", ids[i]);
}

/* ---- results ---- */

static void set_result(address_item *a, int rc, int err, int more, const char *text)
{
    a->transport_return = rc;
    a->basic_errno = err;
    a->more_errno = more;
    a->message = text ? string_copy(text) : NULL;
    if (rc == FAIL && text) a->user_message = a->message;
}

static bool pending(const address_item *a) { return a->transport_return == PENDING_DEFER; }

/* address_retry_key - "R:lp@domain:<sender>" or without the sender */
static char *address_retry_key(const smtp_ctx *x, const address_item *a)
{
    if (x->ob->address_retry_include_sender)
        return string_sprintf("R:%s:<%s>", a->address, x->sender);
    return string_sprintf("R:%s", a->address);
}

/* host_error - a host-level failure: every pending address gets a retry
 * item for the host, the error is remembered for the final defer */
static void host_error(smtp_ctx *x, const host_item *h, const smtp_conn *c, const char *text)
{
    int more = h->mx >= 0 ? 'M' : 'A';
    x->last_error = string_copy(text);
    x->last_errno = c->error;
    x->last_more_errno = more;
    /* no log line of its own (Exim 4.96 writes none): the address's
     * deferral names the last host that answered */
    for (address_item *a = x->addrlist; a; a = a->next) {
        if (!pending(a)) continue;
        if (c->fd >= 0 || c->error != ECONNREFUSED) a->host_used = (host_item *)h;
        retry_item *ri = retry_add_item(a, smtp_host_retry_key(h, x->port, x->ob->retry_include_ip_address.value),
                                        RETRY_SET | RETRY_HOST | (x->final_try ? RETRY_FINAL : 0));
        ri->host_name = h->name;
        ri->basic_errno = c->error;
        ri->more_errno = more;
        ri->message = x->last_error;
    }
    /* EXPERIMENTAL_TPDA: tpda_host_defer_action hooks in here (one call) */
}

/* message_error - a 4xx/5xx to MAIL or DATA, or a 4xx to RCPT: applies
 * to the addresses given; 4xx also records an address retry item */
static void message_error(smtp_ctx *x, const host_item *h, address_item **batch, int n, const smtp_reply *r,
                          int err4xx, const char *after)
{
    char *text = smtp_out_reply_log(r, after);
    bool perm = r->code >= 500;
    for (int i = 0; i < n; i++) {
        if (!batch[i] || !pending(batch[i])) continue;
        set_result(batch[i], perm ? FAIL : DEFER, perm ? 0 : err4xx, r->code, text);
        batch[i]->host_used = (host_item *)h; /* H= on the ** or == line */
        if (perm) continue;
        retry_item *ri = retry_add_item(batch[i], address_retry_key(x, batch[i]), RETRY_SET | RETRY_MESSAGE);
        ri->basic_errno = err4xx;
        ri->more_errno = r->code;
        ri->message = text;
    }
}

static bool host_in_list(const host_item *h, const char *list)
{
    if (!list || !*list) return false;
    char *l = expand_string(list);
    if (!l) return false;
    match_host mh = {.address = h->address, .name = h->name};
    return match_host_list(&mh, l, NULL) == OK;
}

/* ---- session ---- */

/* greet - read the banner and say EHLO (or HELO); OK or DEFER */
static int greet(smtp_ctx *x, smtp_conn *c, const host_item *h, char **why)
{
    const smtp_transport_options *ob = x->ob;
    smtp_reply r;
    if (smtp_out_read_reply(c, ob->command_timeout, &r) != OK) return DEFER;
    if (r.code / 100 != 2) { *why = smtp_out_reply_log(&r, "initial connection"); return DEFER; }
    if (!host_in_list(h, ob->hosts_avoid_esmtp)) {
        if (smtp_out_command(c, ob->command_timeout, &r, "EHLO %s", x->helo) != OK) return DEFER;
        if (r.code / 100 == 2) {
            c->esmtp = true;
            smtp_out_parse_ehlo(c, &r);
            if (host_in_list(h, ob->hosts_avoid_pipelining)) c->caps &= ~(unsigned)CAP_PIPELINING;
            /* STARTTLS goes here, before anything else is said (TLS issue):
             * when c->caps has CAP_STARTTLS and hosts_avoid_tls does not
             * match, start TLS, then EHLO again. */
            return OK;
        }
        if (r.code / 100 == 4) { *why = smtp_out_reply_log(&r, "EHLO"); return DEFER; }
    }
    if (smtp_out_command(c, ob->command_timeout, &r, "HELO %s", x->helo) != OK) return DEFER;
    if (r.code / 100 != 2) { *why = smtp_out_reply_log(&r, "HELO"); return DEFER; }
    return OK;
}

/* mail_command - "MAIL FROM:<s> SIZE=n ..." */
static char *mail_command(const smtp_ctx *x, const smtp_conn *c)
{
    gstring *g = string_get(128);
    g = string_fmt_append(g, "MAIL FROM:<%s>", x->sender);
    if (c->caps & CAP_SIZE) /* a negative size_addition is added too, as Exim 4.96 does */
        g = string_fmt_append(g, " SIZE=%ld", x->size + x->ob->size_addition);
    if ((c->caps & CAP_8BITMIME) && x->body_8bit) g = string_cat(g, " BODY=8BITMIME");
#ifdef EXPERIMENTAL_DSN
    if (c->caps & CAP_DSN) g = xp_dsn_mail_params(g, x->spool);
#endif
    return string_from_gstring(g);
}

static char *rcpt_command(const smtp_conn *c, const address_item *a)
{
    gstring *g = string_get(128);
    g = string_fmt_append(g, "RCPT TO:<%s>", a->address);
#ifdef EXPERIMENTAL_DSN
    if (c->caps & CAP_DSN) g = xp_dsn_rcpt_params(g, a->dsn_flags, a->dsn_orcpt);
#endif
    return string_from_gstring(g);
}

/* lost - the connection failed mid-transaction */
static int lost(smtp_ctx *x, const host_item *h, smtp_conn *c, const char *when)
{
    const char *text = c->error == ETIMEDOUT ? string_sprintf("SMTP timeout after %s", when)
        : c->error == ERRNO_SMTP_CLOSED ? string_sprintf("Remote host closed connection in response to %s", when)
        : string_sprintf("%s after %s", c->error_text ? c->error_text : "connection lost", when);
    host_error(x, h, c, text);
    return DEFER;
}

/* ---- one transaction ---- */

/* pick_batch - up to max_rcpt pending addresses (one domain unless
 * multi_domain); returns how many */
static int pick_batch(const smtp_ctx *x, address_item **batch, int max)
{
    int n = 0;
    const char *domain = NULL;
    for (address_item *a = x->addrlist; a && n < max; a = a->next) {
        if (!pending(a) || (a->flags & AFL_RETRY_SKIPPED)) continue;
        if (!x->ob->multi_domain.value && domain && strcasecmp(domain, a->domain ? a->domain : "") != 0)
            continue;
        if (!domain) domain = a->domain ? a->domain : "";
        batch[n++] = a;
    }
    return n;
}

/* rcpt_replies - read each RCPT's reply in order; returns accepted count,
 * -1 if the connection failed */
static int rcpt_replies(smtp_ctx *x, smtp_conn *c, const host_item *h, address_item **batch, int n,
                        bool pipelined)
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        smtp_reply r;
        char *cmd = rcpt_command(c, batch[i]);
        if (!pipelined) {
            smtp_out_queue(c, "%s", cmd);
            if (smtp_out_flush(c, x->ob->command_timeout) != OK) return lost(x, h, c, cmd), -1;
        }
        if (smtp_out_read_reply(c, x->ob->command_timeout, &r) != OK) return lost(x, h, c, cmd), -1;
        if (r.code / 100 == 2) { ok++; continue; }
        /* Exim 4.96 never says "pipelined" of a RCPT (it does of MAIL and DATA) */
        message_error(x, h, &batch[i], 1, &r, ERRNO_RCPT4XX, cmd);
        batch[i] = NULL; /* not part of the DATA */
    }
    return ok;
}

/* data_phase - DATA reply already due; send the message and set results */
static int data_phase(smtp_ctx *x, smtp_conn *c, const host_item *h, address_item **batch, int n,
                      int accepted)
{
    smtp_reply r;
    if (smtp_out_read_reply(c, x->ob->command_timeout, &r) != OK) return lost(x, h, c, "DATA");
    if (!accepted) return r.code == 354 ? lost(x, h, c, "DATA") : OK; /* nothing to send */
    if (r.code != 354) {
        message_error(x, h, batch, n, &r, ERRNO_DATA4XX, c->caps & CAP_PIPELINING ? "pipelined DATA" : "DATA");
        return OK;
    }
    char *err;
    int rc = smtp_data_send(x, c, &err);
    if (rc == ERROR) { /* not the host's fault: drop the connection, defer */
        for (int i = 0; i < n; i++)
            if (batch[i]) set_result(batch[i], DEFER, 0, 0, err);
        smtp_out_close(c, false);
        return DEFER;
    }
    if (rc != OK) return lost(x, h, c, "sending data block");
    if (smtp_out_read_reply(c, x->ob->final_timeout, &r) != OK) return lost(x, h, c, "end of data");
    if (r.code / 100 != 2) { message_error(x, h, batch, n, &r, ERRNO_DATA4XX, "end of data"); return OK; }
    for (int i = 0; i < n; i++) {
        if (!batch[i]) continue;
        set_result(batch[i], OK, 0, 0, NULL);
        batch[i]->delivery_confirmation = string_printing(r.text);
        batch[i]->host_used = (host_item *)h;
        retry_add_item(batch[i], address_retry_key(x, batch[i]), RETRY_DELETE);
    }
    return OK;
}

/* transaction - MAIL, RCPTs, DATA for one batch; DEFER if the
 * connection is no longer usable */
static int transaction(smtp_ctx *x, smtp_conn *c, const host_item *h, address_item **batch, int n)
{
    bool pipe = (c->caps & CAP_PIPELINING) != 0;
    char *mail = mail_command(x, c);
    smtp_reply r;
    smtp_out_queue(c, "%s", mail);
    if (pipe) {
        for (int i = 0; i < n; i++) smtp_out_queue(c, "%s", rcpt_command(c, batch[i]));
        smtp_out_queue(c, "DATA");
    }
    if (smtp_out_flush(c, x->ob->command_timeout) != OK) return lost(x, h, c, mail);
    if (smtp_out_read_reply(c, x->ob->command_timeout, &r) != OK) return lost(x, h, c, mail);
    if (r.code / 100 != 2) {
        message_error(x, h, batch, n, &r, ERRNO_MAIL4XX, pipe ? string_sprintf("pipelined %s", mail) : mail);
        if (pipe) { /* drain the RCPT and DATA replies */
            for (int i = 0; i <= n; i++)
                if (smtp_out_read_reply(c, x->ob->command_timeout, &r) != OK) return DEFER;
        }
        return smtp_out_command(c, x->ob->command_timeout, &r, "RSET") == OK ? OK : DEFER;
    }
    int accepted = rcpt_replies(x, c, h, batch, n, pipe);
    if (accepted < 0) return DEFER;
    if (!pipe && accepted) {
        smtp_out_queue(c, "DATA");
        if (smtp_out_flush(c, x->ob->command_timeout) != OK) return lost(x, h, c, "DATA");
    }
    if (!pipe && !accepted)
        return smtp_out_command(c, x->ob->command_timeout, &r, "RSET") == OK ? OK : DEFER;
    if (data_phase(x, c, h, batch, n, accepted) != OK) return DEFER;
    return c->fd >= 0 ? OK : DEFER;
}

/* ---- one host ---- */

/* take_kept - the kept connection if it goes to h:port for t (another
 * host's connection stays kept: a later host of the list may be it) */
static bool take_kept(smtp_ctx *x, const host_item *h, int port, smtp_conn *c)
{
    if (!kept.open) return false;
    bool same = kept.t == x->t && kept.port == port && strcmp(kept.address, h->address) == 0;
    if (!same) return false;
    if (kept.messages >= x->ob->connection_max_messages) { kept_close(); return false; }
    *c = kept.c;
    c->out = string_get(256); /* the old one lived in the previous message's pool */
    c->host_name = h->name;
    c->error = 0;
    c->error_text = NULL;
    kept.open = false;
    smtp_reply r;
    if (smtp_out_command(c, x->ob->command_timeout, &r, "RSET") == OK && r.code / 100 == 2) {
        x->continued = true;
        return true;
    }
    smtp_out_close(c, false);
    return false;
}

static void keep_or_close(smtp_ctx *x, const host_item *h, int port, smtp_conn *c, bool usable)
{
    if (!usable || !keep_wanted()) { smtp_out_close(c, usable); return; }
    bool again = x->continued && kept.t == x->t && strcmp(kept.address, h->address) == 0;
    if (kept.open) kept_close(); /* a connection to another host */
    kept.messages = again ? kept.messages + 1 : 1;
    snprintf(kept.address, sizeof kept.address, "%s", h->address);
    kept.c = *c;
    kept.t = x->t;
    kept.port = port;
    kept.open = true;
}

static bool delivered_to(const smtp_ctx *x, const host_item *h)
{
    for (const address_item *a = x->addrlist; a; a = a->next)
        if (a->transport_return == OK && a->host_used == h) return true;
    return false;
}

/* try_host - deliver the pending addresses to one host */
static void try_host(smtp_ctx *x, host_item *h)
{
    int port = h->port != PORT_NONE ? h->port : x->port;
    smtp_conn c;
    char *why = NULL;
    dlv.cur_host = h; /* $host, $host_address, $host_port for expansions */
    dlv.host = h->name;
    dlv.host_address = h->address;
    dlv.host_port = port;
    x->continued = false;
    if (!take_kept(x, h, port, &c)) {
        int rc = smtp_out_connect(&c, h->address, port, x->interface, x->ob->connect_timeout,
                                  x->ob->keepalive);
        c.host_name = h->name;
        if (rc != OK) { host_error(x, h, &c, c.error_text); return; }
        if (greet(x, &c, h, &why) != OK) {
            if (!why) why = c.error == ETIMEDOUT ? "SMTP timeout after initial connection" : c.error_text;
            if (!c.error) c.error = ERRNO_SMTP_FORMAT;
            host_error(x, h, &c, why);
            smtp_out_close(&c, false);
            return;
        }
    }
    retry_add_item(x->addrlist, smtp_host_retry_key(h, port, x->ob->retry_include_ip_address.value),
                   RETRY_DELETE | RETRY_HOST);
    int max = x->ob->max_rcpt > 0 ? x->ob->max_rcpt : 1;
    address_item **batch = store_get(sizeof *batch * (size_t)max, GET_UNTAINTED);
    int n;
    bool usable = true;
    while (usable && (n = pick_batch(x, batch, max)) > 0)
        usable = transaction(x, &c, h, batch, n) == OK;
    usable = usable && c.fd >= 0;
    if (usable && delivered_to(x, h)) take_waiting(x, h);
    keep_or_close(x, h, port, &c, usable);
}

/* ---- entry point ---- */

/* setup - expand the per-delivery options; false with the error in *err */
static bool setup(smtp_ctx *x, char **err)
{
    const smtp_transport_options *ob = x->ob;
    char *port = expand_string(ob->port);
    if (!port) { *err = string_sprintf("failed to expand port \"%s\": %s", ob->port, expand_error()); return false; }
    if ((x->port = smtp_port_number(port)) < 0) { *err = string_sprintf("invalid port \"%s\"", port); return false; }
    if (ob->interface && !(x->interface = expand_string(ob->interface))) {
        *err = string_sprintf("failed to expand interface \"%s\": %s", ob->interface, expand_error());
        return false;
    }
    if (x->interface && !*x->interface) x->interface = NULL;
    x->helo = expand_string(ob->helo_data);
    if (!x->helo) { *err = string_sprintf("failed to expand helo_data \"%s\": %s", ob->helo_data, expand_error()); return false; }
    if (!smtp_message_open(x, err)) return false;
    if (x->t->return_path) { /* the envelope sender for this delivery */
        char *rp = transport_expand(x->t, "return_path", x->t->return_path, err);
        if (!rp) return false;
        x->sender = rp;
    }
    x->body_8bit = smtp_message_8bit(x);
    return true;
}

/* past_cutoff - has the message been queued longer than the final
 * cutoff of the rule for this host's failure? */
static bool past_cutoff(const smtp_ctx *x, const host_item *h, const retry_record *rec, long now)
{
    const char *domain = x->addrlist->domain;
    const retry_rule *r = retry_find_rule(h->name, domain, rec->basic_errno, rec->more_errno, x->sender);
    int cutoff = retry_rule_cutoff(r);
    return r && cutoff > 0 && now - x->spool->received_time > cutoff;
}

/* host_due - retry check. A host waiting for its retry time is still
 * tried when the message has outlived the rule's cutoff (a failure then
 * times the addresses out: RETRY_FINAL), or, with delay_after_cutoff
 * false, when it is past its cutoff and was not tried since the message
 * arrived. Otherwise false, with the host marked. */
static bool host_due(smtp_ctx *x, host_item *h)
{
    int port = h->port != PORT_NONE ? h->port : x->port;
    retry_record rec;
    long now = (long)time(NULL);
    h->why = HWHY_UNKNOWN;
    if (retry_read(smtp_host_retry_key(h, port, x->ob->retry_include_ip_address.value), &rec) != OK) return true;
    if (now >= rec.next_try) return true;
    h->status = rec.expired ? HSTATUS_UNUSABLE_EXPIRED : HSTATUS_UNUSABLE;
    h->why = HWHY_RETRY;
    if (past_cutoff(x, h, &rec, now)) { h->why = HWHY_DEFERRED; return true; }
    if (rec.expired && !x->ob->delay_after_cutoff && rec.last_try < x->spool->received_time) return true;
    return false;
}

static bool any_pending(const smtp_ctx *x)
{
    for (const address_item *a = x->addrlist; a; a = a->next)
        if (pending(a)) return true;
    return false;
}

/* skipped_text - why nothing was tried: every host waits for its retry
 * time; when all of them are past their cutoff the address fails */
static const char *skipped_text(const smtp_ctx *x, const host_item *hosts, bool *fail)
{
    bool all_expired = true;
    for (const host_item *h = hosts; h; h = h->next)
        if (h->why == HWHY_RETRY && h->status != HSTATUS_UNUSABLE_EXPIRED) all_expired = false;
    *fail = all_expired;
    if (!all_expired) return "retry time not reached for any host";
    return x->ob->delay_after_cutoff ? "retry time not reached for any host after a long failure period"
                                     : "all hosts have been failing for a long time and were last tried after this message arrived";
}

/* finish - addresses still pending are deferred with the last error */
static void finish(smtp_ctx *x, const host_item *hosts, int skipped, int tried)
{
    bool fail = false;
    const char *skip = !tried && skipped ? skipped_text(x, hosts, &fail) : NULL;
    for (address_item *a = x->addrlist; a; a = a->next) {
        if (!pending(a)) continue;
        if (skip) set_result(a, fail ? FAIL : DEFER, ERRNO_HOST_RETRY, 0, skip);
        else set_result(a, DEFER, x->last_errno, x->last_more_errno,
                        x->last_error ? x->last_error : "no host could be tried");
    }
}

/* try_hosts - the hosts in order: hosts_max_try of the main list (and
 * hosts_max_try_hardlimit counting skipped ones), then the fallbacks */
static void try_hosts(smtp_ctx *x, host_item *hosts, int *tried, int *skipped)
{
    int main_tried = 0, fb_tried = 0;
    for (host_item *h = hosts; h && any_pending(x); h = h->next) {
        int *count = h->fallback ? &fb_tried : &main_tried;
        if (*count >= x->ob->hosts_max_try) continue;
        if (!h->fallback && main_tried + *skipped >= x->ob->hosts_max_try_hardlimit) continue;
        if (!host_due(x, h)) { (*skipped)++; continue; }
        (*count)++;
        (*tried)++;
        x->final_try = h->why == HWHY_DEFERRED;
        try_host(x, h);
    }
}

/* waiting_hosts - note the message in wait-<transport> when an address
 * is left deferred for host reasons */
static void note_waiting(const smtp_ctx *x, const host_item *hosts)
{
    for (const address_item *a = x->addrlist; a; a = a->next)
        if (a->transport_return == DEFER && a->basic_errno != ERRNO_RCPT4XX && a->basic_errno != 0) {
            smtp_wait_update(x, hosts);
            return;
        }
}

static bool smtp_transport_deliver(transport_instance *t, address_item *addrlist)
{
    smtp_ctx x = {.t = t, .ob = t->drinst.options_block, .addrlist = addrlist, .data_fd = -1};
    char *err = NULL;
    bool defer = false;
    for (address_item *a = addrlist; a; a = a->next) a->transport_return = PENDING_DEFER;
    host_item *hosts = setup(&x, &err) ? smtp_hosts_build(&x, &err, &defer) : NULL;
    if (!hosts) {
        for (address_item *a = addrlist; a; a = a->next)
            set_result(a, defer || !x.spool ? DEFER : FAIL, 0, 0, err);
        smtp_message_close(&x);
        return true;
    }
    int tried = 0, skipped = 0;
    try_hosts(&x, hosts, &tried, &skipped);
    finish(&x, hosts, skipped, tried);
    note_waiting(&x, hosts);
    dlv.cur_host = NULL;
    dlv.host = dlv.host_address = NULL;
    smtp_message_close(&x);
    return true;
}

/* smtp_transport_init - nothing is required: hosts may come from the router */
static const char *smtp_transport_init(driver_instance *d)
{
    return transport_generic_init(d);
}

const transport_info smtp_transport_info = {
    .drinfo = {
        .driver_name = "smtp",
        .options = smtp_transport_optionlist,
        .options_count = NELEM(smtp_transport_optionlist),
        .options_default = &smtp_transport_options_default,
        .options_len = sizeof(smtp_transport_options),
        .init = smtp_transport_init,
    },
    .deliver = smtp_transport_deliver,
    .local = false,
};
