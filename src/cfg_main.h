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
    driver_instance *drivers[DRIVER_KINDS];
    bool seen[8]; /* which "begin" sections appeared */
};

struct main_options {
    bool accept_8bitmime;
    char *acl_not_smtp;
    char *acl_smtp_connect;
    char *acl_smtp_rcpt;
    opt_ugid exim_group;
    opt_ugid exim_user;
    char *log_file_path;
    char *log_selector;
    int message_size_limit_dummy;
    char *primary_hostname;
    char *qualify_domain;
    int smtp_accept_max;
    char *smtp_banner;
    char *spool_directory;
    int smtp_receive_timeout;
    char *never_users;
    int queue_only_load;

    /* reception */
    char *acl_not_smtp_start;
    char *acl_smtp_data;
    char *acl_smtp_etrn;
    char *acl_smtp_expn;
    char *acl_smtp_helo;
    char *acl_smtp_mail;
    char *acl_smtp_notquit;
    char *acl_smtp_predata;
    char *acl_smtp_quit;
    char *acl_smtp_vrfy;
    char *chunking_advertise_hosts;
    char *daemon_smtp_ports;
    int header_line_maxsize;
    int header_maxsize;
    char *helo_accept_junk_hosts;
    char *helo_allow_chars;
    char *helo_try_verify_hosts;
    char *helo_verify_hosts;
    char *host_lookup;
    char *local_interfaces;
    char *message_id_header_domain;
    char *message_id_header_text;
    char *message_size_limit;
    char *pid_file_path;
    char *pipelining_advertise_hosts;
    char *pipelining_connect_advertise_hosts;
    char *qualify_recipient;
    bool queue_only;
    char *received_header_text;
    int received_headers_max;
    char *recipient_unqualified_hosts;
    int recipients_max;
    bool recipients_max_reject;
    char *sender_unqualified_hosts;
    int smtp_accept_max_nonmail;
    char *smtp_accept_max_nonmail_hosts;
    char *smtp_accept_max_per_connection;
    char *smtp_accept_max_per_host;
    int smtp_accept_queue;
    int smtp_accept_queue_per_connection;
    int smtp_accept_reserve;
    char *smtp_active_hostname;
    int smtp_connect_backlog;
    bool smtp_enforce_sync;
    char *smtp_etrn_command;
    int smtp_load_reserve;
    int smtp_max_synprot_errors;
    int smtp_max_unknown_commands;
    char *smtp_reserve_hosts;
    bool smtp_return_error_details;
    char *smtputf8_advertise_hosts;
    bool split_spool_directory;
    char *tls_advertise_hosts;
    char *trusted_groups;
    char *trusted_users;

    /* ---- not options: filled in by readconf.c from the other sections ---- */
    struct config_sections sections;
    bool log_selector_bits[64];
    bool hidden[1]; /* placeholder: per-option hide flags live in cfg_hidden */
};

extern const optionlist main_optionlist[];
extern const size_t main_optionlist_count;
extern const struct main_options main_options_default;

#endif
