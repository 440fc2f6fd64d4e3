/* test_dns_live.c - dns.c, dnsdb and @mx_* against a real DNS server.
 *
 * Needs the test zone of test/e2e/test_dns.py (unbound on 127.0.0.1 in a
 * private network namespace with its own resolv.conf); that test runs this
 * binary with TERN_DNS_LIVE=1. Run by `make unit` alone, it skips. */
#include "tern.h"
#include "dns.h"
#include "lookups.h"
#include "match.h"
#include "unit.h"

static const char *dnsdb(const char *q)
{
    char *err = NULL;
    char *r = search_find(lookup_find("dnsdb", 5), NULL, q, -1, NULL, 0, 0, NULL, NULL, &err);
    if (r) return r;
    if (err && getenv("TERN_DNS_DEBUG")) fprintf(stderr, "dnsdb %s: %s\n", q, err);
    return err ? "DEFER" : "FAIL";
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    if (!getenv("TERN_DNS_LIVE")) {
        printf("test_dns_live: skipped (run by test/e2e/test_dns.py)\n");
        return 0;
    }
    static const struct { const char *q, *want; } cases[] = {
        {"mx=test.example", "10 mx1.test.example\n20 mx2.test.example"},
        {"mxh=test.example", "mx1.test.example\nmx2.test.example"},
        {">:,; mx=test.example", "10;mx1.test.example:20;mx2.test.example"},
        {"test.example", "one"},
        {"txt=test.example", "one"},
        {">\n,| txt=test.example", "one|two"},
        {">\n; txt=test.example", "onetwo"},
        {"spf=test.example", "v=spf1 -all"},
        {"srv=_smtp._tcp.test.example", "1 2 25 mx1.test.example"},
        {"ptr=127.0.0.1", "mx1.test.example"},
        {"a=mx1.test.example:mx2.test.example", "127.0.0.1\n192.0.2.99"},
        {">; a=mx1.test.example:mx2.test.example", "127.0.0.1;192.0.2.99"},
        {"aaaa=v6.test.example", "2001:db8::1"},
        {"a+=v6.test.example", "2001:db8::1\n192.0.2.6"},
        {"cname=alias.test.example", "mx1.test.example"},
        {"ns=test.example", "ns.test.example"},
        {"zns=a.b.test.example", "ns.test.example"},
        {"soa=a.b.test.example", "ns.test.example"},
        {">:,, soa=test.example", "ns.test.example,hostmaster.test.example,1,3600,600,86400,300"},
        {"a=nosuch.test.example", "FAIL"},
        {"a=nosuch.test.example:mx1.test.example", "127.0.0.1"},
        {"tlsa=_25._tcp.mx1.test.example", "3 1 1 abcdef"},
        {"bogus=x", "DEFER"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) CHECK_STR(dnsdb(cases[i].q), cases[i].want, cases[i].q);
    CHECK(store_is_tainted(dnsdb("a=mx1.test.example")), "dnsdb result tainted");
    match_set_local_interfaces("127.0.0.1");
    static const struct { const char *dom, *list; int want; } mx[] = {
        {"test.example", "@mx_any", OK}, {"test.example", "@mx_primary", OK},
        {"test.example", "@mx_secondary", FAIL}, {"second.test.example", "@mx_any", OK},
        {"second.test.example", "@mx_primary", FAIL}, {"second.test.example", "@mx_secondary", OK},
        {"test.example", "@mx_any/ignore=127.0.0.1", FAIL}, {"nomx.test.example", "@mx_any", FAIL},
        {"test.example", "!@mx_any", FAIL}, {"nothere.test.example", "@mx_any : nothere.test.example", OK},
        {"other.example", "@mx_any", DEFER}, /* no upstream: SERVFAIL */
    };
    for (size_t i = 0; i < NELEM(mx); i++)
        CHECK_INT(match_isinlist(mx[i].dom, mx[i].list, MCL_DOMAIN, true, NULL), mx[i].want,
                  string_sprintf("%s in %s", mx[i].dom, mx[i].list));
    match_host h = {.address = "127.0.0.1", .lookup_allowed = true};
    CHECK_INT(match_host_list(&h, "*.test.example", NULL), OK, "reverse-confirmed name");
    CHECK_INT(match_host_list(&h, "^mx1\\.", NULL), OK, "name regex");
    match_host h2 = {.address = "192.0.2.99", .lookup_allowed = true};
    CHECK_INT(match_host_list(&h2, "mx2.test.example", NULL), OK, "forward lookup");
    CHECK_INT(match_host_list(&h2, "*.test.example", NULL), FAIL, "no PTR: unknown");
    CHECK_INT(match_host_list(&h2, "+include_unknown : *.test.example", NULL), OK, "include_unknown");
    return unit_done("test_dns_live");
}
