/* test_retry.c - retry rule parsing, error texts as Exim 4.96 words them. */
#include "tern.h"
#include "retry.h"
#include "unit.h"

static const struct { const char *in; const char *err; } cases[] = {
    {"* * F,2h,15m; G,16h,1h,1.5; F,4d,6h", NULL},
    {"* bogus F,2h,15m", "unknown or malformed retry error \"bogus\""},
    {"* * X,2h,15m", "unknown retry rule letter"},
    {"* * F,2h", "comma expected"},
    {"* * G,2h,15m", "comma expected"},
    {"* *", NULL},
    {"*", NULL},
    {"* * F,2h,15m;", NULL},
    {"\"a b\" * F,1h,1m", NULL},
    {"* rcpt_4x9 F,1h,1m", "rcpt_4 must be followed by xx, dx, or dd, where x is literal and d is any digit"},
    {"* mail_45x F,1h,1m", NULL},
    {"* data_452 F,1h,1m", NULL},
    {"* quota_4x F,1h,1m", "bad time value"},
    {"* quota_4d F,1h,1m", NULL},
    {"* * senders=: F,1h,1m", NULL},
    {"a.domain rcpt_452 senders=\"xb.dom : yc.dom\" G,8h,10m,1.5", NULL},
    {"* * F,2q,15m", "bad parameters for retry rule"},
    {"* * G,16h,1h,0.5", "bad parameters for retry rule"},
    {"* * G,16h,1h,1", "bad parameters for retry rule"},
    {"* * F,1h,0", "bad parameters for retry rule"},
    {"* * F,1h,1m,9", "bad parameters for retry rule"},
};

int main(void)
{
    for (size_t i = 0; i < NELEM(cases); i++) {
        retry_rule r;
        CHECK_STR(retry_parse_line(cases[i].in, &r), cases[i].err, cases[i].in);
    }
    retry_rule r;
    CHECK_STR(retry_parse_line("a.domain rcpt_45x senders=\"x : y\" G,8h,10m,1.5; F,4d,6h", &r), NULL, "full");
    CHECK_STR(r.pattern, "a.domain", "pattern");
    CHECK_INT(r.error, RE_RCPT_4XX, "error");
    CHECK_INT(r.code, 450, "code");
    CHECK_INT(r.code_digits, 2, "digits");
    CHECK_STR(r.senders, "x : y", "senders");
    CHECK_INT(r.params->rule, 'G', "G");
    CHECK_INT(r.params->timeout, 8 * 3600, "timeout");
    CHECK_INT(r.params->p1, 600, "interval");
    CHECK_INT(r.params->p2, 1500, "factor");
    CHECK_INT(r.params->next->rule, 'F', "F");
    CHECK(r.params->next->next == NULL, "two sets");
    CHECK_STR(retry_parse_line("* quota_4d F,1h,1m", &r), NULL, "quota");
    CHECK_INT(r.quota_time, 4 * 86400, "quota time");
    return unit_done("test_retry");
}
