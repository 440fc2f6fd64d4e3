/* dnsdb.c - the dnsdb lookup: DNS records as lookup data, through dns.c.
 *
 * Query syntax: [">" sep ["," fieldsep | ";"]] [modifier ","]... [type "="] list
 * with modifiers defer_strict|defer_lax|defer_never, dnssec_strict|
 * dnssec_lax|dnssec_never, retrans_<time>, retry_<n>; types a aaaa a+ cname
 * mx mxh ns zns ptr soa spf srv tlsa txt csa (default txt). Records are joined
 * with sep (default newline). Results are DNS data, so they are tainted;
 * the cache keeps them no longer than the smallest TTL. */

/* System */
#include <arpa/inet.h>
#include <ctype.h>
/* MTA core */
#include "../tern.h"
#include "../csa.h"
#include "../dns.h"
/* This module */
#include "../lookups.h"

enum { DEFER_LAX, DEFER_STRICT, DEFER_NEVER };
enum { PSEUDO_NONE, PSEUDO_MXH, PSEUDO_ZNS, PSEUDO_AANDAAAA, PSEUDO_CSA };

typedef struct dnsdb_query {
    char outsep;      /* between records */
    char fieldsep;    /* between fields of one record; 0: default */
    bool concat_txt;  /* ";": TXT strings concatenated */
    int defer_mode;
    bool dnssec_strict;
    int type, pseudo;
    const char *list; /* the domains */
    int listsep;      /* for string_nextinlist; 0: default ':' */
} dnsdb_query;

static void *dnsdb_open(const char *filename, char **err)
{
    return (void *)1;
}

/* parse_modifiers - the "keyword," prefixes; false on a bad one */
static bool parse_modifiers(const char **pp, dnsdb_query *q, char **err)
{
    const char *p = *pp;
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        const char *c = strchr(p, ',');
        const char *eq = strchr(p, '=');
        if (!c || (eq && eq < c)) break;
        size_t n = (size_t)(c - p);
        if (n == 12 && strncmp(p, "defer_strict", n) == 0) q->defer_mode = DEFER_STRICT;
        else if (n == 11 && strncmp(p, "defer_never", n) == 0) q->defer_mode = DEFER_NEVER;
        else if (n == 9 && strncmp(p, "defer_lax", n) == 0) q->defer_mode = DEFER_LAX;
        else if (n == 13 && strncmp(p, "dnssec_strict", n) == 0) q->dnssec_strict = true;
        else if ((n == 10 && strncmp(p, "dnssec_lax", n) == 0) || (n == 12 && strncmp(p, "dnssec_never", n) == 0))
            q->dnssec_strict = false;
        else if (strncmp(p, "retrans_", 8) == 0 || strncmp(p, "retry_", 6) == 0) {
            /* resolver timing is the resolver library's; accepted for compatibility */
        } else break; /* not a modifier: part of the domain list */
        p = c + 1;
    }
    *pp = p;
    return true;
}

/* parse_type - optional "type=" */
static bool parse_type(const char **pp, dnsdb_query *q, char **err)
{
    const char *p = *pp, *eq = strchr(p, '=');
    q->type = DNS_T_TXT;
    if (!eq) return true;
    const char *t = p, *te = eq;
    while (te > t && isspace((unsigned char)te[-1])) te--;
    size_t n = (size_t)(te - t);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)t[i]) && t[i] != '+') return true; /* '=' is in the data */
    if (n == 3 && strncasecmp(t, "mxh", 3) == 0) { q->type = DNS_T_MX; q->pseudo = PSEUDO_MXH; }
    else if (n == 3 && strncasecmp(t, "zns", 3) == 0) { q->type = DNS_T_NS; q->pseudo = PSEUDO_ZNS; }
    else if (n == 2 && strncasecmp(t, "a+", 2) == 0) { q->type = DNS_T_AAAA; q->pseudo = PSEUDO_AANDAAAA; }
    else if (n == 3 && strncasecmp(t, "csa", 3) == 0) { q->type = DNS_T_SRV; q->pseudo = PSEUDO_CSA; }
    else if ((q->type = dns_type_from_name(t, n)) < 0) {
        *err = string_copy("unsupported DNS record type");
        return false;
    }
    for (p = eq + 1; isspace((unsigned char)*p); p++) {}
    *pp = p;
    return true;
}

/* parse_query - separators, modifiers, type and the list */
static bool parse_query(const char *s, dnsdb_query *q, char **err)
{
    memset(q, 0, sizeof *q);
    q->outsep = '\n';
    while (isspace((unsigned char)*s)) s++;
    if (*s == '>') {
        q->outsep = s[1];
        s += s[1] ? 2 : 1;
        if (*s == ',' && s[1]) { q->fieldsep = s[1]; s += 2; }
        else if (*s == ';') { q->concat_txt = true; s++; }
        while (isspace((unsigned char)*s)) s++;
    }
    if (!parse_modifiers(&s, q, err) || !parse_type(&s, q, err)) return false;
    q->list = s;
    if (q->type == DNS_T_PTR && *s != '<') {
        unsigned char a[16];
        if (inet_pton(AF_INET6, s, a) == 1) q->listsep = '\n'; /* one IPv6 address, not a list */
    }
    return true;
}

/* fmt_txt - TXT/SPF strings: first only, joined by fieldsep, or concatenated */
static gstring *fmt_txt(gstring *g, const dnsdb_query *q, const dns_record *r)
{
    bool concat = q->concat_txt || (r->type == DNS_T_SPF && !q->fieldsep);
    if (!concat && !q->fieldsep) return string_cat(g, r->data);
    for (int i = 0; i < r->nstrings; i++) {
        if (i && !concat) g = string_catc(g, q->fieldsep);
        g = string_cat(g, r->strings[i]);
    }
    return g;
}

/* fmt_record - one record as lookup text */
static gstring *fmt_record(gstring *g, const dnsdb_query *q, const dns_record *r)
{
    char fs = q->fieldsep ? q->fieldsep : ' ';
    switch (r->type) {
    case DNS_T_MX:
        if (q->pseudo == PSEUDO_MXH) return string_cat(g, r->data);
        return string_fmt_append(g, "%d%c%s", r->pref, fs, r->data);
    case DNS_T_SRV:
        return string_fmt_append(g, "%d%c%d%c%d%c%s", r->pref, fs, r->weight, fs, r->port, fs, r->data);
    case DNS_T_TXT: case DNS_T_SPF:
        return fmt_txt(g, q, r);
    case DNS_T_SOA:
        if (!q->fieldsep) return string_cat(g, r->data);
        g = string_fmt_append(g, "%s%c%s", r->data, fs, r->rname);
        for (int i = 0; i < 5; i++) g = string_fmt_append(g, "%c%u", fs, r->soa[i]);
        return g;
    case DNS_T_TLSA:
        return string_fmt_append(g, "%d%c%d%c%d%c%s", r->usage, fs, r->selector, fs, r->mtype, fs, r->data);
    default:
        return string_cat(g, r->data);
    }
}

/* lookup_walk - one DNS query; ZNS and SOA walk up to parents on no data */
static int lookup_walk(const dnsdb_query *q, const char *name, int type, dns_answer *ans, char **err)
{
    bool walk = q->pseudo == PSEUDO_ZNS || type == DNS_T_SOA;
    for (;;) {
        int rc = dns_lookup(name, type, ans, err);
        if (rc == OK && q->dnssec_strict && !ans->authenticated) {
            *err = string_sprintf("DNSSEC: answer for %s not authenticated", name);
            return DEFER;
        }
        if (rc != FAIL || !walk) return rc;
        const char *dot = strchr(name, '.');
        if (!dot || !dot[1]) return FAIL; /* never the root */
        name = dot + 1;
    }
}

/* csa_item - "csa=": the CSA record that speaks for item, as
 * "CODE TARGET" (csa.c: Y, N, ? or X for a parent's assertion) */
static int csa_item(const dnsdb_query *q, const char *item, gstring **gp)
{
    const char *domain = csa_domain(item, false), *target;
    char code;
    int rc = domain ? csa_lookup(domain, &code, &target) : FAIL;
    if (rc != OK) return rc;
    if ((*gp)->len) *gp = string_catc(*gp, q->outsep);
    *gp = string_fmt_append(*gp, "%c %s", code, target);
    return OK;
}

/* one_item - look up one list item, appending records to g */
static int one_item(const dnsdb_query *q, const char *item, int type, gstring **gp, unsigned *ttl, char **err)
{
    if (q->pseudo == PSEUDO_CSA) return csa_item(q, item, gp);
    const char *name = item;
    if (type == DNS_T_PTR) {
        char *rev = dns_reverse_name(item);
        if (rev) name = rev;
    }
    dns_answer ans;
    int rc = lookup_walk(q, name, type, &ans, err);
    if (rc != OK) return rc;
    for (dns_record *r = ans.records; r; r = r->next) {
        if ((*gp)->len) *gp = string_catc(*gp, q->outsep);
        *gp = fmt_record(*gp, q, r);
    }
    if (ans.min_ttl < *ttl) *ttl = ans.min_ttl;
    return OK;
}

static int dnsdb_find(void *handle, const char *filename, const char *query, size_t len,
                      char **result, char **err, unsigned *do_cache, const char *opts)
{
    dnsdb_query q;
    if (!parse_query(query, &q, err)) return DEFER;
    gstring *g = string_get_tainted(128, GET_TAINTED);
    bool deferred = false;
    int sep = q.listsep;
    const char *list = q.list;
    char *item;
    unsigned ttl = *do_cache;
    while ((item = string_nextinlist(&list, &sep))) {
        int types[2] = {q.type, q.pseudo == PSEUDO_AANDAAAA ? DNS_T_A : 0};
        for (int t = 0; t < 2 && types[t]; t++) {
            int rc = one_item(&q, item, types[t], &g, &ttl, err);
            if (rc != DEFER) continue;
            if (q.defer_mode == DEFER_STRICT) return DEFER;
            if (q.defer_mode == DEFER_LAX) deferred = true;
        }
    }
    *do_cache = ttl;
    if (g->len == 0) {
        if (deferred) {
            *err = string_copy(""); /* Exim gives no reason for a deferred dnsdb lookup */
            return DEFER;
        }
        *err = NULL;
        return FAIL;
    }
    *err = NULL;
    *result = string_from_gstring(g);
    return OK;
}

const lookup_info dnsdb_lookup_info = {
    .name = "dnsdb", .type = LOOKUP_QUERY, .open = dnsdb_open, .find = dnsdb_find,
};
