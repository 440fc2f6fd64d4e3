/* test_acl.c - the ACL engine: parse errors, verbs, messages, nesting,
 * variables, controls per checkpoint, log lines, ratelimit and seen.
 * Runs with the weak fallbacks of acl_pending.c when expand/match/dns
 * are not linked in: conditions here use literal values only. */
#include <sys/stat.h>

#include "tern.h"
#include "acl_int.h"
#include "globals.h"
#include "ratelimit.h"
#include "unit.h"

static char tmpdir[] = "/tmp/tern-acl-XXXXXX";

static void test_table_sorted(void)
{
    for (size_t i = 1; i < acl_cond_table_count; i++)
        CHECK(strcmp(acl_cond_table[i - 1].name, acl_cond_table[i].name) < 0, acl_cond_table[i].name);
    CHECK(acl_cond_lookup("verify", 6) != NULL, "lookup verify");
    CHECK(acl_cond_lookup("verif", 5) == NULL, "lookup prefix");
}

static void test_parse_errors(void)
{
    static const struct { const char *text; int line; const char *err; } cases[] = {
        {"accept foo = x", 1, "unknown ACL condition/modifier in \"accept foo = x\""},
        {"accept hosts = a\n  foo = y", 2, "unknown ACL condition/modifier in \"foo = y\""},
        {"foo hosts = x", 1, "unknown ACL verb \"foo\" in \"foo hosts = x\""},
        {"accept domains", 1, "\"=\" missing after ACL \"domains\" condition"},
        {"accept message x", 1, "\"=\" missing after ACL \"message\" modifier"},
        {"warn endpass", 1, "ACL error: \"endpass\" is not allowed with \"warn\""},
        {"require endpass", 1, "ACL error: \"endpass\" is not allowed with \"require\""},
        {"accept !message = x", 1, "ACL error: negation is not allowed with \"message\""},
        {"accept hosts = x\n!endpass", 2, "ACL error: negation is not allowed with \"endpass\""},
        {"accept\n!accept", 2, "malformed ACL line \"!accept\""},
        {"accept set acl_q = 1", 1,
         "invalid variable name after \"set\" in ACL modifier \"set acl_q = 1\" (must start \"acl_c\" or \"acl_m\")"},
        {"accept set acl_mx = 1", 1,
         "invalid variable name after \"set\" in ACL modifier \"set acl_mx = 1\" (digit or underscore must follow acl_c or acl_m)"},
        {"accept set acl_m_x", 1, "\"=\" missing after ACL \"set\" modifier"},
        {"# comment\n\naccept hosts = a \\\n  b\n  bad = 1", 5, "unknown ACL condition/modifier in \"bad = 1\""},
        {"accept endpass\n  hosts = x", 0, NULL},
        {"accept  !  hosts = 1.2.3.4", 0, NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *err = NULL;
        int line = 0;
        acl_def *d = acl_parse_text("t", cases[i].text, "t.conf", &err, &line);
        CHECK_INT(d == NULL, cases[i].err != NULL, cases[i].text);
        CHECK_STR(d ? NULL : err, cases[i].err, cases[i].text);
        if (!d) CHECK_INT(line, cases[i].line, cases[i].text);
    }
}

/* run - an inline ACL at a checkpoint */
static int run(enum acl_where w, const char *text, char **um, char **lm)
{
    char *u, *l;
    int rc = acl_check(w, "x@y.example", text, um ? um : &u, lm ? lm : &l);
    return rc;
}

static void test_verbs(void)
{
    static const struct { const char *text; enum acl_where w; int rc; } cases[] = {
        {"accept hosts = 192.0.2.1", ACL_WHERE_RCPT, OK},
        {"deny hosts = 192.0.2.1", ACL_WHERE_RCPT, FAIL},
        {"deny hosts = 10.0.0.1\naccept", ACL_WHERE_RCPT, OK},
        {"require hosts = 10.0.0.1\naccept", ACL_WHERE_RCPT, FAIL},
        {"require hosts = 192.0.2.1\naccept", ACL_WHERE_RCPT, OK},
        {"warn hosts = 192.0.2.1\naccept", ACL_WHERE_RCPT, OK},
        {"defer condition = yes", ACL_WHERE_RCPT, DEFER},
        {"drop condition = 1", ACL_WHERE_RCPT, FAIL_DROP},
        {"discard", ACL_WHERE_RCPT, DISCARD},
        {"discard", ACL_WHERE_CONNECT, ERROR},
        {"accept condition = no", ACL_WHERE_RCPT, FAIL},
        {"accept condition = 0\naccept", ACL_WHERE_RCPT, OK},
        {"accept condition = yes\n endpass\n condition = no\naccept", ACL_WHERE_RCPT, FAIL},
        {"accept condition = no\n endpass\n condition = yes\naccept", ACL_WHERE_RCPT, OK},
        {"deny condition = maybe\naccept", ACL_WHERE_RCPT, DEFER},
        {"warn condition = maybe\naccept", ACL_WHERE_RCPT, OK},
        {"deny !condition = yes\naccept", ACL_WHERE_RCPT, OK},
        {"deny domains = y.example", ACL_WHERE_CONNECT, ERROR},
        {"deny domains = y.example", ACL_WHERE_RCPT, FAIL},
        {"deny local_parts = x", ACL_WHERE_RCPT, FAIL},
        {"deny senders = a@b.example", ACL_WHERE_RCPT, FAIL},
        {"deny sender_domains = b.example", ACL_WHERE_MAIL, FAIL},
        {"deny senders = a@b.example", ACL_WHERE_HELO, ERROR},
        {"deny recipients = x@y.example", ACL_WHERE_RCPT, FAIL},
        {"deny hosts = 192.0.2.1", ACL_WHERE_NOTSMTP, ERROR},
        {"accept verify = junk", ACL_WHERE_RCPT, ERROR},
        {"accept verify = header_syntax", ACL_WHERE_RCPT, ERROR},
        {"accept verify = recipient", ACL_WHERE_RCPT, FAIL}, /* no routers: unrouteable */
        {"accept verify = recipient", ACL_WHERE_MAIL, ERROR},
        {"accept verify = helo", ACL_WHERE_RCPT, FAIL}, /* no HELO given */
        {"accept delay = 5s", ACL_WHERE_RCPT, OK},
        {"accept delay = junk", ACL_WHERE_RCPT, ERROR},
        {"accept add_header = X-Foo: bar", ACL_WHERE_CONNECT, ERROR},
        {"accept log_reject_target = main:bogus", ACL_WHERE_RCPT, ERROR},
        {"accept queue = a/b", ACL_WHERE_RCPT, ERROR},
        {"accept queue = q1", ACL_WHERE_DATA, ERROR},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_INT(run(cases[i].w, cases[i].text, NULL, NULL), cases[i].rc, cases[i].text);
    CHECK_INT(run(ACL_WHERE_RCPT, NULL, NULL, NULL), FAIL, "unset rcpt denies");
    conn.sender_helo_name = string_copy("[192.0.2.1]");
    CHECK_INT(run(ACL_WHERE_RCPT, "accept verify = helo", NULL, NULL), OK, "helo literal");
    conn.sender_helo_name = string_copy("[192.0.2.9]");
    CHECK_INT(run(ACL_WHERE_RCPT, "accept verify = helo", NULL, NULL), FAIL, "helo wrong literal");
    conn.sender_helo_name = string_copy("x");
    CHECK_INT(run(ACL_WHERE_MAIL, NULL, NULL, NULL), OK, "unset mail accepts");
    CHECK_INT(run(ACL_WHERE_VRFY, "", NULL, NULL), FAIL, "unset vrfy denies");
}

static void test_messages(void)
{
    static const struct { const char *text; int rc; const char *um, *lm; } cases[] = {
        {"deny message = go away\n log_message = lm", FAIL, "go away", "lm"},
        {"require message = first\n condition = yes\n message = second\n condition = no", FAIL, "second", NULL},
        {"require message = first\n condition = no\n message = second", FAIL, "first", NULL},
        {"accept message = 250 OK fine", OK, "250 OK fine", NULL},
        {"deny message = one\n condition = no\ndeny", FAIL, NULL, NULL},
        {"deny domains = z", ERROR, NULL, "cannot test domains condition in connection ACL"},
        {"deny control = junk", ERROR, NULL, "syntax error in \"control=junk\""},
        {"accept add_header = X-A: b", ERROR, NULL, "cannot use add_header condition in connection ACL"},
        {"deny message = m\n condition = maybe", DEFER, NULL, "invalid \"condition\" value \"maybe\""},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *um = (char *)"unset", *lm = (char *)"unset";
        enum acl_where w = strstr(cases[i].text, "domains") || strstr(cases[i].text, "add_header")
                               ? ACL_WHERE_CONNECT : ACL_WHERE_RCPT;
        CHECK_INT(run(w, cases[i].text, &um, &lm), cases[i].rc, cases[i].text);
        CHECK_STR(um, cases[i].um, cases[i].text);
        CHECK_STR(lm, cases[i].lm, cases[i].text);
    }
}

/* add_acl - a named ACL for the "begin acl" section */
static void add_acl(const char *name, const char *text)
{
    acl_block *b = store_get_zero(sizeof *b, GET_UNTAINTED);
    b->name = string_copy(name);
    cfg_line **tail = &b->lines;
    int n = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        cfg_line *l = store_get_zero(sizeof *l, GET_UNTAINTED);
        l->text = string_copyn(p, len);
        l->file = "t.conf";
        l->line = ++n;
        *tail = l;
        tail = &l->next;
        p += len + (nl ? 1 : 0);
    }
    acl_block **bt = &cfg.sections.acls;
    while (*bt) bt = &(*bt)->next;
    *bt = b;
}

static void test_nested(void)
{
    add_acl("loop", "accept acl = loop");
    add_acl("inner", "deny message = inner says no");
    add_acl("inner_ok", "accept");
    add_acl("args", "accept condition = $acl_narg");
    add_acl("drops", "drop");
    add_acl("discards", "discard");
    acl_init();
    char *um, *lm;
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "loop", &um, &lm), ERROR, "loop");
    CHECK_STR(lm, "ACL nested too deep: possible loop", "loop msg");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "require acl = inner\naccept", &um, &lm), FAIL, "require inner");
    CHECK_STR(um, "inner says no", "inner message passed up");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "accept acl = inner_ok", &um, &lm), OK, "accept inner_ok");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "deny acl = inner\naccept", &um, &lm), OK, "deny inner false");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "require acl = drops\naccept", &um, &lm), FAIL_DROP, "nested drop");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "accept acl = discards", &um, &lm), DISCARD, "nested discard");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "deny acl = discards", &um, &lm), ERROR, "discard under deny");
    char *r;
    CHECK_INT(acl_eval("inner", 0, NULL, &r), FAIL, "acl_eval deny");
    CHECK_STR(r, "inner says no", "acl_eval message");
    char *argv[] = {(char *)"a", (char *)"b"};
    CHECK_INT(acl_eval("inner_ok", 2, argv, &r), OK, "acl_eval args");
    CHECK_INT(conn.acl.narg, 0, "args restored");
}

static void test_file_acl(void)
{
    char *path = string_sprintf("%s/rcpt.acl", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("# from a file\ndeny message = from file \\\n  continued\n", f);
    fclose(f);
    char *um, *lm;
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", path, &um, &lm), FAIL, "file acl");
    CHECK_STR(um, "from file continued", "file acl message");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "/nonexistent/acl", &um, &lm), ERROR, "missing file");
    CHECK(lm && strstr(lm, "failed to open ACL file \"/nonexistent/acl\"") != NULL, "missing file msg");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "accept junk = 1", &um, &lm), ERROR, "bad inline");
    CHECK_STR(lm, "error in ACL: unknown ACL condition/modifier in \"accept junk = 1\"", "bad inline msg");
    CHECK_INT(acl_check(ACL_WHERE_RCPT, "x@y", "${if}", &um, &lm), ERROR, "unexpandable name");
}

static void test_vars(void)
{
    char *um, *lm;
    CHECK_INT(run(ACL_WHERE_RCPT, "warn set acl_m_x = hello\n set acl_c1 = conn\naccept", &um, &lm), OK, "set");
    CHECK_STR(acl_var_get("acl_m_x"), "hello", "acl_m_x");
    CHECK_STR(acl_var_get("acl_c1"), "conn", "acl_c1");
    CHECK_INT(run(ACL_WHERE_RCPT, "warn set acl_m_x = again\naccept", &um, &lm), OK, "reset");
    CHECK_STR(acl_var_get("acl_m_x"), "again", "acl_m_x replaced");
    acl_message_reset();
    CHECK_STR(acl_var_get("acl_m_x"), NULL, "acl_m reset");
    CHECK_STR(acl_var_get("acl_c1"), "conn", "acl_c kept");
}

static void test_controls(void)
{
    static const struct { const char *ctl; enum acl_where w; int rc; const char *err; } cases[] = {
        {"freeze", ACL_WHERE_RCPT, OK, NULL},
        {"freeze/no_tell", ACL_WHERE_DATA, OK, NULL},
        {"freeze", ACL_WHERE_CONNECT, ERROR, "cannot use \"control=freeze\" in connection ACL"},
        {"allow_auth_unadvertised", ACL_WHERE_RCPT, ERROR, "cannot use \"control=allow_auth_unadvertised\" in RCPT ACL"},
        {"allow_auth_unadvertised", ACL_WHERE_HELO, OK, NULL},
        {"junk", ACL_WHERE_RCPT, ERROR, "syntax error in \"control=junk\""},
        {"freeze/bad", ACL_WHERE_RCPT, ERROR, "syntax error in \"control=freeze/bad\""},
        {"submission/sender_retain/domain=sub.example", ACL_WHERE_MAIL, OK, NULL},
        {"submission", ACL_WHERE_DATA, ERROR, "cannot use \"control=submission\" in DATA ACL"},
        {"suppress_local_fixups", ACL_WHERE_NOTSMTP_START, OK, NULL},
        {"caseful_local_part", ACL_WHERE_MAIL, ERROR, "cannot use \"control=caseful_local_part\" in MAIL ACL"},
        {"no_multiline_responses", ACL_WHERE_NOTSMTP, ERROR, "cannot use \"control=no_multiline_responses\" in non-SMTP ACL"},
        {"no_pipelining", ACL_WHERE_CONNECT, OK, NULL},
        {"queue_only", ACL_WHERE_RCPT, OK, NULL},
        {"queue/first_pass_route", ACL_WHERE_RCPT, OK, NULL},
        {"fakereject/Your message was rejected", ACL_WHERE_DATA, OK, NULL},
        {"dscp/ef", ACL_WHERE_CONNECT, OK, NULL},
        {"no_enforce_sync", ACL_WHERE_CONNECT, OK, NULL},
        {"utf8_downconvert/-1", ACL_WHERE_RCPT, OK, NULL},
        {"debug/tag=x/opts=+all", ACL_WHERE_CONNECT, OK, NULL},
        {"debug/kill", ACL_WHERE_CONNECT, OK, NULL},
        {"cutthrough_delivery/defer=pass", ACL_WHERE_RCPT, OK, NULL},
        {"dkim_disable_verify", ACL_WHERE_DATA, ERROR, "cannot use \"control=dkim_disable_verify\" in DATA ACL"},
        {"error", ACL_WHERE_RCPT, ERROR, NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *um, *lm;
        char *text = string_sprintf("accept control = %s", cases[i].ctl);
        CHECK_INT(run(cases[i].w, text, &um, &lm), cases[i].rc, cases[i].ctl);
        if (cases[i].err) CHECK_STR(lm, cases[i].err, cases[i].ctl);
    }
    CHECK(msg.acl.freeze && msg.acl.freeze_no_tell, "freeze set");
    CHECK(msg.acl.submission && msg.acl.submission_sender_retain, "submission set");
    CHECK_STR(msg.acl.submission_domain, "sub.example", "submission domain");
    CHECK(conn.acl.allow_auth_unadvertised && conn.acl.no_pipelining, "conn controls");
    CHECK_INT(conn.acl.enforce_sync, 0, "no_enforce_sync");
    CHECK_INT(msg.acl.fake_response, FAIL, "fakereject");
    CHECK_STR(msg.acl.fake_response_text, "Your message was rejected", "fakereject text");
    CHECK_STR(conn.acl.dscp, "ef", "dscp");
    CHECK_INT(msg.acl.utf8_downconvert, 2, "utf8 -1");
}

static char *read_log(const char *type)
{
    char *path = string_sprintf("%s/%slog", tmpdir, type);
    FILE *f = fopen(path, "r");
    if (!f) return string_copy("");
    gstring *g = string_get(256);
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) g = string_catn(g, buf, n);
    fclose(f);
    return string_from_gstring(g);
}

static void test_logging(void)
{
    char *um, *lm;
    run(ACL_WHERE_RCPT, "deny message = no bar for you", &um, &lm);
    acl_log_reject(ACL_WHERE_RCPT, FAIL, "x@bar.example", um, lm);
    acl_log_reject(ACL_WHERE_MAIL, DEFER, "a@b.example", "later", "lm");
    acl_log_reject(ACL_WHERE_HELO, FAIL, "x", "go away", NULL);
    acl_log_reject(ACL_WHERE_PREDATA, FAIL, NULL, "pd", NULL);
    acl_log_reject(ACL_WHERE_DATA, FAIL, NULL, "dd\nsecond line", NULL);
    acl_log_reject(ACL_WHERE_RCPT, DISCARD, "x@y", NULL, "disc");
    acl_log_reject(ACL_WHERE_CONNECT, ERROR, NULL, NULL, "cannot test domains condition in connection ACL");
    run(ACL_WHERE_RCPT, "warn log_message = warned once\nwarn log_message = warned once\naccept", &um, &lm);
    run(ACL_WHERE_RCPT, "accept logwrite = :reject: only reject", &um, &lm);
    run(ACL_WHERE_RCPT, "deny log_reject_target =", &um, &lm);
    acl_log_reject(ACL_WHERE_RCPT, FAIL, "silent@y", NULL, NULL);
    char *main_log = read_log("main"), *rej = read_log("reject");
    CHECK(strstr(main_log, "H=(x) [192.0.2.1] F=<a@b.example> rejected RCPT <x@bar.example>: no bar for you\n") != NULL, "rcpt reject line");
    CHECK(strstr(main_log, "H=(x) [192.0.2.1] temporarily rejected MAIL <a@b.example>: lm\n") != NULL, "mail defer line");
    CHECK(strstr(main_log, "H=(x) [192.0.2.1] rejected EHLO or HELO x: go away\n") != NULL, "helo line");
    CHECK(strstr(main_log, "H=(x) [192.0.2.1] rejected DATA: pd\n") != NULL, "predata line");
    CHECK(strstr(main_log, "H=(x) [192.0.2.1] F=<a@b.example> rejected after DATA: dd\n") != NULL, "data line");
    CHECK(strstr(main_log, "H=(x) [192.0.2.1] F=<a@b.example> RCPT <x@y>: discarded by RCPT ACL: disc\n") != NULL, "discard line");
    CHECK(strstr(main_log, "temporarily rejected connection in \"connect\" ACL: cannot test domains") != NULL, "connect line");
    char *w = strstr(main_log, "H=(x) [192.0.2.1] Warning: warned once\n");
    CHECK(w != NULL && strstr(w + 20, "Warning: warned once") == NULL, "warn logged once");
    CHECK(strstr(rej, "rejected RCPT <x@bar.example>: no bar for you") != NULL, "rejectlog too");
    CHECK(strstr(rej, "only reject") != NULL, "logwrite :reject:");
    CHECK(strstr(main_log, "silent@y") == NULL, "log_reject_target empty");
}

static void test_trace(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    acl_trace_enable(f);
    char *um, *lm;
    run(ACL_WHERE_RCPT, "accept hosts = 10.0.0.1\ndeny message = nope\n condition = yes", &um, &lm);
    run(ACL_WHERE_RCPT, "require acl = inner_ok\n delay = 1h", &um, &lm);
    run(ACL_WHERE_RCPT, "accept condition = yes\n endpass\n condition = no", &um, &lm);
    acl_trace_enable(NULL);
    fclose(f);
    static const char *const want[] = {
        ">>> processing \"accept\" (inline ACL 1)\n",
        ">>> check hosts = 10.0.0.1\n",
        ">>> accept: condition test failed in inline ACL\n",
        ">>>   message: nope\n",
        ">>> check condition = yes\n",
        ">>> deny: condition test succeeded in inline ACL\n",
        ">>> end of inline ACL: DENY\n",
        ">>>  using ACL \"inner_ok\"\n",
        ">>>  processing \"accept\" (t.conf 1)\n",
        ">>>  end of ACL \"inner_ok\": ACCEPT\n",
        ">>> delay skipped in -bh checking mode\n",
        ">>> check condition = no\n>>> accept: condition test failed in inline ACL\n"
        ">>> accept: endpass encountered - denying access\n",
    };
    for (size_t i = 0; i < NELEM(want); i++) CHECK(strstr(buf, want[i]) != NULL, want[i]);
    free(buf);
}

static void test_ratelimit(void)
{
    ratelimit_db_dir(tmpdir);
    char *um, *lm;
    const char *acl = "deny ratelimit = 2 / 1h / strict / per_rcpt / key1\naccept";
    CHECK_INT(run(ACL_WHERE_RCPT, acl, &um, &lm), OK, "rate 1");
    CHECK_INT(run(ACL_WHERE_RCPT, acl, &um, &lm), OK, "rate 2");
    CHECK_INT(run(ACL_WHERE_RCPT, acl, &um, &lm), FAIL, "rate 3 over");
    CHECK_STR(conn.acl.sender_rate_limit, "2.0", "sender_rate_limit");
    CHECK_STR(conn.acl.sender_rate_period, "1h", "sender_rate_period");
    const char *ro = "deny ratelimit = 0 / 1h / readonly / per_rcpt / key2\naccept";
    CHECK_INT(run(ACL_WHERE_RCPT, ro, &um, &lm), OK, "readonly new key");
    CHECK_INT(run(ACL_WHERE_RCPT, "deny ratelimit = x / 1h\naccept", &um, &lm), ERROR, "bad rate");
    CHECK_INT(run(ACL_WHERE_RCPT, "deny ratelimit = 1 / 1q\naccept", &um, &lm), ERROR, "bad period");
    const char *uq = "deny ratelimit = 1 / 1h / strict / unique=same / key3\naccept";
    CHECK_INT(run(ACL_WHERE_RCPT, uq, &um, &lm), OK, "unique 1");
    CHECK_INT(run(ACL_WHERE_RCPT, uq, &um, &lm), OK, "unique repeat not counted");
    double r = ratelimit_smooth(0, 3600, 3600, 1);
    CHECK(r > 0.63 && r < 0.64, "smooth one period");
    CHECK_INT(run(ACL_WHERE_RCPT, "accept seen = -1h / key=k1", &um, &lm), FAIL, "seen first");
    CHECK_INT(run(ACL_WHERE_RCPT, "accept seen = -1h / key=k1", &um, &lm), OK, "seen again");
    CHECK_INT(run(ACL_WHERE_RCPT, "accept seen = 1h / key=k1", &um, &lm), FAIL, "seen not long ago");
    CHECK_INT(run(ACL_WHERE_RCPT, "accept seen = 1h / bogus", &um, &lm), ERROR, "seen bad option");
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    cfg.log_file_path = string_sprintf("%s/%%slog", tmpdir);
    cfg.log_selector = NULL;
    conn.sender_host_address = string_copy("192.0.2.1");
    conn.sender_helo_name = string_copy("x");
    msg.sender_address = string_copy("a@b.example");
    acl_message_reset();
    test_table_sorted();
    test_parse_errors();
    test_verbs();
    test_messages();
    test_nested();
    test_vars();
    test_file_acl();
    test_controls();
    test_logging();
    test_trace();
    test_ratelimit();
    int rc = unit_done("test_acl");
    if (system(string_sprintf("rm -rf %s", tmpdir)) != 0) rc = 1;
    return rc;
}
