/* test_lookups.c - every lookup driver against files made here in /tmp,
 * type-name parsing, partial and default keys, caching, quoting, taint. */
#include "tern.h"
#include "lookups.h"
#include "dns.h"
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "unit.h"

static char dir[64];

/* path - a file name inside the test directory */
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

/* lk - run "type" on file with key: the result, "FAIL" or "DEFER: err" */
static const char *lk(const char *type, const char *file, const char *key)
{
    int partial, affixlen, star;
    const char *affix, *opts;
    char *err = NULL;
    const lookup_info *li = search_findtype_partial(type, &partial, &affix, &affixlen, &star, &opts, &err);
    if (!li) return string_sprintf("TYPE: %s", err);
    char *r = search_find(li, file, key, partial, affix, affixlen, star, opts, NULL, &err);
    if (r) return r;
    return err ? string_sprintf("DEFER: %s", err) : "FAIL";
}

static const char lsearch_text[] =
    "# comment\n"
    "alice: alice@example.com\n"
    "Bob   bob@example.net\n"
    "carol: first\n"
    "   second\n"
    "\tthird  \n"
    "\"quoted key: with colon\": qdata\n"
    "\"esc\\x41\" escdata\n"
    "empty:\n"
    "colon: :fail:\n"
    "*.dates.fict.example: partial-star\n"
    "dates.fict.example: exact\n"
    "*@dom.example: star-at\n"
    "jane@eyre.example: jane\n"
    "*: default\n"
    "alice: second-alice\n"
    "ends: x\n"
    "\n"
    "  not-continued\n";

static void test_lsearch(void)
{
    write_file("ls", lsearch_text);
    char *f = path("ls");
    static const struct { const char *type, *key, *want; } cases[] = {
        {"lsearch", "alice", "alice@example.com"},
        {"lsearch", "ALICE", "alice@example.com"},
        {"lsearch", "bob", "bob@example.net"},
        {"lsearch", "carol", "first second third"},
        {"lsearch", "quoted key: with colon", "qdata"},
        {"lsearch", "escA", "escdata"},
        {"lsearch", "empty", ""},
        {"lsearch", "colon", ":fail:"},
        {"lsearch", "nobody", "FAIL"},
        {"lsearch", "", "FAIL"},
        {"lsearch", "ends", "x"},
        {"lsearch", "# comment", "FAIL"},
        {"lsearch*", "nobody", "default"},
        {"lsearch*@", "x@dom.example", "star-at"},
        {"lsearch*@", "x@other.example", "default"},
        {"lsearch*@", "jane@eyre.example", "jane"},
        {"lsearch*@", "noat", "default"},
        {"partial-lsearch", "2250.dates.fict.example", "partial-star"},
        {"partial-lsearch", "dates.fict.example", "exact"},
        {"partial-lsearch", "fict.example", "FAIL"},
        {"partial2-lsearch", "a.b.dates.fict.example", "partial-star"},
        {"partial5-lsearch", "a.b.dates.fict.example", "FAIL"},
        {"partial0-lsearch", "x.y", "default"},
        {"partial-lsearch*", "x.y", "default"},
        {"lsearch,ret=key", "ALICE", "ALICE"},
        {"lsearch,ret=key", "nobody", "FAIL"},
        {"nolookup", "x", "TYPE: unknown lookup type \"nolookup\""},
        {"partialx-lsearch", "x", "TYPE: format error in lookup type \"partialx-lsearch\""},
        {"partial(x-lsearch", "x", "TYPE: format error in lookup type \"partial(x-lsearch\""},
        {"partial-dnsdb", "x", "TYPE: \"partial\" is not permitted for lookup type \"dnsdb\""},
        {"sqlite*", "x", "TYPE: defaults using \"*\" or \"*@\" are not permitted for lookup type \"sqlite\""},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(lk(cases[i].type, f, cases[i].key), cases[i].want, cases[i].key);
    CHECK_STR(lk("lsearch", path("missing"), "a"),
              string_sprintf("DEFER: failed to open %s for linear search: No such file or directory", path("missing")),
              "missing lsearch");
    CHECK_STR(lk("lsearch", dir, "a"), string_sprintf("DEFER: %s is not a regular file (lsearch lookup)", dir),
              "lsearch on a directory");
    char *r = (char *)lk("lsearch", f, "alice");
    CHECK(!store_is_tainted(r), "lsearch result untainted");
    char *tkey = string_copy_taint("alice", GET_TAINTED);
    CHECK_STR(lk("lsearch,ret=key", f, tkey), "alice", "ret=key");
    CHECK(!store_is_tainted(lk("lsearch,ret=key", f, tkey)), "ret=key untainted");
    char *tfile = string_copy_taint(f, GET_TAINTED);
    CHECK(strncmp(lk("lsearch", tfile, "alice"), "DEFER: Tainted name", 19) == 0, "tainted file name refused");
}

static void test_wild(void)
{
    write_file("wild", "*.a.b.c: star\n"
                       "^\\d+\\.x$ digits\n"
                       "^(?-i)CASE$ caseful\n"
                       "\"^quo ted$\" quoted-regex\n"
                       "plain: literal\n"
                       "*fish: fish\n");
    char *f = path("wild");
    static const struct { const char *type, *key, *want; } cases[] = {
        {"nwildlsearch", "q.a.b.c", "star"}, {"nwildlsearch", "Q.A.B.C", "star"},
        {"nwildlsearch", "a.b.c", "FAIL"}, {"nwildlsearch", "123.x", "digits"},
        {"nwildlsearch", "12a.x", "FAIL"}, {"nwildlsearch", "CASE", "caseful"},
        {"nwildlsearch", "case", "FAIL"}, {"nwildlsearch", "quo ted", "quoted-regex"},
        {"nwildlsearch", "PLAIN", "literal"}, {"nwildlsearch", "swordfish", "fish"},
        {"lsearch", "*.a.b.c", "star"}, {"lsearch", "q.a.b.c", "FAIL"},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(lk(cases[i].type, f, cases[i].key), cases[i].want, cases[i].key);
    /* wildlsearch expands keys; these need no expansion */
    write_file("wild2", "*.a.b.c: star\nplain: literal\n");
    CHECK_STR(lk("wildlsearch", path("wild2"), "q.a.b.c"), "star", "wildlsearch star");
    CHECK_STR(lk("wildlsearch", path("wild2"), "PLAIN"), "literal", "wildlsearch literal");
}

static void test_iplsearch(void)
{
    write_file("ip", "1.2.3.4: one\n"
                     "192.168.0.0/16: private\n"
                     "\"abcd::cdab\": v6\n"
                     "\"abcd:abcd::/32\" v6net\n"
                     "10.0.0.0/8 ten\n"
                     "0.0.0.0/0 any4\n");
    char *f = path("ip");
    static const struct { const char *type, *key, *want; } cases[] = {
        {"iplsearch", "1.2.3.4", "one"}, {"iplsearch", "192.168.45.6", "private"},
        {"iplsearch", "abcd::cdab", "v6"}, {"iplsearch", "abcd:abcd:1::2", "v6net"},
        {"iplsearch", "10.9.9.9", "ten"}, {"iplsearch", "8.8.8.8", "any4"},
        {"iplsearch", "::ffff:10.1.1.1", "ten"}, {"iplsearch", "abce::1", "FAIL"},
        {"iplsearch", "1.2.3.4/32", "DEFER: \"1.2.3.4/32\" is not a valid iplsearch key (an IP address, "
                                    "with optional CIDR mask, is wanted): in a host list, use net-iplsearch as the "
                                    "search type"},
        {"iplsearch,ret=full", "1.2.3.4", "1.2.3.4: one"},
        {"iplsearch,ret=full", "abcd::cdab", "abcd::cdab: v6"},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(lk(cases[i].type, f, cases[i].key), cases[i].want, cases[i].key);
}

static void test_dsearch(void)
{
    char *d = path("dir");
    mkdir(d, 0755);
    mkdir(string_sprintf("%s/sub", d), 0755);
    write_file("dir/file", "x");
    symlink("file", string_sprintf("%s/link", d));
    static const struct { const char *type, *key, *want; } cases[] = {
        {"dsearch", "file", "file"}, {"dsearch", "sub", "sub"}, {"dsearch", "link", "link"},
        {"dsearch", "none", "FAIL"}, {"dsearch,filter=file", "sub", "FAIL"},
        {"dsearch,filter=file", "file", "file"}, {"dsearch,filter=dir", "sub", "sub"},
        {"dsearch,filter=dir", "..", ".."}, {"dsearch,filter=subdir", "..", "FAIL"},
        {"dsearch,filter=subdir", "sub", "sub"}, {"dsearch,filter=file", "link", "FAIL"},
        {"dsearch,filter=bogus", "file", "DEFER: dsearch: unknown filter \"bogus\""},
        {"dsearch", "a/b", "DEFER: key for dsearch lookup contains a slash: a/b"},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(lk(cases[i].type, d, cases[i].key), cases[i].want, cases[i].key);
    CHECK_STR(lk("dsearch,ret=full", d, "file"), string_sprintf("%s/file", d), "ret=full");
    CHECK_STR(lk("dsearch", path("nodir"), "x"),
              string_sprintf("DEFER: failed to open %s for directory search: No such file or directory", path("nodir")),
              "missing dir");
    CHECK_STR(lk("dsearch", "relative-nonexistent", "x"),
              "DEFER: failed to open relative-nonexistent for directory search: No such file or directory",
              "relative dir that cannot be opened");
    CHECK_STR(lk("dsearch", ".", "x"), "DEFER: dirname '.' for dsearch is not absolute", "relative dir");
    char *tk = string_copy_taint("file", GET_TAINTED);
    CHECK(!store_is_tainted(lk("dsearch", d, tk)), "dsearch result untainted");
}

/* cdb writer: enough of the format for tests */
static void put32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {v & 255, v >> 8 & 255, v >> 16 & 255, v >> 24};
    fwrite(b, 1, 4, f);
}

extern uint32_t cdb_hash(const char *key, size_t len);

static void write_cdb(const char *name, const char *const *kv, size_t n)
{
    FILE *f = fopen(path(name), "wb");
    uint32_t pos = 2048, hashes[64], rpos[64];
    fseek(f, 2048, SEEK_SET);
    for (size_t i = 0; i < n; i++) {
        size_t kl = strlen(kv[2 * i]), dl = strlen(kv[2 * i + 1]);
        put32(f, (uint32_t)kl);
        put32(f, (uint32_t)dl);
        fwrite(kv[2 * i], 1, kl, f);
        fwrite(kv[2 * i + 1], 1, dl, f);
        hashes[i] = cdb_hash(kv[2 * i], kl);
        rpos[i] = pos;
        pos += (uint32_t)(8 + kl + dl);
    }
    uint32_t tpos[256], tlen[256];
    for (int t = 0; t < 256; t++) {
        uint32_t cnt = 0;
        for (size_t i = 0; i < n; i++) cnt += (hashes[i] & 255) == (uint32_t)t;
        tlen[t] = cnt * 2;
        tpos[t] = pos;
        uint32_t slots[2 * 64][2];
        memset(slots, 0, sizeof slots);
        for (size_t i = 0; i < n; i++) {
            if ((hashes[i] & 255) != (uint32_t)t) continue;
            uint32_t s = (hashes[i] >> 8) % tlen[t];
            while (slots[s][1]) s = (s + 1) % tlen[t];
            slots[s][0] = hashes[i];
            slots[s][1] = rpos[i];
        }
        for (uint32_t s = 0; s < tlen[t]; s++) { put32(f, slots[s][0]); put32(f, slots[s][1]); }
        pos += tlen[t] * 8;
    }
    fseek(f, 0, SEEK_SET);
    for (int t = 0; t < 256; t++) { put32(f, tpos[t]); put32(f, tlen[t]); }
    fclose(f);
}

static void test_cdb(void)
{
    static const char *const kv[] = {"alpha", "A", "beta", "B", "*.dom.example", "wild", "*", "star",
                                     "empty", "", "Mixed", "case"};
    write_cdb("c.cdb", kv, NELEM(kv) / 2);
    char *f = path("c.cdb");
    static const struct { const char *type, *key, *want; } cases[] = {
        {"cdb", "alpha", "A"}, {"cdb", "beta", "B"}, {"cdb", "gamma", "FAIL"}, {"cdb", "empty", ""},
        {"cdb", "Mixed", "case"}, {"cdb", "mixed", "FAIL"}, {"partial-cdb", "x.dom.example", "wild"},
        {"cdb*", "zzz", "star"}, {"cdb", "", "FAIL"},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(lk(cases[i].type, f, cases[i].key), cases[i].want, cases[i].key);
    write_file("short.cdb", "tiny");
    CHECK_STR(lk("cdb", path("short.cdb"), "a"),
              string_sprintf("DEFER: failed to open %s too short for cdb lookup", path("short.cdb")), "short cdb");
    CHECK_STR(lk("cdb", path("nocdb"), "a"),
              string_sprintf("DEFER: failed to open %s for cdb lookup: No such file or directory", path("nocdb")),
              "missing cdb");
}

static void test_dbm(void)
{
    /* beside the unit binaries' directory: BUILD/unit/x -> BUILD/tern_dbmbuild */
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = 0;
    *strrchr(exe, '/') = 0;
    *strrchr(exe, '/') = 0;
    const char *bin = getenv("TERN_DBMBUILD");
    if (!bin) bin = string_sprintf("%s/tern_dbmbuild", exe);
    if (access(bin, X_OK) != 0) { printf("test_lookups: dbm tests skipped: no %s\n", bin); return; }
    write_file("dbm.src", "Alice: a1\n\"Two Words\": tw\nmulti: one\n  two\ndup: first\ndup: second\n");
    char *cmd = string_sprintf("%s -nowarn %s %s >/dev/null", bin, path("dbm.src"), path("d.db"));
    CHECK_INT(WEXITSTATUS(system(cmd)), 1, "duplicates give status 1");
    cmd = string_sprintf("%s -nozero -nolc -noduperr -lastdup -nowarn %s %s >/dev/null", bin, path("dbm.src"),
                         path("nz.db"));
    CHECK_INT(WEXITSTATUS(system(cmd)), 0, "-noduperr status");
    static const struct { const char *type, *file, *key, *want; } cases[] = {
        {"dbm", "d.db", "alice", "a1"}, {"dbm", "d.db", "Alice", "FAIL"},
        {"dbm", "d.db", "two words", "tw"}, {"dbm", "d.db", "multi", "one two"},
        {"dbm", "d.db", "dup", "first"}, {"dbmnz", "d.db", "alice", "FAIL"},
        {"dbmnz", "nz.db", "Alice", "a1"}, {"dbmnz", "nz.db", "dup", "second"},
        {"dbm", "nz.db", "Alice", "FAIL"}, {"dbm*", "d.db", "zz", "FAIL"},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(lk(cases[i].type, path(cases[i].file), cases[i].key), cases[i].want, cases[i].key);
    CHECK_STR(lk("dbm", path("nodbm"), "a"),
              string_sprintf("DEFER: failed to open %s as a db (v4.1+) file: No such file or directory", path("nodbm")),
              "missing dbm");
    /* a file made by Exim's own exim_dbmbuild reads the same */
    if (access("/usr/sbin/exim_dbmbuild", X_OK) == 0) {
        cmd = string_sprintf("/usr/sbin/exim_dbmbuild %s %s >/dev/null 2>&1", path("dbm.src"), path("exim.db"));
        CHECK_INT(WEXITSTATUS(system(cmd)), 1, "exim_dbmbuild duplicates");
        for (size_t i = 0; i < 5; i++)
            CHECK_STR(lk(cases[i].type, path("exim.db"), cases[i].key), cases[i].want, "exim-made file");
    }
    /* dbmjz: list items joined with NULs, as sasldb2 keys are */
    write_file("jz.src", "");
    cmd = string_sprintf("printf 'x\\n' | %s -nozero - %s >/dev/null", bin, path("jz.db"));
    CHECK_INT(WEXITSTATUS(system(cmd)), 0, "stdin input");
    CHECK_STR(lk("dbmnz", path("jz.db"), "x"), "", "stdin entry");
}

static void test_json(void)
{
    write_file("j.json", "{\"a\":{\"b\":[1,\"two\",{\"c\":true}],\"n\":null,\"f\":false,"
                         "\"o\":{\"x\":1}},\"s\":\"str\",\"k:y\":\"colon\"}");
    char *f = path("j.json");
    static const struct { const char *key, *want; } cases[] = {
        {"s", "str"}, {"a:b:0", "1"}, {"a:b:1", "two"}, {"a:b:2:c", "true"}, {"a:f", "false"},
        {"a:n", "FAIL"}, {"a:o", "{\"x\": 1}"}, {"a:b:3", "FAIL"}, {"a:b:x", "FAIL"},
        {"nope", "FAIL"}, {"<;k:y", "colon"}, {"s:0", "FAIL"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) CHECK_STR(lk("json", f, cases[i].key), cases[i].want, cases[i].key);
    write_file("bad.json", "{not json");
    CHECK(strncmp(lk("json", path("bad.json"), "a"), "DEFER: json error", 17) == 0, "bad json");
}

static void test_sqlite(void)
{
    sqlite3 *db;
    char *f = path("t.db");
    sqlite3_open(f, &db);
    sqlite3_exec(db, "create table t(a,b); insert into t values('x','y z'),('p',''),('q\"r',NULL),(1,2.5);",
                 NULL, NULL, NULL);
    sqlite3_close(db);
    const char *type = string_sprintf("sqlite,file=%s", f);
    CHECK_STR(lk(type, NULL, "select a from t"), "x\np\nq\"r\n1", "one column");
    CHECK_STR(lk(type, NULL, "select a,b from t"),
              "a=x b=\"y z\" \na=p b=\"\" \na=q\"r b=<NULL> \na=1 b=2.5 ", "two columns");
    CHECK_STR(lk(type, NULL, "select a from t where a=0"), "FAIL", "no rows");
    CHECK_STR(lk(type, NULL, "select bad"), "FAIL", "bad sql");
    CHECK_STR(lk("sqlite", NULL, string_sprintf("%s select b from t where a='x'", f)), "y z", "file prefix");
    CHECK_STR(lk("sqlite", NULL, "select 1"), "DEFER: absolute file name expected for \"sqlite\" lookup",
              "no file");
    const lookup_info *li = lookup_find("sqlite", 6);
    CHECK_STR(li->quote("it's", NULL), "it''s", "quote_sqlite");
    CHECK(store_is_tainted(li->quote(string_copy_taint("a'b", GET_TAINTED), NULL)), "quote keeps taint");
}

static void test_cache(void)
{
    write_file("cache", "k: v1\n");
    char *f = path("cache");
    CHECK_STR(lk("lsearch", f, "k"), "v1", "first");
    unsigned long opens = lookup_stat_opens(), finds = lookup_stat_finds();
    write_file("cache", "k: v2\n");
    CHECK_STR(lk("lsearch", f, "k"), "v1", "cached result");
    CHECK_INT(lookup_stat_finds(), finds, "no second find");
    CHECK_STR(lk("lsearch", f, "other"), "FAIL", "other key");
    CHECK_INT(lookup_stat_opens(), opens, "handle kept open");
    CHECK_STR(lk("lsearch,cache=no_rd", f, "k"), "v2", "cache=no_rd rereads");
    search_tidyup();
    CHECK_STR(lk("lsearch", f, "k"), "v2", "after tidyup");
    CHECK_INT(lookup_stat_opens(), opens + 1, "reopened after tidyup");
    /* the open-handle limit closes the least recently used */
    lookup_set_open_max(2);
    for (int i = 0; i < 4; i++) {
        write_file(string_sprintf("m%d", i), "k: v\n");
        CHECK_STR(lk("lsearch", path(string_sprintf("m%d", i)), "k"), "v", "many files");
    }
    lookup_set_open_max(LIMIT_LOOKUP_OPEN_MAX);
}

static void test_registry(void)
{
    const char *const *n = lookups_builtin_names();
    gstring *g = string_get(64);
    for (; *n; n++)
        if (strcmp(*n, "redis") != 0) g = string_fmt_append(g, "%s%s", g->len ? " " : "", *n);
    CHECK_STR(string_from_gstring(g),
              "lsearch wildlsearch nwildlsearch iplsearch cdb dbm dbmjz dbmnz dnsdb dsearch json sqlite",
              "-bV order (a module's lookup aside)");
    CHECK(lookup_find("lsearch", 7) == &lsearch_lookup_info, "find lsearch");
    CHECK(lookup_find("lsearchx", 7) == &lsearch_lookup_info, "find by length");
    CHECK(lookup_find("lsearc", 6) == NULL, "prefix is not a name");
    CHECK(lookup_find("dnsdb", 5)->quote == NULL, "dnsdb has no quoting");
    int partial, al, star;
    const char *affix, *opts;
    char *err;
    CHECK(search_findtype_partial("partial3(.)lsearch*@,ret=key", &partial, &affix, &al, &star, &opts, &err)
              == &lsearch_lookup_info, "full type");
    CHECK_INT(partial, 3, "partial3");
    CHECK_INT(al, 1, "affix length");
    CHECK_INT(star, SEARCH_STARAT, "*@");
    CHECK_STR(opts, "ret=key", "opts");
    CHECK_STR(lookup_opt("a=1,ret=full,filter=dir", "filter"), "dir", "lookup_opt");
    CHECK_STR(lookup_opt("a=1", "b"), NULL, "lookup_opt absent");
}

/* canned DNS answers for the parser */
static size_t build_answer(unsigned char *b, int type, const unsigned char *rdata, size_t rdlen)
{
    static const unsigned char hdr[] = {0x12, 0x34, 0x81, 0xa0, 0, 1, 0, 1, 0, 0, 0, 0};
    static const unsigned char qname[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
    size_t n = 0;
    memcpy(b, hdr, sizeof hdr); n += sizeof hdr;
    memcpy(b + n, qname, sizeof qname); n += sizeof qname;
    b[n++] = 0; b[n++] = (unsigned char)type; b[n++] = 0; b[n++] = 1;
    b[n++] = 0xc0; b[n++] = 12; /* pointer to the question name */
    b[n++] = 0; b[n++] = (unsigned char)type; b[n++] = 0; b[n++] = 1;
    b[n++] = 0; b[n++] = 0; b[n++] = 0x0e; b[n++] = 0x10; /* ttl 3600 */
    b[n++] = 0; b[n++] = (unsigned char)rdlen;
    memcpy(b + n, rdata, rdlen);
    return n + rdlen;
}

static void test_dns_parser(void)
{
    unsigned char b[512];
    dns_answer ans;
    static const unsigned char a[] = {192, 0, 2, 7};
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_A, a, 4), DNS_T_A, &ans), OK, "A parses");
    CHECK_STR(ans.records->data, "192.0.2.7", "A data");
    CHECK_STR(ans.records->name, "example.com", "owner");
    CHECK_INT(ans.min_ttl, 3600, "ttl");
    CHECK(ans.authenticated, "AD bit");
    CHECK(store_is_tainted(ans.records->data), "DNS data tainted");
    static const unsigned char mx[] = {0, 10, 2, 'm', 'x', 0xc0, 12};
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_MX, mx, sizeof mx), DNS_T_MX, &ans), OK, "MX parses");
    CHECK_STR(ans.records->data, "mx.example.com", "MX target");
    CHECK_INT(ans.records->pref, 10, "MX pref");
    static const unsigned char txt[] = {3, 'o', 'n', 'e', 3, 't', 'w', 'o'};
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_TXT, txt, sizeof txt), DNS_T_TXT, &ans), OK, "TXT");
    CHECK_INT(ans.records->nstrings, 2, "TXT strings");
    CHECK_STR(ans.records->strings[1], "two", "TXT second");
    static const unsigned char srv[] = {0, 1, 0, 2, 0, 25, 0xc0, 12};
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_SRV, srv, sizeof srv), DNS_T_SRV, &ans), OK, "SRV");
    CHECK_INT(ans.records->port, 25, "SRV port");
    static const unsigned char aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_AAAA, aaaa, 16), DNS_T_AAAA, &ans), OK, "AAAA");
    CHECK_STR(ans.records->data, "2001:db8::1", "AAAA data");
    static const unsigned char tlsa[] = {3, 1, 1, 0xab, 0xcd};
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_TLSA, tlsa, sizeof tlsa), DNS_T_TLSA, &ans), OK, "TLSA");
    CHECK_STR(ans.records->data, "abcd", "TLSA hex");
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_A, a, 4), DNS_T_MX, &ans), FAIL, "type mismatch");
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_A, a, 3), DNS_T_A, &ans), DEFER, "short A");
    CHECK_INT(dns_parse_answer(b, 5, DNS_T_A, &ans), DEFER, "truncated message");
    static const unsigned char badmx[] = {0, 10, 0xc0, 0xff};
    CHECK_INT(dns_parse_answer(b, build_answer(b, DNS_T_MX, badmx, 4), DNS_T_MX, &ans), DEFER, "bad pointer");
    CHECK_STR(dns_reverse_name("192.0.2.7"), "7.2.0.192.in-addr.arpa", "reverse v4");
    CHECK_STR(dns_reverse_name("2001:db8::1"),
              "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "reverse v6");
    CHECK_STR(dns_reverse_name("host"), NULL, "reverse non-ip");
    CHECK_INT(dns_type_from_name("MX", 2), DNS_T_MX, "type name");
    CHECK_INT(dns_type_from_name("bogus", 5), -1, "bad type name");
    CHECK_STR(lk("dnsdb", NULL, "foo=x"), "DEFER: unsupported DNS record type", "dnsdb bad type");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    snprintf(dir, sizeof dir, "/tmp/tern-lookups-%d", (int)getpid());
    mkdir(dir, 0700);
    test_registry();
    test_lsearch();
    test_wild();
    test_iplsearch();
    test_dsearch();
    test_cdb();
    test_dbm();
    test_json();
    test_sqlite();
    test_cache();
    test_dns_parser();
    system(string_sprintf("rm -rf %s", dir));
    return unit_done("test_lookups");
}
