/* cfg_main.h - the main-section options block (one field per option).
 *
 * The table that maps option names to these fields is in cfg_main.c, with
 * the defaults. Fields are named exactly as the options. */
#ifndef TERN_CFG_MAIN_H
#define TERN_CFG_MAIN_H

#include "options.h"
#include "drivers.h"

enum named_list_kind { NL_DOMAIN, NL_HOST, NL_ADDRESS, NL_LOCALPART, NL_KINDS };

typedef struct named_list {
    struct named_list *next;
    char *name;
    char *value;
    bool cache; /* results may be cached per message */
    bool hide;
} named_list;

/* A raw line of a section whose syntax is parsed by its own subsystem
 * (ACLs by acl.c, retry rules by retry.c, rewrite rules by rewrite.c). */
typedef struct cfg_line {
    struct cfg_line *next;
    char *text;
    const char *file;
    int line;
} cfg_line;

typedef struct acl_block {
    struct acl_block *next;
    char *name;
    cfg_line *lines;
    const char *file;
    int line;
} acl_block;

struct config_sections {
    named_list *lists[NL_KINDS];
    acl_block *acls;
    cfg_line *retry;
    cfg_line *rewrite;
    const char *last_file; /* where reading ended: inline ACLs are traced with it, as in Exim */
    int last_line;
    driver_instance *drivers[DRIVER_KINDS];
    bool seen[8]; /* which "begin" sections appeared */
};

struct main_options {
    /* One field per main option, sorted and named as the option. Options
     * of experimental modules live in the module's own block (rows with
     * .base); options of features this binary lacks have no field. */
    bool accept_8bitmime;
    char *acl_not_smtp;
    char *acl_not_smtp_mime;
    char *acl_not_smtp_start;
    char *acl_smtp_auth;
    char *acl_smtp_connect;
    char *acl_smtp_data;
    char *acl_smtp_data_prdr;
    char *acl_smtp_dkim;
    char *acl_smtp_etrn;
    char *acl_smtp_expn;
    char *acl_smtp_helo;
    char *acl_smtp_mail;
    char *acl_smtp_mailauth;
    char *acl_smtp_mime;
    char *acl_smtp_notquit;
    char *acl_smtp_predata;
    char *acl_smtp_quit;
    char *acl_smtp_rcpt;
    char *acl_smtp_starttls;
    char *acl_smtp_vrfy;
    char *add_environment;
    char *admin_groups;
    bool allow_domain_literals;
    bool allow_mx_to_ip;
    bool allow_utf8_domains;
    char *auth_advertise_hosts;
    int auto_thaw;
    char *bi_command;
    char *bounce_message_file;
    char *bounce_message_text;
    bool bounce_return_body;
    int bounce_return_linesize_limit;
    bool bounce_return_message;
    int bounce_return_size_limit;
    char *bounce_sender_authentication;
    int callout_domain_negative_expire;
    int callout_domain_positive_expire;
    int callout_negative_expire;
    int callout_positive_expire;
    char *callout_random_local_part;
    int check_log_inodes;
    int check_log_space;
    bool check_rfc2047_length;
    int check_spool_inodes;
    int check_spool_space;
    char *chunking_advertise_hosts;
    bool commandline_checks_require_admin;
    char *daemon_smtp_ports;
    int daemon_startup_retries;
    int daemon_startup_sleep;
    bool debug_store;
    int *delay_warning;
    char *delay_warning_condition;
    bool deliver_drop_privilege;
    int deliver_queue_load_max;
    bool delivery_date_remove;
    bool disable_ipv6;
    char *dkim_verify_hashes;
    char *dkim_verify_keytypes;
    char *dkim_verify_min_keysizes;
    bool dkim_verify_minimal;
    char *dkim_verify_signers;
    char *dns_again_means_nonexist;
    char *dns_check_names_pattern;
    int dns_cname_loops;
    int dns_csa_search_limit;
    bool dns_csa_use_reverse;
    int dns_dnssec_ok;
    char *dns_ipv4_lookup;
    int dns_retrans;
    int dns_retry;
    char *dns_trust_aa;
    int dns_use_edns0;
    bool drop_cr;
    char *dsn_from;
    bool envelope_to_remove;
    char *errors_copy;
    char *errors_reply_to;
    char *event_action;
    opt_ugid exim_group;
    char *exim_path;
    opt_ugid exim_user;
    char *exim_version;
    char *extra_local_interfaces;
    bool extract_addresses_remove_arguments;
    int finduser_retries;
    char *freeze_tell;
    char *gecos_name;
    char *gecos_pattern;
    int header_line_maxsize;
    int header_maxsize;
    char *headers_charset;
    char *helo_accept_junk_hosts;
    char *helo_allow_chars;
    char *helo_lookup_domains;
    char *helo_try_verify_hosts;
    char *helo_verify_hosts;
    char *hold_domains;
    char *host_lookup;
    char *host_lookup_order;
    char *host_reject_connection;
    char *hosts_connection_nolog;
    char *hosts_require_alpn;
    char *hosts_require_helo;
    char *hosts_treat_as_local;
    int ignore_bounce_errors_after;
    char *ignore_fromline_hosts;
    bool ignore_fromline_local;
    char *keep_environment;
    int keep_malformed;
    bool local_from_check;
    char *local_from_prefix;
    char *local_from_suffix;
    char *local_interfaces;
    bool local_sender_retain;
    char *localhost_number;
    char *log_file_path;
    char *log_selector;
    bool log_timezone;
    int lookup_open_max;
    int max_username_length;
    bool message_body_newlines;
    int message_body_visible;
    char *message_id_header_domain;
    char *message_id_header_text;
    bool message_logs;
    char *message_size_limit;
    bool mua_wrapper;
    char *never_users;
    char *notifier_socket;
    char *openssl_options;
    char *percent_hack_domains;
    char *pid_file_path;
    char *pipelining_advertise_hosts;
    bool prdr_enable;
    bool preserve_message_logs;
    char *primary_hostname;
    bool print_topbitchars;
    char *process_log_path;
    bool prod_requires_admin;
    char *qualify_domain;
    char *qualify_recipient;
    char *queue_domains;
    bool queue_fast_ramp;
    bool queue_list_requires_admin;
    bool queue_only;
    char *queue_only_file;
    int queue_only_load;
    bool queue_only_load_latch;
    bool queue_only_override;
    bool queue_run_in_order;
    char *queue_run_max;
    char *queue_smtp_domains;
    int receive_timeout;
    char *received_header_text;
    int received_headers_max;
    char *recipient_unqualified_hosts;
    int recipients_max;
    bool recipients_max_reject;
    int remote_max_parallel;
    char *remote_sort_domains;
    int retry_data_expire;
    int retry_interval_max;
    bool return_path_remove;
    char *rfc1413_hosts;
    int rfc1413_query_timeout;
    char *sender_unqualified_hosts;
    int slow_lookup_log;
    bool smtp_accept_keepalive;
    int smtp_accept_max;
    int smtp_accept_max_nonmail;
    char *smtp_accept_max_nonmail_hosts;
    char *smtp_accept_max_per_connection;
    char *smtp_accept_max_per_host;
    int smtp_accept_queue;
    int smtp_accept_queue_per_connection;
    int smtp_accept_reserve;
    char *smtp_active_hostname;
    int smtp_backlog_monitor;
    char *pipelining_connect_advertise_hosts;
    char *smtp_banner;
    char *smtputf8_advertise_hosts;
    bool smtp_check_spool_space;
    int smtp_connect_backlog;
    bool smtp_enforce_sync;
    char *smtp_etrn_command;
    bool smtp_etrn_serialize;
    int smtp_load_reserve;
    int smtp_max_synprot_errors;
    int smtp_max_unknown_commands;
    char *smtp_ratelimit_hosts;
    char *smtp_ratelimit_mail;
    char *smtp_ratelimit_rcpt;
    char *smtp_receive_timeout;
    char *smtp_reserve_hosts;
    bool smtp_return_error_details;
    bool split_spool_directory;
    char *spool_directory;
    bool spool_wireformat;
    char *sqlite_dbfile;
    int sqlite_lock_timeout;
    bool strict_acl_vars;
    bool strip_excess_angle_brackets;
    bool strip_trailing_dot;
    bool syslog_duplication;
    char *syslog_facility;
    bool syslog_pid;
    char *syslog_processname;
    bool syslog_timestamp;
    char *system_filter;
    char *system_filter_directory_transport;
    char *system_filter_file_transport;
    opt_ugid system_filter_group;
    char *system_filter_pipe_transport;
    char *system_filter_reply_transport;
    opt_ugid system_filter_user;
    bool tcp_nodelay;
    int timeout_frozen_after;
    char *timezone;
    char *tls_advertise_hosts;
    char *tls_alpn;
    char *tls_certificate;
    char *tls_crl;
    int tls_dh_max_bits;
    char *tls_dhparam;
    char *tls_eccurve;
    char *tls_ocsp_file;
    char *tls_on_connect_ports;
    char *tls_privatekey;
    bool tls_remember_esmtp;
    char *tls_require_ciphers;
    char *tls_resumption_hosts;
    char *tls_try_verify_hosts;
    char *tls_verify_certificates;
    char *tls_verify_hosts;
    char *trusted_groups;
    char *trusted_users;
    char *unknown_login;
    char *unknown_username;
    char *untrusted_set_sender;
    char *uucp_from_pattern;
    char *uucp_from_sender;
    char *warn_message_file;
    bool write_rejectlog;

    /* ---- not options: filled in by readconf.c from the other sections ---- */
    struct config_sections sections;
    bool log_selector_bits[64];
    bool hidden[1]; /* placeholder: per-option hide flags live in cfg_hidden */
};

extern const optionlist main_optionlist[];
extern const size_t main_optionlist_count;
extern const struct main_options main_options_default;

/* cfg_main_finish - defaults that depend on other options or on the host
 * (primary_hostname, qualify_*, exim_user/group, process_log_path) and
 * checks across options. Returns NULL or an error message. */
const char *cfg_main_finish(struct main_options *c);

#endif
