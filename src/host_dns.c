/* host_dns.c - the DNS search behind the dnslookup router: SRV records
 * (check_srv), MX records sorted by preference with ties shuffled, the
 * targets' A/AAAA records (ipv4_only, ipv4_prefer), the domain's own
 * addresses when it has no MX, the resolver's qualification of short
 * names (qualify_single, search_parents), and the removal of this host
 * and every worse MX (for "self" and check_secondary_mx).
 *
 * Runs in the delivery process and in verification. Every name and
 * address from an answer is tainted (dns.c allocates it so). */

/* System */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "globals.h"
#include "host.h"

/* ---- names to try ---- */

/* resolver_suffixes - the resolver's search list (LOCALDOMAIN, "search"
 * or "domain" in resolv.conf); NULL-terminated, possibly empty */
static char **resolver_suffixes(void)
{
    struct __res_state st;
    memset(&st, 0, sizeof st);
    char **out = store_get_zero(sizeof *out * (MAXDNSRCH + 2), GET_UNTAINTED);
    if (res_ninit(&st) != 0) return out;
    int n = 0;
    for (int i = 0; i < MAXDNSRCH && st.dnsrch[i]; i++) out[n++] = string_copy(st.dnsrch[i]);
    if (!n && st.defdname[0]) out[n++] = string_copy(st.defdname);
    res_nclose(&st);
    return out;
}

/* search_names - the names to look up for domain, in order */
static char **search_names(const char *domain, const host_find_opts *o)
{
    bool dotted = strchr(domain, '.') != NULL;
    char **sfx = (!dotted && o->qualify_single) || o->search_parents ? resolver_suffixes() : NULL;
    char **out = store_get_zero(sizeof *out * (MAXDNSRCH + 3), GET_UNTAINTED);
    int n = 0;
    if (dotted || !o->qualify_single || !sfx[0]) out[n++] = (char *)domain;
    else out[n++] = string_sprintf("%s.%s", domain, sfx[0]);
    for (int i = 0; o->search_parents && sfx[i]; i++) {
        char *c = string_sprintf("%s.%s", domain, sfx[i]);
        if (strcasecmp(c, out[0]) != 0) out[n++] = c;
    }
    return out;
}

/* ---- addresses ---- */

/* add_family - append the addresses of one record type to the chain;
 * *ignored counts those ignore_target_hosts removed */
static int add_family(const host_item *h, int type, const char *ignore, host_item ***tail, int *ignored)
{
    dns_answer ans;
    char *err;
    int rc = dns_lookup(h->name, type, &ans, &err);
    if (rc != OK) return rc;
    int added = 0;
    for (dns_record *r = ans.records; r; r = r->next) {
        if (r->type != type) continue;
        if (host_ignored(r->data, ignore)) { (*ignored)++; continue; }
        host_item *c = store_get(sizeof *c, GET_UNTAINTED);
        *c = *h;
        c->address = r->data;
        c->next = NULL;
        **tail = c;
        *tail = &c->next;
        added++;
    }
    return added ? OK : FAIL;
}

/* host_addresses - h expanded into one item per address (IPv6 first,
 * as Exim orders them, unless ipv4_prefer); OK, FAIL or DEFER */
static int host_addresses(const host_item *h, const host_find_opts *o, host_item **out, int *ignored)
{
    host_item *first = NULL, **tail = &first;
    bool v6 = !o->ipv4_only && !cfg.disable_ipv6;
    int order[2] = {o->ipv4_prefer ? DNS_T_A : DNS_T_AAAA, o->ipv4_prefer ? DNS_T_AAAA : DNS_T_A};
    bool deferred = false;
    for (int i = 0; i < 2; i++) {
        if (order[i] == DNS_T_AAAA && !v6) continue;
        if (add_family(h, order[i], o->ignore, &tail, ignored) == DEFER) deferred = true;
    }
    *out = first;
    return first ? OK : deferred ? DEFER : FAIL;
}

/* ---- MX and SRV ---- */

static int pref_cmp(const void *a, const void *b)
{
    const host_item *x = *(host_item *const *)a, *y = *(host_item *const *)b;
    if (x->mx != y->mx) return x->mx - y->mx;
    return x->sort_key - y->sort_key;
}

/* sorted_targets - MX or SRV records as host items, best first */
static host_item *sorted_targets(const dns_answer *ans, int type)
{
    int n = 0;
    for (dns_record *r = ans->records; r; r = r->next) n++;
    host_item **arr = store_get(sizeof *arr * (size_t)(n ? n : 1), GET_UNTAINTED);
    int k = 0;
    for (dns_record *r = ans->records; r; r = r->next) {
        if (r->type != type) continue;
        host_item *h = host_new(r->data, r->pref);
        h->sort_key = (int)(host_random() & 0xffff);
        if (type == DNS_T_SRV) h->port = r->port;
        arr[k++] = h;
    }
    qsort(arr, (size_t)k, sizeof *arr, pref_cmp);
    for (int i = 0; i + 1 < k; i++) arr[i]->next = arr[i + 1];
    return k ? arr[0] : NULL;
}

/* targets_addresses - every target with its addresses; hosts that have
 * none are dropped. DEFER if none is left and some lookup deferred; when
 * ignore_target_hosts removed them all, FAIL with no *err (the router
 * declines, as Exim's does). */
static int targets_addresses(host_item *targets, const host_find_opts *o, host_item **chain, char **err)
{
    host_item *out = NULL, **tail = &out;
    bool deferred = false;
    int ignored = 0;
    for (host_item *h = targets; h; h = h->next) {
        host_item *got;
        int rc = host_addresses(h, o, &got, &ignored);
        if (rc == DEFER) deferred = true;
        if (rc != OK) continue;
        *tail = got;
        while (*tail) tail = &(*tail)->next;
    }
    *chain = out;
    if (out) return OK;
    if (ignored && !deferred) return FAIL;
    *err = string_copy(deferred ? "host lookup did not complete" : "all relevant MX records point to non-existent hosts");
    return deferred ? DEFER : FAIL;
}

/* no_service - a single target "." (null MX, RFC 7505, or SRV) */
static bool no_service(const host_item *t)
{
    return t && !t->next && strcmp(t->name, ".") == 0;
}

/* try_srv - SRV records of _service._tcp.name; FAIL when there are none */
static int try_srv(const char *name, const host_find_opts *o, host_item **chain, host_find_info *info, char **err)
{
    dns_answer ans;
    char *derr;
    char *q = string_sprintf("_%s._tcp.%s", o->srv_service, name);
    int rc = dns_lookup(q, DNS_T_SRV, &ans, &derr);
    if (rc == DEFER) {
        if (o->srv_fail_is_none) return FAIL;
        *err = derr;
        return DEFER;
    }
    if (rc != OK) return FAIL;
    host_item *t = sorted_targets(&ans, DNS_T_SRV);
    if (!t) return FAIL;
    if (no_service(t)) { *err = string_copy("an MX or SRV record indicated no SMTP service"); return FAIL; }
    info->from_srv = true;
    return targets_addresses(t, o, chain, err);
}

/* try_name - SRV, MX, then the name's own addresses. FAIL with *err NULL
 * means "nothing for this name" (the next candidate may be tried). */
static int try_name(const char *name, const host_find_opts *o, host_item **chain, host_find_info *info,
                    char **err)
{
    *err = NULL;
    if (o->srv_service) {
        int rc = try_srv(name, o, chain, info, err);
        if (rc != FAIL || *err) return rc;
    }
    dns_answer ans;
    char *derr;
    int rc = dns_lookup(name, DNS_T_MX, &ans, &derr);
    if (rc == DEFER && !o->mx_fail_is_none) { *err = derr; return DEFER; }
    host_item *t = rc == OK ? sorted_targets(&ans, DNS_T_MX) : NULL;
    if (no_service(t) && t->mx == 0) { *err = string_copy("an MX or SRV record indicated no SMTP service"); return FAIL; }
    if (t) return targets_addresses(t, o, chain, err);
    if (o->mx_only) return FAIL;
    int ignored = 0;
    rc = host_addresses(host_new(name, MX_NONE), o, chain, &ignored);
    if (rc == DEFER) *err = string_sprintf("host lookup for %s did not complete", name);
    return rc;
}

/* ---- this host among them ---- */

/* drop_local - remove this host and every host with the same or a worse
 * MX preference; if this host is the best one, keep only its items */
static void drop_local(host_item **chain, host_find_info *info)
{
    host_item *h = *chain;
    for (; h && !host_is_local(h->address); h = h->next) {}
    if (!h) return;
    if (h->mx == MX_NONE || h->mx <= (*chain)->mx) {
        info->local_first = true;
        return; /* "self" decides; the chain is left as found */
    }
    int pref = h->mx;
    host_item **pp = chain;
    while (*pp && (*pp)->mx < pref) pp = &(*pp)->next;
    *pp = NULL;
    info->local_removed = true;
}

int host_find_dns(const char *domain, const host_find_opts *o, host_item **chain, host_find_info *info,
                  char **err)
{
    memset(info, 0, sizeof *info);
    *chain = NULL;
    *err = NULL;
    char **names = search_names(domain, o);
    int rc = FAIL;
    for (int i = 0; names[i]; i++) {
        rc = try_name(names[i], o, chain, info, err);
        if (rc == OK) {
            if (strcasecmp(names[i], domain) != 0) info->fully_qualified = names[i];
            drop_local(chain, info);
            return OK;
        }
        if (rc == DEFER || *err) return rc;
    }
    if (!*err) *err = string_sprintf("no host found for %s", domain);
    return rc;
}

int host_find_bydns(const char *domain, bool mx_only, const char *ignore, bool randomize,
                    host_item **chain, char **err)
{
    (void)randomize;
    host_find_opts o = {.ignore = ignore, .mx_only = mx_only};
    host_find_info info;
    *err = NULL;
    int rc = try_name(domain, &o, chain, &info, err);
    if (rc == FAIL && !*err) *err = string_sprintf("no host found for %s", domain);
    (void)info;
    return rc;
}
