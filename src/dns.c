/* dns.c - the one resolver entry point: queries through libresolv
 * (res_nquery) and parses the answers with ns_initparse/ns_parserr.
 *
 * Runs in any process that needs DNS (receiving child, delivery, -be).
 * Everything that comes out of an answer is outside data: records are
 * allocated tainted in the current pool. It never retries by itself
 * beyond what the resolver library does, and never widens names. */

/* System */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/socket.h>
/* MTA core */
#include "tern.h"
#include "log.h"
#include "match.h"
/* This module */
#include "dns.h"
#include "globals.h"

static struct __res_state dns_res;
static bool dns_res_ready;

static const struct { const char *name; int type; } dns_type_names[] = {
    {"a", DNS_T_A}, {"aaaa", DNS_T_AAAA}, {"cname", DNS_T_CNAME}, {"mx", DNS_T_MX},
    {"ns", DNS_T_NS}, {"ptr", DNS_T_PTR}, {"soa", DNS_T_SOA}, {"spf", DNS_T_SPF},
    {"srv", DNS_T_SRV}, {"tlsa", DNS_T_TLSA}, {"txt", DNS_T_TXT},
};

/* dns_type_from_name - record type for a (case-insensitive) name */
int dns_type_from_name(const char *name, size_t len)
{
    for (size_t i = 0; i < NELEM(dns_type_names); i++)
        if (strlen(dns_type_names[i].name) == len && strncasecmp(name, dns_type_names[i].name, len) == 0)
            return dns_type_names[i].type;
    return -1;
}

/* dns_init - set up the resolver state once per process: no search
 * list widening (RES_DEFNAMES/RES_DNSRCH off), as Exim does for MX
 * lookups of list items. */
static bool dns_init(void)
{
    if (dns_res_ready) return true;
    if (res_ninit(&dns_res) != 0) return false;
    dns_res.options &= ~(unsigned long)(RES_DEFNAMES | RES_DNSRCH);
    if (cfg.dns_retrans > 0) dns_res.retrans = cfg.dns_retrans;
    if (cfg.dns_retry > 0) dns_res.retry = cfg.dns_retry;
    dns_res_ready = true;
    return true;
}

/* tcopy - copy outside data into tainted memory */
static char *tcopy(const char *s)
{
    return string_copy_taint(s, GET_TAINTED);
}

/* rr_name - uncompress a domain name inside rdata; NULL if malformed */
static char *rr_name(const ns_msg *h, const unsigned char *p)
{
    char buf[NS_MAXDNAME];
    if (p >= ns_msg_end(*h)) return NULL;
    if (ns_name_uncompress(ns_msg_base(*h), ns_msg_end(*h), p, buf, sizeof buf) < 0) return NULL;
    return tcopy(buf);
}

/* parse_txt - split TXT rdata into its character-strings */
static bool parse_txt(dns_record *r, const unsigned char *p, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i += 1 + p[i]) n++;
    r->strings = store_get((n + 1) * sizeof(char *), GET_UNTAINTED);
    r->nstrings = 0;
    for (size_t i = 0; i < len; i += 1 + p[i]) {
        size_t sl = p[i];
        if (i + 1 + sl > len) return false;
        r->strings[r->nstrings++] = string_copyn_taint((const char *)p + i + 1, sl, GET_TAINTED);
    }
    r->strings[r->nstrings] = NULL;
    r->data = r->nstrings ? r->strings[0] : tcopy("");
    return true;
}

/* parse_soa - mname, rname and the five counters */
static bool parse_soa(const ns_msg *h, dns_record *r, const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len;
    int n = dn_skipname(p, end);
    if (n < 0 || !(r->data = rr_name(h, p))) return false;
    p += n;
    if ((n = dn_skipname(p, end)) < 0 || !(r->rname = rr_name(h, p))) return false;
    p += n;
    if (end - p < 20) return false;
    for (int i = 0; i < 5; i++, p += 4) r->soa[i] = ns_get32(p);
    return true;
}

/* parse_tlsa - usage selector matching-type and the data in hex */
static bool parse_tlsa(dns_record *r, const unsigned char *p, size_t len)
{
    if (len < 3) return false;
    r->usage = p[0];
    r->selector = p[1];
    r->mtype = p[2];
    gstring *g = string_get_tainted(2 * len + 1, GET_TAINTED);
    for (size_t i = 3; i < len; i++) g = string_fmt_append(g, "%02x", p[i]);
    r->data = string_from_gstring(g);
    return true;
}

/* parse_rdata - fill r from one record's rdata according to its type */
static bool parse_rdata(const ns_msg *h, dns_record *r, const unsigned char *p, size_t len)
{
    char abuf[INET6_ADDRSTRLEN];
    switch (r->type) {
    case DNS_T_A:
        if (len != 4 || !inet_ntop(AF_INET, p, abuf, sizeof abuf)) return false;
        return (r->data = tcopy(abuf)) != NULL;
    case DNS_T_AAAA:
        if (len != 16 || !inet_ntop(AF_INET6, p, abuf, sizeof abuf)) return false;
        return (r->data = tcopy(abuf)) != NULL;
    case DNS_T_MX:
        if (len < 3) return false;
        r->pref = ns_get16(p);
        return (r->data = rr_name(h, p + 2)) != NULL;
    case DNS_T_SRV:
        if (len < 7) return false;
        r->pref = ns_get16(p);
        r->weight = ns_get16(p + 2);
        r->port = ns_get16(p + 4);
        return (r->data = rr_name(h, p + 6)) != NULL;
    case DNS_T_CNAME: case DNS_T_NS: case DNS_T_PTR:
        return (r->data = rr_name(h, p)) != NULL;
    case DNS_T_TXT: case DNS_T_SPF:
        return parse_txt(r, p, len);
    case DNS_T_SOA:
        return parse_soa(h, r, p, len);
    case DNS_T_TLSA:
        return parse_tlsa(r, p, len);
    default:
        return false;
    }
}

/* dns_parse_answer - parse the answer section, keeping records of type */
int dns_parse_answer(const unsigned char *msg, size_t len, int type, dns_answer *ans)
{
    ns_msg h;
    memset(ans, 0, sizeof *ans);
    if (len > LIMIT_DNS_ANSWER || ns_initparse(msg, (int)len, &h) < 0) return DEFER;
    ans->authenticated = ns_msg_getflag(h, ns_f_ad) != 0;
    dns_record **tail = &ans->records;
    int count = ns_msg_count(h, ns_s_an);
    for (int i = 0; i < count; i++) {
        ns_rr rr;
        if (ns_parserr(&h, ns_s_an, i, &rr) < 0) return DEFER;
        if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in) continue;
        dns_record *r = store_get_zero(sizeof *r, GET_UNTAINTED);
        r->type = type;
        r->name = tcopy(ns_rr_name(rr));
        r->ttl = ns_rr_ttl(rr);
        if (!parse_rdata(&h, r, ns_rr_rdata(rr), ns_rr_rdlen(rr))) return DEFER;
        if (!ans->records || r->ttl < ans->min_ttl) ans->min_ttl = r->ttl;
        *tail = r;
        tail = &r->next;
    }
    return ans->records ? OK : FAIL;
}

/* dns_lookup - one query through the resolver, parsed */
/* again_means_nonexist - dns_again_means_nonexist: a temporary error for
 * these domains counts as "no such name" */
static bool again_means_nonexist(const char *name)
{
    const char *list = cfg.dns_again_means_nonexist;
    if (!list || !*list) return false;
    return match_isinlist(name, list, MCL_DOMAIN, true, NULL) == OK;
}

int dns_lookup(const char *name, int type, dns_answer *ans, char **err)
{
    memset(ans, 0, sizeof *ans);
    *err = NULL;
    if (!dns_init()) {
        *err = string_sprintf("failed to initialize the resolver: %s", strerror(errno));
        return DEFER;
    }
    unsigned char *buf = store_malloc(LIMIT_DNS_ANSWER);
    int n = res_nquery(&dns_res, name, ns_c_in, type, buf, LIMIT_DNS_ANSWER);
    int rc;
    if (n < 0) {
        int e = dns_res.res_h_errno;
        rc = e == TRY_AGAIN ? DEFER : FAIL;
        if (rc == DEFER && again_means_nonexist(name)) rc = FAIL;
        ans->nxdomain = e == HOST_NOT_FOUND;
        if (rc == DEFER) *err = string_sprintf("DNS lookup of %s gave a temporary error", name);
        DEBUG(D_dns) debug_printf("DNS lookup of %s (type %d): h_errno %d\n", name, type, e);
    } else {
        rc = dns_parse_answer(buf, (size_t)n, type, ans);
        if (rc == DEFER) *err = string_sprintf("malformed DNS answer for %s", name);
        DEBUG(D_dns) debug_printf("DNS lookup of %s (type %d) rc=%d\n", name, type, rc);
    }
    store_free(buf);
    return rc;
}

/* dns_reverse_name - the PTR owner name for an IP address */
char *dns_reverse_name(const char *ip)
{
    unsigned char a[16];
    gstring *g = string_get_tainted(80, store_is_tainted(ip));
    if (inet_pton(AF_INET, ip, a) == 1) {
        g = string_fmt_append(g, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
        return string_from_gstring(g);
    }
    if (inet_pton(AF_INET6, ip, a) != 1) return NULL;
    for (int i = 15; i >= 0; i--) g = string_fmt_append(g, "%x.%x.", a[i] & 15, a[i] >> 4);
    g = string_cat(g, "ip6.arpa");
    return string_from_gstring(g);
}

/* dns_host_addresses - forward lookup through getaddrinfo */
int dns_host_addresses(const char *name, char ***addrs)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int e = getaddrinfo(name, NULL, &hints, &res);
    *addrs = NULL;
    if (e == EAI_AGAIN) return DEFER;
    if (e != 0) return FAIL;
    size_t n = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) n++;
    char **v = store_get((n + 1) * sizeof(char *), GET_UNTAINTED);
    size_t k = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        char buf[INET6_ADDRSTRLEN];
        const void *p = a->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                                                : (void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        if (inet_ntop(a->ai_family, p, buf, sizeof buf)) v[k++] = tcopy(buf);
    }
    v[k] = NULL;
    freeaddrinfo(res);
    *addrs = v;
    return k ? OK : FAIL;
}

/* same_ip - do two textual addresses denote the same IP? */
static bool same_ip(const char *a, const char *b)
{
    unsigned char x[16], y[16];
    if (inet_pton(AF_INET, a, x) == 1) return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
    if (inet_pton(AF_INET6, a, x) == 1) return inet_pton(AF_INET6, b, y) == 1 && memcmp(x, y, 16) == 0;
    return false;
}

/* name_confirms - does name resolve back to ip? */
static int name_confirms(const char *name, const char *ip)
{
    char **addrs;
    int rc = dns_host_addresses(name, &addrs);
    if (rc != OK) return rc;
    for (char **a = addrs; *a; a++)
        if (same_ip(*a, ip)) return OK;
    return FAIL;
}

/* dns_host_names - PTR names for ip that resolve back to ip */
int dns_host_names(const char *ip, char ***names)
{
    *names = NULL;
    char *rev = dns_reverse_name(ip), *err;
    if (!rev) return FAIL;
    dns_answer ans;
    int rc = dns_lookup(rev, DNS_T_PTR, &ans, &err);
    if (rc != OK) return rc;
    size_t n = 0;
    for (dns_record *r = ans.records; r; r = r->next) n++;
    char **v = store_get((n + 1) * sizeof(char *), GET_UNTAINTED);
    size_t k = 0;
    bool deferred = false;
    for (dns_record *r = ans.records; r; r = r->next) {
        int c = name_confirms(r->data, ip);
        if (c == OK) v[k++] = r->data;
        else if (c == DEFER) deferred = true;
    }
    v[k] = NULL;
    *names = v;
    return k ? OK : deferred ? DEFER : FAIL;
}
