/* test_smtp_parse.c - the SMTP command parsers (smtp_parse.c) and the
 * header builder (header.c): verbs, addresses with Exim's error texts,
 * ESMTP parameters, xtext, header continuation and limits. */
#include "tern.h"
#include "header.h"
#include "smtp_parse.h"
#include "unit.h"

static void test_verbs(void)
{
    static const struct { const char *in; int id; const char *arg; } cases[] = {
        {"HELO foo", CMD_HELO, "foo"}, {"ehlo   bar  ", CMD_EHLO, "bar"},
        {"MAIL FROM:<a@b>", CMD_MAIL, "<a@b>"}, {"mail from: <a@b>", CMD_MAIL, "<a@b>"},
        {"RCPT TO:x", CMD_RCPT, "x"}, {"DATA", CMD_DATA, ""}, {"BDAT 10 LAST", CMD_BDAT, "10 LAST"},
        {"QUIT", CMD_QUIT, ""}, {"HELOX", CMD_UNKNOWN, "HELOX"}, {"", CMD_UNKNOWN, ""},
        {"STARTTLS", CMD_STARTTLS, ""}, {"NOOP x", CMD_NOOP, "x"}, {"MAIL FROM", CMD_UNKNOWN, "MAIL FROM"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *line = string_copy(cases[i].in), *arg;
        CHECK_INT(smtp_parse_verb(line, &arg), cases[i].id, cases[i].in);
        CHECK_STR(arg, cases[i].arg, cases[i].in);
    }
}

static void test_addresses(void)
{
    static const struct { const char *in, *addr, *rest, *err; } cases[] = {
        {"<a@b.c>", "a@b.c", "", NULL},
        {" <a@b.c> SIZE=10", "a@b.c", "SIZE=10", NULL},
        {"<@r1,@r2:x@y.z>", "x@y.z", "", NULL},
        {"<\"q x\"@y.z>", "\"q x\"@y.z", "", NULL},
        {"x@y.z FOO=bar", "x@y.z", "FOO=bar", NULL},
        {"<x>", "x", "", NULL},
        {"<a..b@c.d>", "a..b@c.d", "", NULL},
        {"<[1.2.3.4]@x>", NULL, NULL, "missing or malformed local part"},
        {"<>", NULL, NULL, "missing or malformed local part"},
        {"<x@>", NULL, NULL, "domain missing or malformed"},
        {"<bad", NULL, NULL, "\"@\" or \".\" expected after \"bad\""},
        {"<a@b", NULL, NULL, "'>' missing at end of address"},
        {"<\"open@b>", NULL, NULL, "unmatched doublequote in local part"},
        {"<@:x@y>", NULL, NULL, "domain missing in source-routed address"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *in = string_copy(cases[i].in), *addr = NULL, *rest = NULL;
        const char *err = smtp_parse_address(in, &addr, &rest);
        CHECK_STR(err, cases[i].err, cases[i].in);
        if (!err) {
            CHECK_STR(addr, cases[i].addr, cases[i].in);
            CHECK_STR(rest, cases[i].rest, cases[i].in);
        }
    }
}

static void test_params(void)
{
    char *p = string_copy("SIZE=10 BODY=8BITMIME  SMTPUTF8 ");
    char *n, *v;
    CHECK(smtp_split_param(p, &n, &v), "split 1");
    CHECK_STR(n, "SMTPUTF8", "name 1");
    CHECK(v == NULL, "no value");
    CHECK(smtp_split_param(p, &n, &v), "split 2");
    CHECK_STR(n, "BODY", "name 2");
    CHECK_STR(v, "8BITMIME", "value 2");
    CHECK(smtp_split_param(p, &n, &v), "split 3");
    CHECK_STR(p, "", "all taken");
    CHECK(!smtp_split_param(p, &n, &v), "empty");
    CHECK_STR(smtp_xtext_decode("a+2Bb+3D"), "a+b=", "xtext");
    CHECK(smtp_xtext_decode("a+2") == NULL, "xtext short");
    CHECK(smtp_xtext_decode("a+zz") == NULL, "xtext bad hex");
}

static void test_headers(void)
{
    header_builder b;
    header_builder_init(&b, 100, 40);
    CHECK_INT(header_add_line(&b, "Subject: one", 12), HDR_OK, "h1");
    CHECK_INT(header_add_line(&b, "\ttwo", 4), HDR_OK, "cont");
    CHECK_INT(header_add_line(&b, "From: a@b", 9), HDR_OK, "h2");
    CHECK_INT(header_add_line(&b, "", 0), HDR_END, "end");
    header_line *h = header_finish(&b);
    CHECK_STR(h->text, "Subject: one\n\ttwo\n", "joined");
    CHECK_INT(h->next->type, HTYPE_FROM, "type");
    CHECK_STR(header_value(header_find(h, "subject")), "one\n\ttwo", "value");
    header_builder_init(&b, 100, 40);
    CHECK_INT(header_add_line(&b, "not a header", 12), HDR_END_BODY, "body start");
    header_builder_init(&b, 100, 40);
    CHECK_INT(header_add_line(&b, "X: 123456789012345678901234567890123456789", 42),
              HDR_LINE_TOO_LONG, "line limit");
    header_builder_init(&b, 30, 0);
    CHECK_INT(header_add_line(&b, "A: 12345678901234567890", 23), HDR_OK, "size 1");
    CHECK_INT(header_add_line(&b, "B: 12345678901234567890", 23), HDR_TOO_BIG, "size limit");
}

int main(void)
{
    test_verbs();
    test_addresses();
    test_params();
    test_headers();
    return unit_done("test_smtp_parse");
}
