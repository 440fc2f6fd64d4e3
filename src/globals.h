/* globals.h - the shared state, grouped by lifetime (DESIGN.md section 3).
 *
 *   cfg   main options and parsed sections; set by readconf, then read-only
 *   proc  this invocation: command line, identity, debug selection
 *   conn  one SMTP connection
 *   msg   one message
 *   dlv   one delivery attempt
 *
 * The expansion language reads these through the variable table in
 * expand.c; nothing else looks variables up by name. */
#ifndef TERN_GLOBALS_H
#define TERN_GLOBALS_H

#include "tern.h"
#include "cfg_main.h"
#include "log.h"
#include "message.h"
#include "acl_state.h"

struct proc_state {
    char *progname;
    char **argv;
    int argc;
    pid_t pid;
    uid_t real_uid;
    gid_t real_gid;
    bool admin_user;       /* root, exim_user, or in admin_groups */
    bool trusted_caller;   /* root, exim_user, trusted_users/groups */
    bool privileged;       /* still holding root */
    char *config_file;     /* the file actually read */
    char *config_list;     /* -C value or the built-in search list */
    bool config_changed;   /* -C or -D used: privilege given up */
    bool debug[D_COUNT];
    bool debugging;
    int debug_fd;
    char *debug_path;      /* control = debug: the file debug_fd writes to */
    struct gstring *debug_pre; /* control = debug/pretrigger: lines held until a trigger */
    size_t debug_pre_max;
    bool debug_trigger_panic; /* trigger=paniclog */
    bool test_harness;
    char address_test;     /* 't' -bt, 'v' -bv/-bvs: log lines go to stderr, as Exim shows them */
    char *message_id;      /* for log lines outside a message context */
    /* delivery */
    bool dont_deliver;     /* -N */
    char deliver_mode;     /* -od?: 'b' background, 'f'/'i' foreground, 'q' queue; 0 unset */
    struct tls_cache *tls_cache; /* server TLS context preloaded by the daemon (tls_server.c) */
};

struct proxy_state;
struct tls_cache;
struct tls_session;

struct conn_state {
    char *sender_host_address;
    int sender_host_port;
    char *sender_host_name;
    char **sender_host_aliases;  /* the other confirmed PTR names, NULL-terminated */
    char *interface_address;
    int interface_port;
    char *sender_helo_name;
    char *received_protocol;
    /* ACL */
    acl_var *acl_c;              /* $acl_c* variables, never reset */
    struct acl_conn_state acl;   /* connection controls, $acl_arg*, log target */
    /* read by the expansion variable table; filled by smtp_in, tls, auth */
    char *sender_ident;
    char *sender_host_authenticated;
    char *authenticated_id;
    char *authenticated_fail_id;
    char *auth_vars[3];           /* $auth1..$auth3 */
    char *smtp_active_hostname;
    char *smtp_command;
    char *smtp_command_argument;
    char *smtp_command_history;
    char *smtp_notquit_reason;
    int smtp_count_at_connection_start;
    int host_lookup_deferred;
    int host_lookup_failed;
    char *helo_verify_name;      /* HELO name last verified (smtp_in_dns.c) */
    int helo_verify_rc;          /* and the result: OK, FAIL or DEFER */
    bool sender_host_dnssec;
    bool sender_helo_dnssec;
    char *csa_status;
    char *tls_in_cipher, *tls_in_cipher_std, *tls_in_peerdn, *tls_in_sni, *tls_in_ver;
    char *tls_in_ourcert, *tls_in_peercert;
    int tls_in_bits, tls_in_certificate_verified, tls_in_ocsp, tls_in_resumption;
    struct tls_session *tls;     /* set once TLS is up; opaque, owned by tls.c */
    bool tls_advertised;         /* STARTTLS was in the last EHLO reply */
    bool tls_on_connect;         /* tls_on_connect_ports or -tls-on-connect: TLS before the banner */
    int authentication_failed;
    bool auth_advertised;        /* AUTH was in the last EHLO reply */
    const struct auth_instance *auth_offered[LIMIT_AUTH_INSTANCES];
    size_t auth_offered_count;
    char *auth_public_name;      /* mechanism that succeeded (spool -host_auth_pubname) */
    struct proxy_state *proxy; /* EXPERIMENTAL_PROXY; opaque, owned by experimental/proxy.c */
    /* reception */
    int in_fd, out_fd;
    bool is_socket;         /* a real TCP peer: sync checks apply */
    bool host_checking;     /* -bh: run the dialogue, spool nothing */
    bool local;             /* -bs / -bm: no remote host */
    char *active_hostname;  /* smtp_active_hostname or primary_hostname */
    char *helo_verb;        /* "HELO" or "EHLO" once one succeeded */
    bool esmtp;
    bool pipelining_advertised, chunking_advertised, dsn_advertised, smtputf8_advertised;
    bool helo_accept_junk, unqualified_sender_ok, unqualified_recipient_ok;
    int synprot_errors, unknown_commands, nonmail_commands;
    int mail_commands;      /* for smtp_accept_max_per_connection */
    int messages;           /* accepted on this connection */
    long max_per_connection;
    char *cmd_history;      /* "C=HELO,EHLO,..." list for drop log lines */
    int cmd_history_count;
    bool queue_only;        /* smtp_accept_queue_per_connection, load */
    char *protocol_forced;  /* -oMr */
    int prev_cmd, this_cmd; /* enum smtp_cmd_id of the last two commands */
    long start_time;        /* connection start, for D= */
};

struct spool_header;

struct msg_state {
    char *id;
    char *sender_address;
    /* ACL */
    acl_var *acl_m;              /* $acl_m* variables, reset per message */
    struct acl_msg_state acl;    /* message controls, added/removed headers */
    /* read by the expansion variable table; filled by receive and spool */
    header_line *headers;
    char *body;                   /* $message_body: start of the body */
    char *body_end;               /* $message_body_end: its last part */
    long long size;               /* $message_size, -1 when unknown */
    long long body_size;
    int linecount, body_linecount, body_zerocount;
    int received_count, recipients_count;
    int rcpt_count, rcpt_defer_count, rcpt_fail_count;
    long long received_time;
    char *recipients_str;         /* $recipients where Exim allows it */
    char *received_for;
    char *authenticated_sender;
    char *headers_added;
    char *local_scan_data;
    char *return_path;
    char *sender_verify_failure, *recipient_verify_failure;
    char *regex_match_string, *regex_vars[9];
    char *malware_name, *spam_action, *spam_bar, *spam_report, *spam_score, *spam_score_int;
    int av_failed;
    bool prdr_requested;
    char *dkim_cur_signer, *dkim_signers, *dkim_verify_status, *dkim_verify_reason;
    char *dkim_domain, *dkim_selector, *dkim_identity, *dkim_algo;
    /* smtp out: the message being delivered, for transports and bounces.
     * spool NULL until deliver.c has read the -H file (transports then
     * read it themselves from msg.id); data_fd (the open -D file) is
     * meaningful only when spool is set, -1 if not open. */
    const struct spool_header *spool;
    int data_fd;
    /* reception */
    bool sender_set;        /* MAIL accepted */
    bool sender_rewritten;  /* rewrite rules already ran on it (sender verification) */
    struct recipient_item *recipients;
    int recipients_cap;
    char *rcpt_smtp_response; /* for "All RCPT commands were rejected" */
    bool rcpt_response_same;
    long declared_size;     /* MAIL SIZE= */
    int max_received_linelength;
    bool body_8bitmime;
    bool smtputf8;
    int dsn_ret;            /* enum dsn_ret */
    char *dsn_envid;
    char *message_id_header; /* Message-ID text from the message, if any */
    char *subject;
    long received_sec;
    int received_usec;
    char *spool_dir;        /* input directory the files went to */
    bool submission;        /* control = submission */
};

struct address_item;
struct router_instance;
struct transport_instance;
struct host_item;
struct spool_header;

struct dlv_state {
    char *address;
    char *local_part;
    char *domain;
    /* delivery: what is being routed or delivered right now (the fields
     * above mirror addr for the expansion variables) */
    struct address_item *addr;
    const struct router_instance *router;
    const struct transport_instance *transport;
    struct host_item *cur_host; /* the host a remote delivery is talking to ($host is its name) */
    /* read by the expansion variable table; filled by route, deliver */
    char *domain_data, *local_part_data;
    char *local_part_prefix, *local_part_prefix_v, *local_part_suffix, *local_part_suffix_v;
    char *address_data, *address_file, *address_pipe;
    char *parent_domain, *parent_local_part;
    char *original_domain, *original_local_part;
    char *home, *host, *host_address, *host_data;
    int host_port;
    char *router_name, *transport_name;
    char *self_hostname, *sender_address_data, *recipient_data, *sender_data;
    char *thisaddress, *bounce_recipient, *callout_address, *mailstore_basename;
    char *sending_ip_address;
    int sending_port;
    char *reply_address, *verify_mode, *warn_message_delay, *warn_message_recipients;
    char *lookup_dnssec_authenticated, *ldap_dn;
    char *tls_out_cipher, *tls_out_cipher_std, *tls_out_peerdn, *tls_out_sni, *tls_out_ver;
    char *tls_out_ourcert, *tls_out_peercert;
    int tls_out_bits, tls_out_certificate_verified, tls_out_ocsp, tls_out_resumption;
    int tls_out_tlsa_usage;
    bool tls_out_dane;
    long long local_user_uid, local_user_gid;
    char *event_name, *event_data;
    int event_defer_errno;
    /* routing */
    struct spool_header *spool_hdr; /* the message being delivered (-H contents) */
    int data_fd;                    /* its -D file, open and locked; -1 if none */
    long data_offset;               /* where the body starts in the -D file */
};

extern struct main_options cfg;
extern struct proc_state proc;
extern struct conn_state conn;
extern struct msg_state msg;
extern struct dlv_state dlv;

#endif
