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
    bool test_harness;
    char *message_id;      /* for log lines outside a message context */
};

struct conn_state {
    char *sender_host_address;
    int sender_host_port;
    char *sender_host_name;
    char *interface_address;
    int interface_port;
    char *sender_helo_name;
    char *received_protocol;
    /* reception */
    int in_fd, out_fd;
    bool is_socket;         /* a real TCP peer: sync checks apply */
    bool host_checking;     /* -bh: run the dialogue, spool nothing */
    bool local;             /* -bs / -bm: no remote host */
    char *sender_ident;     /* caller's login for local input */
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


struct msg_state {
    char *id;
    char *sender_address;
    /* reception */
    bool sender_set;        /* MAIL accepted */
    struct recipient_item *recipients;
    int recipients_count, recipients_cap;
    int rcpt_fail_count, rcpt_defer_count;
    char *rcpt_smtp_response; /* for "All RCPT commands were rejected" */
    bool rcpt_response_same;
    struct header_line *headers;
    long size;              /* bytes of the message (headers + body) */
    long declared_size;     /* MAIL SIZE= */
    int body_linecount, body_zerocount, max_received_linelength;
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


struct dlv_state {
    char *address;
    char *local_part;
    char *domain;
};

extern struct main_options cfg;
extern struct proc_state proc;
extern struct conn_state conn;
extern struct msg_state msg;
extern struct dlv_state dlv;

#endif
