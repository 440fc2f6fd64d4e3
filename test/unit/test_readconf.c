/* test_readconf.c - the configuration reader (cfgfile.c, readconf.c).
 *
 * Good input is read in this process and checked through cfg, the macro
 * list and the -bP config text. Bad input is read in a forked child, since
 * configuration errors end the process: the parent checks the exit status
 * and the exact text on stderr, which follows Exim 4.96's wording. */

/* System */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
/* MTA core */
#include "tern.h"
#include "cfgfile.h"
#include "globals.h"
#include "log.h"
#include "modes.h"
#include "readconf.h"
#include "version.h"
#include "unit.h"

static char dir[] = "/tmp/tern-unit-readconf-XXXXXX";

/* put_file - write text (len bytes) to dir/name; returns the path */
static char *put_file_n(const char *name, const char *text, size_t len)
{
    char *path = string_sprintf("%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        perror(path);
        exit(2);
    }
    close(fd);
    return path;
}

static char *put_file(const char *name, const char *text)
{
    return put_file_n(name, text, strlen(text));
}

/* fresh - the state of a process that has not read a configuration */
static void fresh(void)
{
    cfgfile_reset();
    readconf_reset();
    store_reset_pool(POOL_CONFIG);
    store_set_pool(POOL_MAIN);
    cfg = main_options_default;
    cfg.log_file_path = string_sprintf("%s/%%slog", dir);
    proc.admin_user = true;
    builtin_macros_define();
}

/* load - read text as a configuration in this process (must be good) */
static void load(const char *text)
{
    fresh();
    readconf_read(put_file("t.conf", text));
}

/* load_fail - read path in a child; returns its stderr, *status its exit */
static char *load_fail_path(const char *path, int *status)
{
    int p[2];
    if (pipe(p) != 0) exit(2);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 2);
        close(p[0]);
        readconf_read(path);
        _exit(0);
    }
    close(p[1]);
    gstring *g = string_get(256);
    char buf[4096];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) g = string_catn(g, buf, (size_t)n);
    close(p[0]);
    int ws;
    waitpid(pid, &ws, 0);
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return string_from_gstring(g);
}

/* expect_error - text must fail at line with exactly msg */
static void expect_error(const char *label, const char *text, int line, const char *msg)
{
    fresh();
    char *path = put_file("t.conf", text);
    int status;
    char *got = load_fail_path(path, &status);
    CHECK_INT(status, 1, label);
    char *want = line ? string_sprintf("Tern configuration error in line %d of %s:\n  %s\n", line,
                                       path, msg)
                      : string_sprintf("Tern configuration error:\n  %s\n", msg);
    CHECK_STR(got, want, label);
}

static const char *saved_text(void) { return cfgfile_saved_lines(); }

/* ---- good input ---- */

static void test_macros(void)
{
    load("FOO = one\n"
         "BAR = FOO two\n"
         "BAR == FOO three\n"
         "qualify_domain = BAR\n"
         "  INDENTED = x\n");
    CHECK_STR(macro_find("FOO")->value, "one", "macro value");
    CHECK_STR(macro_find("BAR")->value, "one three", "redefined macro, value substituted");
    CHECK_STR(cfg.qualify_domain, "one three", "macro used in option");
    CHECK_STR(macro_find("INDENTED")->value, "x", "indented definition");
    CHECK(macro_find("NOPE") == NULL, "undefined macro");

    /* Exim substitutes a name anywhere, not only as a whole word */
    load("AB = 1\nqualify_domain = AB xAB ABAB\n");
    CHECK_STR(cfg.qualify_domain, "1 x1 11", "substring substitution");

    /* replacement text is not scanned again for the same macro */
    load("SELF = SELF SELF\nqualify_domain = SELF\n");
    CHECK_STR(cfg.qualify_domain, "SELF SELF", "self reference");

    /* later macros do scan earlier replacements */
    load("ABCD_X = a\nABCD = b\nqualify_domain = ABCD_X ABCD\n");
    CHECK_STR(cfg.qualify_domain, "a b", "longer macro defined first");

    /* undefined macro names are left alone */
    load("qualify_domain = UNDEFINED_NAME\n");
    CHECK_STR(cfg.qualify_domain, "UNDEFINED_NAME", "undefined macro untouched");

    /* a macro may be defined between (and inside) drivers and ACLs */
    load("begin acl\nACLMAC = 1\na:\n  accept\nbegin routers\nRMAC = accept\n"
         "r1:\n  driver = RMAC\nINSIDE = 2\n  transport = t\n");
    CHECK_STR(macro_find("INSIDE")->value, "2", "macro in driver section");
    CHECK_STR(cfg.sections.drivers[DRIVER_ROUTER]->driver_name, "accept", "macro as driver");
}

static void test_command_line_macros(void)
{
    fresh();
    const char *err;
    CHECK(macro_define("FOO", "from -D", true, false, &err), "-D define");
    readconf_read(put_file("t.conf", "FOO = from file\nqualify_domain = FOO\n"));
    CHECK_STR(cfg.qualify_domain, "from -D", "-D wins over file");
    fresh();
    CHECK(macro_define("FOO", "cmd", true, false, &err), "-D define 2");
    readconf_read(put_file("t.conf", "FOO == file\nqualify_domain = FOO\n"));
    CHECK_STR(cfg.qualify_domain, "cmd", "-D wins over ==");
    fresh();
    CHECK(!macro_define("_HAVE_PRDR", "x", true, false, &err), "builtin refused");
}

static void test_builtin_macros(void)
{
    load(".ifdef _OPT_MAIN_QUALIFY_DOMAIN\nqualify_domain = has\n.else\nqualify_domain = not\n"
         ".endif\n.ifdef _LOG_PID\nsmtp_banner = log\n.endif\n");
    CHECK_STR(cfg.qualify_domain, "has", "_OPT_MAIN_ builtin");
    CHECK_STR(cfg.smtp_banner, "log", "_LOG_ builtin");
    load(".ifdef _OPT_MAIN_NO_SUCH_OPTION\nqualify_domain = has\n.endif\n");
    CHECK(cfg.qualify_domain == NULL, "absent builtin");
}

static void test_conditionals(void)
{
    static const struct { const char *label, *text, *want; } cases[] = {
        {"ifdef true", "A = 1\n.ifdef A\nqualify_domain = yes\n.endif\n", "yes"},
        {"ifdef false", ".ifdef A\nqualify_domain = yes\n.endif\n", NULL},
        {"ifndef", ".ifndef A\nqualify_domain = yes\n.endif\n", "yes"},
        {"else", ".ifdef A\nqualify_domain = a\n.else\nqualify_domain = b\n.endif\n", "b"},
        {"elifdef", "B = 1\n.ifdef A\nqualify_domain = a\n.elifdef B\nqualify_domain = b\n"
                    ".else\nqualify_domain = c\n.endif\n", "b"},
        {"elifndef", ".ifdef A\nqualify_domain = a\n.elifndef B\nqualify_domain = b\n.endif\n",
         "b"},
        {"first branch only", "A = 1\n.ifdef A\nqualify_domain = a\n.elifdef A\n"
                              "qualify_domain = b\n.else\nqualify_domain = c\n.endif\n", "a"},
        {"nested", "A = 1\n.ifdef A\n.ifdef B\nqualify_domain = ab\n.else\nqualify_domain = a\n"
                   ".endif\n.endif\n", "a"},
        {"nested in false", ".ifdef A\n.ifndef B\nqualify_domain = x\n.else\nqualify_domain = y\n"
                            ".endif\n.else\nqualify_domain = z\n.endif\n", "z"},
        {"or of names", "B = 1\n.ifdef A B\nqualify_domain = or\n.endif\n", "or"},
        {"text after endif", ".ifdef A\n.else  comment\nqualify_domain = e\n.endif  comment\n",
         "e"},
        {"no macro substituted in skipped", "A = 1\n.ifndef A\nB = 2\n.endif\n"
                                            ".ifdef B\nqualify_domain = b\n.endif\n", NULL},
        {"ifdef inside include skipped", ".ifdef NONE\n.include /nonexistent\n.endif\n", NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        load(cases[i].text);
        CHECK_STR(cfg.qualify_domain, cases[i].want, cases[i].label);
    }
}

static void test_continuations(void)
{
    load("qualify_domain = a\\\n   b\\\n# comment inside\n  c\n");
    CHECK_STR(cfg.qualify_domain, "abc", "continuation with comment line");
    load("qualify_domain = a \\\n\nsmtp_banner = x\n");
    CHECK_STR(cfg.qualify_domain, "a", "blank line ends continuation");
    CHECK_STR(cfg.smtp_banner, "x", "line after blank");
    load("qualify_domain = a\\");
    CHECK_STR(cfg.qualify_domain, "a", "continuation at end of file");
    load("FOO = xx\nqualify_domain = FO\\\nO\n");
    CHECK_STR(cfg.qualify_domain, "FOO", "macros are substituted per physical line");
    load("qualify_domain = a\r\nsmtp_banner = b\r\n");
    CHECK_STR(cfg.qualify_domain, "a", "CRLF line ends");
    load("  # indented comment\nqualify_domain = a # not a comment\n");
    CHECK_STR(cfg.qualify_domain, "a # not a comment", "# only at line start");
}

static void test_quoted_strings(void)
{
    static const struct { const char *in, *want, *err; } cases[] = {
        {"\"a\\nb\"", "a\nb", NULL},
        {"\"a\\tb\"", "a\tb", NULL},
        {"\"\\x41\\x4a\"", "AJ", NULL},
        {"\"\\101\\60\"", "A0", NULL},
        {"\"\\\\\"", "\\", NULL},
        {"\"say \\\"hi\\\"\"", "say \"hi\"", NULL},
        {"\"\\q\"", "q", NULL},
        {"\"\\1019\"", "A9", NULL},
        {"\"spaces  kept\"   ", "spaces  kept", NULL},
        {"plain \\n kept", "plain \\n kept", NULL},
        {"\"abc", NULL, "missing quote at end of string value"},
        {"\"abc\" d", NULL, "extra characters follow string value"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        const char *err;
        char *got = readconf_string_value(cases[i].in, &err);
        CHECK_STR(got, cases[i].want, cases[i].in);
        CHECK_STR(err, cases[i].err, cases[i].in);
    }
    load("smtp_banner = \"x\\x41\\101\\n\"\n");
    CHECK_STR(cfg.smtp_banner, "xAA\n", "quoted option value");
}

static const named_list *find_list(int kind, const char *name)
{
    for (const named_list *nl = cfg.sections.lists[kind]; nl; nl = nl->next)
        if (strcmp(nl->name, name) == 0) return nl;
    return NULL;
}

static void test_named_lists(void)
{
    load("domainlist local = @ : localhost\nhostlist relay = 127.0.0.1\n"
         "addresslist bad = a@b\nlocalpartlist lp = postmaster\n"
         "domainlist_cache dc = x\naddresslist_cache ac = y\nhide hostlist secret = z\n"
         "domainlist empty =\n");
    const named_list *nl = find_list(NL_DOMAIN, "local");
    CHECK(nl && strcmp(nl->value, "@ : localhost") == 0, "domainlist");
    CHECK(nl && nl->cache, "domainlist cached by default");
    CHECK(find_list(NL_HOST, "relay") != NULL, "hostlist");
    nl = find_list(NL_ADDRESS, "bad");
    CHECK(nl && !nl->cache, "addresslist not cached");
    CHECK(find_list(NL_LOCALPART, "lp") != NULL, "localpartlist");
    CHECK(find_list(NL_DOMAIN, "dc") != NULL, "domainlist_cache");
    nl = find_list(NL_ADDRESS, "ac");
    CHECK(nl && nl->cache, "addresslist_cache");
    nl = find_list(NL_HOST, "secret");
    CHECK(nl && nl->hide, "hide hostlist");
    nl = find_list(NL_DOMAIN, "empty");
    CHECK(nl && *nl->value == 0, "empty list");
}

static void test_hide_and_sections(void)
{
    load("hide smtp_banner = secret\nbegin acl\nacl_a:\n  accept\nacl_b:\n  deny\n"
         "begin routers\nr1:\n  driver = accept\n  transport = t\nbegin transports\nbegin authenticators\n"
         "begin retry\n* * F,2h,15m\nbegin rewrite\n*@a b@c F\n");
    CHECK(readconf_hidden("smtp_banner"), "hide recorded");
    CHECK(!readconf_hidden("qualify_domain"), "not hidden");
    CHECK_STR(cfg.smtp_banner, "secret", "hidden value still set");
    CHECK(cfg.sections.acls && strcmp(cfg.sections.acls->name, "acl_a") == 0, "ACLs in order");
    CHECK(cfg.sections.acls && cfg.sections.acls->next
              && strcmp(cfg.sections.acls->next->name, "acl_b") == 0, "second ACL");
    CHECK_STR(cfg.sections.acls->lines->text, "accept", "ACL line kept raw");
    CHECK_INT(cfg.sections.acls->lines->line, 4, "ACL line number");
    CHECK_STR(cfg.sections.drivers[DRIVER_ROUTER]->name, "r1", "router");
    CHECK_STR(cfg.sections.retry->text, "* * F,2h,15m", "retry rule");
    CHECK_STR(cfg.sections.rewrite->text, "*@a b@c F", "rewrite rule");
}

static void test_include(void)
{
    mkdir(string_sprintf("%s/sub", dir), 0755);
    put_file("sub/inner.conf", "smtp_banner = inner\n");
    put_file("sub/mid.conf", ".include inner.conf\n");
    char *abs = put_file("abs.conf", "qualify_domain = abs\n");
    char *opt = put_file("opt.conf", "smtp_accept_max = 7\n");
    load(string_sprintf(".include sub/mid.conf\n.include %s\n"
                        ".include_if_exists %s/nonexistent.conf\n"
                        ".include_if_exists %s\n", abs, dir, opt));
    CHECK_STR(cfg.smtp_banner, "inner", "relative include, relative to including file");
    CHECK_STR(cfg.qualify_domain, "abs", "absolute include");
    CHECK_INT(cfg.smtp_accept_max, 7, "include_if_exists of an existing file");
    CHECK(strstr(saved_text(), "# 1 \"") != NULL, "include markers");
}

/* test_bp_config - the -bP config layout matches Exim's */
static void test_bp_config(void)
{
    put_file("inc1.conf", "qualify_domain = inc\n\n# x\n");
    char *text = string_sprintf(
        "# comment\n\nA_MAC = hello\nCC = A_MAC   there\nhide smtp_banner = \"x    y\"\n"
        ".include %s/inc1.conf\nlog_selector   =   +pid\n.ifdef NOPE\nnever = shown\n.endif\n"
        "begin   acl\nX_A = 1\nacl1:\naccept     hosts = :\n  deny\n"
        "begin routers\nr1:\n  driver = accept\nS_MAC = 1\n  transport = t\nr2:\n  driver = accept\n  transport = t\n"
        "begin retry\n*    *     F,1h,1m\nbegin rewrite\n*@a   b@c\n", dir);
    load(text);
    char *file = string_sprintf("%s/t.conf", dir);
    char *want = string_sprintf(
        "# Tern Configuration (" TERN_VERSION ")\n# 1 \"%s\"\n"
        "A_MAC = hello\nCC = hello there\nhide smtp_banner = \"x    y\"\n"
        "# 6 \"%s\"\n# 1 \"%s/inc1.conf\"\nqualify_domain = inc\n# 6 \"%s\"\n"
        "log_selector = +pid\n\nbegin acl\n  X_A = 1\n\n  acl1:\n    accept hosts = :\n"
        "    deny\n\nbegin routers\n\n  r1:\n    driver = accept\n    S_MAC = 1\n    transport = t\n\n  r2:\n"
        "    driver = accept\n    transport = t\n\nbegin retry\n  * * F,1h,1m\n\nbegin rewrite\n  *@a b@c\n",
        file, file, dir, file);
    CHECK_STR(saved_text(), want, "-bP config as admin");
    proc.admin_user = false;
    const char *s = saved_text();
    CHECK(strstr(s, "\nA_MAC = <value not displayable>\n") != NULL, "macro hidden from non-admin");
    CHECK(strstr(s, "\nhide smtp_banner = <value not displayable>\n") != NULL, "hide option hidden");
    CHECK(strstr(s, "\n    S_MAC = <value not displayable>\n") != NULL, "macro in router hidden");
    CHECK(strstr(s, "qualify_domain = inc\n") != NULL, "plain option shown");
    proc.admin_user = true;
}

/* ---- bad input ---- */

static const struct error_case {
    const char *label, *text;
    int line;
    const char *msg;
} error_cases[] = {
        {"unterminated ifdef", ".ifdef FOO\nqualify_domain = a\n", 2,
         "Unexpected end of configuration file: .endif missing"},
        {"endif alone", "qualify_domain = a\n.endif\n", 2, ".endif without matching .ifdef"},
        {"else alone", ".else\n", 1, ".else without matching .ifdef"},
        {"elifdef alone", ".elifdef X\n", 1, ".elifdef without matching .ifdef"},
        {"elifndef alone", ".elifndef X\n", 1, ".elifndef without matching .ifdef"},
        {"NUL byte", "qualify_domain = a\nsmtp_banner = x\0y\n", 2,
         "NUL character in configuration line"},
        {"unknown directive", ".foo bar\n", 1, "option setting expected: .foo bar"},
        {"unknown option", "no_such_option = 1\n", 1, "main option \"no_such_option\" unknown"},
        {"unknown option bare", "no_such_option\n", 1, "main option \"no_such_option\" unknown"},
        {"hide unknown", "hide nosuch = 1\n", 1, "main option \"nosuch\" unknown"},
        {"malformed macro", "Foo bar\n", 1, "malformed macro definition"},
        {"macro without value", "FOO\n", 1, "malformed macro definition"},
        {"macro twice", "FOO = 1\nFOO = 2\n", 2,
         "macro \"FOO\" is already defined (use \"==\" if you want to redefine it)"},
        {"redefine undefined", "FOO == 1\n", 1, "can't redefine an undefined macro \"FOO\""},
        {"substring rule", "FOO = 1\nXFOOY = 2\n", 2,
         "\"XFOOY\" cannot be defined as a macro because previously defined macro \"FOO\" is a "
         "substring"},
        {"builtin macro", "_HAVE_PRDR = 1\n", 1, "main option \"y\" unknown"},
        {"unknown section", "begin nonsense\n", 1,
         "\"nonsense\" is not a known configuration section name"},
        {"repeated section", "begin acl\nbegin acl\n", 2,
         "\"acl\" section is repeated in the configuration file"},
        {"begin alone", "begin\n", 1, "main option \"begin\" unknown"},
        {"local_scan", "begin local_scan\n", 1,
         "local_scan() options not supported: Tern has no local_scan() interface"},
        {"domainlist twice", "domainlist a = x\ndomainlist_cache a = y\n", 2,
         "duplicate name \"a\" for a named domain list"},
        {"hostlist twice", "hostlist a = x\nhostlist a = y\n", 2,
         "duplicate name \"a\" for a named host list"},
        {"addresslist twice", "addresslist a = x\naddresslist a = y\n", 2,
         "duplicate name \"a\" for a named address list"},
        {"localpartlist twice", "localpartlist a = x\nlocalpartlist a = y\n", 2,
         "duplicate name \"a\" for a named local part list"},
        {"list without =", "domainlist a x\n", 1, "missing '=' after \"a\""},
        {"list without name", "domainlist = x\n", 1, "missing name for domainlist"},
        {"missing quote", "smtp_banner = \"abc\n", 1,
         "missing quote at end of string value for smtp_banner"},
        {"after quote", "smtp_banner = \"abc\" d\n", 1,
         "extra characters follow string value for smtp_banner"},
        {"bool extra", "accept_8bitmime = true x\n", 1,
         "extra characters follow \"true\" for boolean option accept_8bitmime"},
        {"bool comment", "accept_8bitmime = yes # c\n", 1,
         "extra characters follow \"yes\" for boolean option accept_8bitmime "
         "(# is comment only at line start)"},
        {"bool bad", "accept_8bitmime = maybe\n", 1,
         "\"maybe\" is not a valid value for the \"accept_8bitmime\" option"},
        {"bool no =", "accept_8bitmime yes\n", 1,
         "extra characters follow boolean option accept_8bitmime"},
        {"string no =", "qualify_domain abc\n", 1, "missing \"=\" after qualify_domain"},
        {"no_ on string", "no_qualify_domain\n", 1,
         "negation prefix applied to a non-boolean option"},
        {"int bad", "smtp_accept_max = abc\n", 1, "integer expected for smtp_accept_max"},
        {"time bad", "smtp_receive_timeout = 3q\n", 1,
         "invalid time value for smtp_receive_timeout"},
        {"option twice", "qualify_domain = a\nqualify_domain = b\n", 2,
         "\"qualify_domain\" option set for the second time"},
        {"bool twice", "no_accept_8bitmime\naccept_8bitmime\n", 2,
         "\"accept_8bitmime\" option set for the second time"},
        {"hide twice", "qualify_domain = a\nhide qualify_domain = b\n", 2,
         "\"qualify_domain\" option set for the second time"},
        {"log_selector unknown", "log_selector = +pid +nosuch\n", 1,
         "unknown log_selector setting: +nosuch"},
        {"log_selector malformed", "log_selector = nosuch foo\n", 1,
         "malformed log_selector setting: + or - expected but found \"nosuch foo\""},
        {"router without name", "begin routers\n  driver = accept\n", 2, "router name missing"},
        {"router without driver", "begin routers\nr1:\n  domains = a\n", 3,
         "no driver defined for router \"r1\""},
        {"router twice", "begin routers\nr1:\n  driver = accept\nr1:\n  driver = accept\n", 4,
         "there are two routers called \"r1\""},
        {"driver twice", "begin routers\nr1:\n  driver = accept\n  driver = accept\n", 4,
         "\"driver\" option set for the second time"},
        {"router option twice", "begin routers\nr1:\n  driver = accept\n  domains = a\n"
                                "  domains = b\n", 5, "\"domains\" option set for the second time"},
        {"router unknown option", "begin routers\nr1:\n  driver = accept\n  nosuch = 1\n", 4,
         "option \"nosuch\" unknown"},
        {"private before driver", "begin routers\nr1:\n  nosuch = 1\n  driver = accept\n", 3,
         "option \"nosuch\" unknown (\"driver\" must be specified before any private options)"},
        {"ACL without name", "begin acl\naccept\n", 2, "missing or malformed ACL name"},
        {"ACL twice", "begin acl\na:\naccept\na:\naccept\n", 4, "there are two ACLs called \"a\""},
        {"include missing", ".include /nonexistent/x.conf\n", 1,
         "failed to open included configuration file /nonexistent/x.conf"},
        {"include_if_exists relative", ".include_if_exists rel.conf\n", 1,
         ".include specifies a non-absolute path \"rel.conf\""},
        {"include without name", ".include\n", 1, ".include specifies a non-absolute path \"\""},
        {"uid unknown", "exim_user = no_such_user_xyz\n", 1, "user no_such_user_xyz was not found"},
};

static void test_errors(void)
{
    const struct error_case *cases = error_cases;
    for (size_t i = 0; i < NELEM(error_cases); i++) {
        /* NUL needs the explicit length */
        if (strcmp(cases[i].label, "NUL byte") == 0) {
            fresh();
            static const char nul[] = "qualify_domain = a\nsmtp_banner = x\0y\n";
            char *path = put_file_n("t.conf", nul, sizeof nul - 1);
            int status;
            char *got = load_fail_path(path, &status);
            CHECK_INT(status, 1, cases[i].label);
            CHECK_STR(got, string_sprintf("Tern configuration error in line %d of %s:\n  %s\n",
                                          cases[i].line, path, cases[i].msg), cases[i].label);
            continue;
        }
        expect_error(cases[i].label, cases[i].text, cases[i].line, cases[i].msg);
    }
}

/* test_hostile - input meant to hurt the reader ends in a clear error */
static void test_hostile(void)
{
    /* a physical line just over the limit, and one at the limit */
    size_t n = LIMIT_CONFIG_LINE + 1;
    char *big = store_malloc(n + 32);
    memcpy(big, "smtp_banner = ", 14);
    memset(big + 14, 'x', n - 14);
    big[n] = '\n';
    fresh();
    char *path = put_file_n("big.conf", big, n + 1);
    int status;
    char *got = load_fail_path(path, &status);
    CHECK_INT(status, 1, "1 MB line");
    CHECK_STR(got, string_sprintf("Tern configuration error in line 1 of %s:\n  configuration "
                                  "line too long (limit %d bytes)\n", path, LIMIT_CONFIG_LINE),
              "1 MB line message");
    big[LIMIT_CONFIG_LINE] = '\n';
    load("qualify_domain = ok\n");
    fresh();
    readconf_read(put_file_n("big.conf", big, LIMIT_CONFIG_LINE + 1));
    CHECK_INT(strlen(cfg.smtp_banner), LIMIT_CONFIG_LINE - 14, "line at the limit");
    store_free(big);

    /* macros doubling the line each time */
    gstring *g = string_cat(NULL, "M0 = xxxxxxxxxxxxxxxx\n");
    for (int i = 1; i <= 20; i++) g = string_fmt_append(g, "M%c%d = M%c%d M%c%d\n", 'A' + i, i,
                                                       i == 1 ? '0' : 'A' + i - 1, i - 1,
                                                       i == 1 ? '0' : 'A' + i - 1, i - 1);
    g = string_cat(g, "qualify_domain = MU20\n");
    fresh();
    got = load_fail_path(put_file("t.conf", string_from_gstring(g)), &status);
    CHECK_INT(status, 1, "macro explosion");
    CHECK(strstr(got, "line 17 of") && strstr(got, "\n  line too long after macro expansion\n"),
          "macro explosion message");

    /* A includes B includes A */
    char *a = string_sprintf("%s/rec_a.conf", dir), *b = string_sprintf("%s/rec_b.conf", dir);
    put_file("rec_a.conf", string_sprintf(".include %s\n", b));
    put_file("rec_b.conf", string_sprintf("\n.include %s\n", a));
    fresh();
    got = load_fail_path(a, &status);
    CHECK_INT(status, 1, "recursive include");
    CHECK_STR(got, string_sprintf("Tern configuration error in line 2 of %s:\n  .include of %s "
                                  "is recursive\n", b, a), "recursive include message");

    /* the same file by ever longer names: the depth limit stops it */
    put_file("deep.conf", ".include ./deep.conf\n");
    fresh();
    got = load_fail_path(string_sprintf("%s/deep.conf", dir), &status);
    CHECK_INT(status, 1, "include depth");
    CHECK(strstr(got, ".include nested too deeply (more than 32 levels)") != NULL, "depth message");

    /* .ifdef nested past the limit */
    g = NULL;
    for (int i = 0; i <= LIMIT_CONFIG_IF_DEPTH; i++) g = string_cat(g, ".ifndef X\n");
    expect_error("ifdef depth", string_from_gstring(g), LIMIT_CONFIG_IF_DEPTH + 1,
                 ".ifdef nested too deeply (more than 64 levels)");

    /* including a directory */
    fresh();
    got = load_fail_path(put_file("dir.conf", string_sprintf(".include %s\n", dir)), &status);
    CHECK_INT(status, 1, "include directory");
    CHECK(strstr(got, "failed to open included configuration file") != NULL, "directory message");

    /* a missing main file */
    fresh();
    got = load_fail_path("/nonexistent/tern.conf", &status);
    CHECK_INT(status, 1, "missing file");
    CHECK_STR(got, "Tern could not open configuration file /nonexistent/tern.conf: No such file "
                   "or directory\n", "missing file message");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    if (!mkdtemp(dir)) return 2;
    test_macros();
    test_command_line_macros();
    test_builtin_macros();
    test_conditionals();
    test_continuations();
    test_quoted_strings();
    test_named_lists();
    test_hide_and_sections();
    test_include();
    test_bp_config();
    test_errors();
    test_hostile();
    int rc = unit_done("test_readconf");
    if (system(string_sprintf("rm -rf %s", dir)) != 0) rc = 1;
    return rc;
}
