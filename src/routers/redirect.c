/* redirect.c - the redirect router: replaces an address with a list of new
 * addresses, files, pipes or a filter (alias files, .forward files).
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* System */
#include <sys/stat.h>
/* MTA core */
#include "../tern.h"
#include "../expand.h"
#include "../filter.h"
#include "../globals.h"
#include "../log.h"
#include "../redirect_list.h"
#include "../rewrite.h"
#include "../route.h"
#include "../router.h"
#include "../spool.h"
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
    if (o->one_time && (r->headers_add || r->headers_remove))
        return string_copy("\"headers_add\" and \"headers_remove\" are not permitted with \"one_time\"");
    if (o->one_time) /* only addresses may be generated (manual: one_time) */
        o->forbid_file = o->forbid_pipe = o->forbid_filter_reply = true;
    return NULL;
}


/* ---- routing ---- */

/* get_data - the redirection text from "data" or "file"; DECLINE when
 * the file is missing or the data empty */
static int get_data(const router_instance *r, const redirect_router_options *o,
                    address_item *addr, char **text)
{
    bool forced;
    char *err;
    const char *raw = o->file ? o->file : o->data;
    char *v = route_expand(r, o->file ? "file" : "data", raw, &forced, &err);
    if (!v) {
        if (forced) return DECLINE;
        addr->message = string_sprintf("failed to expand \"%s\": %s", raw, expand_error());
        return DEFER;
    }
    if (!o->file) { *text = v; return OK; }
    const char *rerr;
    struct stat st;
    if (stat(v, &st) != 0) {
        if (errno == ENOENT || (errno == ENOTDIR && o->ignore_enotdir) || (errno == EACCES && o->ignore_eacces))
            return DECLINE;
        addr->message = string_sprintf("failed to stat %s: %s", v, strerror(errno));
        return DEFER;
    }
    char *data = redirect_read_file(v, &rerr);
    if (!data) { addr->message = string_copy(rerr); return DEFER; }
    *text = data;
    return OK;
}

/* ancestor_has - is unique one of addr's ancestors (check_ancestor)? */
static bool ancestor_has(const address_item *addr, const char *unique)
{
    for (const address_item *a = addr; a; a = a->parent)
        if (a->unique && strcasecmp(a->unique, unique) == 0) return true;
    return false;
}

/* pfr_transport - pipe, file or directory transport for a generated item */
static int pfr_transport(const router_instance *r, const redirect_router_options *o,
                         address_item *c)
{
    const char *opt = (c->flags & AFL_REPLY) ? "reply_transport" : (c->flags & AFL_PIPE) ? "pipe_transport"
        : (c->address[strlen(c->address) - 1] == '/' ? "directory_transport" : "file_transport");
    const char *val = (c->flags & AFL_REPLY) ? o->reply_transport : (c->flags & AFL_PIPE) ? o->pipe_transport
        : (*opt == 'd' ? o->directory_transport : o->file_transport);
    if (!val) {
        c->message = string_sprintf("%s unset in %s router", opt, r->drinst.name);
        return DEFER;
    }
    bool forced;
    char *err;
    char *n = route_expand(r, opt, val, &forced, &err);
    c->transport = n ? route_find_transport(n) : NULL;
    if (!c->transport) {
        c->message = n ? string_sprintf("%s transport \"%s\" not found", opt, n) : err;
        return DEFER;
    }
    return OK;
}

/* forbidden - a pipe or file that forbid_pipe / forbid_file (or
 * one_time) rule out: Exim still generates it, and its delivery fails */
static bool forbidden(const redirect_router_options *o, const address_item *c)
{
    if (c->flags & AFL_PIPE) return o->forbid_pipe || o->one_time;
    return (c->flags & AFL_FILE) && (o->forbid_file || o->one_time);
}

/* rewrite_child - the global T rules on a generated address, as soon as
 * it exists (Exim manual "When does rewriting happen?"; no_rewrite turns
 * this off) */
static void rewrite_child(address_item *c)
{
    char *n = rewrite_address(rewrite_rules_list(), c->address, RW_ENV_TO, NULL);
    if (n == c->address) return;
    address_item *t = route_new_address(n, 0);
    if (t->transport_return == FAIL) return; /* unusable result: keep the child as generated */
    c->address = t->address;
    c->unique = t->unique;
    c->local_part = t->local_part;
    c->cc_local_part = t->cc_local_part;
    c->domain = t->domain;
}

/* place_child - a generated item: pipes and files go straight to the
 * local list; addresses are routed again (from redirect_router if set).
 * With check_ancestor, an ancestor's address becomes a copy of addr. */
static int place_child(const router_instance *r, const redirect_router_options *o,
                       address_item *addr, address_item *c, router_lists *lists, enum router_verify v)
{
    if (!(c->flags & AFL_PFR) && o->check_ancestor && ancestor_has(addr, c->unique))
        *c = *route_new_address(addr->address, c->flags & AFL_HOMONYM);
    route_child_inherit(c, addr);
    if (o->one_time) c->flags |= AFL_ONE_TIME;
    if (c->flags & AFL_PFR) {
        c->unique = string_sprintf("%s:%s", c->unique, addr->unique); /* a reply's holds its number */
        if (!route_get_ugid(r, c, NULL)) return DEFER;
        if (!(c->flags & AFL_UID_SET) && (addr->flags & AFL_UID_SET)) { c->uid = addr->uid; c->flags |= AFL_UID_SET; }
        if (!(c->flags & AFL_GID_SET) && (addr->flags & AFL_GID_SET)) { c->gid = addr->gid; c->flags |= AFL_GID_SET; }
        c->home_dir = addr->home_dir;
        c->router = r;
        if (v != V_NONE) return OK; /* verification never looks at pipes and files */
        if (forbidden(o, c)) c->flags |= AFL_FORBIDDEN;
        (void)pfr_transport(r, o, c); /* no transport: this item alone defers */
        c->next = *lists->local;
        *lists->local = c;
        return OK;
    }
    if (o->rewrite) rewrite_child(c);
    /* a "\\name" item is kept from this router only when it is addr again,
     * which run_one's ancestry check already does (Exim 4.96 routes
     * other "\\" items from the top) */
    if (r->redirect_router) c->start_router = route_find_router(r->redirect_router);
    c->next = *lists->new;
    *lists->new = c;
    return OK;
}

/* depth - how many generations above addr */
static int depth(const address_item *addr)
{
    int n = 0;
    while ((addr = addr->parent)) n++;
    return n;
}

/* special_result - :fail: / :defer: with allow_fail / allow_defer */
static int special_result(const redirect_router_options *o, const redirect_parse *rp,
                          address_item *addr)
{
    bool allowed = rp->special == FAIL ? o->allow_fail : o->allow_defer;
    if (!allowed) {
        addr->message = string_sprintf("error in redirect data: \"%s\" is not permitted", rp->special_item);
        return DEFER;
    }
    addr->message = addr->user_message = rp->special_text;
    if (rp->special == FAIL) addr->flags |= AFL_PASS_MESSAGE;
    return rp->special;
}

/* log_skipped - one mainlog line per item skip_syntax_errors skipped */
static void log_skipped(const router_instance *r, const char *lines)
{
    for (const char *p = lines, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        log_write(L_always, LOG_MAIN, "%s router: skipped error: %.*s", r->drinst.name, (int)(nl - p), p);
    }
}

/* run_filter - an Exim filter file */
static int run_filter(const router_instance *r, const redirect_router_options *o, const char *text,
                      address_item *addr, redirect_parse *rp)
{
    if (!o->allow_filter || o->forbid_exim_filter) {
        addr->message = string_copy("filtering not enabled");
        return DEFER;
    }
    filter_result fr = {0};
    unsigned forbid = (o->forbid_file ? FILTER_FORBID_FILE : 0) | (o->forbid_pipe ? FILTER_FORBID_PIPE : 0)
        | (o->forbid_filter_logwrite ? FILTER_FORBID_LOGWRITE : 0) | (o->forbid_filter_reply ? FILTER_FORBID_REPLY : 0);
    int rc = filter_run(text, addr, forbid, &fr);
    if (rc == ERROR && o->skip_syntax_errors) { /* abandoned: the router declines */
        log_write(L_always, LOG_MAIN, "%s router: skipped error: %s", r->drinst.name, fr.error);
        return DECLINE;
    }
    if (rc == ERROR) { addr->message = string_sprintf("error in filter file: %s", fr.error); return DEFER; }
    if (rc == FAIL || rc == DEFER) {
        addr->message = addr->user_message = fr.fail_text ? fr.fail_text : string_copy("filter failed");
        return rc;
    }
    if (fr.freeze) addr->special_action = 'F';
    for (address_item *n, *a = fr.generated; a; a = n) { n = a->next; a->next = rp->out; rp->out = a; }
    rp->blackhole = !fr.generated && fr.seen;
    return fr.seen ? OK : PASS; /* not seen: the address carries on to later routers */
}

/* qualify_for - the domain for unqualified items: qualify_domain (its
 * forced failure declines), the address's own (qualify_preserve_domain),
 * else qualify_recipient. "\\user" items ignore qualify_domain and take
 * the address's own domain (Exim 4.96's behaviour). */
static int qualify_for(const router_instance *r, const redirect_router_options *o, address_item *addr,
                       redirect_parse *rp)
{
    const char *dflt = cfg.qualify_recipient ? cfg.qualify_recipient : cfg.qualify_domain;
    rp->qualify_domain = o->qualify_preserve_domain ? addr->domain : dflt;
    if (!o->qualify_domain) return OK;
    bool forced;
    char *err;
    char *q = route_expand(r, "qualify_domain", o->qualify_domain, &forced, &err);
    if (!q) {
        if (forced) return DECLINE;
        addr->message = string_sprintf("failed to expand \"%s\": %s", o->qualify_domain, expand_error());
        return DEFER;
    }
    rp->qualify_noredir = addr->domain; /* as Exim 4.96 does */
    rp->qualify_domain = q;
    return OK;
}

/* parse_list - a plain (non-filter) redirection list. Errors name where
 * the list came from ("data" or "file"); items skipped for their syntax
 * are logged, and a list of nothing but such items fails the address. */
static int parse_list(const router_instance *r, const redirect_router_options *o, const char *text,
                      address_item *addr, redirect_parse *rp, enum router_verify v)
{
    const char *from = o->file ? "file" : "data";
    int rc = redirect_parse_text(rp, text, 0);
    if (rc == OK && rp->blackhole && o->forbid_blackhole) {
        rp->error = string_copy("\":blackhole:\" is not permitted");
        rc = ERROR;
    }
    if (rc == ERROR) { addr->message = string_sprintf("error in redirect %s: %s", from, rp->error); return DEFER; }
    if (rc == DEFER) { addr->message = rp->error; return DEFER; }
    if (rp->skipped_errors) {
        log_skipped(r, string_from_gstring(rp->skipped_errors));
        if (v == V_NONE) redirect_send_syntax_errors(r, o, string_from_gstring(rp->skipped_errors));
    }
    if (rp->special) return special_result(o, rp, addr);
    if (rp->skipped && !rp->out && !rp->blackhole) {
        addr->message = string_copy("syntax error in redirection data");
        return FAIL;
    }
    return OK;
}

/* redirect_router_route - expand or read the data, parse it, queue children */
static int redirect_router_route(router_instance *r, address_item *addr, const struct passwd *pw,
                                 enum router_verify v, router_lists *lists)
{
    const redirect_router_options *o = r->drinst.options_block;
    char *text = NULL;
    int rc = get_data(r, o, addr, &text);
    if (rc != OK) return rc;
    if (depth(addr) >= LIMIT_REDIRECT_DEPTH) {
        addr->message = string_sprintf("redirection nested more than %d levels deep", LIMIT_REDIRECT_DEPTH);
        return FAIL;
    }
    redirect_parse rp = {.forbid_include = o->forbid_include, .skip_syntax_errors = o->skip_syntax_errors};
    if ((rc = qualify_for(r, o, addr, &rp)) != OK) return rc;
    bool seen_filter = false, filter_ran = false;
    if ((filter_ran = filter_is_exim(text))) {
        rc = run_filter(r, o, text, addr, &rp);
        if (rc != OK && rc != PASS) return rc;
        seen_filter = rc == OK;
        if (rc == PASS && !rp.out) return DECLINE;
    } else if ((rc = parse_list(r, o, text, addr, &rp, v)) != OK) {
        return rc;
    }
    if (rp.blackhole && !rp.out) return DISCARD;
    if (!rp.out && !seen_filter) return DECLINE;
    (void)pw;
    address_item *inorder = NULL;
    for (address_item *c = rp.out, *next; c; c = next) { next = c->next; c->next = inorder; inorder = c; }
    for (address_item *c = inorder, *next; c; c = next) {
        next = c->next;
        if ((rc = place_child(r, o, addr, c, lists, v)) != OK) return rc;
    }
    /* a filter that set up no significant delivery (only "unseen" ones or
     * replies): the address also carries on to the next router */
    if (filter_ran && !seen_filter && v == V_NONE) route_unseen_copy(r, addr, lists);
    return seen_filter || rp.out ? OK : DECLINE;
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
    .route = redirect_router_route,
};
