/* ratelimit.c - the "ratelimit" and "seen" ACL conditions.
 *
 * ratelimit keeps, per key, a rate smoothed with an exponential decay
 * over the period (Exim's algorithm: each event adds count*(1-a)/(t/p)
 * where a = e^(-t/p)), so bursts and steady rates are both measured
 * without storing every event. "unique=" counts each distinct value
 * once per period, using a small Bloom filter kept with the record.
 * Runs in connection children; each check holds the database lock for
 * the read-modify-write only. */

/* System */
#include <math.h>
#include <sys/time.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "hintsdb.h"
#include "options.h"
#include "ratelimit.h"

static const char *db_dir;
void ratelimit_db_dir(const char *dir) { db_dir = dir; }

/* Bloom filter bytes for unique=: 1024 bits, plenty for per-period
 * distinct counts of one client. */
#define RATELIMIT_BLOOM_BYTES 128

typedef struct rl_record {
    double stamp;      /* time of the last update, seconds */
    double rate;
    double bloom_start;
    unsigned char bloom[RATELIMIT_BLOOM_BYTES];
} rl_record;

enum rl_mode { RL_PER_MAIL, RL_PER_CONN, RL_PER_RCPT, RL_PER_BYTE, RL_PER_CMD, RL_PER_ADDR };
static const char *const rl_mode_names[] = {"per_mail", "per_conn", "per_rcpt", "per_byte", "per_cmd", "per_addr"};

typedef struct rl_opts {
    double limit;
    int period;
    const char *period_text;
    enum rl_mode mode;
    bool mode_set, strict, noupdate, readonly;
    const char *unique;
    double count;
    const char *key;
} rl_opts;

double ratelimit_smooth(double old_rate, double interval, double period, double count)
{
    if (interval <= 0) interval = 1e-9;
    double i_over_p = interval / period;
    double a = exp(-i_over_p);
    return count * (1.0 - a) / i_over_p + a * old_rate;
}

/* parse_option - one "/word" of the ratelimit argument */
static bool parse_option(rl_opts *o, char *w, char **err)
{
    for (size_t i = 0; i < NELEM(rl_mode_names); i++)
        if (strcmp(w, rl_mode_names[i]) == 0) {
            if (o->mode_set) { *err = string_copy("conflicting per_* options"); return false; }
            o->mode = (enum rl_mode)i;
            o->mode_set = true;
            return true;
        }
    if (strcmp(w, "strict") == 0) o->strict = true;
    else if (strcmp(w, "leaky") == 0) o->strict = false;
    else if (strcmp(w, "noupdate") == 0) o->noupdate = true;
    else if (strcmp(w, "readonly") == 0) o->readonly = true;
    else if (string_has_prefix(w, "unique=")) o->unique = w + 7;
    else if (string_has_prefix(w, "count=")) {
        char *end;
        o->count = strtod(w + 6, &end);
        if (*end || o->count < 0) { *err = string_sprintf("invalid count value \"%s\"", w + 6); return false; }
    } else return false;
    return true;
}

/* parse_args - "limit / period [/ option]* [/ key]" */
static bool parse_args(const char *arg, rl_opts *o, char **err)
{
    memset(o, 0, sizeof *o);
    o->count = 1;
    int sep = '/';
    const char *list = arg;
    char *w = string_nextinlist(&list, &sep);
    char *end;
    o->limit = w ? strtod(w, &end) : -1;
    if (!w || *end || o->limit < 0) { *err = string_sprintf("unparseable rate limit \"%s\"", w ? w : ""); return false; }
    w = string_nextinlist(&list, &sep);
    if (!w || !options_parse_time(w, &o->period) || o->period <= 0) {
        *err = string_sprintf("invalid time value in ratelimit: \"%s\"", w ? w : "");
        return false;
    }
    o->period_text = w;
    while ((w = string_nextinlist(&list, &sep))) {
        if (parse_option(o, w, err)) continue;
        if (*err) return false;
        if (o->key) { *err = string_sprintf("unknown ratelimit option \"%s\"", o->key); return false; }
        o->key = w;
    }
    return true;
}

static double now_secs(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* bloom_test_set - true if value was already in the filter; sets it */
static bool bloom_test_set(rl_record *r, const char *value)
{
    unsigned long h1 = 5381, h2 = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        h1 = h1 * 33 + *p;
        h2 = h2 * 65599 + *p;
    }
    bool seen = true;
    for (int i = 0; i < 4; i++) {
        unsigned bit = (unsigned)((h1 + (unsigned long)i * h2) % (RATELIMIT_BLOOM_BYTES * 8));
        if (!(r->bloom[bit / 8] & (1u << (bit % 8)))) seen = false;
        r->bloom[bit / 8] |= (unsigned char)(1u << (bit % 8));
    }
    return seen;
}

/* update_record - the new smoothed rate; returns the rate to compare */
static double update_record(rl_record *r, bool found, const rl_opts *o, double now)
{
    double count = o->count;
    if (o->mode == RL_PER_BYTE) {
        char *sz = expand_string("$message_size");
        double b = sz ? strtod(sz, NULL) : 0;
        count *= b > 0 ? b : 0;
    }
    if (o->unique) {
        if (!found || now - r->bloom_start > o->period) { memset(r->bloom, 0, sizeof r->bloom); r->bloom_start = now; }
        if (bloom_test_set(r, o->unique)) count = 0;
    }
    if (!found) return count;
    return ratelimit_smooth(r->rate, now - r->stamp, o->period, count);
}

static void set_vars(double rate, const rl_opts *o)
{
    conn.acl.sender_rate = string_sprintf("%.1f", rate);
    conn.acl.sender_rate_limit = string_sprintf("%.1f", o->limit);
    conn.acl.sender_rate_period = string_copy(o->period_text);
}

int ratelimit_check(const char *arg, enum acl_where where, char **err)
{
    rl_opts o;
    *err = NULL;
    if (!parse_args(arg, &o, err)) { *err = string_sprintf("ratelimit: %s", *err); return ERROR; }
    const char *key = o.key ? o.key : conn.sender_host_address ? conn.sender_host_address : "";
    char *dbkey = string_sprintf("%s/%s/%s/%s/%s", rl_mode_names[o.mode], o.unique ? "unique" : "",
                                 o.period_text, o.limit == floor(o.limit) ? "" : "frac", key);
    hintsdb *db = hintsdb_open(db_dir, "ratelimit", o.readonly, err);
    if (!db) return DEFER;
    rl_record r;
    void *data;
    size_t len;
    bool found = hintsdb_get(db, dbkey, &data, &len) == OK && len == sizeof r;
    if (found) memcpy(&r, data, sizeof r); else memset(&r, 0, sizeof r);
    double now = now_secs();
    double rate = o.readonly ? (found ? ratelimit_smooth(r.rate, now - r.stamp, o.period, 0) : 0)
                             : update_record(&r, found, &o, now);
    bool over = rate > o.limit;
    if (!o.readonly && !o.noupdate && (o.strict || !over)) {
        r.rate = rate;
        r.stamp = now;
        if (hintsdb_put(db, dbkey, &r, sizeof r) != OK) *err = string_copy("ratelimit: database write failed");
    }
    hintsdb_close(db);
    set_vars(rate, &o);
    return over ? OK : FAIL;
}

/* seen_parse - "[-]time" then "/key=", "/readonly", "/write", "/refresh=" */
static bool seen_parse(const char *arg, int *secs, bool *before, const char **key, bool *ro, int *refresh, char **err)
{
    int sep = '/';
    const char *list = arg;
    char *w = string_nextinlist(&list, &sep);
    *before = w && *w == '-';
    if (!w || !options_parse_time(w + (*before ? 1 : 0), secs)) {
        *err = string_sprintf("seen: bad time value \"%s\"", w ? w : "");
        return false;
    }
    while ((w = string_nextinlist(&list, &sep))) {
        if (string_has_prefix(w, "key=")) *key = w + 4;
        else if (strcmp(w, "readonly") == 0) *ro = true;
        else if (strcmp(w, "write") == 0) *ro = false;
        else if (string_has_prefix(w, "refresh=") && options_parse_time(w + 8, refresh)) {}
        else { *err = string_sprintf("seen: unknown option \"%s\"", w); return false; }
    }
    return true;
}

int ratelimit_seen(const char *arg, char **err)
{
    int secs = 0, refresh = 0;
    bool before = false, ro = false;
    const char *key = NULL;
    *err = NULL;
    if (!seen_parse(arg, &secs, &before, &key, &ro, &refresh, err)) return ERROR;
    if (!key) key = conn.sender_host_address ? conn.sender_host_address : "";
    hintsdb *db = hintsdb_open(db_dir, "seen", ro, err);
    if (!db) return DEFER;
    void *data;
    size_t len;
    double now = now_secs(), then = 0;
    bool found = hintsdb_get(db, key, &data, &len) == OK && len == sizeof then;
    if (found) memcpy(&then, data, sizeof then);
    int rc = !found ? FAIL : before ? (now - then <= secs ? OK : FAIL) : (now - then > secs ? OK : FAIL);
    if (!ro && (!found || now - then >= refresh)) hintsdb_put(db, key, &now, sizeof now);
    hintsdb_close(db);
    return rc;
}
