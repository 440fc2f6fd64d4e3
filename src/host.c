/* host.c - hosts for remote deliveries: host lists with ports
 * (route_list, the smtp transport's hosts and fallback_hosts), addresses
 * by name through the system resolver, ignore_target_hosts, and spotting
 * this host. The DNS search (SRV, MX, A/AAAA) is in host_dns.c.
 *
 * Runs in the delivery process (routers) and the smtp transport. DNS
 * answers are tainted; host names from the config are not. */

/* System */
#include <sys/random.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <arpa/inet.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "host.h"
#include "globals.h"
#include "match.h"

host_item *host_new(const char *name, int mx)
{
    host_item *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    h->name = string_copy_taint(name, store_is_tainted(name));
    h->port = PORT_NONE;
    h->mx = mx;
    h->status = HSTATUS_UNKNOWN;
    return h;
}

unsigned host_random(void)
{
    unsigned v;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) v = (unsigned)random();
    return v;
}

/* shuffle - random order (for randomize) */
static void shuffle(host_item **arr, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(host_random() % (unsigned)(i + 1));
        host_item *t = arr[i];
        arr[i] = arr[j];
        arr[j] = t;
    }
}

/* port_of - a port number or service name; -1 if neither */
static int port_of(const char *s)
{
    char *end;
    long p = strtol(s, &end, 10);
    if (*s && !*end) return p > 0 && p < 65536 ? (int)p : -1;
    struct servent *se = *s ? getservbyname(s, "tcp") : NULL;
    return se ? ntohs((uint16_t)se->s_port) : -1;
}

/* split_port - cut ":port" off item (after "]" for "[ip]:port"; never
 * inside a bare IPv6 address); PORT_NONE if there is none */
static int split_port(char *item, const char **err)
{
    char *colon = item[0] == '[' ? strstr(item, "]:") : NULL;
    if (colon) colon++;
    else if (item[0] != '[' && !match_is_ip(item, NULL)) colon = strrchr(item, ':');
    if (!colon) return PORT_NONE;
    int port = port_of(colon + 1);
    if (port < 0) { *err = "invalid port in host list"; return -2; }
    *colon = 0;
    return port;
}

/* parse_one - "name", "name::port", "[1.2.3.4]:port", "::1", "name/MX" */
static host_item *parse_one(char *item, const char **err)
{
    bool mx = false;
    size_t n = strlen(item);
    if (n > 3 && strcasecmp(item + n - 3, "/MX") == 0) { item[n - 3] = 0; mx = true; }
    int port = split_port(item, err);
    if (port == -2) return NULL;
    if (item[0] == '[') {
        size_t l = strlen(item);
        if (item[l - 1] == ']') item[l - 1] = 0;
        item++;
    }
    if (!*item) { *err = "empty host name in host list"; return NULL; }
    host_item *h = host_new(item, mx ? 0 : MX_NONE);
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

/* host_ignored - address in the ignore_target_hosts list */
bool host_ignored(const char *addr, const char *ignore)
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
        if (host_ignored(*a, ignore)) continue;
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
            if (!host_ignored(h->address, ignore)) { *tail = h; tail = &h->next; }
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

/* treated_as_local - hosts_treat_as_local (a domain list, matched
 * against the host name; an IP address in it matches the address) */
static bool treated_as_local(const char *address)
{
    if (!cfg.hosts_treat_as_local || !*cfg.hosts_treat_as_local) return false;
    return match_isinlist(address, cfg.hosts_treat_as_local, MCL_DOMAIN, true, NULL) == OK;
}

bool host_is_local(const char *address)
{
    if (treated_as_local(address)) return true;
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
