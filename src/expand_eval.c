/* expand_eval.c - integer arithmetic for ${eval:} and ${eval10:}, Exim
 * time intervals ("1h30m") and the $tod_* time-of-day formats.
 *
 * Arithmetic is on 64-bit signed integers; sums and differences that
 * overflow are errors (as in Exim), products wrap. Precedence, lowest
 * first: | ^ & << >> + - * / % unary(- + ~) and parentheses. */

/* System */
#include <ctype.h>
#include <limits.h>
#include <sys/time.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"

typedef struct evalst {
    const char *s;
    bool decimal;
    const char *err;
    int depth;
} evalst;

static long long e_or(evalst *e);

static void ws(evalst *e)
{
    while (isspace((unsigned char)*e->s)) e->s++;
}

static long long e_number(evalst *e)
{
    ws(e);
    long long n = 0;
    if (isdigit((unsigned char)*e->s)) {
        char *end;
        n = strtoll(e->s, &end, e->decimal ? 10 : 0);
        if (!e->decimal && e->s[0] == '0' && tolower((unsigned char)e->s[1]) == 'x'
            && !isxdigit((unsigned char)e->s[2]))
            end = (char *)e->s + 2; /* "0x" alone reads as zero, as sscanf does */
        e->s = end;
        switch (tolower((unsigned char)*e->s)) {
        case 'k': n = (long long)((unsigned long long)n * 1024); e->s++; break;
        case 'm': n = (long long)((unsigned long long)n * 1024 * 1024); e->s++; break;
        case 'g': n = (long long)((unsigned long long)n * 1024 * 1024 * 1024); e->s++; break;
        }
        ws(e);
    } else if (*e->s == '(' && e->depth < LIMIT_EXPAND_DEPTH) {
        e->s++;
        e->depth++;
        n = e_or(e);
        e->depth--;
        if (!e->err) {
            if (*e->s != ')') e->err = "expecting closing parenthesis";
            else { e->s++; ws(e); }
        }
    } else {
        e->err = "expecting number or opening parenthesis";
    }
    return n;
}

static long long e_unary(evalst *e)
{
    ws(e);
    char op = *e->s;
    if (op != '-' && op != '+' && op != '~') return e_number(e);
    e->s++;
    long long x = e_unary(e);
    if (op == '-') x = (long long)(0ULL - (unsigned long long)x);
    else if (op == '~') x = ~x;
    return x;
}

static long long e_mult(evalst *e)
{
    long long x = e_unary(e);
    while (!e->err) {
        char op = *e->s;
        if (op != '*' && op != '/' && op != '%') break;
        e->s++;
        long long y = e_unary(e);
        if (e->err) break;
        if (op == '*') { x = (long long)((unsigned long long)x * (unsigned long long)y); continue; }
        if (y == 0) { e->err = op == '/' ? "divide by zero" : "modulo by zero"; break; }
        if (y == -1 && x == LLONG_MIN) { x = op == '/' ? LLONG_MAX : 0; continue; }
        x = op == '/' ? x / y : x % y;
    }
    return x;
}

static long long e_sum(evalst *e)
{
    long long x = e_mult(e);
    while (!e->err) {
        char op = *e->s;
        if (op != '+' && op != '-') break;
        e->s++;
        long long y = e_mult(e);
        if (e->err) break;
        /* Exim's overflow tests, kept as they are so that results match:
         * a sum fails when x alone is at least half the range (or both
         * are very negative), a difference when the signs are far apart;
         * anything else wraps. */
        const long long half = LLONG_MAX / 2;
        if (op == '+' ? (x >= half || (x <= -half && y <= -half))
                      : ((x >= half && y <= -half) || (x <= -half && y >= half))) {
            e->err = op == '+' ? "overflow in sum" : "overflow in difference";
            break;
        }
        x = (long long)(op == '+' ? (unsigned long long)x + (unsigned long long)y
                                  : (unsigned long long)x - (unsigned long long)y);
    }
    return x;
}

static long long e_shift(evalst *e)
{
    long long x = e_sum(e);
    while (!e->err) {
        if (!((e->s[0] == '<' || e->s[0] == '>') && e->s[1] == e->s[0])) break;
        char op = *e->s;
        e->s += 2;
        long long y = e_sum(e);
        if (e->err) break;
        unsigned sh = (unsigned)y & 63;
        x = op == '<' ? (long long)((unsigned long long)x << sh) : x >> sh;
    }
    return x;
}

/* e_bitop - one level of & ^ | */
static long long e_bitop(evalst *e, char op)
{
    long long x = op == '&' ? e_shift(e) : e_bitop(e, op == '|' ? '^' : '&');
    while (!e->err && *e->s == op) {
        e->s++;
        long long y = op == '&' ? e_shift(e) : e_bitop(e, op == '|' ? '^' : '&');
        if (e->err) break;
        x = op == '&' ? x & y : op == '^' ? x ^ y : x | y;
    }
    return x;
}

static long long e_or(evalst *e) { return e_bitop(e, '|'); }

/* exp_eval - evaluate s; on error *err is Exim's message with the part
 * processed so far */
bool exp_eval(const char *s, bool decimal, long long *out, char **err)
{
    evalst e = {s, decimal, NULL, 0};
    long long v = e_or(&e);
    if (!e.err && *e.s) e.err = "expecting operator";
    if (e.err) {
        *err = string_sprintf("%s (after processing \"%.*s\")", e.err, (int)(e.s - s), s);
        return false;
    }
    *out = v;
    return true;
}

/* exp_time_eval - "1w2d3h4m5s" style (every number needs a unit) */
bool exp_time_eval(const char *s, int *out)
{
    long long total = 0;
    for (;;) {
        if (!isdigit((unsigned char)*s)) return false;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (v > INT_MAX) return false;
        s = end;
        switch (*s) {
        case 'w': v *= 7; /* fall through */
        case 'd': v *= 24; /* fall through */
        case 'h': v *= 60; /* fall through */
        case 'm': v *= 60; /* fall through */
        case 's': s++; break;
        default: return false;
        }
        total += v;
        if (total > INT_MAX) return false;
        if (!*s) { *out = (int)total; return true; }
    }
}

/* exp_time_interval - seconds as "1w2d3h4m5s", "0s" for zero */
char *exp_time_interval(long long t)
{
    static const struct { char unit; long long secs; } u[] = {
        {'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1},
    };
    if (t == 0) return "0s";
    gstring *g = string_get(24);
    for (size_t i = 0; i < NELEM(u); i++) {
        long long n = t / u[i].secs;
        if (!n) continue;
        g = string_fmt_append(g, "%lld%c", n, u[i].unit);
        t -= n * u[i].secs;
    }
    return string_from_gstring(g);
}

/* exp_tod - one of the $tod_* formats for the current time */
char *exp_tod(const char *which)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (strcmp(which, "epoch") == 0) return string_sprintf("%lld", (long long)tv.tv_sec);
    if (strcmp(which, "epoch_l") == 0)
        return string_sprintf("%lld", (long long)tv.tv_sec * 1000000 + tv.tv_usec);
    struct tm tm;
    time_t t = tv.tv_sec;
    const char *fmt = "%Y-%m-%d %H:%M:%S";
    if (strcmp(which, "zulu") == 0) { gmtime_r(&t, &tm); fmt = "%Y%m%d%H%M%SZ"; }
    else {
        localtime_r(&t, &tm);
        if (strcmp(which, "bsdinbox") == 0) fmt = "%a %b %d %H:%M:%S %Y";
        else if (strcmp(which, "full") == 0) fmt = "%a, %d %b %Y %H:%M:%S %z";
        else if (strcmp(which, "logfile") == 0) fmt = "%Y%m%d";
        else if (strcmp(which, "zone") == 0) fmt = "%z";
    }
    char buf[64];
    size_t n = strftime(buf, sizeof buf, fmt, &tm);
    return string_copyn(buf, n);
}
