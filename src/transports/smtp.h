/* smtp.h - smtp transport: private options and registration. */
#ifndef TERN_TRANSPORTS_SMTP_H
#define TERN_TRANSPORTS_SMTP_H
#include "../transport.h"

typedef struct smtp_transport_options {
    bool address_retry_include_sender;
    bool allow_localhost;
    char *authenticated_sender;
    bool authenticated_sender_force;
    int command_timeout;
    int connect_timeout;
    int connection_max_messages;
    int data_timeout;
    bool delay_after_cutoff;
    char *dkim_canon;
    char *dkim_domain;
    char *dkim_hash;
    char *dkim_identity;
    char *dkim_private_key;
    char *dkim_selector;
    char *dkim_sign_headers;
    char *dkim_strict;
    char *dkim_timestamps;
    bool dns_qualify_single;
    bool dns_search_parents;
    char *dnssec_request_domains;
    char *dnssec_require_domains;
    char *dscp;
    char *fallback_hosts;
    int final_timeout;
    bool gethostbyname;
    char *helo_data;
    char *host_name_extract;
    char *hosts;
    char *hosts_avoid_esmtp;
    char *hosts_avoid_pipelining;
    char *hosts_avoid_tls;
    int hosts_max_try;
    int hosts_max_try_hardlimit;
    char *hosts_nopass_tls;
    char *hosts_noproxy_tls;
    bool hosts_override;
    bool hosts_randomize;
    char *hosts_request_ocsp;
    char *hosts_require_alpn;
    char *hosts_require_auth;
    char *hosts_require_ocsp;
    char *hosts_require_tls;
    char *hosts_try_auth;
    char *hosts_try_chunking;
    char *hosts_try_fastopen;
    char *hosts_try_prdr;
    char *hosts_verify_avoid_tls;
    char *interface;
    bool keepalive;
    bool lmtp_ignore_quota;
    int max_rcpt;
    int message_linelength_limit;
    opt_xbool multi_domain;
    char *port;
    char *protocol;
    opt_xbool retry_include_ip_address;
    char *serialize_hosts;
    int size_addition;
    char *tls_alpn;
    char *tls_certificate;
    char *tls_crl;
    int tls_dh_min_bits;
    char *tls_privatekey;
    char *tls_require_ciphers;
    char *tls_resumption_hosts;
    char *tls_sni;
    bool tls_tempfail_tryclear;
    char *tls_try_verify_hosts;
    char *tls_verify_cert_hostnames;
    char *tls_verify_certificates;
    char *tls_verify_hosts;
    char *tpda_host_defer_action; /* set only with EXPERIMENTAL_TPDA */
} smtp_transport_options;

extern const smtp_transport_options smtp_transport_options_default;
extern const transport_info smtp_transport_info;

/* smtp_transport_continue - on: keep each connection open after a
 * delivery so that the next message to the same host (same transport,
 * address and port) reuses it after RSET, up to connection_max_messages;
 * off: QUIT and close the kept connection. Queue runners turn it on for
 * a run and off at its end. */
void smtp_transport_continue(bool on);

/* smtp_transport_run_continued - continued delivery: after a successful
 * delivery to a host, the transport takes the messages waiting for that
 * host from wait-<transport> and keeps the connection; deliver_message()
 * calls this once the current message is finished, and each of them is
 * delivered (deliver_message) down the same connection. Does nothing
 * when called inside that loop or when nothing waits. */
void smtp_transport_run_continued(void);
#endif
