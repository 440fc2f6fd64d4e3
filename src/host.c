/* host.c - hosts for remote deliveries: route_list host lists, MX
 * records sorted by preference (ties shuffled), A/AAAA addresses through
 * dns.c, ignore_target_hosts, and spotting this host among them.
 *
 * Runs in the delivery process (routers) and the smtp transport. DNS
 * answers are tainted; host names from the config are not. */

/* System */
#include <ifaddrs.h>
#include <netdb.h>
#include <arpa/inet.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "host.h"
#include "match.h"

static host_item *new_host(const char *name, int mx)
{
    host_item *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    h->name = string_copy_taint(name, store_is_tainted(name));
    h->port = PORT_NONE;
    h->mx = mx;
    h->status = HSTATUS_UNKNOWN;
    return h;
}

/* shuffle - random order (for randomize and equal MX preferences) */
static void shuffle(host_item **arr, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(random() % (i + 1));
        host_item *t = arr[i];
        arr[i] = arr[j];
        arr[j] = t;
    }
}

/* parse_one - "name", "name::port", "[1.2.3.4]:port", "name/MX" */
static host_item *parse_one(char *item, const char **err)
{
    bool mx = false;
    size_t n = strlen(item);
    if (n > 3 && strcasecmp(item + n - 3, "/MX") == 0) { item[n - 3] = 0; mx = true; }
    int port = PORT_NONE;
    char *colon = item[0] == '[' ? strstr(item, "]:") : strrchr(item, ':');
    if (colon) {
        char *ps = colon + (item[0] == '[' ? 2 : 1);
        char *end;
        long p = strtol(ps, &end, 10);
        if (*end || p <= 0 || p > 65535) { *err = "invalid port in host list"; return NULL; }
        port = (int)p;
        *(item[0] == '[' ? colon + 1 : colon) = 0;
    }
    if (item[0] == '[') {
        size_t l = strlen(item);
        if (item[l - 1] == ']') item[l - 1] = 0;
        item++;
    }
    if (!*item) { *err = "empty host name in host list"; return NULL; }
    host_item *h = new_host(item, mx ? 0 : MX_NONE);
    if (match_is_ip(item, NULL)) h->address = h->name;
    h->port = port;
    h->why = mx ? HWHY_INSERTED : HWHY_UNKNOWN; /* HWHY_INSERTED marks "look up MX" */
    return h;
}

host_item *host_parse_list(const char *list, bool randomize, const char **err)
{
    host_item *arr[256];
    int n = 0;
    int sep = 0;
    char *item;
    *err = NULL;
    while ((item = string_nextinlist(&list, &sep)) && n < (int)NELEM(arr)) {
        host_item *h = parse_one(item, err);
        if (!h) return NULL;
        arr[n++] = h;
    }
    if (randomize) shuffle(arr, n);
    for (int i = 0; i + 1 < n; i++) arr[i]->next = arr[i + 1];
    if (!n) *err = "empty host list";
    return n ? arr[0] : NULL;
}

/* ignored - address in the ignore_target_hosts list */
static bool ignored(const char *addr, const char *ignore)
{
    if (!ignore) return false;
    match_host mh = {.address = addr};
    return match_host_list(&mh, ignore, NULL) == OK;
}

/* expand_addresses - h with addresses in addrs; one item per address */
static host_item *expand_addresses(host_item *h, char **addrs, const char *ignore)
{
    host_item *first = NULL, **tail = &first;
    for (char **a = addrs; *a; a++) {
        if (ignored(*a, ignore)) continue;
        host_item *c = store_get(sizeof *c, GET_UNTAINTED);
        *c = *h;
        c->address = *a;
        c->next = NULL;
        *tail = c;
        tail = &c->next;
    }
    return first;
}

int host_find_byname(host_item **chain, const char *ignore, char **err)
{
    host_item *out = NULL, **tail = &out;
    bool deferred = false;
    for (host_item *n, *h = *chain; h; h = n) {
        n = h->next;
        h->next = NULL;
        char **addrs = NULL;
        if (h->address) {
            if (!ignored(h->address, ignore)) { *tail = h; tail = &h->next; }
            continue;
        }
        int rc = dns_host_addresses(h->name, &addrs);
        if (rc == DEFER) deferred = true;
        if (rc != OK) continue;
        host_item *e = expand_addresses(h, addrs, ignore);
        *tail = e;
        while (*tail) tail = &(*tail)->next;
    }
    *chain = out;
    if (out) return OK;
    *err = string_copy(deferred ? "host lookup deferred" : "all hosts have no address or were ignored");
    return deferred ? DEFER : FAIL;
}

/* sort_mx - by preference, equal preferences in random order */
static int mx_cmp(const void *a, const void *b)
{
    const host_item *x = *(host_item *const *)a, *y = *(host_item *const *)b;
    if (x->mx != y->mx) return x->mx - y->mx;
    return x->sort_key - y->sort_key;
}

static host_item *mx_hosts(dns_answer *ans)
{
    int n = 0;
    for (dns_record *r = ans->records; r; r = r->next) n++;
    host_item **arr = store_get(sizeof *arr * (size_t)(n ? n : 1), GET_UNTAINTED);
    int k = 0;
    for (dns_record *r = ans->records; r; r = r->next) {
        host_item *h = new_host(r->data, r->pref);
        h->sort_key = (int)(random() & 0xffff);
        arr[k++] = h;
    }
    qsort(arr, (size_t)k, sizeof *arr, mx_cmp);
    for (int i = 0; i + 1 < k; i++) arr[i]->next = arr[i + 1];
    return k ? arr[0] : NULL;
}

int host_find_bydns(const char *domain, bool mx_only, const char *ignore, bool randomize,
                    host_item **chain, char **err)
{
    (void)randomize;
    dns_answer ans = {0};
    char *derr = NULL;
    int rc = dns_lookup(domain, DNS_T_MX, &ans, &derr);
    if (rc == DEFER) { *err = derr ? derr : string_copy("DNS lookup deferred"); return DEFER; }
    host_item *hosts;
    if (rc == OK) {
        hosts = mx_hosts(&ans);
        if (hosts && !hosts->next && strcmp(hosts->name, ".") == 0 && hosts->mx == 0) {
            *err = string_copy("an MX or SRV record indicated no SMTP service");
            return FAIL;
        }
    } else {
        if (mx_only) { *err = string_copy("no MX record"); return FAIL; }
        hosts = new_host(domain, MX_NONE);
    }
    *chain = hosts;
    return host_find_byname(chain, ignore, err);
}

bool host_is_local(const char *address)
{
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0) return false;
    bool found = false;
    for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        char buf[INET6_ADDRSTRLEN];
        int fam = i->ifa_addr->sa_family;
        const void *src = fam == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
            : fam == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr : NULL;
        if (src && inet_ntop(fam, src, buf, sizeof buf) && strcmp(buf, address) == 0) found = true;
    }
    freeifaddrs(ifs);
    return found;
}

bool host_first_is_local(const host_item *chain)
{
    return chain && chain->address && host_is_local(chain->address);
}

char *host_chain_string(const host_item *chain)
{
    gstring *g = NULL;
    for (const host_item *h = chain; h; h = h->next)
        g = string_fmt_append(g, "%s%s [%s]", g ? ":" : "", h->name, h->address ? h->address : "");
    return g ? string_from_gstring(g) : string_copy("");
}
