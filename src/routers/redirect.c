/* redirect.c - the redirect router: replaces an address with a list of new
 * addresses, files, pipes or a filter (alias files, .forward files).
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
/* This driver */
#include "redirect.h"

#define OFF(f) OPT_OFF(redirect_router_options, f)

static const optionlist redirect_router_optionlist[] = {
    {"allow_defer", opt_bool, OFF(allow_defer), NULL},
    {"allow_fail", opt_bool, OFF(allow_fail), NULL},
    {"allow_filter", opt_bool, OFF(allow_filter), NULL},
    {"allow_freeze", opt_bool, OFF(allow_freeze), NULL},
    {"check_ancestor", opt_bool, OFF(check_ancestor), NULL},
    {"check_group", opt_bool, OFF(check_group), NULL},
    {"check_owner", opt_bool, OFF(check_owner), NULL},
    {"data", opt_stringptr, OFF(data), NULL},
    {"directory_transport", opt_stringptr, OFF(directory_transport), NULL},
    {"file", opt_stringptr, OFF(file), NULL},
    {"file_transport", opt_stringptr, OFF(file_transport), NULL},
    {"filter_prepend_home", opt_bool, OFF(filter_prepend_home), NULL},
    {"forbid_blackhole", opt_bool, OFF(forbid_blackhole), NULL},
    {"forbid_exim_filter", opt_bool, OFF(forbid_exim_filter), NULL},
    {"forbid_file", opt_bool, OFF(forbid_file), NULL},
    {"forbid_filter_dlfunc", opt_bool, OFF(forbid_filter_dlfunc), NULL},
    {"forbid_filter_existstest", opt_bool, OFF(forbid_filter_existstest), NULL},
    {"forbid_filter_logwrite", opt_bool, OFF(forbid_filter_logwrite), NULL},
    {"forbid_filter_lookup", opt_bool, OFF(forbid_filter_lookup), NULL},
    {"forbid_filter_perl", opt_bool, OFF(forbid_filter_perl), NULL},
    {"forbid_filter_readfile", opt_bool, OFF(forbid_filter_readfile), NULL},
    {"forbid_filter_readsocket", opt_bool, OFF(forbid_filter_readsocket), NULL},
    {"forbid_filter_reply", opt_bool, OFF(forbid_filter_reply), NULL},
    {"forbid_filter_run", opt_bool, OFF(forbid_filter_run), NULL},
    {"forbid_include", opt_bool, OFF(forbid_include), NULL},
    {"forbid_pipe", opt_bool, OFF(forbid_pipe), NULL},
    {"forbid_sieve_filter", opt_bool, OFF(forbid_sieve_filter), NULL},
    {"forbid_smtp_code", opt_bool, OFF(forbid_smtp_code), NULL},
    {"hide_child_in_errmsg", opt_bool, OFF(hide_child_in_errmsg), NULL},
    {"ignore_eacces", opt_bool, OFF(ignore_eacces), NULL},
    {"ignore_enotdir", opt_bool, OFF(ignore_enotdir), NULL},
    {"include_directory", opt_string, OFF(include_directory), NULL},
    {"modemask", opt_octint, OFF(modemask), NULL},
    {"one_time", opt_bool, OFF(one_time), NULL},
    {"owners", opt_uidlist, OFF(owners), NULL},
    {"owngroups", opt_gidlist, OFF(owngroups), NULL},
    {"pipe_transport", opt_stringptr, OFF(pipe_transport), NULL},
    {"qualify_domain", opt_stringptr, OFF(qualify_domain), NULL},
    {"qualify_preserve_domain", opt_bool, OFF(qualify_preserve_domain), NULL},
    {"repeat_use", opt_bool, OFF(repeat_use), NULL},
    {"reply_transport", opt_stringptr, OFF(reply_transport), NULL},
    {"rewrite", opt_bool, OFF(rewrite), NULL},
    {"sieve_enotify_mailto_owner", opt_stringptr, OFF(sieve_enotify_mailto_owner), NULL},
    {"sieve_subaddress", opt_stringptr, OFF(sieve_subaddress), NULL},
    {"sieve_useraddress", opt_stringptr, OFF(sieve_useraddress), NULL},
    {"sieve_vacation_directory", opt_stringptr, OFF(sieve_vacation_directory), NULL},
    {"skip_syntax_errors", opt_bool, OFF(skip_syntax_errors), NULL},
    {"syntax_errors_text", opt_stringptr, OFF(syntax_errors_text), NULL},
    {"syntax_errors_to", opt_string, OFF(syntax_errors_to), NULL},
};

const redirect_router_options redirect_router_options_default = {
    .check_group = DRIVER_BOOL_UNSET,
    .check_owner = DRIVER_BOOL_UNSET,
    .filter_prepend_home = true,
    .modemask = 022,
    .repeat_use = true,
    .rewrite = true,
};

/* redirect_router_init - one of file and data; filters need a user;
 * one_time and unseen exclude each other */
static const char *redirect_router_init(driver_instance *d)
{
    const char *err = router_generic_init(d);
    if (err) return err;
    const router_instance *r = (const router_instance *)d;
    redirect_router_options *o = d->options_block;
    if (!o->file && !o->data) return string_copy("one of \"file\" or \"data\" must be specified");
    if (o->file && o->data) return string_copy("only one of \"file\" or \"data\" must be specified");
    if (o->allow_filter && !r->user && !r->check_local_user)
        return string_copy("\"user\" or \"check_local_user\" must be set with \"allow_filter\"");
    if (o->check_owner == DRIVER_BOOL_UNSET) o->check_owner = r->check_local_user || o->owners;
    if (o->check_group == DRIVER_BOOL_UNSET)
        o->check_group = (r->check_local_user && !(o->modemask & 020)) || o->owngroups;
    if (o->one_time && (r->unseen.value || r->unseen.expr))
        return string_copy("\"unseen\" may not be used with \"one_time\"");
    return NULL;
}

const router_info redirect_router_info = {
    .drinfo = {
        .driver_name = "redirect",
        .options = redirect_router_optionlist,
        .options_count = NELEM(redirect_router_optionlist),
        .options_default = &redirect_router_options_default,
        .options_len = sizeof(redirect_router_options),
        .init = redirect_router_init,
    },
};
