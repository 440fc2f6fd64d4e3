/* test_expand.c - the expansion engine: hundreds of table-driven cases
 * whose expected results and error messages were taken from Exim 4.96
 * (exim4 -be), plus the table-order checks, taint refusal, header and
 * acl variables, forced failure and the public API helpers. */
#include "tern.h"
#include "expand.h"
#include "expand_int.h"
#include "globals.h"
#include "unit.h"

typedef struct exp_case {
    const char *in;
    const char *out; /* expected result, or NULL when an error is expected */
    const char *err; /* expected error message */
} exp_case;

static const exp_case oracle_cases[] = {
#include "test_expand_cases.inc"
};

/* Cases Exim cannot check here (features after 4.96, Tern's refusals,
 * environment-independent edge cases). */
static const exp_case local_cases[] = {
    {"", "", NULL},
    {"plain text", "plain text", NULL},
    {"${headerwrap_20:aaa bbb ccc ddd eee fff ggg hhh}", "aaa bbb ccc ddd eee\n\tfff ggg hhh", NULL},
    {"${xtextd:a+2Bb}", "a+b", NULL},
    {"${xtext:a+b=c d}", "a+2Bb+3Dc+20d", NULL},
    {"${perl{x}}", NULL, "Tern has no embedded Perl interpreter: ${perl} is not supported"},
    {"${dlfunc{/x}{y}}", NULL, "Tern does not load code into itself: ${dlfunc} is not supported"},
    {"${acl{foo}}", NULL, "ERROR from acl \"foo\""},
    {"${if acl{{foo}}{y}{n}}", NULL, "ERROR from acl \"foo\""},
    {"${if pam{a:b}{y}{n}}", NULL, "support for \"pam\" not compiled"},
    {"${if radius{a}{y}{n}}", NULL, "support for \"radius\" not compiled"},
    {"${if ldapauth{x}{y}{n}}", NULL, "support for \"ldapauth\" not compiled"},
    {"${if saslauthd{{a}{b}}{y}{n}}", NULL, "support for \"saslauthd\" not compiled"},
    {"${certextract{subject}{$tls_in_peercert}}", NULL,
     "certextract: TLS certificate variables are not yet available in this build of Tern"},
    {"${if eq{a}{b}{${perl{x}}}{skipped}}", "skipped", NULL},
    {"${nhash_0:abc}", NULL, "nhash divisor must be greater than zero"},
    {"${hash_3_0:abcdef}", NULL, "hash count must be greater than zero"}, /* fuzzer: Exim divides by zero */
    {"${hash{3}{0}{abcdef}}", NULL, "hash count must be greater than zero"},
    {"$acl_m_none|$acl_c9|", "||", NULL},
    {"${if def:acl_m_none{y}{n}}", "n", NULL},
    {"${srs_encode{secret}{}{d.example}}", "", NULL},
    {"${if inbound_srs{SRS0=abcd=jo=b.c=a}{}{$srs_recipient}{n}}", "a@b.c", NULL},
    {"${utf8_domain_to_alabel:b\xc3\xbc" "cher.example}", "xn--bcher-kva.example", NULL},
    {"${imapfolder{Entw\xc3\xbcrfe}}", "Entw&APw-rfe", NULL},
    {"${sha3_512:}", "A69F73CCA23A9AC5C8B567DC185A756E97C982164FE25859E0D1DCC1475C80A615B2123AF1F5F94C11E3E9402C3AC558F500199D95B6D3E301758586281DCD26", NULL},
};

static void run_cases(const exp_case *c, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++) {
        rmark m = store_mark();
        char *r = expand_string(c[i].in);
        char label[512];
        snprintf(label, sizeof label, "%s: %s", set, c[i].in);
        if (c[i].out) CHECK_STR(r ? r : string_sprintf("Failed: %s", expand_error()), c[i].out, label);
        else CHECK_STR(r ? string_sprintf("(succeeded: %s)", r) : expand_error(), c[i].err, label);
        store_reset(m);
    }
}

static void test_tables(void)
{
    CHECK(expand_vars_sorted(), "variable table sorted");
    CHECK(expand_conds_sorted(), "condition table sorted");
    CHECK(expand_items_sorted(), "item table sorted");
    CHECK(expand_ops_sorted(), "operator table sorted");
}

static void test_taint(void)
{
    char *t = string_copy_taint("${lc:ABC}", GET_TAINTED);
    CHECK(expand_string(t) == NULL, "tainted source refused");
    CHECK_STR(expand_error(), "attempt to expand tainted string '${lc:ABC}'", "taint message");
    dlv.local_part = string_copy_taint("Evil", GET_TAINTED);
    char *r = expand_string("/var/mail/${lc:$local_part}");
    CHECK_STR(r, "/var/mail/evil", "tainted value substituted");
    CHECK(r && store_is_tainted(r), "result with tainted value is tainted");
    r = expand_string("${lc:UNTAINTED}");
    CHECK(r && !store_is_tainted(r), "untainted result stays untainted");
    dlv.local_part = NULL;
}

static void test_api(void)
{
    CHECK(expand_string("${if eq{a}{b}{x}fail}") == NULL, "fail keyword");
    CHECK(expand_forced_fail(), "forced failure flagged");
    CHECK(expand_string("${lc:") == NULL, "error");
    CHECK(!expand_forced_fail(), "plain error not forced");
    CHECK(expand_check_condition("${if eq{a}{a}}", "condition", "router"), "condition true");
    CHECK(!expand_check_condition("no", "condition", "router"), "condition no");
    CHECK(!expand_check_condition("0", "condition", "router"), "condition 0");
    CHECK(!expand_check_condition("", "condition", "router"), "condition empty");
    CHECK_INT(expand_string_integer("${eval:2*3}K", false), 6144, "integer K");
    CHECK_INT(expand_string_integer("-5", true), -1, "negative refused when isplus");
    const char *plain = "no dollars here";
    CHECK(expand_cstring(plain) == plain, "cstring unchanged");
}

/* test_failure_restores - a failed expansion must not leave $1 or $value
 * pointing into store its caller is about to reset (found by fuzz_expand) */
static void test_failure_restores(void)
{
    rmark m = store_mark();
    CHECK(expand_string("${if match{abc}{(b)}{$1") == NULL, "unterminated if fails");
    CHECK(expand_string("${extract{a}{a=1}{$value${lc:}}") == NULL, "bad yes string fails");
    CHECK(expand_string("${prvscheck{prvs=0123abcdef=a@b.c}{secret}") == NULL, "bad prvscheck fails");
    store_reset(m);
    CHECK_STR(expand_string("[$1][$value]"), "[][]", "no numeric or value left behind");
    CHECK_STR(expand_string("[$prvscheck_address]"), "[]", "no prvscheck address left behind");
}

static void test_variables(void)
{
    dlv.domain = "example.com";
    dlv.local_part = "fred";
    CHECK_STR(expand_string("${if and{{eq{$domain}{example.com}}{match{$local_part}{^[a-z]+\\$}}}"
                            "{yes}{no}}"), "yes", "router condition");
    CHECK_STR(expand_string("$local_part@${domain}"), "fred@example.com", "plain and braced");
    dlv.domain = dlv.local_part = NULL;
    exp_set_acl_var("acl_m_x", "mval");
    exp_set_acl_var("acl_c0", "cval");
    CHECK_STR(expand_string("$acl_m_x/$acl_c0"), "mval/cval", "acl variables");
    CHECK_STR(expand_string("${if def:acl_m_x{y}{n}}"), "y", "def: acl");
    CHECK_STR(expand_string("$version_number"), "4.96", "version_number");
    CHECK_STR(expand_string("$tod_epoch"), expand_string("${eval:$tod_epoch}"), "tod_epoch numeric");
}

static void test_headers(void)
{
    const char *path = "/tmp/tern_test_expand_msg";
    FILE *f = fopen(path, "w");
    if (!f) { CHECK(0, "temp message file"); return; }
    fputs("Subject: hello\n  world\nTo: a@b\nTo: c@d\nX-Enc: =?utf-8?q?caf=C3=A9?=\n\nbody line 1\nline 2\n", f);
    fclose(f);
    CHECK(expand_load_message(path), "load message");
    unlink(path);
    CHECK_STR(expand_string("$h_subject:"), "hello\n  world", "h_ folded");
    CHECK_STR(expand_string("$h_to:"), "a@b,\nc@d", "address headers joined");
    CHECK_STR(expand_string("$rh_x-enc:"), " =?utf-8?q?caf=C3=A9?=\n", "raw header");
    CHECK_STR(expand_string("$h_x-enc:"), "caf\xc3\xa9", "decoded header");
    CHECK_STR(expand_string("$bh_x-enc:"), "=?utf-8?q?caf=C3=A9?=", "basic header");
    CHECK_STR(expand_string("${if def:h_nope:{y}{n}}"), "n", "def: missing header");
    CHECK_STR(expand_string("$message_body"), "body line 1 line 2 ", "message_body");
    CHECK_STR(expand_string("$body_linecount"), "2", "body_linecount");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    cfg.primary_hostname = "test.example";
    test_tables();
    run_cases(oracle_cases, NELEM(oracle_cases), "oracle");
    run_cases(local_cases, NELEM(local_cases), "local");
    test_taint();
    test_api();
    test_failure_restores();
    test_variables();
    test_headers();
    return unit_done("test_expand");
}
