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

    /* ---- not options: filled in by readconf.c from the other sections ---- */
    struct config_sections sections;
    bool log_selector_bits[64];
    bool hidden[1]; /* placeholder: per-option hide flags live in cfg_hidden */
};

extern const optionlist main_optionlist[];
extern const size_t main_optionlist_count;
extern const struct main_options main_options_default;

#endif
