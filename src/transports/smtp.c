/* smtp.c - the smtp transport: delivers to remote hosts over SMTP or
 * LMTP, with TLS, AUTH, PRDR, OCSP and DKIM signing.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../transport.h"

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
};
