/* test_redis.c - EXPERIMENTAL_REDIS: the query word splitter and
 * ${quote_redis:} (no server needed; test_redis_live.c talks to one). */
#include "tern.h"
#include "unit.h"

#ifdef EXPERIMENTAL_REDIS
#include "experimental/redis.h"

/* joined - the words as "w1|w2|..." for comparison */
static char *joined(const char *q, size_t len, char **err)
{
    char **argv;
    size_t *lens;
    int argc;
    *err = NULL;
    if (xp_redis_split(q, len, &argv, &lens, &argc, err) != OK) return NULL;
    gstring *g = string_get(64);
    for (int i = 0; i < argc; i++) {
        if (i) g = string_catc(g, '|');
        g = string_catn(g, argv[i], lens[i]);
    }
    return string_from_gstring(g);
}

static void test_split(void)
{
    static const struct { const char *in, *out; } cases[] = {
        {"GET k", "GET|k"},
        {"  GET \t k  ", "GET|k"},
        {"SET k a\\ b", "SET|k|a b"},
        {"SET k a\\\\b", "SET|k|a\\b"},
        {"SET k a\\\\ b", "SET|k|a\\|b"},
        {"SET k \\x", "SET|k|x"},
        {"SET k a\r\nFLUSHALL", "SET|k|a|FLUSHALL"},
        {"SET k a\\\r\\\nFLUSHALL", "SET|k|a\r\nFLUSHALL"},
        {"HSET h f\\\tx v", "HSET|h|f\tx|v"},
        {"GET \"a b\"", "GET|\"a|b\""},
        {"", NULL},
        {" \t\r\n", NULL},
        {"GET k\\", NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *err;
        CHECK_STR(joined(cases[i].in, strlen(cases[i].in), &err), cases[i].out, cases[i].in);
        if (!cases[i].out) CHECK(err != NULL, cases[i].in);
    }
    char *err;
    CHECK_STR(joined("GET a\0b", 7, &err), "GET|a", "NUL is not white space: kept in the word");
}

/* test_limits - LIMIT_REDIS_ARGS words are fine, one more is refused */
static void test_limits(void)
{
    for (int n = LIMIT_REDIS_ARGS - 1; n <= LIMIT_REDIS_ARGS + 1; n++) {
        gstring *g = string_get(256);
        for (int i = 0; i < n; i++) g = string_cat(g, "w ");
        char *q = string_from_gstring(g), **argv, *err = NULL;
        size_t *lens;
        int argc = 0;
        int rc = xp_redis_split(q, strlen(q), &argv, &lens, &argc, &err);
        CHECK_INT(rc, n <= LIMIT_REDIS_ARGS ? OK : FAIL, "word limit");
        if (rc == OK) CHECK_INT(argc, n, "word count");
    }
}

static void test_quote(void)
{
    static const struct { const char *in, *out; } cases[] = {
        {"plain", "plain"},
        {"a b", "a\\ b"},
        {"a\\b", "a\\\\b"},
        {"x\r\nDEL y", "x\\\r\\\nDEL\\ y"},
        {"\t\v\f", "\\\t\\\v\\\f"},
        {"", ""},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(xp_redis_quote(cases[i].in, NULL), cases[i].out, cases[i].in);
    CHECK(xp_redis_lookup_info.quote == xp_redis_quote, "quote in the lookup_info");
    CHECK_STR(xp_redis_lookup_info.name, "redis", "lookup name");
    CHECK_INT(xp_redis_lookup_info.type, LOOKUP_QUERY, "query style");
}

/* test_roundtrip - any value, quoted, comes back as exactly one word */
static void test_roundtrip(void)
{
    static const char *const values[] = {
        "x\r\nFLUSHALL\r\n", "a b c", "\\", "\\\\ \\", " lead", "trail ", "*1\r\n$8\r\nFLUSHALL\r\n",
        "\xff\xfe binary \x01", "tab\there",
    };
    for (size_t i = 0; i < NELEM(values); i++) {
        char *v = string_copy_taint(values[i], GET_TAINTED);
        char *q = string_sprintf("SET key %s", xp_redis_quote(v, NULL));
        char **argv, *err;
        size_t *lens;
        int argc = 0;
        CHECK_INT(xp_redis_split(q, strlen(q), &argv, &lens, &argc, &err), OK, values[i]);
        CHECK_INT(argc, 3, values[i]);
        CHECK(lens[2] == strlen(values[i]) && memcmp(argv[2], values[i], lens[2]) == 0, values[i]);
        CHECK(store_is_tainted(q) && store_is_tainted(argv[2]), "taint kept through quote and split");
    }
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    test_split();
    test_limits();
    test_quote();
    test_roundtrip();
    return unit_done("test_redis");
}
#else
int main(void)
{
    printf("test_redis: skipped: EXPERIMENTAL_REDIS is not built\n");
    return 0;
}
#endif
