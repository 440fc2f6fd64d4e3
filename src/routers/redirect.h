/* redirect.h - redirect router: private options and registration. */
#ifndef TERN_ROUTERS_REDIRECT_H
#define TERN_ROUTERS_REDIRECT_H
#include "../router.h"

typedef struct redirect_router_options {
    bool allow_defer;
    bool allow_fail;
    bool allow_filter;
    bool allow_freeze;
    bool check_ancestor;
    unsigned char check_group;
    unsigned char check_owner;
    char *data;
    char *directory_transport;
    char *file;
    char *file_transport;
    bool filter_prepend_home;
    bool forbid_blackhole;
    bool forbid_exim_filter;
    bool forbid_file;
    bool forbid_filter_dlfunc;
    bool forbid_filter_existstest;
    bool forbid_filter_logwrite;
    bool forbid_filter_lookup;
    bool forbid_filter_perl;
    bool forbid_filter_readfile;
    bool forbid_filter_readsocket;
    bool forbid_filter_reply;
    bool forbid_filter_run;
    bool forbid_include;
    bool forbid_pipe;
    bool forbid_sieve_filter;
    bool forbid_smtp_code;
    bool hide_child_in_errmsg;
    bool ignore_eacces;
    bool ignore_enotdir;
    char *include_directory;
    int modemask;
    bool one_time;
    char *owners;
    char *owngroups;
    char *pipe_transport;
    char *qualify_domain;
    bool qualify_preserve_domain;
    bool repeat_use;
    char *reply_transport;
    bool rewrite;
    char *sieve_enotify_mailto_owner;
    char *sieve_subaddress;
    char *sieve_useraddress;
    char *sieve_vacation_directory;
    bool skip_syntax_errors;
    char *syntax_errors_text;
    char *syntax_errors_to;
} redirect_router_options;

extern const redirect_router_options redirect_router_options_default;
extern const router_info redirect_router_info;

/* redirect_send_syntax_errors - when delivering, send syntax_errors_to
 * (with syntax_errors_text first) the skipped-item lines, one
 * "<reason> in "<item>"" per line (redirect_errors.c) */
void redirect_send_syntax_errors(const router_instance *r, const redirect_router_options *o,
                                 const char *lines);
#endif
