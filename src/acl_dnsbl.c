/* acl_dnsbl.c - the "dnslists" condition: DNS black and white lists.
 *
 * Items are "zone[=a,b | ==a,b | !=a | &mask | !&mask][/key]", colon
 * separated, with "+include_unknown", "+exclude_unknown" and
 * "+defer_unknown" changing what a lookup failure means. A key that is
 * an IP address is reversed (RFC 5782 section 2.1); the default key is
 * the client's address. All DNS goes through dns_lookup (dns.c). */

/* System */
#include <arpa/inet.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "globals.h"
#include "log.h"
/* This module */
#include "acl_int.h"

enum { UNKNOWN_EXCLUDE, UNKNOWN_INCLUDE, UNKNOWN_DEFER };

typedef struct dnsbl_item {
    char *zone;
    char *key;       /* NULL: the client's address */
    char *values;    /* comma list after "=" / "&" */
    bool negate;     /* "!=" or "!&" */
    bool mask;       /* "&" */
    bool all;        /* "==": every address must match */
} dnsbl_item;

static void parse_item(char *s, dnsbl_item *it)
{
    memset(it, 0, sizeof *it);
    char *slash = strchr(s, '/');
    if (slash) { *slash = 0; it->key = slash + 1; }
    char *op = strpbrk(s, "=&!");
    it->zone = s;
    if (!op) return;
    char *z = op;
    if (*op == '!') { it->negate = true; op++; }
    if (*op == '&') it->mask = true;
    else if (op[0] == '=' && op[1] == '=') { it->all = true; op++; }
    *z = 0;
    it->values = op + 1;
}

static uint32_t ip4_num(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1 ? ntohl(a.s_addr) : 0;
}

/* value_matches - one returned address against the "=" / "&" list */
static bool value_matches(const dnsbl_item *it, const char *addr)
{
    int sep = ',';
    const char *list = it->values;
    for (char *v; (v = string_nextinlist(&list, &sep));) {
        if (it->mask) {
            uint32_t m = strchr(v, '.') ? ip4_num(v) : (uint32_t)strtoul(v, NULL, 10);
            if ((ip4_num(addr) & m) == m) return true;
        } else if (strcmp(v, addr) == 0) return true;
    }
    return false;
}

/* answer_matches - the whole answer against the value test */
static bool answer_matches(const dnsbl_item *it, const dns_answer *ans)
{
    if (!it->values) return true;
    bool any = false, every = true;
    for (const dns_record *r = ans->records; r; r = r->next) {
        bool m = value_matches(it, r->data);
        any = any || m;
        every = every && m;
    }
    bool hit = it->all ? every : any;
    return it->negate ? !hit : hit;
}

/* set_vars - $dnslist_domain, _matched, _value, _text for a listed key */
static void set_vars(const dnsbl_item *it, const char *key, const char *qname, const dns_answer *ans)
{
    gstring *g = string_get(32);
    for (const dns_record *r = ans->records; r; r = r->next)
        g = string_fmt_append(g, "%s%s", g->len ? ", " : "", r->data);
    conn.acl.dnslist_domain = string_copy(it->zone);
    conn.acl.dnslist_matched = string_copy(key);
    conn.acl.dnslist_value = string_from_gstring(g);
    conn.acl.dnslist_text = NULL;
    dns_answer txt;
    char *err;
    if (dns_lookup(qname, DNS_T_TXT, &txt, &err) == OK && txt.records) {
        gstring *t = string_get(64);
        for (int i = 0; i < txt.records->nstrings; i++) t = string_cat(t, txt.records->strings[i]);
        conn.acl.dnslist_text = string_from_gstring(t);
    }
}

/* check_item - OK listed, FAIL not listed, DEFER lookup failed */
static int check_item(acl_ctx *x, const dnsbl_item *it)
{
    const char *key = it->key ? it->key : conn.sender_host_address;
    if (!key || !*key) return FAIL;
    char *rev = dns_reverse_name(key);
    char *qname;
    if (rev) {
        char *dot = strstr(rev, ".in-addr.arpa");
        if (!dot) dot = strstr(rev, ".ip6.arpa");
        qname = string_sprintf("%.*s.%s", (int)(dot ? dot - rev : (long)strlen(rev)), rev, it->zone);
    } else qname = string_sprintf("%s.%s", key, it->zone);
    dns_answer ans;
    char *err = NULL;
    int rc = dns_lookup(qname, DNS_T_A, &ans, &err);
    if (rc == DEFER) {
        if (log_selected(L_dnslist_defer))
            log_write(L_always, LOG_MAIN, "DNS list lookup defer (probably timeout) for %s: assumed not in list", qname);
        return DEFER;
    }
    if (rc != OK || !answer_matches(it, &ans)) {
        acl_trace("=> that means %s is not listed at %s", key, it->zone);
        return FAIL;
    }
    acl_trace("=> that means %s is listed at %s", key, it->zone);
    set_vars(it, key, qname, &ans);
    return OK;
}

int acl_dnslists(acl_ctx *x, const char *arg)
{
    int sep = 0, unknown = UNKNOWN_EXCLUDE;
    bool deferred = false;
    const char *list = arg;
    for (char *s; (s = string_nextinlist(&list, &sep));) {
        if (strcmp(s, "+include_unknown") == 0) { unknown = UNKNOWN_INCLUDE; continue; }
        if (strcmp(s, "+exclude_unknown") == 0) { unknown = UNKNOWN_EXCLUDE; continue; }
        if (strcmp(s, "+defer_unknown") == 0) { unknown = UNKNOWN_DEFER; continue; }
        dnsbl_item it;
        parse_item(s, &it);
        int rc = check_item(x, &it);
        if (rc == OK) return OK;
        if (rc == DEFER) {
            deferred = true;
            if (unknown == UNKNOWN_INCLUDE) return OK;
            if (unknown == UNKNOWN_DEFER) {
                x->err_msg = string_sprintf("DNS list lookup defer for %s", it.zone);
                return DEFER;
            }
        }
    }
    (void)deferred;
    return FAIL;
}
