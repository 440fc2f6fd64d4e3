/* test_match.c - domain, host, address and local-part list matching,
 * table-driven. Named lists come from a small config read through
 * readconf_read; lookups use files written to /tmp. */
#include "tern.h"
#include "globals.h"
#include "match.h"
#include "lookups.h"
#include "readconf.h"
#include <sys/stat.h>
#include "unit.h"

static char dir[64];

static char *path(const char *name)
{
    return string_sprintf("%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(path(name), "w");
    fputs(text, f);
    fclose(f);
}

/* L - replace "@D@" in a list with the test directory */
static const char *L(const char *list)
{
    gstring *g = string_get(strlen(list) + 64);
    for (const char *p = list; *p; p++) {
        if (strncmp(p, "@D@", 3) == 0) { g = string_cat(g, dir); p += 2; }
        else g = string_catc(g, *p);
    }
    return string_from_gstring(g);
}

static const char *rc_name(int rc)
{
    return rc == OK ? "OK" : rc == FAIL ? "FAIL" : rc == DEFER ? "DEFER" : "?";
}

typedef struct mcase {
    const char *subject, *list, *want;
} mcase;

static const mcase domain_cases[] = {
    {"a.b.c", "a.b.c", "OK"}, {"A.B.C", "a.b.c", "OK"}, {"a.b.c", "A.B.C", "OK"},
    {"a.b.c", "x.y : a.b.c", "OK"}, {"a.b.c", "x.y", "FAIL"}, {"a.b.c", "", "FAIL"},
    {"a.b.c", "!a.b.c", "FAIL"}, {"x.y", "!a.b.c", "OK"}, {"a.b.c", "!a.b.c : *.b.c", "FAIL"},
    {"q.b.c", "!a.b.c : *.b.c", "OK"}, {"x.y", "!a.b.c : *.b.c", "FAIL"}, {"x.y", "! a.b.c", "OK"},
    {"a.b.c", "! a.b.c", "FAIL"}, {"a.b.c", "!!a.b.c", "OK"},
    {"donkey.ex", "*key.ex", "OK"}, {"cipher.key.ex", "*key.ex", "OK"}, {"key.ex", "*key.ex", "OK"},
    {"ey.ex", "*key.ex", "FAIL"}, {"x.b.c", "*.b.c", "OK"}, {"b.c", "*.b.c", "FAIL"},
    {"X.B.C", "*.b.c", "OK"}, {"anything", "*", "OK"}, {"", "*", "OK"},
    {"2001.fict.example", "^[1-2]\\d{3}\\.fict\\.example$", "OK"},
    {"3001.fict.example", "^[1-2]\\d{3}\\.fict\\.example$", "FAIL"},
    {"ABC.example", "^abc", "OK"}, {"ABC.example", "^(?-i)abc", "FAIL"}, {"abc.example", "^(?-i)abc", "OK"},
    {"xabc", "^abc", "FAIL"}, {"abc", "^a(b", "DEFER"},
    {"mail.example.com", "@", "OK"}, {"MAIL.example.com", "@", "OK"}, {"other.example", "@", "FAIL"},
    {"other.example", "!@", "OK"}, {"[127.0.0.1]", "@[]", "OK"}, {"[10.45.23.56]", "@[]", "OK"},
    {"[10.45.23.57]", "@[]", "FAIL"}, {"127.0.0.1", "@[]", "FAIL"}, {"[]", "@[]", "FAIL"},
    {"a.b.c", "+local", "OK"}, {"b.example", "+local", "OK"}, {"z.example", "+local", "FAIL"},
    {"z.example", "!+local", "OK"}, {"a.b.c", "! +local", "FAIL"}, {"third.example", "+dom2", "OK"},
    {"first.example", "+dom2", "OK"}, {"first.example", "+dom3", "OK"}, {"fifth.example", "+dom3", "OK"},
    {"nowhere", "+dom3", "FAIL"}, {"x.y", "+negonly", "OK"}, {"a.b", "+negonly", "FAIL"},
    {"x.y", "+negonly : *.b", "OK"}, {"a.b", "+negonly : *.b", "OK"},
    {"a.b.c", "+nosuchlist", "DEFER"}, {"x", "+self", "DEFER"},
    {"a.b.c", "lsearch;@D@/domains", "OK"}, {"A.B.C", "lsearch;@D@/domains", "OK"},
    {"q.b.c", "lsearch;@D@/domains", "FAIL"}, {"q.b.c", "partial-lsearch;@D@/domains", "OK"},
    {"x.q.b.c", "partial-lsearch;@D@/domains", "OK"}, {"b.c", "partial-lsearch;@D@/domains", "OK"},
    {"c", "partial-lsearch;@D@/domains", "FAIL"}, {"zz", "lsearch*;@D@/domains", "OK"},
    {"a.b.c", "!lsearch;@D@/domains", "FAIL"}, {"q.b.c", "!lsearch;@D@/domains", "OK"},
    {"a.b.c", "lsearch;@D@/missing", "DEFER"}, {"a.b.c", "nosuch;@D@/domains", "DEFER"},
    {"a.b.c", "lsearch; @D@/domains", "OK"},
    {"a.b.c", "@D@/domfile", "OK"}, {"q.hold.example", "@D@/domfile", "OK"},
    {"a.hold.example", "@D@/domfile", "FAIL"}, {"zz", "@D@/domfile", "FAIL"},
    {"commented.example", "@D@/domfile", "FAIL"}, {"after.example", "@D@/domfile", "OK"},
    {"a.hold.example", "!@D@/domfile", "OK"}, {"q.hold.example", "!@D@/domfile", "FAIL"},
    {"a.b.c", "@D@/nofile", "DEFER"},
    {"a.b.c", "<; x.y ; a.b.c", "OK"}, {"a:b", "a::b", "OK"}, {"a", "a::b", "FAIL"},
    {"a.b.c", "<, x.y, a.b.c", "OK"}, {"", ":", "OK"}, {"", "", "FAIL"}, {"x", ":", "FAIL"},
    {"x", "!", "OK"}, {"", "!", "FAIL"}, {"x", " : x", "OK"}, {"x", "  x  ", "OK"},
    {"+caseful", "+caseful", "DEFER"}, {"x", "<\n x\n y", "OK"},
};

static const mcase localpart_cases[] = {
    {"postmaster", "postmaster", "OK"}, {"PostMaster", "postmaster", "OK"},
    {"PostMaster", "+caseful : postmaster", "FAIL"}, {"PostMaster", "+caseful : PostMaster", "OK"},
    {"postmaster", "!postmaster", "FAIL"}, {"abuse", "!postmaster", "OK"},
    {"user-foo", "*-foo", "OK"}, {"USER-FOO", "*-foo", "OK"}, {"user-foo", "^user-", "OK"},
    {"USER-foo", "+caseful : ^user-", "FAIL"}, {"@", "@", "OK"}, {"x", "@", "FAIL"},
    {"root", "+admins", "OK"}, {"bob", "+admins", "FAIL"}, {"x#y", "@D@/lpfile", "OK"},
    {"plain", "@D@/lpfile", "OK"}, {"comment", "@D@/lpfile", "FAIL"},
    {"alice", "lsearch;@D@/users", "OK"}, {"nobody", "lsearch;@D@/users", "FAIL"},
};

static const mcase address_cases[] = {
    {"jbc@askone.example", "jbc@askone.example : hs@anacreon.example", "OK"},
    {"hs@anacreon.example", "jbc@askone.example : hs@anacreon.example", "OK"},
    {"JBC@ASKONE.EXAMPLE", "jbc@askone.example", "OK"},
    {"JBC@askone.example", "+caseful : jbc@askone.example", "FAIL"},
    {"jbc@ASKONE.example", "+caseful : jbc@askone.example", "OK"},
    {"JBC@askone.example", "+caseful : JBC@askone.example", "OK"},
    {"x@spam.spamming.site", "*@*.spamming.site", "OK"}, {"x@spamming.site", "*@*.spamming.site", "FAIL"},
    {"x@enemy.domain", "enemy.domain : *.enemy.domain", "OK"},
    {"x@a.enemy.domain", "enemy.domain : *.enemy.domain", "OK"},
    {"x@friend.domain", "enemy.domain : *.enemy.domain", "FAIL"},
    {"x@a.b.c", "*@+local", "OK"}, {"x@zz.example", "*@+local", "FAIL"},
    {"bad@x.y", "+badsenders", "OK"}, {"good@x.y", "+badsenders", "FAIL"},
    {"", ":", "OK"}, {"", "", "FAIL"}, {"x@y", ":", "FAIL"}, {"", "*@*", "FAIL"},
    {"", "^$", "OK"}, {"12345678x@spamhaus.example", "^\\d{8}\\w@spamhaus.example$", "OK"},
    {"abc@this.example.com", "^.*this.*@example\\.com$", "FAIL"},
    {"ThisOne@example.com", "^this", "OK"}, {"ThisOne@example.com", "+caseful : ^this", "FAIL"},
    {"user1@domain1.example", "lsearch*@;@D@/senders", "OK"},
    {"other@domain2.example", "lsearch*@;@D@/senders", "OK"},
    {"nimrod@jaeger.example", "lsearch*@;@D@/senders", "FAIL"},
    {"USER1@DOMAIN1.EXAMPLE", "lsearch;@D@/senders", "OK"}, {"", "lsearch;@D@/senders", "FAIL"},
    {"x@bad.example", "*@lsearch;@D@/domains2", "OK"}, {"x@good.example", "*@lsearch;@D@/domains2", "FAIL"},
    {"bozo@q.bad.example", "bozo@partial-lsearch;@D@/domains2", "OK"},
    {"notbozo@q.bad.example", "bozo@partial-lsearch;@D@/domains2", "FAIL"},
    {"spammer1@aol.com", "@@lsearch;@D@/atat", "OK"}, {"spammer4@aol.com", "@@lsearch;@D@/atat", "OK"},
    {"12345678@aol.com", "@@lsearch;@D@/atat", "OK"}, {"friend@aol.com", "@@lsearch;@D@/atat", "FAIL"},
    {"postmaster@baddomain.com", "@@lsearch;@D@/atat", "FAIL"},
    {"anyone@baddomain.com", "@@lsearch;@D@/atat", "OK"}, {"x@unlisted.com", "@@lsearch;@D@/atat", "FAIL"},
    {"12345678@unlisted.com", "@@lsearch*;@D@/atat", "OK"}, {"", "@@lsearch;@D@/atat", "FAIL"},
    {"spammer3@xyz.com", "@@lsearch*;@D@/atat", "OK"}, {"87654321@xyz.com", "@@lsearch*;@D@/atat", "OK"},
    {"a@b", "!a@b", "FAIL"}, {"c@d", "!a@b", "OK"}, {"user", "user", "FAIL"},
    {"x@host.example", "x@@", "FAIL"}, {"x@mail.example.com", "x@@", "OK"},
    {"x@a.b.c", "x@lsearch;@D@/domains", "OK"}, {"y@a.b.c", "*@lsearch;@D@/domains", "OK"},
    {"a@b.c", "@D@/addrfile", "OK"}, {"not#comment@x.y.z", "@D@/addrfile", "OK"},
    {"x@y.z", "@D@/addrfile", "FAIL"},
};

static const struct hcase {
    const char *addr, *name, *list, *want;
} host_cases[] = {
    {"192.168.23.236", NULL, "192.168.23.236/31", "OK"}, {"192.168.23.237", NULL, "192.168.23.236/31", "OK"},
    {"192.168.23.238", NULL, "192.168.23.236/31", "FAIL"}, {"10.11.42.9", NULL, "10.11.42.0/24", "OK"},
    {"10.11.43.9", NULL, "10.11.42.0/24", "FAIL"}, {"10.1.2.3", NULL, "10.0.0.0/8", "OK"},
    {"1.2.3.4", NULL, "0.0.0.0/0", "OK"}, {"1.2.3.4", NULL, "1.2.3.4", "OK"}, {"1.2.3.4", NULL, "1.2.3.4/32", "OK"},
    {"1.2.3.5", NULL, "1.2.3.4/32", "FAIL"}, {"1.2.3.4", NULL, "!1.2.3.4", "FAIL"}, {"1.2.3.5", NULL, "!1.2.3.4", "OK"},
    {"::ffff:1.2.3.4", NULL, "1.2.3.4", "OK"}, {"::ffff:1.2.3.4", NULL, "1.2.3.0/24", "OK"},
    {"3ffe:ffff:836f::1", NULL, "3ffe::ffff::836f::::/48", "OK"},
    {"3ffe:ffff:8370::1", NULL, "3ffe::ffff::836f::::/48", "FAIL"},
    {"3ffe:ffff:836f::1", NULL, "<; 172.16.0.0/12; 3ffe:ffff:836f::/48", "OK"},
    {"172.20.1.1", NULL, "<; 172.16.0.0/12; 3ffe:ffff:836f::/48", "OK"},
    {"::1", NULL, "::::1", "OK"}, {"::1", NULL, "<; ::1", "OK"}, {"::2", NULL, "<; ::1", "FAIL"},
    {"2001:db8::1", NULL, "<; 2001:db8::/32", "OK"}, {"2001:db9::1", NULL, "<; 2001:db8::/32", "FAIL"},
    {"1.2.3.4", NULL, "<; ::/0", "FAIL"}, {"2001:db8::1", NULL, "0.0.0.0/0", "FAIL"},
    {"1.2.3.4", NULL, "*", "OK"}, {NULL, NULL, "*", "OK"}, {NULL, NULL, ":", "OK"}, {"1.2.3.4", NULL, ":", "FAIL"},
    {NULL, NULL, "1.2.3.4", "FAIL"}, {NULL, NULL, "", "FAIL"}, {"", NULL, ": 1.2.3.4", "OK"},
    {"127.0.0.1", NULL, "@[]", "OK"}, {"10.45.23.56", NULL, "@[]", "OK"}, {"10.45.23.55", NULL, "@[]", "FAIL"},
    {"::1", NULL, "@[]", "OK"},
    {"1.2.3.4", "mail.friend.example", "*.friend.example", "OK"},
    {"1.2.3.4", "MAIL.FRIEND.EXAMPLE", "*.friend.example", "OK"},
    {"1.2.3.4", "mail.enemy.example", "*.friend.example", "FAIL"},
    {"1.2.3.4", "a.c.d", "^(a|b)\\.c\\.d$", "OK"}, {"1.2.3.4", "x.c.d", "^(a|b)\\.c\\.d$", "FAIL"},
    {"1.2.3.4", NULL, "*.friend.example", "FAIL"},
    {"1.2.3.4", NULL, "+ignore_unknown : *.friend.example : 1.2.3.4", "OK"},
    {"1.2.3.4", NULL, "*.friend.example : 1.2.3.4", "FAIL"},
    {"1.2.3.4", NULL, "+include_unknown : *.enemy.example", "OK"},
    {"1.2.3.4", NULL, "+include_unknown : !*.enemy.example", "FAIL"},
    {"1.2.3.4", NULL, "+include_unknown : +ignore_unknown : *.enemy.example", "FAIL"},
    {"1.2.3.4", NULL, "1.2.3.4 : *.friend.example", "OK"},
    {"1.2.3.4", "h.friend.example", "lsearch;@D@/hostnames", "OK"},
    {"1.2.3.4", "h.enemy.example", "lsearch;@D@/hostnames", "FAIL"},
    {"1.2.3.4", NULL, "net-lsearch;@D@/hostips", "OK"}, {"1.2.3.5", NULL, "net-lsearch;@D@/hostips", "FAIL"},
    {"192.168.34.6", NULL, "net24-lsearch;@D@/hostips", "OK"},
    {"192.168.35.6", NULL, "net24-lsearch;@D@/hostips", "FAIL"},
    {"1.2.3.4", NULL, "net32-lsearch;@D@/hostips", "FAIL"},
    {"2001:db8::1", NULL, "net-lsearch;@D@/hostips", "OK"},
    {"2001:db8::5:1", NULL, "net64-lsearch;@D@/hostips", "OK"},
    {"2001:db8::1", NULL, "net-iplsearch;@D@/ipls", "OK"}, {"10.3.3.3", NULL, "net-iplsearch;@D@/ipls", "OK"},
    {"11.3.3.3", NULL, "net-iplsearch;@D@/ipls", "FAIL"},
    {"1.2.3.4", NULL, "+relay", "OK"}, {"9.9.9.9", NULL, "+relay", "FAIL"}, {"9.9.9.9", NULL, "!+relay", "OK"},
    {"1.2.3.4", NULL, "@D@/hostfile", "OK"}, {"2001:db8::7", NULL, "@D@/hostfile", "OK"},
    {"5.5.5.5", NULL, "@D@/hostfile", "FAIL"}, {"6.6.6.6", NULL, "@D@/hostfile", "OK"},
    {"127.0.0.1", NULL, "localhost", "OK"}, {"127.0.0.2", NULL, "localhost", "FAIL"},
    {"127.0.0.1", NULL, "no-such-host.invalid", "FAIL"},
    {"127.0.0.1", NULL, "+ignore_unknown : no-such-host.invalid : 127.0.0.1", "OK"},
    {"127.0.0.1", NULL, "+include_unknown : no-such-host.invalid", "OK"},
    {"1.2.3.4", NULL, "+ignore_defer : lsearch;@D@/missing : 1.2.3.4", "FAIL"},
    {"1.2.3.4", "h.example", "lsearch;@D@/missing : 1.2.3.4", "DEFER"},
    {"1.2.3.4", "h.example", "+ignore_defer : lsearch;@D@/missing : 1.2.3.4", "OK"},
    {"::1", NULL, "+relay", "OK"},
    {"1.2.3.4", NULL, "+include_defer : 1.2.3.9 : net-lsearch;@D@/missing", "OK"},
    {"1.2.3.4", NULL, "+ignore_defer : net-lsearch;@D@/missing : 1.2.3.4", "OK"},
    {"1.2.3.4", NULL, "net-lsearch;@D@/missing", "DEFER"},
};

static const struct { const char *ip, *list, *want; } ip_cases[] = {
    {"1.2.3.4", "1.2.3.4", "OK"}, {"1.2.3.4", "1.2.3.0/24", "OK"}, {"1.2.4.4", "1.2.3.0/24", "FAIL"},
    {"1.2.3.4", "<; ::1 ; 1.2.3.4", "OK"}, {"::1", "<; ::1 ; 1.2.3.4", "OK"}, {"1.2.3.4", "!1.2.3.4", "FAIL"},
    {"1.2.3.4", "localhost : 1.2.3.4", "FAIL"}, {"127.0.0.1", "localhost", "FAIL"},
    {"1.2.3.4", "1.2.3.4 : localhost", "OK"}, {"", ": 1.2.3.4", "OK"}, {"", "1.2.3.4", "FAIL"},
    {"1.2.3.4", "*", "OK"}, {"10.9.9.9", "iplsearch;@D@/ipls", "OK"}, {"11.9.9.9", "iplsearch;@D@/ipls", "FAIL"},
    {"1.2.3.4", "lsearch;@D@/hostips", "OK"}, {"not-ip", "1.2.3.4", "DEFER"}, {"1.2.3.4", "", "FAIL"}, {"1.2.3.4", "net-lsearch;@D@/hostips", "OK"},
};

static void run_tables(void)
{
    for (size_t i = 0; i < NELEM(domain_cases); i++) {
        const mcase *c = &domain_cases[i];
        const char *label = string_sprintf("domain %s in %s", c->subject, c->list);
        CHECK_STR(rc_name(match_isinlist(c->subject, L(c->list), MCL_DOMAIN, true, NULL)), c->want, label);
    }
    for (size_t i = 0; i < NELEM(localpart_cases); i++) {
        const mcase *c = &localpart_cases[i];
        const char *label = string_sprintf("local part %s in %s", c->subject, c->list);
        CHECK_STR(rc_name(match_isinlist(c->subject, L(c->list), MCL_LOCALPART, true, NULL)), c->want, label);
    }
    for (size_t i = 0; i < NELEM(address_cases); i++) {
        const mcase *c = &address_cases[i];
        const char *label = string_sprintf("address %s in %s", c->subject, c->list);
        CHECK_STR(rc_name(match_address_list(c->subject, true, L(c->list), NULL)), c->want, label);
    }
    for (size_t i = 0; i < NELEM(host_cases); i++) {
        const struct hcase *c = &host_cases[i];
        match_host h = {.address = c->addr, .name = c->name, .lookup_allowed = false};
        const char *label = string_sprintf("host %s/%s in %s", c->addr ? c->addr : "-", c->name ? c->name : "-",
                                           c->list);
        CHECK_STR(rc_name(match_host_list(&h, L(c->list), NULL)), c->want, label);
    }
    for (size_t i = 0; i < NELEM(ip_cases); i++) {
        const char *label = string_sprintf("ip %s in %s", ip_cases[i].ip, ip_cases[i].list);
        CHECK_STR(rc_name(match_ip(ip_cases[i].ip, L(ip_cases[i].list))), ip_cases[i].want, label);
    }
}

/* values returned for $domain_data and friends */
static void test_values(void)
{
    const char *v = NULL;
    CHECK_INT(match_isinlist("a.b.c", L("x : lsearch;@D@/domains"), MCL_DOMAIN, true, &v), OK, "lookup value");
    CHECK_STR(v, "data-abc", "lookup data");
    CHECK(!store_is_tainted(v), "lookup data untainted");
    CHECK_INT(match_isinlist("q.b.c", "*.b.c", MCL_DOMAIN, true, &v), OK, "wild value");
    CHECK_STR(v, "*.b.c", "wild value is the item");
    CHECK_INT(match_isinlist("MAIL.example.com", "@", MCL_DOMAIN, true, &v), OK, "@ value");
    CHECK_STR(v, "mail.example.com", "@ value is primary_hostname");
    CHECK_INT(match_isinlist("A.B.C", "a.b.c", MCL_DOMAIN, true, &v), OK, "literal");
    CHECK_STR(v, "a.b.c", "literal value is the item");
    CHECK_INT(match_isinlist("a.b.c", "+local", MCL_DOMAIN, true, &v), OK, "named");
    CHECK_STR(v, "a.b.c", "named list value");
    CHECK_INT(match_address_list("user1@domain1.example", true, L("lsearch;@D@/senders"), &v), OK, "addr");
    CHECK_STR(v, "s1", "address lookup value");
    match_host h = {.address = "192.168.34.6"};
    CHECK_INT(match_host_list(&h, L("net24-lsearch;@D@/hostips"), &v), OK, "host value");
    CHECK_STR(v, "net24", "host lookup value");
    const char *tainted = string_copy_taint("x.example", GET_TAINTED);
    CHECK_INT(match_isinlist("x.example", tainted, MCL_DOMAIN, true, &v), OK, "tainted list");
    CHECK(store_is_tainted(v), "value from a tainted list stays tainted");
    CHECK_INT(match_isinlist("abc", string_copy_taint("^abc", GET_TAINTED), MCL_DOMAIN, true, NULL), DEFER,
              "tainted regex refused");
    CHECK(strstr(match_error(), "Tainted") != NULL, "tainted regex message");
    CHECK_INT(match_isinlist("a.b.c", "+nosuchlist", MCL_DOMAIN, true, NULL), DEFER, "unknown list");
    CHECK_STR(match_error(), "unknown named domain list \"+nosuchlist\"", "unknown list message");
}

/* named list results are cached per message */
static void test_cache(void)
{
    write_file("cached", "one.example\n");
    CHECK_INT(match_isinlist("one.example", "+cachedlist", MCL_DOMAIN, true, NULL), OK, "first");
    write_file("cached", "two.example\n");
    search_tidyup();
    CHECK_INT(match_isinlist("one.example", "+cachedlist", MCL_DOMAIN, true, NULL), OK, "cached");
    match_reset_cache();
    CHECK_INT(match_isinlist("one.example", "+cachedlist", MCL_DOMAIN, true, NULL), FAIL, "after reset");
    CHECK_INT(match_isinlist("two.example", "+cachedlist", MCL_DOMAIN, true, NULL), OK, "new content");
}

static void test_check_string_and_ip(void)
{
    CHECK_INT(match_check_string("abc.def", "*.def", -1, true, MCL_STRING, NULL), OK, "check_string star");
    CHECK_INT(match_check_string("abc.def", "^ABC", -1, true, MCL_STRING, NULL), OK, "check_string regex");
    CHECK_INT(match_check_string("abc.def", "^ABC", -1, false, MCL_STRING, NULL), FAIL, "caseful regex");
    CHECK_INT(match_check_string("Abc", "abc", -1, false, MCL_STRING, NULL), FAIL, "caseful literal");
    CHECK_INT(match_check_string("@", "@", -1, true, MCL_STRING, NULL), OK, "@ literal in strings");
    CHECK_INT(match_is_ip("1.2.3.4", NULL), 4, "is_ip v4");
    CHECK_INT(match_is_ip("::1", NULL), 6, "is_ip v6");
    CHECK_INT(match_is_ip("1.2.3.4/8", NULL), 0, "mask not allowed");
    int m;
    CHECK_INT(match_is_ip("1.2.3.4/8", &m), 4, "mask allowed");
    CHECK_INT(m, 8, "mask value");
    CHECK_INT(match_is_ip("1.2.3.4/33", &m), 0, "mask too big");
    CHECK_INT(match_is_ip("1.2.3", NULL), 0, "short v4");
    CHECK_STR(match_ip_key("192.168.34.6", 24, false), "192.168.34.0/24", "net24 key");
    CHECK_STR(match_ip_key("192.168.34.6", -1, false), "192.168.34.6", "net- key");
    CHECK_STR(match_ip_key("::ffff:10.1.2.3", -1, false), "10.1.2.3", "mapped key");
    CHECK_STR(match_ip_key("2001:db8::1", -1, false), "2001.0db8.0000.0000.0000.0000.0000.0001", "v6 dots");
    CHECK_STR(match_ip_key("2001:db8::1", -1, true), "2001:0db8:0000:0000:0000:0000:0000:0001", "v6 colons");
    CHECK_STR(match_ip_key("2001:db8:1:2::1", 48, false), "2001.0db8.0001.0000.0000.0000.0000.0000/48", "v6 mask");
    CHECK_STR(match_ip_key("1.2.3.4", 0, false), "0.0.0.0/0", "mask 0");
}

static void setup(void)
{
    write_file("domains", "a.b.c: data-abc\n*.b.c: wild\nb.c\n*: star\n");
    write_file("domfile", "# comment line\n!a.hold.example\n*.hold.example # trailing\na.b.c\n\n"
                          "#commented.example\nafter.example\n");
    write_file("lpfile", "x#y\nplain # comment\n#comment\n");
    write_file("users", "alice: yes\n");
    write_file("senders", "user1@domain1.example: s1\n*@domain2.example: s2\n");
    write_file("domains2", "bad.example\n*.bad.example\n");
    write_file("atat", "aol.com:  spammer1 : spammer2 : ^[0-9]+$ :\n  spammer3 : spammer4\n"
                       "baddomain.com: !postmaster : *\nxyz.com: spammer3 : >*\n*: ^\\d{8}$\n");
    write_file("addrfile", "a@b.c\nnot#comment@x.y.z   # but this is a comment\n");
    write_file("hostnames", "h.friend.example\n");
    write_file("hostips", "1.2.3.4\n192.168.34.0/24: net24\n2001.0db8.0000.0000.0000.0000.0000.0001\n"
                          "2001.0db8.0000.0000.0000.0000.0000.0000/64\n");
    write_file("ipls", "\"2001:db8::/32\"\n10.0.0.0/8\n");
    write_file("hostfile", "1.2.3.4\n2001:db8::7 # v6 needs no doubling here\n!5.5.5.5\n");
    write_file("tern.conf", L("primary_hostname = mail.example.com\n"
                              "domainlist local = a.b.c : b.example\n"
                              "domainlist dom1 = first.example : second.example\n"
                              "domainlist dom2 = +dom1 : third.example\n"
                              "domainlist dom3 = fourth.example : +dom2 : fifth.example\n"
                              "domainlist negonly = !a.b\n"
                              "domainlist self = +self\n"
                              "domainlist cachedlist = @D@/cached\n"
                              "localpartlist admins = root : postmaster\n"
                              "addresslist badsenders = bad@x.y\n"
                              "hostlist relay = 1.2.3.0/24 : ::::1\n"));
    readconf_read(path("tern.conf"));
    match_set_local_interfaces("<; 127.0.0.1 ; 10.45.23.56 ; ::1");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    snprintf(dir, sizeof dir, "/tmp/tern-match-%d", (int)getpid());
    mkdir(dir, 0700);
    setup();
    run_tables();
    test_values();
    test_cache();
    test_check_string_and_ip();
    if (!getenv("TERN_KEEP_TMP") && system(string_sprintf("rm -rf %s", dir)) != 0) fprintf(stderr, "cleanup failed\n");
    return unit_done("test_match");
}
