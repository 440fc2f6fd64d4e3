/* test_options.c - option value parsers and -bP formatting. */
#include "tern.h"
#include "options.h"
#include "unit.h"

static void test_time(void)
{
    static const struct { const char *in; int ok, secs; const char *out; } cases[] = {
        {"0s", 1, 0, "0s"}, {"90061s", 1, 90061, "1d1h1m1s"}, {"2w3d", 1, 17 * 86400, "2w3d"},
        {"5m", 1, 300, "5m"}, {"90m", 1, 5400, "1h30m"}, {"30", 1, 30, "30s"},
        {"3q", 0, 0, NULL}, {"", 0, 0, NULL}, {"-1", 0, 0, NULL}, {"99999999999s", 0, 0, NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        int v = -7;
        bool ok = options_parse_time(cases[i].in, &v);
        CHECK_INT(ok, cases[i].ok, cases[i].in);
        if (ok) {
            CHECK_INT(v, cases[i].secs, cases[i].in);
            CHECK_STR(options_time_string(v), cases[i].out, cases[i].in);
        }
    }
}

static void test_int(void)
{
    static const struct { const char *in; int ok; long long v; } cases[] = {
        {"10", 1, 10}, {"0x10", 1, 16}, {"010", 1, 8}, {"1K", 1, 1024}, {"2M", 1, 2097152},
        {"1G", 1, 1073741824LL}, {"12x", 0, 0}, {"", 0, 0}, {"-5", 1, -5},
        {"99999999999999999999", 0, 0},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        long long v = 0;
        bool ok = options_parse_int(cases[i].in, &v, true);
        CHECK_INT(ok, cases[i].ok, cases[i].in);
        if (ok) CHECK_INT(v, cases[i].v, cases[i].in);
    }
    CHECK_STR(options_mkint_string(102400), "100K", "mkint K");
    CHECK_STR(options_mkint_string(52428800), "50M", "mkint M");
    CHECK_STR(options_mkint_string(1025), "1025", "mkint plain");
    CHECK_STR(options_mkint_string(0), "0", "mkint zero");
}

static void test_fixed(void)
{
    int v;
    CHECK(options_parse_fixed("2.5", &v) && v == 2500, "fixed 2.5");
    CHECK(options_parse_fixed("3", &v) && v == 3000, "fixed 3");
    CHECK(options_parse_fixed("0.125", &v) && v == 125, "fixed 0.125");
    CHECK(!options_parse_fixed("abc", &v), "fixed abc");
    CHECK(!options_parse_fixed("1.2.3", &v), "fixed 1.2.3");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    test_time();
    test_int();
    test_fixed();
    return unit_done("test_options");
}
