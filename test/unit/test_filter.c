/* test_filter.c - the Exim filter parser and interpreter: mail and
 * vacation (keywords in any order, defaults, "seen", no reply to a
 * bounce, forbid_filter_reply), the quoted-string limit at len-1 / len,
 * and the syntax errors worded as Exim 4.96 words them (exim4 -bf). */
#include "tern.h"
#include "filter.h"
#include "globals.h"
#include "route.h"
#include "unit.h"

static address_item *user(void)
{
    address_item *a = route_new_address("tern@test.example", 0);
    a->home_dir = "/home/tern";
    return a;
}

/* run - filter text (after the "# Exim filter" line); rc, result in *res */
static int run(const char *body, unsigned forbid, filter_result *res)
{
    memset(res, 0, sizeof *res);
    return filter_run(string_sprintf("# Exim filter\n%s", body), user(), forbid, res);
}

static int count(const address_item *a)
{
    int n = 0;
    for (; a; a = a->next) n++;
    return n;
}

static void test_mail(void)
{
    filter_result r;
    CHECK_INT(run("mail text \"t\" to \"a@b.example, C <c@d.example>\" cc c@c subject \"s\" from f@f reply_to r@r\n"
                  "  extra_headers \"X-A: 1\\nX-B: 2\" return message log /l once o once_repeat 2d\n", 0, &r), OK, "mail");
    CHECK_INT(count(r.generated), 1, "one reply");
    CHECK(!r.seen, "mail is not significant");
    const address_item *a = r.generated;
    CHECK_STR(a->address, ">a@b.example, C <c@d.example>", "shown address");
    CHECK(a->flags & AFL_REPLY, "reply flag");
    CHECK_STR(a->reply->cc, "c@c", "cc");
    CHECK_STR(a->reply->headers, "X-A: 1\nX-B: 2", "extra_headers");
    CHECK_STR(a->reply->text, "t", "text");
    CHECK_STR(a->reply->log, "/l", "log absolute");
    CHECK_STR(a->reply->once, "/home/tern/o", "once relative to home");
    CHECK_STR(a->reply->once_repeat, "2d", "once_repeat");
    CHECK(a->reply->return_message, "return message");
    CHECK(!a->reply->file_expand, "no expand");

    CHECK_INT(run("seen mail text x\nmail text y\n", 0, &r), OK, "seen mail");
    CHECK(r.seen, "seen mail is significant");
    CHECK_INT(count(r.generated), 2, "two replies");
    CHECK(strcmp(r.generated->unique, r.generated->next->unique) != 0, "each reply kept apart");
    CHECK_STR(r.generated->reply->to, "s@src.example", "default to: the sender");
}

static void test_vacation(void)
{
    filter_result r;
    CHECK_INT(run("vacation\n", 0, &r), OK, "vacation");
    const reply_item *v = r.generated->reply;
    CHECK_STR(v->subject, "On vacation", "subject");
    CHECK_STR(v->file, "/home/tern/.vacation.msg", "file");
    CHECK(v->file_expand, "default file is expanded");
    CHECK_STR(v->log, "/home/tern/.vacation.log", "log");
    CHECK_STR(v->once, "/home/tern/.vacation", "once");
    CHECK_STR(v->once_repeat, "7d", "once_repeat");
    CHECK_INT(run("vacation file /v subject \"away\"\n", 0, &r), OK, "vacation file");
    CHECK(!r.generated->reply->file_expand, "a given file is expanded only when asked");
    CHECK_STR(r.generated->reply->subject, "away", "subject given");
}

static void test_bounce_and_forbid(void)
{
    filter_result r;
    msg.sender_address = "";
    CHECK_INT(run("mail text x\nvacation\n", 0, &r), OK, "bounce");
    CHECK_INT(count(r.generated), 0, "no reply to a bounce");
    msg.sender_address = "s@src.example";
    CHECK_INT(run("\nif $h_subject: is x then\n  vacation\nendif\n", FILTER_FORBID_REPLY, &r), ERROR, "forbidden");
    CHECK_STR(r.error, "filtering command \"vacation\" is disabled: near line 4 of filter file", "forbid text");
}

static void test_errors(void)
{
    static const struct { const char *in, *err; } cases[] = {
        {"if $h_subject: is x then\nmail to x@y expand subject hi\nendif\n",
         "\"expand\" not followed by \"file\"  near line 3 of filter file"},
        {"mail return text\n", "\"return\" not followed by \"message\"  near line 2 of filter file"},
        {"mail text\n", "\"text\" requires an argument near line 2 of filter file"},
    };
    filter_result r;
    for (size_t i = 0; i < NELEM(cases); i++) {
        CHECK_INT(run(cases[i].in, 0, &r), ERROR, cases[i].in);
        CHECK_STR(r.error, cases[i].err, cases[i].in);
    }
}

static char *xs(size_t n)
{
    char *s = store_get(n + 1, GET_UNTAINTED);
    memset(s, 'x', n);
    s[n] = 0;
    return s;
}

static void test_string_limit(void)
{
    filter_result r;
    char *ok = string_sprintf("mail text \"%s\"\n", xs(LIMIT_FILTER_STRING - 1));
    CHECK_INT(run(ok, 0, &r), OK, "1023 characters");
    CHECK_INT((long)strlen(r.generated->reply->text), LIMIT_FILTER_STRING - 1, "kept whole");
    char *bad = string_sprintf("\nmail text \"%s\"\n", xs(LIMIT_FILTER_STRING));
    CHECK_INT(run(bad, 0, &r), ERROR, "1024 characters");
    CHECK_STR(r.error, "string is too long in line 3 of filter file (max = 1024 chars)", "limit text");
    CHECK_INT(run("mail to \"a@b, \\\n     c@d\" text x\n", 0, &r), OK, "continued string");
    CHECK_STR(r.generated->reply->to, "a@b, c@d", "continuation joined");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    cfg.primary_hostname = "test.example";
    msg.sender_address = "s@src.example";
    test_mail();
    test_vacation();
    test_bounce_and_forbid();
    test_errors();
    test_string_limit();
    return unit_done("test_filter");
}
