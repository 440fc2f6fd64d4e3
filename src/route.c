/* route.c - the router loop and the generic router preconditions.
 *
 * Runs in the delivery process (as root or the Exim user) and in the -bt,
 * -bv and ACL verify paths. Each address is offered to the routers in
 * order; a router whose preconditions fail is skipped, in the order the
 * manual's "Router preconditions" section gives. It never opens mailboxes
 * or runs commands: transports do that, in a child with the user's uid. */

/* System */
#include <pwd.h>
#include <grp.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "match.h"
#include "route.h"

/* ---- small helpers ---- */

const router_instance *route_find_router(const char *name)
{
    for (driver_instance *d = cfg.sections.drivers[DRIVER_ROUTER]; d; d = d->next)
        if (strcmp(d->name, name) == 0) return (const router_instance *)d;
    return NULL;
}

transport_instance *route_find_transport(const char *name)
{
    for (driver_instance *d = cfg.sections.drivers[DRIVER_TRANSPORT]; d; d = d->next)
        if (strcmp(d->name, name) == 0) return (transport_instance *)d;
    return NULL;
}

char *route_expand(const router_instance *r, const char *opt, const char *s, bool *forced,
                   char **err)
{
    *forced = false;
    char *v = expand_string(s);
    if (v) return v;
    *forced = expand_forced_fail();
    *err = string_sprintf("failed to expand \"%s\" in %s router: %s", s, r->drinst.name,
                          expand_error());
    (void)opt;
    return NULL;
}

bool route_split(const char *address, char **lp, char **domain, const char **err)
{
    const char *at = NULL;
    bool quoted = false;
    for (const char *p = address; *p; p++) {
        if (*p == '\\' && quoted && p[1]) { p++; continue; }
        if (*p == '"') quoted = !quoted;
        else if (*p == '@' && !quoted) at = p;
    }
    bool t = store_is_tainted(address);
    if (quoted) { *err = "unbalanced quotes in address"; return false; }
    if (!at) {
        *lp = string_copy_taint(address, t);
        *domain = string_copy(cfg.qualify_recipient ? cfg.qualify_recipient : cfg.qualify_domain);
        return **lp != 0 || (*err = "empty address", false);
    }
    if (at == address) { *err = "missing or malformed local part"; return false; }
    if (!at[1]) { *err = "domain missing or malformed"; return false; }
    *lp = string_copyn_taint(address, (size_t)(at - address), t);
    *domain = string_lc(at + 1);
    return true;
}

address_item *route_new_address(const char *address, unsigned flags)
{
    address_item *a = store_get_zero(sizeof *a, GET_UNTAINTED);
    a->flags = flags;
    a->transport_return = PENDING_DEFER;
    a->parent_index = -1;
    a->uid = a->gid = -1;
    if (flags & (AFL_PIPE | AFL_FILE | AFL_REPLY)) {
        a->address = a->unique = string_copy_taint(address, store_is_tainted(address));
        a->local_part = a->address;
        a->domain = string_copy("");
        return a;
    }
    const char *err;
    char *lp, *dom;
    if (!route_split(address, &lp, &dom, &err)) {
        a->address = string_copy_taint(address, store_is_tainted(address));
        a->message = string_copy(err);
        a->transport_return = FAIL;
        return a;
    }
    a->cc_local_part = lp;
    a->local_part = lp;
    a->domain = dom;
    a->address = string_sprintf("%s@%s", lp, dom);
    a->unique = string_lc(a->address);
    return a;
}

const char *route_ignore_hosts(const router_instance *r)
{
    if (!r->ignore_target_hosts) return NULL;
    bool forced;
    char *err;
    char *l = route_expand(r, "ignore_target_hosts", r->ignore_target_hosts, &forced, &err);
    if (!l && !forced) log_write(L_always, LOG_MAIN | LOG_PANIC, "%s", err);
    return l && *l ? l : NULL;
}

/* original - the top-level ancestor of addr */
static const address_item *original(const address_item *addr)
{
    while (addr->parent) addr = addr->parent;
    return addr;
}

void route_set_vars(const address_item *addr)
{
    dlv.addr = (address_item *)addr;
    dlv.address = addr->address;
    const address_item *named = (addr->flags & AFL_PFR) && addr->parent ? addr->parent : addr;
    dlv.local_part = named->local_part;
    dlv.domain = named->domain;
    dlv.local_part_prefix = addr->prefix;
    dlv.local_part_suffix = addr->suffix;
    dlv.local_part_prefix_v = addr->prefix_v;
    dlv.local_part_suffix_v = addr->suffix_v;
    dlv.address_data = addr->address_data;
    dlv.local_part_data = addr->local_part_data;
    dlv.domain_data = addr->domain_data;
    dlv.home = addr->home_dir;
    dlv.parent_local_part = addr->parent ? addr->parent->local_part : NULL;
    dlv.parent_domain = addr->parent ? addr->parent->domain : NULL;
    dlv.original_local_part = original(addr)->local_part;
    dlv.original_domain = original(addr)->domain;
    dlv.address_pipe = (addr->flags & AFL_PIPE) ? addr->address : NULL;
    dlv.address_file = (addr->flags & AFL_FILE) ? addr->address : NULL;
}

/* ---- preconditions, in the manual's order ---- */

/* skip_for_mode - verify_only, verify_sender/recipient, address_test (-bt) */
static bool skip_for_mode(const router_instance *r, enum router_verify v)
{
    if (v == V_NONE && proc.address_test == 't' && !r->address_test) return true;
    if (v == V_NONE) return r->verify_only;
    if (v == V_SENDER) return !r->verify_sender;
    if (v == V_RECIPIENT) return !r->verify_recipient;
    return !r->expn;
}

/* check_list - s against an expanded list option; OK, FAIL (skip) or DEFER */
static int check_list(const router_instance *r, const char *opt, const char *list,
                      const char *s, enum match_list_type ty, bool caseless, char **data,
                      char **err)
{
    if (!list) return OK;
    bool forced;
    char *l = route_expand(r, opt, list, &forced, err);
    if (!l) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to expand \"%s\" while checking a list: %s", list,
                  expand_error());
        *err = string_sprintf("%s check lookup or other defer", opt);
        return DEFER;
    }
    const char *val = NULL;
    int rc = ty == MCL_ADDRESS ? match_address_list(s, caseless, l, &val)
                               : match_isinlist(s, l, ty, caseless, &val);
    if (rc == DEFER) *err = string_sprintf("%s check lookup or other defer", opt);
    if (rc == OK && data) *data = val ? string_copy_taint(val, store_is_tainted(val)) : NULL;
    return rc;
}

/* affix_match - one prefix or suffix item against lp; the length matched,
 * or -1. A wildcard ("*-" prefix, "-*" suffix) takes the longest affix
 * ending (or starting) with the fixed part; its variable part may be empty,
 * and so may what is left of the local part (except after a plain suffix). */
static long affix_match(const char *lp, size_t lplen, const char *item, bool prefix)
{
    size_t n = strlen(item);
    bool wild = n && (prefix ? item[0] == '*' : item[n - 1] == '*');
    const char *fixed = wild && prefix ? item + 1 : item;
    size_t flen = wild ? n - 1 : n;
    if (flen > lplen || (!wild && !prefix && flen == lplen)) return -1; /* as Exim: a plain suffix leaves a local part */
    if (!wild) {
        const char *at = prefix ? lp : lp + lplen - flen;
        return strncasecmp(at, fixed, flen) == 0 ? (long)flen : -1;
    }
    for (size_t i = 0; i + flen <= lplen; i++) {
        size_t pos = prefix ? lplen - flen - i : i; /* prefix: last match; suffix: first */
        if (strncasecmp(lp + pos, fixed, flen) == 0) return (long)(prefix ? pos + flen : lplen - pos);
    }
    return -1;
}

/* affix_list_match - the first item of list that matches lp: its length
 * (-1 if none) and, for a wildcard, the variable part in *v */
static long affix_list_match(const char *lp, const char *list, bool prefix, char **v)
{
    int sep = 0;
    char *item;
    size_t lplen = strlen(lp);
    *v = NULL;
    while ((item = string_nextinlist(&list, &sep))) {
        long got = affix_match(lp, lplen, item, prefix);
        if (got < 0) continue;
        size_t fixed = strlen(item) - 1;
        if (prefix && item[0] == '*') *v = string_copyn(lp, (size_t)got - fixed);
        else if (!prefix && *item && item[strlen(item) - 1] == '*')
            *v = string_copy(lp + lplen - (size_t)got + fixed);
        return got;
    }
    return -1;
}

/* check_affixes - strip local_part_prefix/suffix; FAIL if required and
 * absent. Matching is on the lowercased local part unless caseful. */
static int check_affixes(const router_instance *r, address_item *addr)
{
    addr->prefix = addr->suffix = addr->prefix_v = addr->suffix_v = NULL;
    char *lp = addr->cc_local_part ? addr->cc_local_part : addr->local_part;
    lp = r->caseful_local_part ? string_copy(lp) : string_lc(lp);
    if (r->local_part_prefix) {
        long n = affix_list_match(lp, r->local_part_prefix, true, &addr->prefix_v);
        if (n >= 0) { addr->prefix = string_copyn(lp, (size_t)n); lp += n; }
        else if (!r->local_part_prefix_optional) return FAIL;
    }
    if (r->local_part_suffix) {
        long n = affix_list_match(lp, r->local_part_suffix, false, &addr->suffix_v);
        size_t len = strlen(lp);
        if (n >= 0) { addr->suffix = string_copy(lp + len - (size_t)n); lp = string_copyn(lp, len - (size_t)n); }
        else if (!r->local_part_suffix_optional) return FAIL;
    }
    addr->local_part = lp;
    return OK;
}

/* check_local_user - the local part must be a login; sets $home */
static int check_user(const router_instance *r, address_item *addr, struct passwd **pw)
{
    *pw = NULL;
    if (!r->check_local_user) return OK;
    struct passwd *p = getpwnam(addr->local_part);
    if (!p) return FAIL;
    *pw = p;
    addr->home_dir = string_copy(p->pw_dir);
    dlv.home = addr->home_dir;
    dlv.local_user_uid = p->pw_uid;
    dlv.local_user_gid = p->pw_gid;
    return OK;
}

/* check_condition - the "condition" option. An expansion that fails
 * skips the router and goes to the panic log, as in Exim. */
static int check_condition(const router_instance *r, char **err)
{
    if (!r->condition) return OK;
    bool forced;
    char *v = route_expand(r, "condition", r->condition, &forced, err);
    if (!v && !forced)
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to expand condition \"%s\" for %s router: %s",
                  r->condition, r->drinst.name, expand_error());
    if (!v) return FAIL;
    v = string_trim(v);
    if (!*v || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
        return FAIL;
    return OK;
}

/* preconditions - OK to run the router, FAIL to skip it, DEFER on error */
static int preconditions(const router_instance *r, address_item *addr, enum router_verify v,
                         struct passwd **pw, char **err)
{
    *pw = NULL;
    if (skip_for_mode(r, v)) return FAIL;
    int rc = check_list(r, "domains", r->domains, addr->domain, MCL_DOMAIN, true,
                        &addr->domain_data, err);
    if (rc != OK) return rc;
    dlv.domain_data = addr->domain_data;
    if ((rc = check_affixes(r, addr)) != OK) return rc;
    route_set_vars(addr);
    rc = check_list(r, "local_parts", r->local_parts, addr->local_part, MCL_LOCALPART,
                    !r->caseful_local_part, &addr->local_part_data, err);
    if (rc != OK) return rc;
    dlv.local_part_data = addr->local_part_data;
    if ((rc = check_user(r, addr, pw)) != OK) return rc;
    if (r->router_home_directory) {
        bool forced;
        char *h = route_expand(r, "router_home_directory", r->router_home_directory, &forced, err);
        if (!h) {
            *err = string_sprintf("failed to expand \"%s\" for router_home_directory: %s",
                                  r->router_home_directory, expand_error());
            return DEFER;
        }
        addr->home_dir = dlv.home = h;
    }
    const char *sender = msg.sender_address ? msg.sender_address : "";
    rc = check_list(r, "senders", r->senders, sender, MCL_ADDRESS, true, NULL, err);
    if (rc != OK) return rc;
    if (r->require_files && (rc = route_require_files(r, err)) != OK) return rc;
    return check_condition(r, err);
}

/* ---- after a router accepts ---- */

/* generic_results - errors_to, headers_add/remove, address_data */
static int generic_results(const router_instance *r, address_item *addr, char **err)
{
    bool forced;
    if (r->address_data) {
        char *d = route_expand(r, "address_data", r->address_data, &forced, err);
        if (!d && !forced)
            *err = string_sprintf("expansion of \"%s\" failed in %s router: %s", r->address_data,
                                  r->drinst.name, expand_error());
        if (!d) return forced ? DECLINE : DEFER;
        addr->address_data = dlv.address_data = d;
    }
    if (r->errors_to) {
        char *e = route_expand(r, "errors_to", r->errors_to, &forced, err);
        if (!e && !forced) {
            *err = string_sprintf("%s router failed to expand \"%s\": %s", r->drinst.name,
                                  r->errors_to, expand_error());
            return DEFER;
        }
        if (e) addr->errors_address = e;
        if (e && !*e) addr->flags |= AFL_IGNORE_ERROR;
    }
    if (r->headers_add) {
        char *h = route_expand(r, "headers_add", r->headers_add, &forced, err);
        if (!h && !forced) {
            *err = string_sprintf("%s router failed to expand add_headers item \"%s\": %s",
                                  r->drinst.name, r->headers_add, expand_error());
            return DEFER;
        }
        if (h && *h) {
            header_line *hl = store_get_zero(sizeof *hl, GET_UNTAINTED);
            size_t n = strlen(h);
            hl->text = h[n - 1] == '\n' ? h : string_sprintf("%s\n", h);
            hl->slen = strlen(hl->text);
            hl->next = addr->extra_headers;
            addr->extra_headers = hl;
        }
    }
    if (r->headers_remove) {
        char *h = route_expand(r, "headers_remove", r->headers_remove, &forced, err);
        if (!h && !forced) {
            *err = string_sprintf("%s router failed to expand remove_headers item \"%s\": %s",
                                  r->drinst.name, r->headers_remove, expand_error());
            return DEFER;
        }
        if (h) addr->remove_headers = addr->remove_headers ? string_sprintf("%s:%s", addr->remove_headers, h) : h;
    }
    return OK;
}

void route_unseen_copy(const router_instance *r, address_item *addr, router_lists *lists)
{
    address_item *c = store_get(sizeof *c, GET_UNTAINTED);
    *c = *addr;
    c->start_router = (const router_instance *)r->drinst.next;
    c->transport = NULL;
    c->host_list = NULL;
    c->next = *lists->new;
    c->flags &= ~AFL_UNSEEN;
    *lists->new = c;
    addr->flags |= AFL_UNSEEN;
    /* the two are delivered separately: each is journalled and
     * de-duplicated under its own name */
    addr->unique = string_sprintf("%s/unseen:%s", addr->unique, r->drinst.name);
}

static bool xbool(const opt_xbool *x, const router_instance *r)
{
    if (!x->expr) return x->value;
    bool forced;
    char *err;
    char *v = route_expand(r, "more", x->expr, &forced, &err);
    return v && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* run_one - preconditions and one router's entry. Returns the router's
 * result, or SKIP when the router was not run. */
static int run_one(const router_instance *r, address_item *addr, enum router_verify v,
                   router_lists *lists)
{
    struct passwd *pw = NULL;
    char *err = NULL;
    dlv.router = r; /* $router_name in the preconditions and generic options too */
    dlv.router_name = r->drinst.name;
    for (const address_item *p = addr->parent; p; p = p->parent)
        if (p->router == r && p->unique && addr->unique && strcasecmp(p->unique, addr->unique) == 0)
            return SKIP; /* a router never handles a copy of an address it generated from */
    int rc = preconditions(r, addr, v, &pw, &err);
    if (rc == FAIL) return SKIP;
    if (rc != OK) { addr->message = err; return rc; }
    DEBUG(D_route) debug_printf("calling %s router\n", r->drinst.name);
    if (r->set) {
        bool forced;
        if (!route_expand(r, "set", r->set, &forced, &err)) { addr->message = err; return DEFER; }
    }
    if ((rc = generic_results(r, addr, &err)) != OK) {
        if (rc == DEFER) addr->message = err;
        return rc == DECLINE ? SKIP : rc;
    }
    const router_info *ri = (const router_info *)r->drinst.info;
    if (!ri || !ri->route) {
        addr->message = string_sprintf("%s router: the %s driver cannot route in this build",
                                       r->drinst.name, r->drinst.driver_name);
        return DEFER;
    }
    addr->router = r;
    rc = ri->route((router_instance *)r, addr, pw, v, lists);
    if (rc == OK && xbool(&r->unseen, r) && v == V_NONE) route_unseen_copy(r, addr, lists);
    return rc;
}

/* next_after - where routing continues after PASS or DECLINE */
static const router_instance *next_after(const router_instance *r, int rc)
{
    if (rc == PASS && r->pass_router) return route_find_router(r->pass_router);
    return (const router_instance *)r->drinst.next;
}

/* unrouteable - the failure text when no router accepted addr */
static int unrouteable(address_item *addr, const router_instance *last)
{
    if (last && last->cannot_route_message) {
        bool forced;
        char *err;
        char *m = route_expand(last, "cannot_route_message", last->cannot_route_message, &forced, &err);
        if (m) { addr->message = addr->user_message = m; return FAIL; }
    }
    addr->router = NULL;
    addr->message = string_copy("Unrouteable address");
    return FAIL;
}

void route_child_inherit(address_item *c, address_item *parent)
{
    c->parent = parent;
    c->errors_address = parent->errors_address;
    c->extra_headers = parent->extra_headers;
    c->remove_headers = parent->remove_headers;
    c->address_data = parent->address_data;
}

/* reroute_child - the router gave addr a new domain (widen_domains, the
 * resolver's qualification, self = reroute): as in Exim, the new address
 * is a child of the old one, routed again from the first router */
static int reroute_child(address_item *addr, const address_item *before, router_lists *lists)
{
    char *lp, *dom;
    const char *err;
    if (!route_split(before->address, &lp, &dom, &err)) lp = before->local_part;
    address_item *c = route_new_address(string_sprintf("%s@%s", lp, addr->domain), 0);
    route_child_inherit(c, addr);
    addr->address = before->address;
    addr->domain = before->domain;
    addr->unique = before->unique;
    addr->local_part = before->local_part;
    c->next = *lists->new;
    *lists->new = c;
    return OK;
}

int route_address(address_item *addr, router_lists *lists, enum router_verify verify)
{
    if (addr->transport_return == FAIL) return FAIL; /* unparseable */
    const router_instance *r = addr->start_router ? addr->start_router
        : (const router_instance *)cfg.sections.drivers[DRIVER_ROUTER];
    const router_instance *last = NULL;
    char *saved_lp = addr->local_part;
    address_item before = *addr;
    while (r) {
        addr->local_part = saved_lp;
        route_set_vars(addr);
        int rc = run_one(r, addr, verify, lists);
        last = r; /* cannot_route_message: skipped routers count too */
        if (rc == SKIP) { r = (const router_instance *)r->drinst.next; continue; }
        if (rc == DECLINE || rc == PASS) {
            if (rc == DECLINE && !xbool(&r->more, r)) break;
            r = next_after(r, rc);
            continue;
        }
        if (rc == REROUTED) return reroute_child(addr, &before, lists);
        if (rc == ERROR) rc = DEFER;
        if (rc == FAIL && !addr->message) addr->message = string_copy("Unrouteable address");
        return rc;
    }
    addr->local_part = saved_lp;
    return unrouteable(addr, last);
}
