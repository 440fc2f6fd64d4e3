/* hints_records.c - decoding the records Tern keeps in its hints
 * databases, for tern_dumpdb (exim_dumpdb's output layout) and
 * tern_tidydb (age of each record).
 *
 * Record layouts belong to their writers: retry records to retry.c
 * (decoded through retry_record_decode and retry_dump_record), ratelimit
 * and seen records to ratelimit.c (a struct of doubles, and one double).
 * A record this file cannot decode is shown with its bytes escaped and
 * is never deleted by age. Runs in the tools, as root or the exim user. */

/* System */
#include <time.h>
/* MTA core */
#include "tern.h"
#include "hints_records.h"
#include "retry.h"

/* The ratelimit record as ratelimit.c stores it. */
#define HINTS_RATELIMIT_BLOOM_BYTES 128
typedef struct hints_rl_record {
    double stamp, rate, bloom_start;
    unsigned char bloom[HINTS_RATELIMIT_BLOOM_BYTES];
} hints_rl_record;

bool hints_db_name_valid(const char *name)
{
    static const char *const names[] = {"retry", "misc", "callout", "ratelimit", "tls", "seen"};
    for (size_t i = 0; i < NELEM(names); i++)
        if (strcmp(name, names[i]) == 0) return true;
    return string_has_prefix(name, "wait-") && name[5] && !strchr(name, '/');
}

char *hints_print_time(long t, bool utc)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];
    if (!(utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm))) return string_copy("(bad time)");
    if (strftime(buf, sizeof buf, "%d-%b-%Y %H:%M:%S", &tm) == 0) return string_copy("(bad time)");
    return string_copy(buf);
}

static bool get_double(const void *data, size_t len, size_t want, double *out)
{
    if (len != want) return false;
    memcpy(out, data, sizeof *out);
    return true;
}

bool hints_record_stamp(const char *db, const char *key, const void *data, size_t len, long *stamp)
{
    double d;
    (void)key;
    if (strcmp(db, "retry") == 0) {
        retry_record r;
        if (!retry_record_decode(data, len, &r)) return false;
        *stamp = r.last_try;
        return true;
    }
    if (strcmp(db, "ratelimit") == 0 && get_double(data, len, sizeof(hints_rl_record), &d)) {
        *stamp = (long)d;
        return true;
    }
    if (strcmp(db, "seen") == 0 && get_double(data, len, sizeof d, &d)) {
        *stamp = (long)d;
        return true;
    }
    return false;
}

static char *dump_ratelimit(const char *key, const hints_rl_record *r, bool utc)
{
    long sec = (long)r->stamp;
    int usec = (int)((r->stamp - (double)sec) * 1e6);
    char *when = string_sprintf("%s.%06d rate: %10.3f", hints_print_time(sec, utc), usec, r->rate);
    if (strstr(key, "/unique/"))
        return string_sprintf("%s epoch: %s size: %d key: %s\n", when, hints_print_time((long)r->bloom_start, utc),
                              HINTS_RATELIMIT_BLOOM_BYTES, key);
    return string_sprintf("%s key: %s\n", when, key);
}

char *hints_record_dump(const char *db, const char *key, const void *data, size_t len, bool utc)
{
    double d;
    if (strcmp(db, "retry") == 0) return retry_dump_record(key, data, len, utc);
    if (strcmp(db, "ratelimit") == 0 && len == sizeof(hints_rl_record)) {
        hints_rl_record r;
        memcpy(&r, data, sizeof r);
        return dump_ratelimit(key, &r, utc);
    }
    if (strcmp(db, "seen") == 0 && get_double(data, len, sizeof d, &d))
        return string_sprintf("%s\t%s\n", key, hints_print_time((long)d, utc));
    return string_sprintf("  %s (record of %zu bytes in a format tern_dumpdb does not know: %s)\n", key, len,
                          string_printing_n(data, len));
}
