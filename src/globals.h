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

struct proxy_state;

struct conn_state {
    char *sender_host_address;
    int sender_host_port;
    char *sender_host_name;
    char *interface_address;
    int interface_port;
    char *sender_helo_name;
    char *received_protocol;
    struct proxy_state *proxy; /* EXPERIMENTAL_PROXY; opaque, owned by experimental/proxy.c */
};

struct msg_state {
    char *id;
    char *sender_address;
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
