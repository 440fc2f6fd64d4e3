/* cfg_main.c - the main-section option table, its defaults, and the
 * defaults that can only be worked out once the file has been read.
 *
 * Runs at config load in every process. The table is sorted by name
 * (binary search; test/unit/test_main_options.c checks the order) and
 * follows Exim 4.96's names, types and -bP formats. Three kinds of row
 * besides the plain ones:
 *   - options of an EXPERIMENTAL_* module sit inside its #ifdef and point
 *     (.base) into the module's own options block;
 *   - options of features this binary does not have (LDAP, Perl, content
 *     scanning, GnuTLS...) are opt_missing rows naming the feature, so a
 *     config that sets them fails with a clear message instead of being
 *     silently half-obeyed;
 *   - old names (return_size_limit, proxy_required_hosts) are opt_alias
 *     rows whose .aux is the current name. */

/* System */
#include <pwd.h>
#include <grp.h>
#include <sys/utsname.h>
/* MTA core */
#include "tern.h"
#include "cfg_main.h"
#include "version.h"
#include "xp_all.h"

#define MO(name, type) {#name, type, OPT_OFF(struct main_options, name), NULL, NULL}
#define MISSING(name, feature) {#name, opt_missing, 0, feature, NULL}
#define ALIAS(name, target) {#name, opt_alias, 0, target, NULL}
/* XO - a row whose value lives in an experimental module's options block */
#define XO(name, type, block) {#name, type, offsetof(__typeof__(block), name), NULL, &(block)}
/* DCC_OPT, DMARC_OPT - the module's row when it is built, else a refusal
 * that names the missing switch */
#ifdef EXPERIMENTAL_DCC
#define DCC_OPT(name, type) XO(name, type, xp_dcc_opts)
#else
#define DCC_OPT(name, type) MISSING(name, "EXPERIMENTAL_DCC")
#endif
#ifdef EXPERIMENTAL_DMARC
#define DMARC_OPT(name, type) XO(name, type, xp_dmarc_opts)
#else
#define DMARC_OPT(name, type) MISSING(name, "EXPERIMENTAL_DMARC")
#endif

const optionlist main_optionlist[] = {
    MO(accept_8bitmime, opt_bool),
    MO(acl_not_smtp, opt_stringptr),
    MO(acl_not_smtp_mime, opt_stringptr),
    MO(acl_not_smtp_start, opt_stringptr),
    MO(acl_smtp_auth, opt_stringptr),
    MO(acl_smtp_connect, opt_stringptr),
    MO(acl_smtp_data, opt_stringptr),
#ifndef DISABLE_PRDR
    MO(acl_smtp_data_prdr, opt_stringptr),
#else
    MISSING(acl_smtp_data_prdr, "PRDR support"),
#endif
#ifndef DISABLE_DKIM
    MO(acl_smtp_dkim, opt_stringptr),
#else
    MISSING(acl_smtp_dkim, "DKIM support"),
#endif
    MO(acl_smtp_etrn, opt_stringptr),
    MO(acl_smtp_expn, opt_stringptr),
    MO(acl_smtp_helo, opt_stringptr),
    MO(acl_smtp_mail, opt_stringptr),
    MO(acl_smtp_mailauth, opt_stringptr),
    MO(acl_smtp_mime, opt_stringptr),
    MO(acl_smtp_notquit, opt_stringptr),
    MO(acl_smtp_predata, opt_stringptr),
    MO(acl_smtp_quit, opt_stringptr),
    MO(acl_smtp_rcpt, opt_stringptr),
    MO(acl_smtp_starttls, opt_stringptr),
    MO(acl_smtp_vrfy, opt_stringptr),
    MO(add_environment, opt_string),
    MO(admin_groups, opt_gidlist),
    MO(allow_domain_literals, opt_bool),
    MO(allow_mx_to_ip, opt_bool),
    MO(allow_utf8_domains, opt_bool),
    MO(auth_advertise_hosts, opt_stringptr),
    MO(auto_thaw, opt_time),
    MISSING(av_scanner, "content scanning (WITH_CONTENT_SCAN)"),
    MO(bi_command, opt_string),
    MISSING(bmi_config_file, "Brightmail support"),
    MO(bounce_message_file, opt_stringptr),
    MO(bounce_message_text, opt_string),
    MO(bounce_return_body, opt_bool),
    MO(bounce_return_linesize_limit, opt_mkint),
    MO(bounce_return_message, opt_bool),
    MO(bounce_return_size_limit, opt_mkint),
    MO(bounce_sender_authentication, opt_string),
    MO(callout_domain_negative_expire, opt_time),
    MO(callout_domain_positive_expire, opt_time),
    MO(callout_negative_expire, opt_time),
    MO(callout_positive_expire, opt_time),
    MO(callout_random_local_part, opt_stringptr),
    MO(check_log_inodes, opt_int),
    MO(check_log_space, opt_Kint),
    MO(check_rfc2047_length, opt_bool),
    MO(check_spool_inodes, opt_int),
    MO(check_spool_space, opt_Kint),
    MO(chunking_advertise_hosts, opt_stringptr),
    MO(commandline_checks_require_admin, opt_bool),
    ALIAS(daemon_smtp_port, "daemon_smtp_ports"),
    MO(daemon_smtp_ports, opt_string),
    MO(daemon_startup_retries, opt_int),
    MO(daemon_startup_sleep, opt_time),
    DCC_OPT(dcc_direct_add_header, opt_bool),
    DCC_OPT(dccifd_address, opt_string),
    DCC_OPT(dccifd_options, opt_stringptr),
    MO(debug_store, opt_bool),
    MO(delay_warning, opt_timelist),
    MO(delay_warning_condition, opt_stringptr),
    MO(deliver_drop_privilege, opt_bool),
    MO(deliver_queue_load_max, opt_fixed),
    MO(delivery_date_remove, opt_bool),
    MISSING(disable_fsync, "ENABLE_DISABLE_FSYNC (Tern always syncs its spool)"),
    MO(disable_ipv6, opt_bool),
#ifndef DISABLE_DKIM
    MO(dkim_verify_hashes, opt_string),
    MO(dkim_verify_keytypes, opt_string),
    MO(dkim_verify_min_keysizes, opt_string),
    MO(dkim_verify_minimal, opt_bool),
    MO(dkim_verify_signers, opt_stringptr),
#else
    MISSING(dkim_verify_hashes, "DKIM support"),
    MISSING(dkim_verify_keytypes, "DKIM support"),
    MISSING(dkim_verify_min_keysizes, "DKIM support"),
    MISSING(dkim_verify_minimal, "DKIM support"),
    MISSING(dkim_verify_signers, "DKIM support"),
#endif
    DMARC_OPT(dmarc_forensic_sender, opt_stringptr),
    DMARC_OPT(dmarc_history_file, opt_string),
    DMARC_OPT(dmarc_tld_file, opt_string),
    MO(dns_again_means_nonexist, opt_stringptr),
    MO(dns_check_names_pattern, opt_string),
    MO(dns_cname_loops, opt_int),
    MO(dns_csa_search_limit, opt_int),
    MO(dns_csa_use_reverse, opt_bool),
    MISSING(dns_dane_ok, "DANE support"),
    MO(dns_dnssec_ok, opt_int),
    MO(dns_ipv4_lookup, opt_stringptr),
    MO(dns_retrans, opt_time),
    MO(dns_retry, opt_int),
    MO(dns_trust_aa, opt_stringptr),
    MO(dns_use_edns0, opt_int),
    MO(drop_cr, opt_bool),
#ifdef EXPERIMENTAL_DSN
    XO(dsn_advertise_hosts, opt_stringptr, xp_dsn_opts),
#else
    MISSING(dsn_advertise_hosts, "EXPERIMENTAL_DSN"),
#endif
    MO(dsn_from, opt_stringptr),
    MO(envelope_to_remove, opt_bool),
    MO(errors_copy, opt_stringptr),
    MO(errors_reply_to, opt_string),
    MO(event_action, opt_stringptr),
    MO(exim_group, opt_gid),
    MO(exim_path, opt_string),
    MO(exim_user, opt_uid),
    MO(exim_version, opt_string),
    MO(extra_local_interfaces, opt_string),
    MO(extract_addresses_remove_arguments, opt_bool),
    MO(finduser_retries, opt_int),
    MO(freeze_tell, opt_stringptr),
    MO(gecos_name, opt_stringptr),
    MO(gecos_pattern, opt_string),
    MISSING(gnutls_allow_auto_pkcs11, "GnuTLS support (Tern uses OpenSSL)"),
    MISSING(gnutls_compat_mode, "GnuTLS support (Tern uses OpenSSL)"),
    MISSING(gnutls_require_kx, "GnuTLS support (Tern uses OpenSSL)"),
    MISSING(gnutls_require_mac, "GnuTLS support (Tern uses OpenSSL)"),
    MISSING(gnutls_require_protocols, "GnuTLS support (Tern uses OpenSSL)"),
    MO(header_line_maxsize, opt_int),
    MO(header_maxsize, opt_int),
    MO(headers_charset, opt_string),
    MO(helo_accept_junk_hosts, opt_stringptr),
    MO(helo_allow_chars, opt_string),
    MO(helo_lookup_domains, opt_stringptr),
    MO(helo_try_verify_hosts, opt_stringptr),
    MO(helo_verify_hosts, opt_stringptr),
    MO(hold_domains, opt_stringptr),
    MO(host_lookup, opt_stringptr),
    MO(host_lookup_order, opt_string),
    MO(host_reject_connection, opt_stringptr),
    MO(hosts_connection_nolog, opt_stringptr),
#ifdef EXPERIMENTAL_PROXY
    XO(hosts_proxy, opt_stringptr, xp_proxy_opts),
#else
    MISSING(hosts_proxy, "EXPERIMENTAL_PROXY"),
#endif
    MO(hosts_require_alpn, opt_stringptr),
    MO(hosts_require_helo, opt_stringptr),
    MO(hosts_treat_as_local, opt_stringptr),
    MISSING(ibase_servers, "Interbase lookup support"),
    MO(ignore_bounce_errors_after, opt_time),
    MO(ignore_fromline_hosts, opt_stringptr),
    MO(ignore_fromline_local, opt_bool),
    MO(keep_environment, opt_string),
    MO(keep_malformed, opt_time),
    MISSING(ldap_ca_cert_dir, "LDAP support"),
    MISSING(ldap_ca_cert_file, "LDAP support"),
    MISSING(ldap_cert_file, "LDAP support"),
    MISSING(ldap_cert_key, "LDAP support"),
    MISSING(ldap_cipher_suite, "LDAP support"),
    MISSING(ldap_default_servers, "LDAP support"),
    MISSING(ldap_require_cert, "LDAP support"),
    MISSING(ldap_start_tls, "LDAP support"),
    MISSING(ldap_version, "LDAP support"),
    MO(local_from_check, opt_bool),
    MO(local_from_prefix, opt_string),
    MO(local_from_suffix, opt_string),
    MO(local_interfaces, opt_string),
    MISSING(local_scan_path, "local_scan support"),
    MISSING(local_scan_timeout, "local_scan support"),
    MO(local_sender_retain, opt_bool),
    MO(localhost_number, opt_stringptr),
    MO(log_file_path, opt_stringptr),
    MO(log_selector, opt_string),
    MO(log_timezone, opt_bool),
    MO(lookup_open_max, opt_int),
    MO(max_username_length, opt_int),
    MO(message_body_newlines, opt_bool),
    MO(message_body_visible, opt_mkint),
    MO(message_id_header_domain, opt_stringptr),
    MO(message_id_header_text, opt_stringptr),
    MO(message_logs, opt_bool),
    MO(message_size_limit, opt_stringptr),
    MISSING(move_frozen_messages, "SUPPORT_MOVE_FROZEN_MESSAGES"),
    MO(mua_wrapper, opt_bool),
    MISSING(mysql_servers, "MySQL lookup support"),
    MO(never_users, opt_uidlist),
    MO(notifier_socket, opt_stringptr),
    MO(openssl_options, opt_string),
    MISSING(oracle_servers, "Oracle lookup support"),
    MO(percent_hack_domains, opt_stringptr),
    MISSING(perl_at_start, "Perl support"),
    MISSING(perl_startup, "Perl support"),
    MISSING(perl_taintmode, "Perl support"),
    MISSING(pgsql_servers, "PostgreSQL lookup support"),
    MO(pid_file_path, opt_stringptr),
    MO(pipelining_advertise_hosts, opt_stringptr),
    MO(pipelining_connect_advertise_hosts, opt_stringptr),
#ifndef DISABLE_PRDR
    MO(prdr_enable, opt_bool),
#else
    MISSING(prdr_enable, "PRDR support"),
#endif
    MO(preserve_message_logs, opt_bool),
    MO(primary_hostname, opt_string),
    MO(print_topbitchars, opt_bool),
    MO(process_log_path, opt_string),
    MO(prod_requires_admin, opt_bool),
#ifdef EXPERIMENTAL_PROXY
    XO(proxy_protocol_timeout, opt_time, xp_proxy_opts),
    ALIAS(proxy_required_hosts, "hosts_proxy"),
#else
    MISSING(proxy_protocol_timeout, "EXPERIMENTAL_PROXY"),
    MISSING(proxy_required_hosts, "EXPERIMENTAL_PROXY"),
#endif
    MO(qualify_domain, opt_string),
    MO(qualify_recipient, opt_string),
    MO(queue_domains, opt_stringptr),
    MO(queue_fast_ramp, opt_bool),
    MO(queue_list_requires_admin, opt_bool),
    MO(queue_only, opt_bool),
    MO(queue_only_file, opt_string),
    MO(queue_only_load, opt_fixed),
    MO(queue_only_load_latch, opt_bool),
    MO(queue_only_override, opt_bool),
    MO(queue_run_in_order, opt_bool),
    MO(queue_run_max, opt_stringptr),
    MO(queue_smtp_domains, opt_stringptr),
    MO(receive_timeout, opt_time),
    MO(received_header_text, opt_stringptr),
    MO(received_headers_max, opt_int),
    MO(recipient_unqualified_hosts, opt_stringptr),
    MO(recipients_max, opt_int),
    MO(recipients_max_reject, opt_bool),
#ifdef EXPERIMENTAL_REDIS
    XO(redis_servers, opt_stringptr, xp_redis_opts),
#else
    MISSING(redis_servers, "EXPERIMENTAL_REDIS"),
#endif
    MO(remote_max_parallel, opt_int),
    MO(remote_sort_domains, opt_stringptr),
    MO(retry_data_expire, opt_time),
    MO(retry_interval_max, opt_time),
    MO(return_path_remove, opt_bool),
    ALIAS(return_size_limit, "bounce_return_size_limit"),
    MO(rfc1413_hosts, opt_stringptr),
    MO(rfc1413_query_timeout, opt_time),
    MO(sender_unqualified_hosts, opt_stringptr),
    MO(slow_lookup_log, opt_int),
    MO(smtp_accept_keepalive, opt_bool),
    MO(smtp_accept_max, opt_int),
    MO(smtp_accept_max_nonmail, opt_int),
    MO(smtp_accept_max_nonmail_hosts, opt_stringptr),
    MO(smtp_accept_max_per_connection, opt_stringptr),
    MO(smtp_accept_max_per_host, opt_stringptr),
    MO(smtp_accept_queue, opt_int),
    MO(smtp_accept_queue_per_connection, opt_int),
    MO(smtp_accept_reserve, opt_int),
    MO(smtp_active_hostname, opt_stringptr),
    MO(smtp_backlog_monitor, opt_int),
    MO(smtp_banner, opt_stringptr),
    MO(smtp_check_spool_space, opt_bool),
    MO(smtp_connect_backlog, opt_int),
    MO(smtp_enforce_sync, opt_bool),
    MO(smtp_etrn_command, opt_stringptr),
    MO(smtp_etrn_serialize, opt_bool),
    MO(smtp_load_reserve, opt_fixed),
    MO(smtp_max_synprot_errors, opt_int),
    MO(smtp_max_unknown_commands, opt_int),
    MO(smtp_ratelimit_hosts, opt_stringptr),
    MO(smtp_ratelimit_mail, opt_string),
    MO(smtp_ratelimit_rcpt, opt_string),
    MO(smtp_receive_timeout, opt_stringptr | OPT_TIMESTR),
    MO(smtp_reserve_hosts, opt_stringptr),
    MO(smtp_return_error_details, opt_bool),
    MO(smtputf8_advertise_hosts, opt_stringptr),
    MISSING(spamd_address, "content scanning (WITH_CONTENT_SCAN)"),
#ifdef EXPERIMENTAL_SPF
    XO(spf_guess, opt_string, xp_spf_opts),
    XO(spf_smtp_comment_template, opt_stringptr, xp_spf_opts),
#else
    MISSING(spf_guess, "EXPERIMENTAL_SPF"),
    MISSING(spf_smtp_comment_template, "EXPERIMENTAL_SPF"),
#endif
    MO(split_spool_directory, opt_bool),
    MO(spool_directory, opt_stringptr),
    MO(spool_wireformat, opt_bool),
    MO(sqlite_dbfile, opt_stringptr),
    MO(sqlite_lock_timeout, opt_int),
    MO(strict_acl_vars, opt_bool),
    MO(strip_excess_angle_brackets, opt_bool),
    MO(strip_trailing_dot, opt_bool),
    MO(syslog_duplication, opt_bool),
    MO(syslog_facility, opt_string),
    MO(syslog_pid, opt_bool),
    MO(syslog_processname, opt_string),
    MO(syslog_timestamp, opt_bool),
    MO(system_filter, opt_stringptr),
    MO(system_filter_directory_transport, opt_stringptr),
    MO(system_filter_file_transport, opt_stringptr),
    MO(system_filter_group, opt_gid),
    MO(system_filter_pipe_transport, opt_stringptr),
    MO(system_filter_reply_transport, opt_stringptr),
    MO(system_filter_user, opt_uid),
    MO(tcp_nodelay, opt_bool),
    MISSING(tcp_wrappers_daemon_name, "TCP wrappers support"),
    MO(timeout_frozen_after, opt_time),
    MO(timezone, opt_string),
    MO(tls_advertise_hosts, opt_stringptr),
    MO(tls_alpn, opt_stringptr),
    MO(tls_certificate, opt_stringptr),
    MO(tls_crl, opt_stringptr),
    MO(tls_dh_max_bits, opt_int),
    MO(tls_dhparam, opt_stringptr),
    MO(tls_eccurve, opt_stringptr),
#ifndef DISABLE_OCSP
    MO(tls_ocsp_file, opt_stringptr),
#else
    MISSING(tls_ocsp_file, "OCSP support"),
#endif
    MO(tls_on_connect_ports, opt_string),
    MO(tls_privatekey, opt_stringptr),
    MO(tls_remember_esmtp, opt_bool),
    MO(tls_require_ciphers, opt_stringptr),
    MO(tls_resumption_hosts, opt_stringptr),
    MO(tls_try_verify_hosts, opt_stringptr),
    MO(tls_verify_certificates, opt_stringptr),
    MO(tls_verify_hosts, opt_stringptr),
    MO(trusted_groups, opt_gidlist),
    MO(trusted_users, opt_uidlist),
    MO(unknown_login, opt_stringptr),
    MO(unknown_username, opt_string),
    MO(untrusted_set_sender, opt_stringptr),
    MO(uucp_from_pattern, opt_string),
    MO(uucp_from_sender, opt_stringptr),
    MO(warn_message_file, opt_stringptr),
    MO(write_rejectlog, opt_bool),
};
const size_t main_optionlist_count = NELEM(main_optionlist);

/* delay_warning: one interval of 24h ([0] is the count) */
static int delay_warning_default[] = {1, 24 * 3600};

const struct main_options main_options_default = {
    .pipelining_connect_advertise_hosts = "*", /* server side of PIPECONNECT, as 4.96 */
    .smtputf8_advertise_hosts = "*", /* SMTPUTF8 is accepted (RFC 6531), as Exim 4.96 offers it */
    .accept_8bitmime = true,
    .acl_smtp_data_prdr = "accept",
    .auth_advertise_hosts = "*",
    .bounce_return_body = true,
    .bounce_return_linesize_limit = 998,
    .bounce_return_message = true,
    .bounce_return_size_limit = 100 * 1024,
    .callout_domain_negative_expire = 3 * 3600,
    .callout_domain_positive_expire = 7 * 86400,
    .callout_negative_expire = 2 * 3600,
    .callout_positive_expire = 86400,
    .callout_random_local_part = "$primary_hostname-$tod_epoch-testing",
    .check_log_inodes = 100,
    .check_log_space = 10 * 1024,
    .check_rfc2047_length = true,
    .check_spool_inodes = 100,
    .check_spool_space = 10 * 1024,
    .chunking_advertise_hosts = "*",
    .daemon_smtp_ports = "smtp",
    .daemon_startup_retries = 9,
    .daemon_startup_sleep = 30,
    .delay_warning = delay_warning_default,
    .delay_warning_condition = "${if or {{ !eq{$h_list-id:$h_list-post:$h_list-subscribe:}{} }{ match{$h_precedence:}{(?i)bulk|list|junk} }{ match{$h_auto-submitted:}{(?i)auto-generated|auto-replied} }} {no}{yes}}",
    .deliver_queue_load_max = -1,
    .delivery_date_remove = true,
    .dkim_verify_hashes = "sha256:sha512",
    .dkim_verify_keytypes = "ed25519:rsa",
    .dkim_verify_min_keysizes = "rsa=1024 ed25519=250",
    .dkim_verify_signers = "$dkim_signers",
    .dns_check_names_pattern = "(?i)^(?>(?(1)\\.|())[^\\W](?>[a-z0-9/_-]*[^\\W])?)+(\\.?)$",
    .dns_cname_loops = 1,
    .dns_csa_search_limit = 5,
    .dns_csa_use_reverse = true,
    .dns_dnssec_ok = -1,
    .dns_use_edns0 = -1,
    .dsn_from = "Mail Delivery System <Mailer-Daemon@$qualify_domain>",
    .envelope_to_remove = true,
    .exim_path = BIN_DIRECTORY "/tern",
    .exim_version = TERN_EXIM_COMPAT,
    .extract_addresses_remove_arguments = true,
    .header_maxsize = 1024 * 1024,
    .headers_charset = "ISO-8859-1",
    .helo_lookup_domains = "@ : @[]",
    .host_lookup_order = "bydns:byaddr",
    .hosts_require_helo = "*",
    .ignore_bounce_errors_after = 10 * 7 * 86400,
    .keep_malformed = 4 * 86400,
    .local_from_check = true,
    .local_interfaces = "<; ::0 ; 0.0.0.0",
    .log_file_path = LOG_FILE_PATH,
    .lookup_open_max = 25,
    .message_body_visible = 500,
    .message_logs = true,
    .message_size_limit = "50M",
    .notifier_socket = "$spool_directory/exim_daemon_notify",
    .pipelining_advertise_hosts = "*",
    .prod_requires_admin = true,
    .queue_list_requires_admin = true,
    .queue_only_load = -1,
    .queue_only_load_latch = true,
    .queue_only_override = true,
    .queue_run_max = "5",
    .received_header_text = "Received: ${if def:sender_rcvhost {from $sender_rcvhost\n\t}{${if def:sender_ident {from ${quote_local_part:$sender_ident} }}${if def:sender_helo_name {(helo=$sender_helo_name)\n\t}}}}by $primary_hostname ${if def:received_protocol {with $received_protocol }}${if def:tls_in_ver        { ($tls_in_ver)}}${if def:tls_in_cipher_std { tls $tls_in_cipher_std\n\t}}(Exim $version_number)\n\t${if def:sender_address {(envelope-from <$sender_address>)\n\t}}id $message_exim_id${if def:received_for {\n\tfor $received_for}}",
    .received_headers_max = 30,
    .recipients_max = 50000,
    .remote_max_parallel = 2,
    .retry_data_expire = 7 * 86400,
    .retry_interval_max = 86400,
    .return_path_remove = true,
    .rfc1413_hosts = "@[]",
    .smtp_accept_keepalive = true,
    .smtp_accept_max = 20,
    .smtp_accept_max_nonmail = 10,
    .smtp_accept_max_nonmail_hosts = "*",
    .smtp_accept_max_per_connection = "1000",
    .smtp_accept_queue_per_connection = 10,
    .smtp_banner = "$smtp_active_hostname ESMTP Exim $version_number $tod_full",
    .smtp_check_spool_space = true,
    .smtp_connect_backlog = 20,
    .smtp_enforce_sync = true,
    .smtp_etrn_serialize = true,
    .smtp_load_reserve = -1,
    .smtp_max_synprot_errors = 3,
    .smtp_max_unknown_commands = 3,
    .smtp_receive_timeout = "5m",
    .spool_directory = SPOOL_DIRECTORY,
    .sqlite_lock_timeout = 5,
    .syslog_duplication = true,
    .syslog_pid = true,
    .syslog_processname = "exim",
    .syslog_timestamp = true,
    .tcp_nodelay = true,
    .tls_advertise_hosts = "*",
    .tls_alpn = "smtp:esmtp",
    .tls_dh_max_bits = 2236,
    .tls_eccurve = "auto",
    .tls_verify_certificates = "system",
    .uucp_from_pattern = "^From\\s+(\\S+)\\s+(?:[a-zA-Z]{3},?\\s+)?(?:[a-zA-Z]{3}\\s+\\d?\\d|\\d?\\d\\s+[a-zA-Z]{3}\\s+\\d\\d(?:\\d\\d)?)\\s+\\d\\d?:\\d\\d?",
    .uucp_from_sender = "$1",
    .write_rejectlog = true,
};

/* finish_ugid - resolve a compile-time user or group name when the config
 * did not set one; left unset if this host has no such account. */
static void finish_ugid(opt_ugid *u, const char *name, bool user)
{
    if (u->set || !name || !*name) return;
    if (user) {
        struct passwd *pw = getpwnam(name);
        if (pw) *u = (opt_ugid){.set = true, .id = (long)pw->pw_uid};
    } else {
        struct group *gr = getgrnam(name);
        if (gr) *u = (opt_ugid){.set = true, .id = (long)gr->gr_gid};
    }
}

/* finish_time_string - an option that takes either a time or an expansion
 * (smtp_receive_timeout): a plain value is checked now, with the same rules
 * and message as a time option, and kept in -bP's normal form ("90061s"
 * becomes "1d1h1m1s"); a value containing '$' is checked when expanded. */
static const char *finish_time_string(const char *name, char **value)
{
    if (!*value || strchr(*value, '$')) return NULL;
    int secs = 0;
    const optionlist row = {name, opt_time, 0, NULL, &secs};
    const char *err = options_set(&row, NULL, *value, false, true);
    if (err) return err;
    *value = string_copy_perm(strchr(options_format(&row, NULL), '=') + 2);
    return NULL;
}

const char *cfg_main_finish(struct main_options *c)
{
    if (!c->primary_hostname) {
        struct utsname u;
        if (uname(&u) == 0) c->primary_hostname = string_copy_perm(u.nodename);
    }
    if (!c->qualify_domain) c->qualify_domain = c->primary_hostname;
    if (!c->qualify_recipient) c->qualify_recipient = c->qualify_domain;
    if (!c->process_log_path && c->spool_directory)
        c->process_log_path = string_copy_perm(string_sprintf("%s/exim-process.info", c->spool_directory));
    finish_ugid(&c->exim_user, EXIM_USER, true);
    finish_ugid(&c->exim_group, EXIM_GROUP, false);
    if (!c->exim_group.set && c->exim_user.set) {
        struct passwd *pw = getpwuid((uid_t)c->exim_user.id);
        if (pw) c->exim_group = (opt_ugid){.set = true, .id = (long)pw->pw_gid};
    }
    const char *err = finish_time_string("smtp_receive_timeout", &c->smtp_receive_timeout);
    if (err) return err;
    if (c->tls_dh_max_bits < 1024)
        return string_copy("tls_dh_max_bits is too small, must be at least 1024 for interop");
    return NULL;
}
