/* smtp_hosts.c - the smtp transport's host list and message source.
 *
 * Runs in the delivery process. Builds the list of hosts to try (router
 * hosts in MX order, or the transport's hosts / hosts_override, then
 * fallback_hosts), resolves names to addresses, makes the retry keys,
 * and opens the message's spool files when deliver.c has not. Name
 * resolution goes through smtp_resolve(), the one place to switch to
 * host.c's finder when that lands. */

/* System */
#include <fcntl.h>
#include <netdb.h>
#include <sys/stat.h>
/* MTA core */
#include "../tern.h"
#include "../dns.h"
#include "../expand.h"
#include "../globals.h"
#include "../match.h"
/* This driver */
#include "smtp_int.h"

int smtp_port_number(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end) return n > 0 && n < 65536 ? (int)n : -1;
    struct servent *se = getservbyname(s, "tcp");
    if (se) return ntohs((uint16_t)se->s_port);
    return strcmp(s, "smtp") == 0 ? 25 : -1;
}

char *smtp_host_retry_key(const host_item *h, int port, bool include_ip)
{
    if (!include_ip) return string_sprintf("T:%s", h->name);
    if (port == 25) return string_sprintf("T:%s:%s", h->name, h->address);
    return string_sprintf("T:%s:%s:%d", h->name, h->address, port);
}

/* new_host - a host item for name (address, port as given) */
static host_item *new_host(const char *name, const char *address, int port, int mx)
{
    host_item *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    h->name = string_copy(name);
    h->address = address ? string_copy(address) : NULL;
    h->port = port;
    h->mx = mx;
    return h;
}

/* smtp_resolve - expand h (no address yet) into one item per address.
 * Returns the first; the rest follow it. NULL with *defer when the
 * lookup failed temporarily. */
static host_item *smtp_resolve(host_item *h, bool *defer)
{
    if (match_is_ip(h->name, NULL)) { h->address = h->name; return h; }
    char **addrs;
    int rc = dns_host_addresses(h->name, &addrs);
    if (rc != OK) {
        if (rc == DEFER) *defer = true;
        return NULL;
    }
    host_item *first = NULL, **tail = &first;
    for (int i = 0; addrs[i]; i++) {
        host_item *n = new_host(h->name, addrs[i], h->port, h->mx);
        *tail = n;
        tail = &n->next;
    }
    return first;
}

/* parse_item - "name", "name:port" (from "name::port"), "[ip]:port" */
static host_item *parse_item(const char *item)
{
    int port = PORT_NONE;
    char *s = string_copy(item);
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close) return NULL;
        *close = 0;
        if (close[1] == ':') port = smtp_port_number(close + 2);
        return new_host(s + 1, s + 1, port, MX_NONE);
    }
    char *colon = strrchr(s, ':');
    if (colon && !match_is_ip(s, NULL)) {
        *colon = 0;
        port = smtp_port_number(colon + 1);
    }
    return new_host(s, NULL, port, MX_NONE);
}

/* hosts_from_list - host items for an expanded colon list */
static host_item *hosts_from_list(const char *list, bool randomize)
{
    host_item *first = NULL, **tail = &first;
    int sep = 0, n = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep)) && n < LIMIT_SMTP_HOSTS) {
        host_item *h = parse_item(item);
        if (!h) continue;
        *tail = h;
        tail = &h->next;
        n++;
    }
    if (randomize && first) { /* Fisher-Yates over an array, relinked */
        host_item **a = store_get(sizeof *a * (size_t)n, GET_UNTAINTED);
        int i = 0;
        for (host_item *h = first; h; h = h->next) a[i++] = h;
        for (i = n - 1; i > 0; i--) {
            int j = (int)(random() % (i + 1));
            host_item *t = a[i]; a[i] = a[j]; a[j] = t;
        }
        for (i = 0; i < n; i++) a[i]->next = i + 1 < n ? a[i + 1] : NULL;
        first = a[0];
    }
    return first;
}

/* resolve_all - give every host an address; drop unresolvable ones */
static host_item *resolve_all(host_item *list, bool *defer)
{
    host_item *out = NULL, **tail = &out;
    int n = 0;
    for (host_item *h = list, *next; h && n < LIMIT_SMTP_HOSTS; h = next) {
        next = h->next;
        h->next = NULL;
        host_item *r = h->address ? h : smtp_resolve(h, defer);
        for (; r && n < LIMIT_SMTP_HOSTS; r = r->next, n++) {
            *tail = r;
            tail = &r->next;
        }
        *tail = NULL;
    }
    return out;
}

static char *expand_opt(const char *s, const char *name, char **err)
{
    if (!s) return NULL;
    char *v = expand_string(s);
    if (!v) *err = string_sprintf("failed to expand %s \"%s\": %s", name, s, expand_error());
    return v;
}

host_item *smtp_hosts_build(smtp_ctx *x, char **err, bool *defer)
{
    const smtp_transport_options *ob = x->ob;
    host_item *list = x->addrlist->host_list;
    *err = NULL;
    if (ob->hosts && (!list || ob->hosts_override)) {
        char *h = expand_opt(ob->hosts, "hosts", err);
        if (!h) return NULL;
        list = hosts_from_list(h, ob->hosts_randomize);
        x->hosts_override_used = true;
    }
    if (!list) {
        *err = string_sprintf("%s transport called with no hosts set", x->t->drinst.name);
        return NULL;
    }
    list = resolve_all(list, defer);
    if (ob->fallback_hosts) {
        host_item *fb = resolve_all(hosts_from_list(ob->fallback_hosts, false), defer);
        host_item **tail = &list;
        while (*tail) tail = &(*tail)->next;
        *tail = fb;
    }
    if (!list && !*err)
        *err = *defer ? "temporary failure looking up host addresses" : "all host address lookups failed permanently";
    return list;
}

/* open_spool_files - read -H and open -D of msg.id */
static bool open_spool_files(smtp_ctx *x, char **err)
{
    const char *dir = string_sprintf("%s/input%s%.*s", cfg.spool_directory,
                                     cfg.split_spool_directory ? "/" : "",
                                     cfg.split_spool_directory ? 1 : 0, msg.id + 5);
    const char *e;
    size_t len;
    char *data = spool_read_file(string_sprintf("%s/%s-H", dir, msg.id), &len, 64 * 1024 * 1024, &e);
    if (!data) { *err = string_sprintf("spool read error: %s", e); return false; }
    spool_header *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    if ((e = spool_parse_header(data, len, h))) { *err = string_sprintf("spool format error: %s", e); return false; }
    x->spool = h;
    x->data_fd = open(string_sprintf("%s/%s-D", dir, msg.id), O_RDONLY | O_CLOEXEC);
    if (x->data_fd < 0) { *err = string_sprintf("failed to open -D file: %s", strerror(errno)); return false; }
    return true;
}

bool smtp_message_open(smtp_ctx *x, char **err)
{
    if (msg.spool) {
        x->spool = msg.spool;
        x->data_fd = msg.data_fd >= 0 ? dup(msg.data_fd) : -1;
    } else if (!msg.id || !open_spool_files(x, err)) {
        if (!msg.id) *err = "no message to deliver";
        return false;
    }
    if (x->data_fd < 0) { *err = "message data file not open"; return false; }
    x->sender = x->spool->sender ? x->spool->sender : "";
    x->data_start = MESSAGE_ID_LENGTH + 3; /* "<id>-D\n" */
    struct stat st;
    long body = fstat(x->data_fd, &st) == 0 ? (long)st.st_size - x->data_start : 0;
    x->size = body > 0 ? body : 0;
    for (const header_line *h = x->spool->headers; h; h = h->next)
        if (h->type != HTYPE_OLD) x->size += (long)h->slen;
    return true;
}

void smtp_message_close(smtp_ctx *x)
{
    if (x->data_fd >= 0) close(x->data_fd);
    x->data_fd = -1;
}
