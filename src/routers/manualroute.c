/* manualroute.c - the manualroute router: routes domains by a list of rules
 * or an expanded route_data string naming hosts.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../router.h"
#include "../host.h"
#include "../match.h"
#include "../route.h"
#include "../transport.h"
/* This driver */
#include "manualroute.h"

#define OFF(f) OPT_OFF(manualroute_router_options, f)

static const optionlist manualroute_router_optionlist[] = {
    {"host_all_ignored", opt_string, OFF(host_all_ignored), NULL},
    {"host_find_failed", opt_string, OFF(host_find_failed), NULL},
    {"hosts_randomize", opt_bool, OFF(hosts_randomize), NULL},
    {"route_data", opt_stringptr, OFF(route_data), NULL},
    {"route_list", opt_string, OFF(route_list), NULL},
    {"same_domain_copy_routing", opt_bool, OFF(same_domain_copy_routing), NULL},
};

const manualroute_router_options manualroute_router_options_default = {
    .host_all_ignored = "defer",
    .host_find_failed = "freeze",
};

/* word_in - S is one of the NULL-terminated WORDS */
static bool word_in(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0) return true;
    return false;
}

/* manualroute_router_init - exactly one of route_list and route_data, and
 * known words for the two host-failure options */
static const char *manualroute_router_init(driver_instance *d)
{
    static const char *const find_failed[] = {"freeze", "defer", "fail", "decline", "pass", "ignore", NULL};
    const char *err = router_generic_init(d);
    if (err) return err;
    const manualroute_router_options *o = d->options_block;
    if (!o->route_list == !o->route_data)
        return string_copy("route_list or route_data (but not both) must be specified");
    if (!word_in(o->host_find_failed, find_failed))
        return string_copy("unrecognized setting for host_find_failed option");
    if (strcmp(o->host_all_ignored, "ignore") == 0 || !word_in(o->host_all_ignored, find_failed))
        return string_copy("unrecognized setting for host_all_ignored option");
    return NULL;
}

/* next_word - a word of a route item; "..." quoting allowed */
static char *next_word(const char **pp)
{
    const char *p = *pp;
    while (*p == ' ' || *p == '\t' || *p == '\n') p++;
    if (!*p) return NULL;
    const char *s = p;
    if (*p == '"') {
        s = ++p;
        while (*p && *p != '"') p++;
        char *w = string_copyn(s, (size_t)(p - s));
        *pp = *p ? p + 1 : p;
        return w;
    }
    while (*p && *p != ' ' && *p != '\t' && *p != '\n') p++;
    *pp = p;
    return string_copyn(s, (size_t)(p - s));
}

/* find_item - the host list and options for addr's domain */
static int find_item(const router_instance *r, const manualroute_router_options *o,
                     address_item *addr, const char **rest)
{
    bool forced;
    char *err;
    if (o->route_data) {
        char *d = route_expand(r, "route_data", o->route_data, &forced, &err);
        if (!d) { if (forced) return DECLINE; addr->message = err; return DEFER; }
        *rest = d;
        return *d ? OK : DECLINE;
    }
    const char *list = o->route_list;
    int sep = ';';
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        const char *p = item;
        char *pattern = next_word(&p);
        if (!pattern) continue;
        int rc = match_isinlist(addr->domain, pattern, MCL_DOMAIN, true, NULL);
        if (rc == DEFER) { addr->message = string_copy("lookup defer in route_list"); return DEFER; }
        if (rc != OK) continue;
        char *e = route_expand(r, "route_list", p, &forced, &err);
        if (!e) { if (forced) continue; addr->message = err; return DEFER; }
        *rest = e;
        return OK;
    }
    return DECLINE;
}

/* lookup_hosts - addresses for each host ("name/MX" by its MX records) */
static int lookup_hosts(const router_instance *r, host_item **chain, char **err, char **failed,
                        bool ignore_failed)
{
    host_item *out = NULL, **tail = &out;
    int worst = OK;
    const char *ignore = route_ignore_hosts(r);
    for (host_item *n, *h = *chain; h; h = n) {
        n = h->next;
        h->next = NULL;
        host_item *got = h;
        int rc = h->why == HWHY_INSERTED
            ? host_find_bydns(h->name, true, ignore, false, &got, err)
            : host_find_byname(&got, ignore, err);
        if (rc != OK) {
            if (worst == OK || rc == DEFER) worst = rc;
            if (!*failed) *failed = h->name;
            if (!ignore_failed) return worst; /* host_find_failed decides */
            continue;
        }
        *tail = got;
        while (*tail) tail = &(*tail)->next;
    }
    *chain = out;
    return out ? OK : worst;
}

/* names_only - a copy of the host list without addresses */
static host_item *names_only(const host_item *h)
{
    host_item *out = NULL, **tail = &out;
    for (; h; h = h->next) {
        host_item *c = store_get(sizeof *c, GET_UNTAINTED);
        *c = *h;
        c->address = NULL;
        c->next = NULL;
        *tail = c;
        tail = &c->next;
    }
    return out;
}

/* find_failed - host_find_failed / host_all_ignored actions */
static int find_failed(const router_instance *r, const char *action, address_item *addr, const char *host)
{
    if (strcmp(action, "decline") == 0) return DECLINE;
    if (strcmp(action, "pass") == 0) return PASS;
    addr->message = string_sprintf("lookup of host \"%s\" failed in %s router", host ? host : "", r->drinst.name);
    if (strcmp(action, "fail") == 0) return FAIL;
    if (strcmp(action, "freeze") == 0) addr->special_action = 'F';
    return DEFER;
}

/* manualroute_router_route - hosts from route_list or route_data */
static int manualroute_router_route(router_instance *r, address_item *addr, const struct passwd *pw,
                                    enum router_verify v, router_lists *lists)
{
    (void)pw; (void)v;
    const manualroute_router_options *o = r->drinst.options_block;
    const char *rest = NULL;
    int rc = find_item(r, o, addr, &rest);
    if (rc != OK) return rc;
    char *hostlist = next_word(&rest), *w, *tname = NULL;
    bool randomize = o->hosts_randomize;
    while ((w = next_word(&rest))) {
        if (strcmp(w, "randomize") == 0) randomize = true;
        else if (strcmp(w, "no_randomize") == 0) randomize = false;
        else if (strcmp(w, "byname") && strcmp(w, "bydns") && strcmp(w, "ipv4_prefer") && strcmp(w, "ipv4_only"))
            tname = w;
    }
    if (!hostlist) return route_queue(r, addr, NULL, tname, lists); /* local transport, no hosts */
    addr->host_list = NULL;
    const char *perr;
    host_item *hosts = host_parse_list(hostlist, randomize, &perr);
    if (!hosts) { addr->message = string_sprintf("error in %s router: %s", r->drinst.name, perr); return DEFER; }
    const transport_instance *t = route_find_transport(tname ? tname : r->transport_name ? r->transport_name : "");
    if (t && ((const transport_info *)t->drinst.info)->local) {
        for (host_item *h = hosts; h; h = h->next) h->address = NULL; /* local transports use names only */
        addr->host_list = hosts;
        return route_queue(r, addr, NULL, tname, lists);
    }
    char *err = NULL, *failed = NULL;
    host_item *names = names_only(hosts);
    rc = lookup_hosts(r, &hosts, &err, &failed, strcmp(o->host_find_failed, "ignore") == 0);
    if (rc == FAIL && strcmp(o->host_find_failed, "decline") == 0)
        addr->host_list = names; /* as Exim: later routers (and -bt) still see the hosts */
    if (rc == DEFER && r->pass_on_timeout) return PASS;
    if (rc == DEFER) {
        addr->message = string_sprintf("host lookup for %s did not complete (DNS timeout?)", failed ? failed : "");
        return DEFER;
    }
    if (rc != OK) return find_failed(r, o->host_find_failed, addr, failed);
    return route_remote(r, addr, hosts, tname, lists);
}

const router_info manualroute_router_info = {
    .drinfo = {
        .driver_name = "manualroute",
        .options = manualroute_router_optionlist,
        .options_count = NELEM(manualroute_router_optionlist),
        .options_default = &manualroute_router_options_default,
        .options_len = sizeof(manualroute_router_options),
        .init = manualroute_router_init,
    },
    .route = manualroute_router_route,
};
