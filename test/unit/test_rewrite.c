/* test_rewrite.c - rewrite rules: parsing, the address parser they use
 * (results, spans and error texts as Exim 4.96's -brw shows them),
 * rules x addresses x fields, and header-line rewriting (phrases and
 * comments kept, groups, folding, w items). */
#include "tern.h"
#include "addr_parse.h"
#include "globals.h"
#include "message.h"
#include "rewrite.h"
#include "unit.h"

static void test_parse_rules(void)
{
    static const struct { const char *in; bool transport; const char *err; unsigned flags; } cases[] = {
        {"*@x.example $1@y.example Ffrs", false, NULL, RW_ENV_FROM | RW_FROM | RW_REPLY_TO | RW_SENDER},
        {"*@x.example $1@y.example Z", false, "unknown rewrite flag character 'Z' (could be missing quotes round replacement item)", 0},
        {"*@x.example", false, "missing rewrite replacement string", 0},
        {"", false, "missing rewrite pattern", 0},
        {"\"a b\" c", false, NULL, RW_FIELDS},
        {"\"a b\" c", true, NULL, RW_ALL_HEADERS},
        {"^(.*)@x $1@y Sq", false, NULL, RW_SMTP | RW_QUIT},
        {"*@x $1@y EFTbcfhrstwQqR", false, NULL, RW_FIELDS | RW_WHOLE | RW_QUIT | RW_QUALIFY | RW_REPEAT},
        {"*@x $1@y f t  Q", false, NULL, RW_FROM | RW_TO | RW_QUALIFY},
        {"*@x \"$1 @y\" h", false, NULL, RW_ALL_HEADERS},
        {"*@x $1@y h junk", false, "unknown rewrite flag character 'j' (could be missing quotes round replacement item)", 0},
        {"*@x $1@y F", true, "rewrite rule specifies a non-header rewrite - not allowed at transport time -", 0},
        {"*@x $1@y S", true, "rewrite rule specifies a non-header rewrite - not allowed at transport time -", 0},
        {"*@x $1@y w", false, NULL, RW_FIELDS | RW_WHOLE},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        rewrite_rule r;
        const char *err = rewrite_parse_line(cases[i].in, cases[i].transport, &r);
        CHECK_STR(err, cases[i].err, cases[i].in);
        if (!err && !cases[i].err) CHECK_INT(r.flags, cases[i].flags, cases[i].in);
    }
    rewrite_rule r;
    CHECK_STR(rewrite_parse_line("*@x \"$1 @y\" h", false, &r), NULL, "quoted");
    CHECK_STR(r.replacement, "$1 @y", "quoted replacement");
    rewrite_rule *list;
    CHECK_STR(rewrite_parse_list("*@a $1@b t : \\N^a::b@c$\\N $1@d f", &list), NULL, "list");
    CHECK(list && list->next && !list->next->next, "two rules in the list");
    CHECK(list && list->next && strcmp(list->next->key, "\\N^a:b@c$\\N") == 0, "doubled colon");
}

/* Expected results and errors are exim4 -brw's (its first letter is
 * capitalised there). */
static void test_addr_parse(void)
{
    static const struct {
        const char *in; const char *addr; int start, end, domain; const char *err;
    } cases[] = {
        {"ph@old.example", "ph@old.example", 0, 14, 3, NULL},
        {"Some One <ph@old.example>", "ph@old.example", 10, 24, 3, NULL},
        {"ph@old.example (a (nested) comment)", "ph@old.example", 0, 14, 3, NULL},
        {"\"Quoted, Name\" <ph@old.example>", "ph@old.example", 16, 30, 3, NULL},
        {"<@a,@b:ph@old.example>", "ph@old.example", 1, 21, 3, NULL},
        {"@a,@b:ph@old.example", "ph@old.example", 0, 20, 3, NULL},
        {"\"q u\"@old.example", "\"q u\"@old.example", 0, 17, 6, NULL},
        {"a. b@old.example", "a.b@old.example", 0, 16, 4, NULL},
        {"a..b@x", "a..b@x", 0, 6, 5, NULL},
        {"x@[IPv6:::1]", "x@[IPv6:::1]", 0, 12, 2, NULL},
        {"local", "local", 0, 5, 0, NULL},
        {"J\xc3\xa9 <x@y>", "x@y", 5, 8, 2, NULL},
        {"bad<@test.example", NULL, 0, 0, 0, "no local part"},
        {"<>@test.example", NULL, 0, 0, 0, "missing or malformed local part"},
        {"grp: ph@old.example;", NULL, 0, 0, 0, "missing or malformed local part (expected word or \"<\")"},
        {"Name <ph@old.example", NULL, 0, 0, 0, "'>' missing at end of address"},
        {"ph@old.example.", NULL, 0, 0, 0, "domain missing or malformed"},
        {"a@b, c@d", NULL, 0, 0, 0, "malformed address: , c@d may not follow a@b"},
        {"x@[1.2.3.4", NULL, 0, 0, 0, "malformed domain literal"},
        {"@a,@b", NULL, 0, 0, 0, "colon expected after route list"},
        {"@a:x", NULL, 0, 0, 0, "domain missing in source-routed address"},
        {"\"unterminated@old.example", NULL, 0, 0, 0, "unmatched doublequote in local part"},
        {"(unterminated x@old.example", NULL, 0, 0, 0, "empty address"},
        {"a@b@c", NULL, 0, 0, 0, "malformed address: @c may not follow a@b"},
        {"<a b@c>", NULL, 0, 0, 0, "\"@\" or \".\" expected after \"a\": b@c>"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        addr_parsed pa;
        const char *err = addr_parse_extract(cases[i].in, false, NULL, &pa);
        CHECK_STR(err, cases[i].err, cases[i].in);
        if (err || cases[i].err) continue;
        CHECK_STR(pa.address, cases[i].addr, cases[i].in);
        CHECK_INT(pa.start, cases[i].start, cases[i].in);
        CHECK_INT(pa.end, cases[i].end, cases[i].in);
        CHECK_INT(pa.domain, cases[i].domain, cases[i].in);
    }
    /* the length limit at 256, 257 (RFC 5321 4.5.3.1.3) */
    for (int n = 255; n <= 256; n++) {
        char *a = string_sprintf("%0*d@x", n - 2, 0);
        addr_parsed pa;
        const char *err = addr_parse_extract(a, false, NULL, &pa);
        CHECK(n == 256 ? err == NULL : err == NULL, "under the limit");
        err = addr_parse_extract(string_sprintf("%s1", a), false, NULL, &pa);
        CHECK(n == 256 ? err && strstr(err, "ridiculously long") : !err, "over the limit");
    }
    addr_parsed pa;
    CHECK_STR(addr_parse_extract("<>", true, NULL, &pa), NULL, "<> allowed");
    CHECK_STR(pa.address, "", "<> is empty");
    enum addr_group g = GROUP_ALLOWED;
    CHECK_STR(addr_parse_extract("grp: a@b", false, &g, &pa), NULL, "group start");
    CHECK_STR(pa.address, "a@b", "group member");
    CHECK_INT(g, GROUP_OPEN, "group open");
    CHECK_STR(addr_parse_extract(" c@d;", false, &g, &pa), NULL, "group end");
    CHECK_INT(g, GROUP_ALLOWED, "group closed");
    CHECK(addr_parse_has_at("(x@y) z") && !addr_parse_has_at("\"a@b\"") && addr_parse_has_at("\"a@b"), "has_at");
    const char *s = "a <b,c>, \"d,e\" (f,(g)) h, i";
    CHECK_INT(addr_parse_item_end(s) - s, 7, "item end after angle");
    CHECK_INT(addr_parse_item_end(s + 8) - s, 24, "item end after quote and comment");
}

static rewrite_rule *rules_of(const char *const *lines)
{
    rewrite_rule *first = NULL, **tail = &first;
    for (; *lines; lines++) {
        rewrite_rule *r = store_get(sizeof *r, GET_UNTAINTED);
        const char *err = rewrite_parse_line(*lines, false, r);
        CHECK_STR(err, NULL, *lines);
        *tail = r;
        tail = &r->next;
    }
    return first;
}

static void test_rules(void)
{
    static const char *const lines[] = {
        "*@old.example $1@new.example",
        "fp42@* Ford.Prefect@$domain f",
        "x@y.example \"Real Name <real@y.example>\" w",
        "\\N^(a+)@loop.example$\\N ${1}a@loop.example R",
        "stop@* * ",
        "stop@* never@x",
        "*queen@*.fict.example w$1-$2@x.example",
        "un@* local Q",
        "env@* e@changed.example T",
        "quit@* \"${if eq{1}{2}{x}fail}\" q",
        "quit@* never@x",
        "lp@* ${local_part}-${domain}-${sg{$0}{@}{_}}@z",
        NULL};
    rewrite_rule *rules = rules_of(lines);
    static const struct { const char *in; unsigned field; const char *out; const char *whole; } cases[] = {
        {"ph@old.example", RW_TO, "ph@new.example", NULL},
        {"ph@OLD.example", RW_ENV_FROM, "ph@new.example", NULL},
        {"fp42@z.example", RW_FROM, "Ford.Prefect@z.example", NULL},
        {"fp42@z.example", RW_TO, "fp42@z.example", NULL},
        {"x@y.example", RW_CC, "real@y.example", "Real Name <real@y.example>"},
        {"x@y.example", RW_ENV_TO, "real@y.example", "Real Name <real@y.example>"},
        {"a@loop.example", RW_SENDER, "aaaaaaaaaaaa@loop.example", NULL}, /* 1 + 10 repeats */
        {"stop@a", RW_TO, "stop@a", NULL},
        {"hearts-queen@wonderland.fict.example", RW_TO, "whearts--wonderland@x.example", NULL},
        {"un@a", RW_TO, "local@rcpt.example", NULL},
        {"env@a", RW_ENV_TO, "e@changed.example", NULL},
        {"env@a", RW_TO, "env@a", NULL},
        {"quit@a", RW_TO, "quit@a", NULL},
        {"lp@Mixed.Case", RW_TO, "lp-Mixed.Case-lp_Mixed.Case@z", NULL},
        {"nothing@else", RW_FIELDS, "nothing@else", NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *whole = (char *)"unset";
        char *out = rewrite_address(rules, cases[i].in, cases[i].field, &whole);
        CHECK_STR(out, cases[i].out, cases[i].in);
        CHECK_STR(whole, cases[i].whole, cases[i].in);
    }
}

static void test_headers(void)
{
    static const char *const lines[] = {
        "*@old.example $1@new.example",
        "*@g.example $1@g5.example",
        "x@y.example \"Real Name <real@y.example>\" w",
        NULL};
    rewrite_rule *rules = rules_of(lines);
    static const struct { const char *in; bool qualify; const char *out; } cases[] = {
        {"To: Ph <ph@old.example> (c), \"Q, W\" <q@old.example>\n", false,
         "To: Ph <ph@new.example> (c), \"Q, W\" <q@new.example>\n"},
        {"Cc: grp: a@old.example, x@y.example;, Name <x@y.example>\n", false,
         "Cc: grp: a@new.example, Real Name <real@y.example>, Real Name <real@y.example>\n"},
        {"From: x@y.example\n", false, "From: Real Name <real@y.example>\n"},
        {"To: unq, a@old.example\n", false, "To: unq, a@new.example\n"},
        {"To: unq, \"q\"\n", true, "To: unq@rcpt.example, \"q\"@rcpt.example\n"},
        {"Reply-To: rrr\n", true, "Reply-To: rrr@test.example\n"},
        {"To: x@q.example\n", false, NULL},
        {"To: undisclosed-recipients:;\n", true, NULL},
        {"To: bad<, c@old.example\n", false, NULL},
        {"Subject: a@old.example\n", false, NULL},
        /* folding: a grown address more than 40 characters in gets a line break after it */
        {"To: aaaaaaaaaaaaaaaaaaaaaaa@g.example, b@q.example\n", false,
         "To: aaaaaaaaaaaaaaaaaaaaaaa@g5.example, b@q.example\n"},
        {"To: aaaaaaaaaaaaaaaaaaaaaaaa@g.example, b@q.example\n", false,
         "To: aaaaaaaaaaaaaaaaaaaaaaaa@g5.example, \n\tb@q.example\n"},
        {"To: aaaaaaaaaaaaaaaaaaaaaaaa@g.example,\n  b@q.example\n", false,
         "To: aaaaaaaaaaaaaaaaaaaaaaaa@g5.example,\n  b@q.example\n"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        header_line h = {.text = (char *)cases[i].in, .slen = strlen(cases[i].in),
                         .type = header_type_of(cases[i].in)};
        CHECK_STR(rewrite_header_line(rules, &h, cases[i].qualify), cases[i].out, cases[i].in);
    }
    /* many items, the output growing as it goes (the per-item scratch
     * reset must not take the output with it) */
    gstring *g = string_cat(NULL, "To: ");
    for (int i = 0; i < 300; i++) g = string_fmt_append(g, "%sa%d@g.example", i ? ", " : "", i);
    g = string_cat(g, ", x@y.example\n");
    char *in = string_from_gstring(g);
    header_line big = {.text = in, .slen = strlen(in), .type = HTYPE_TO};
    char *out = rewrite_header_line(rules, &big, false);
    CHECK(out && strncmp(out, "To: a0@g5.example, a1@g5.example,", 33) == 0, "big header start");
    int grown = 0;
    for (const char *p = out; p && (p = strstr(p, "@g5.example")); p++) grown++;
    CHECK_INT(grown, 300, "every address rewritten once");
    size_t olen = out ? strlen(out) : 0;
    CHECK(olen > 28 && strcmp(out + olen - 28, "\tReal Name <real@y.example>\n") == 0, "big header end");
    CHECK_INT(header_type_of("Resent-To: x"), HTYPE_TO, "Resent-To is a To");
    CHECK_INT(header_type_of("Resent-Reply-To: x"), HTYPE_OTHER, "no Resent-Reply-To type");
}

int main(void)
{
    cfg.qualify_domain = "test.example";
    cfg.qualify_recipient = "rcpt.example";
    cfg.primary_hostname = "test.example";
    test_parse_rules();
    test_addr_parse();
    test_rules();
    test_headers();
    return unit_done("test_rewrite");
}
