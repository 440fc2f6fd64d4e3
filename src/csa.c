/* csa.c - Client SMTP Authorization (draft-ietf-marid-csv-csa-02).
 *
 * A domain publishes "_client._smtp.DOMAIN SRV 1 W P TARGET": priority 1
 * is the CSA version, weight W says 1 not authorized, 2 authorized, 3
 * unknown; an authorized client must be at one of TARGET's addresses.
 * Bit 1 of the port P on a parent domain's record asserts that every
 * subdomain needs a record of its own. When a name exists but has no SRV
 * record (NODATA), the parents are searched top down, from the second
 * level domain towards the name, at most dns_csa_search_limit levels (3
 * in the reverse trees, 16 bits a step in ip6.arpa), as Exim does. An
 * NXDOMAIN answer ends the search: Exim 4.96 does not search then.
 * Runs in the SMTP receiving child (unprivileged); DNS only via dns.c. */

/* System */
#include <arpa/inet.h>
#include <strings.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "globals.h"
/* This module */
#include "csa.h"

const char *csa_domain(const char *name, bool helo)
{
    size_t n = strlen(name);
    const char *ip = name;
    if (!helo) {
        char *rev = dns_reverse_name(name);
        return rev ? rev : name;
    }
    if (n > 2 && name[0] == '[' && name[n - 1] == ']') {
        ip = string_copyn(name + 1, n - 2);
        if (strncasecmp(ip, "IPv6:", 5) == 0) ip += 5;
    }
    char *rev = dns_reverse_name(ip);
    if (!rev) return name;
    return cfg.dns_csa_use_reverse ? rev : NULL;
}

/* own_record - the first CSA version 1 record of an answer */
static const dns_record *own_record(const dns_answer *ans)
{
    for (const dns_record *r = ans->records; r; r = r->next)
        if (r->pref == 1) return r;
    return NULL;
}

/* parent_start - where the parent search begins and how far it may go:
 * *step is 0 for label steps, else the characters per step (ip6.arpa) */
static const char *parent_start(const char *domain, int *limit, size_t *step)
{
    size_t n = strlen(domain);
    *limit = cfg.dns_csa_search_limit;
    *step = 0;
    if (n > 13 && strcasecmp(domain + n - 13, ".in-addr.arpa") == 0) {
        *limit = 3;
        return domain + n - 13;
    }
    if (n > 9 && strcasecmp(domain + n - 9, ".ip6.arpa") == 0) {
        *limit = 3;
        *step = 8; /* four nibble labels: 16 bits of address */
        return domain + n - 9;
    }
    const char *dot = strrchr(domain, '.');
    return dot ? dot : domain;
}

/* parent_search - a parent's record requiring explicit authorization */
static int parent_search(const char *domain, const char **target)
{
    int limit;
    size_t step;
    const char *p = parent_start(domain, &limit, &step);
    for (int i = 0; i < limit; i++) {
        if (step) {
            if ((size_t)(p - domain) <= step) return FAIL;
            p -= step;
        } else {
            do
                if (--p <= domain) return FAIL;
            while (*p != '.');
        }
        dns_answer ans;
        char *err;
        int rc = dns_lookup(string_sprintf("_client._smtp.%s", p + 1), DNS_T_SRV, &ans, &err);
        if (rc == DEFER) return DEFER;
        if (rc != OK) continue;
        for (const dns_record *r = ans.records; r; r = r->next)
            if (r->pref == 1 && (r->port & 1)) {
                *target = r->data;
                return OK;
            }
    }
    return FAIL;
}

int csa_lookup(const char *domain, char *code, const char **target)
{
    dns_answer ans;
    char *err;
    int rc = dns_lookup(string_sprintf("_client._smtp.%s", domain), DNS_T_SRV, &ans, &err);
    if (rc == DEFER) return DEFER;
    if (rc == OK) {
        const dns_record *r = own_record(&ans);
        if (!r) return FAIL;
        *code = r->weight == 1 ? 'N' : r->weight == 2 ? 'Y' : '?';
        *target = r->data;
        return OK;
    }
    if (ans.nxdomain) return FAIL;
    rc = parent_search(domain, target);
    if (rc == OK) *code = 'X';
    return rc;
}

/* same_ip - two addresses in text form are the same address */
static bool same_ip(const char *a, const char *b)
{
    unsigned char x[16], y[16];
    int fa = strchr(a, ':') ? AF_INET6 : AF_INET, fb = strchr(b, ':') ? AF_INET6 : AF_INET;
    if (fa != fb || inet_pton(fa, a, x) != 1 || inet_pton(fb, b, y) != 1) return false;
    return memcmp(x, y, fa == AF_INET ? 4 : 16) == 0;
}

/* target_check - is the client at one of the authorized target's addresses? */
static enum csa_result target_check(const char *target, const char *ip)
{
    dns_answer ans;
    char *err;
    int rc = dns_lookup(target, strchr(ip, ':') ? DNS_T_AAAA : DNS_T_A, &ans, &err);
    if (rc == DEFER) return CSA_DEFER_ADDR;
    if (rc != OK) return CSA_FAIL_NOADDR;
    for (const dns_record *r = ans.records; r; r = r->next)
        if (same_ip(r->data, ip)) return CSA_OK;
    return CSA_FAIL_MISMATCH;
}

enum csa_result csa_check(const char *domain, const char *ip)
{
    char code = '?';
    const char *target = NULL;
    int rc = csa_lookup(domain, &code, &target);
    if (rc == DEFER) return CSA_DEFER_SRV;
    if (rc != OK) return CSA_UNKNOWN;
    switch (code) {
    case 'X': return CSA_FAIL_EXPLICIT;
    case 'N': return CSA_FAIL_DOMAIN;
    case 'Y': return target_check(target, ip);
    default: return CSA_UNKNOWN;
    }
}

const char *csa_status(enum csa_result r)
{
    switch (r) {
    case CSA_OK: return "ok";
    case CSA_UNKNOWN: return "unknown";
    case CSA_DEFER_SRV: case CSA_DEFER_ADDR: return "defer";
    default: return "fail";
    }
}

const char *csa_reason(enum csa_result r)
{
    switch (r) {
    case CSA_DEFER_SRV: return "client SMTP authorization deferred (SRV lookup failed)";
    case CSA_DEFER_ADDR: return "client SMTP authorization deferred (target address lookup failed)";
    case CSA_FAIL_EXPLICIT: return "client SMTP authorization failed (explicit authorization required)";
    case CSA_FAIL_DOMAIN: return "client SMTP authorization failed (host name not authorized)";
    case CSA_FAIL_NOADDR: return "client SMTP authorization failed (no authorized addresses)";
    case CSA_FAIL_MISMATCH: return "client SMTP authorization failed (client address mismatch)";
    case CSA_OK: return "client SMTP authorization ok";
    default: return "client SMTP authorization unknown";
    }
}
