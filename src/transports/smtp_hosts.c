/* smtp_hosts.c - the smtp transport's host list and message source.
 *
 * Runs in the delivery process. Builds the list of hosts to try (router
 * hosts in MX order, or the transport's hosts / hosts_override, then
 * fallback_hosts: the router's, else the transport's), resolves names
 * to addresses through host.c, makes the retry keys, and opens the
 * message's spool files when deliver.c has not. */

/* System */
#include <fcntl.h>
#include <netdb.h>
#include <sys/stat.h>
/* MTA core */
#include "../tern.h"
#include "../host.h"
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

/* hosts_from_list - host items for an expanded colon list; NULL with *err */
static host_item *hosts_from_list(const char *list, bool randomize, char **err)
{
    const char *perr = NULL;
    host_item *h = host_parse_list(list, randomize, &perr);
    if (!h && perr) *err = string_sprintf("%s (in \"%s\")", perr, list);
    return h;
}

/* resolve_all - give every host an address (host.c, by name: the system
 * resolver, so /etc/hosts counts); unresolvable hosts are dropped */
static host_item *resolve_all(host_item *list, bool *defer)
{
    char *err;
    if (!list) return NULL;
    int rc = host_find_byname(&list, NULL, &err);
    if (rc == DEFER) *defer = true;
    return rc == OK ? list : NULL;
}

/* copy_chain - the router's list is shared between addresses: work on a copy */
static host_item *copy_chain(const host_item *h)
{
    host_item *out = NULL, **tail = &out;
    for (; h; h = h->next) {
        host_item *c = store_get(sizeof *c, GET_UNTAINTED);
        *c = *h;
        c->next = NULL;
        *tail = c;
        tail = &c->next;
    }
    return out;
}

/* split_fallbacks - cut the router's fallback hosts (marked) off list */
static host_item *split_fallbacks(host_item **list)
{
    host_item **pp = list;
    while (*pp && !(*pp)->fallback) pp = &(*pp)->next;
    host_item *fb = *pp;
    *pp = NULL;
    return fb;
}

static void mark_fallback(host_item *h)
{
    for (; h; h = h->next) h->fallback = true;
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
    host_item *list = copy_chain(x->addrlist->host_list);
    host_item *fb = split_fallbacks(&list);
    *err = NULL;
    if (ob->hosts && (!list || ob->hosts_override)) {
        char *h = expand_opt(ob->hosts, "hosts", err);
        if (!h || !(list = hosts_from_list(h, ob->hosts_randomize, err))) return NULL;
        x->hosts_override_used = true;
    }
    if (!list && !fb) {
        *err = string_sprintf("%s transport called with no hosts set", x->t->drinst.name);
        return NULL;
    }
    list = resolve_all(list, defer);
    if (!fb && ob->fallback_hosts && !(fb = hosts_from_list(ob->fallback_hosts, ob->hosts_randomize, err)))
        return NULL;
    fb = resolve_all(fb, defer);
    mark_fallback(fb);
    host_item **tail = &list;
    while (*tail) tail = &(*tail)->next;
    *tail = fb;
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
    if (dlv.spool_hdr && dlv.data_fd >= 0) {
        x->spool = dlv.spool_hdr;
        x->data_fd = dup(dlv.data_fd);
    } else if (!msg.id || !open_spool_files(x, err)) {
        if (!msg.id) *err = "no message to deliver";
        return false;
    } else {
        x->own_spool = true; /* transport_write_message reads dlv's fields */
        dlv.spool_hdr = (spool_header *)x->spool;
        dlv.data_fd = x->data_fd;
        dlv.data_offset = MESSAGE_ID_LENGTH + 3;
    }
    if (x->data_fd < 0) { *err = "message data file not open"; return false; }
    x->sender = x->spool->sender ? x->spool->sender : "";
    x->data_start = MESSAGE_ID_LENGTH + 3; /* "<id>-D\n" */
    struct stat st;
    long body = fstat(x->data_fd, &st) == 0 ? (long)st.st_size - x->data_start : 0;
    x->size_body = body > 0 ? body : 0;
    /* SIZE= as Exim: $message_size (header, blank line, body) plus one
     * per line, for the CRs that CRLF line ends add on the wire */
    x->size = x->size_body + 1 + x->spool->body_linecount;
    for (const header_line *h = x->spool->headers; h; h = h->next) {
        if (h->type == HTYPE_OLD) continue;
        x->size += (long)h->slen;
        for (size_t i = 0; i < h->slen; i++) x->size += h->text[i] == '\n';
    }
    return true;
}

void smtp_message_close(smtp_ctx *x)
{
    if (x->own_spool) {
        dlv.spool_hdr = NULL;
        dlv.data_fd = -1;
        x->own_spool = false;
    }
    if (x->data_fd >= 0) close(x->data_fd);
    x->data_fd = -1;
}
