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
    /* ACL */
    acl_var *acl_c;              /* $acl_c* variables, never reset */
    struct acl_conn_state acl;   /* connection controls, $acl_arg*, log target */
};

struct spool_header;

struct msg_state {
    char *id;
    char *sender_address;
    /* ACL */
    acl_var *acl_m;              /* $acl_m* variables, reset per message */
    struct acl_msg_state acl;    /* message controls, added/removed headers */
    /* smtp out: the message being delivered, for transports and bounces.
     * spool NULL until deliver.c has read the -H file (transports then
     * read it themselves from msg.id); data_fd (the open -D file) is
     * meaningful only when spool is set, -1 if not open. */
    const struct spool_header *spool;
    int data_fd;
};

struct address_item;
struct router_instance;
struct transport_instance;
struct host_item;

struct dlv_state {
    char *address;
    char *local_part;
    char *domain;
    /* delivery: what is being routed or delivered right now (the fields
     * above mirror addr for the expansion variables) */
    struct address_item *addr;
    const struct router_instance *router;
    const struct transport_instance *transport;
    struct host_item *host;
};

extern struct main_options cfg;
extern struct proc_state proc;
extern struct conn_state conn;
extern struct msg_state msg;
extern struct dlv_state dlv;

#endif
