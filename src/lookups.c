/* lookups.c - the lookup registry and search_find: type-name parsing
 * ("partial2(.)-lsearch*@,ret=key"), partial and default keys, the
 * per-process result cache and the cache of open handles.
 *
 * Runs in whatever process expands strings or matches lists. Drivers live
 * in src/lookups/, one per file, and are listed once in lookup_table.
 * Results of file and database lookups are untainted (the admin owns
 * those files); DNS-based drivers return tainted memory and the cache
 * keeps that taint. This file never opens files itself. */

/* System */
#include <ctype.h>
#include <limits.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "log.h"
#include "modules.h"
/* This module */
#include "lookups.h"
#include "xp_all.h"

/* The registry, in the order (and spelling) of Exim's -bV line. A module
 * adds its lookup as one row inside its #ifdef, e.g. for Redis (between
 * json and sqlite, where Exim lists it):
 *     #ifdef EXPERIMENTAL_REDIS
 *     &xp_redis_lookup_info,
 *     #endif                                                             */
static const lookup_info *const lookup_table[] = {
    &lsearch_lookup_info, &wildlsearch_lookup_info, &nwildlsearch_lookup_info,
    &iplsearch_lookup_info, &cdb_lookup_info, &dbm_lookup_info, &dbmjz_lookup_info,
    &dbmnz_lookup_info, &dnsdb_lookup_info, &dsearch_lookup_info, &json_lookup_info,
#ifdef EXPERIMENTAL_REDIS
    &xp_redis_lookup_info,
#endif
    &sqlite_lookup_info,
    NULL,
};

/* An open handle: single-key ones per file, query-style one per type. */
typedef struct open_entry {
    struct open_entry *next;
    const lookup_info *li;
    char *filename;
    void *handle;
    unsigned long used; /* LRU clock */
} open_entry;

/* A cached result; data NULL means "not found". */
typedef struct cache_entry {
    struct cache_entry *next;
    const lookup_info *li;
    char *filename, *key, *opts;
    char *data;
    bool tainted;
    time_t expiry; /* 0: never */
} cache_entry;

#define CACHE_BUCKETS 512

static struct {
    open_entry *open;
    int open_count;
    int open_max;
    unsigned long clock;
    cache_entry *buckets[CACHE_BUCKETS];
    int cache_count;
    unsigned long opens, finds;
} lk = {.open_max = LIMIT_LOOKUP_OPEN_MAX};

/* lookups_builtin_names - the registry's names for -bV */
const char *const *lookups_builtin_names(void)
{
    static const char *names[NELEM(lookup_table)];
    for (size_t i = 0; lookup_table[i]; i++) names[i] = lookup_table[i]->name;
    return names;
}

/* lookups_version_report - each lookup's library version lines for -bV */
void lookups_version_report(FILE *f)
{
    for (size_t i = 0; lookup_table[i]; i++)
        if (lookup_table[i]->version_report) lookup_table[i]->version_report(f);
}

/* lookup_find - driver by exact name (first len bytes of name) */
const lookup_info *lookup_find(const char *name, size_t len)
{
    for (size_t i = 0; lookup_table[i]; i++)
        if (strlen(lookup_table[i]->name) == len && strncmp(lookup_table[i]->name, name, len) == 0)
            return lookup_table[i];
    return NULL;
}

void lookup_set_open_max(int n) { lk.open_max = n > 0 ? n : 1; }
unsigned long lookup_stat_opens(void) { return lk.opens; }
unsigned long lookup_stat_finds(void) { return lk.finds; }

/* lookup_opt - value of name= in a comma list of options */
char *lookup_opt(const char *opts, const char *name)
{
    if (!opts) return NULL;
    size_t n = strlen(name);
    for (const char *p = opts; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && isspace((unsigned char)*p)) { p++; len--; }
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') return string_copyn(p + n + 1, len - n - 1);
        if (!e) break;
        p = e + 1;
    }
    return NULL;
}

/* parse_partial - "partial" [digits] ("-" | "(" affix ")"); returns the
 * rest of the name or NULL on a format error */
static const char *parse_partial(const char *p, int *partial, const char **affix, int *affixlen)
{
    p += 7;
    *partial = 2;
    if (isdigit((unsigned char)*p)) {
        char *end;
        long v = strtol(p, &end, 10);
        if (v > LIMIT_PARTIAL_LABELS) return NULL;
        *partial = (int)v;
        p = end;
    }
    if (*p == '-') return p + 1;
    if (*p != '(') return NULL;
    const char *a = ++p;
    while (*p && *p != ')' && ispunct((unsigned char)*p)) p++;
    if (*p != ')') return NULL;
    *affix = a;
    *affixlen = (int)(p - a);
    return p + 1;
}

/* search_findtype_partial - split a full type name into its parts */
const lookup_info *search_findtype_partial(const char *name, int *partial, const char **affix,
                                           int *affixlen, int *starflags, const char **opts,
                                           char **err)
{
    const char *p = name;
    *partial = -1;
    *affix = "*.";
    *affixlen = 2;
    *starflags = 0;
    *opts = NULL;
    if (strncmp(p, "partial", 7) == 0 && !(p = parse_partial(p, partial, affix, affixlen))) {
        *err = string_sprintf("format error in lookup type \"%s\"", name);
        return NULL;
    }
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len >= 2 && strncmp(p + len - 2, "*@", 2) == 0) { *starflags = SEARCH_STARAT; len -= 2; }
    else if (len >= 1 && p[len - 1] == '*') { *starflags = SEARCH_STAR; len--; }
    const lookup_info *li = lookup_find(p, len);
    if (!li) {
        *err = string_sprintf("unknown lookup type \"%s\"", string_copyn(p, len));
        return NULL;
    }
    if (li->type & LOOKUP_QUERY) {
        if (*partial >= 0) {
            *err = string_sprintf("\"partial\" is not permitted for lookup type \"%s\"", li->name);
            return NULL;
        }
        if (*starflags) {
            *err = string_sprintf("defaults using \"*\" or \"*@\" are not permitted for lookup "
                                  "type \"%s\"", li->name);
            return NULL;
        }
    }
    if (comma) *opts = string_copy(comma + 1);
    return li;
}

/* cache_hash - bucket of (li, filename, key, opts) */
static unsigned cache_hash(const lookup_info *li, const char *f, const char *k, const char *o)
{
    unsigned h = (unsigned)(uintptr_t)li;
    const char *parts[3] = {f ? f : "", k, o ? o : ""};
    for (int i = 0; i < 3; i++)
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) h = h * 33 + *p;
    return h % CACHE_BUCKETS;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* cache_get - the cached entry for this lookup, if any and not expired */
static cache_entry *cache_get(const lookup_info *li, const char *f, const char *k, const char *o)
{
    for (cache_entry *c = lk.buckets[cache_hash(li, f, k, o)]; c; c = c->next)
        if (c->li == li && same(c->filename, f) && strcmp(c->key, k) == 0 && same(c->opts, o))
            return c->expiry && c->expiry <= time(NULL) ? NULL : c;
    return NULL;
}

static char *mdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = store_malloc(n);
    memcpy(d, s, n);
    return d;
}

static void cache_clear(void)
{
    for (int i = 0; i < CACHE_BUCKETS; i++) {
        while (lk.buckets[i]) {
            cache_entry *c = lk.buckets[i];
            lk.buckets[i] = c->next;
            store_free(c->filename);
            store_free(c->key);
            store_free(c->opts);
            store_free(c->data);
            store_free(c);
        }
    }
    lk.cache_count = 0;
}

/* cache_put - remember a result (data NULL: not found) for ttl seconds */
static void cache_put(const lookup_info *li, const char *f, const char *k, const char *o,
                      const char *data, unsigned ttl)
{
    if (ttl == 0) return;
    if (lk.cache_count >= LIMIT_LOOKUP_CACHE) cache_clear();
    cache_entry *c = cache_get(li, f, k, o);
    if (!c) {
        unsigned h = cache_hash(li, f, k, o);
        c = store_malloc(sizeof *c);
        memset(c, 0, sizeof *c);
        c->li = li;
        c->filename = mdup(f);
        c->key = mdup(k);
        c->opts = mdup(o);
        c->next = lk.buckets[h];
        lk.buckets[h] = c;
        lk.cache_count++;
    } else {
        store_free(c->data);
    }
    c->data = mdup(data);
    c->tainted = data && store_is_tainted(data);
    c->expiry = ttl == UINT_MAX ? 0 : time(NULL) + (time_t)ttl;
}

/* close_entry - close and forget one open handle */
static void close_entry(open_entry **pp)
{
    open_entry *e = *pp;
    *pp = e->next;
    if (e->li->close) e->li->close(e->handle);
    store_free(e->filename);
    store_free(e);
    lk.open_count--;
}

/* close_lru - close the least recently used handle */
static void close_lru(void)
{
    open_entry **victim = NULL;
    for (open_entry **pp = &lk.open; *pp; pp = &(*pp)->next)
        if (!victim || (*pp)->used < (*victim)->used) victim = pp;
    if (victim) close_entry(victim);
}

/* get_handle - an open handle for (li, filename), opening if needed */
static void *get_handle(const lookup_info *li, const char *filename, char **err)
{
    for (open_entry *e = lk.open; e; e = e->next)
        if (e->li == li && same(e->filename, filename)) {
            e->used = ++lk.clock;
            return e->handle;
        }
    while (lk.open_count >= lk.open_max) close_lru();
    void *h = li->open(filename, err);
    lk.opens++;
    if (!h) return NULL;
    open_entry *e = store_malloc(sizeof *e);
    e->li = li;
    e->filename = mdup(filename);
    e->handle = h;
    e->used = ++lk.clock;
    e->next = lk.open;
    lk.open = e;
    lk.open_count++;
    return h;
}

/* untaint_lookup_key - ret=key: the key was found in an admin-owned
 * file, which validates it; return it untainted. */
static char *untaint_lookup_key(const char *key)
{
    return string_copy_taint(key, GET_UNTAINTED);
}

/* check_filename - single-key lookups need an untainted file name */
static bool check_filename(const lookup_info *li, const char *filename, char **err)
{
    if (!filename) {
        *err = string_sprintf("no file name given for \"%s\" lookup", li->name);
        return false;
    }
    if (store_is_tainted(filename)) {
        *err = string_sprintf("Tainted name '%s' for file read not permitted", filename);
        return false;
    }
    if ((li->type & LOOKUP_ABSFILE) && filename[0] != '/') {
        *err = string_sprintf("\"%s\" is not an absolute path", filename);
        return false;
    }
    return true;
}

/* internal_find - one key, through the cache. OK, FAIL or DEFER. */
static int internal_find(const lookup_info *li, const char *filename, const char *key,
                         const char *opts, char **result, char **err)
{
    *result = NULL;
    bool single = (li->type & LOOKUP_SINGLE_KEY) != 0;
    if (single && !*key) return FAIL;
    if (single && !check_filename(li, filename, err)) return DEFER;
    char *cache_opt = lookup_opt(opts, "cache");
    cache_entry *c = cache_opt && strcmp(cache_opt, "no_rd") == 0 ? NULL : cache_get(li, filename, key, opts);
    if (c) {
        DEBUG(D_lookup) debug_printf("cached data used for lookup of %s\n", key);
        if (!c->data) return FAIL;
        *result = string_copy_taint(c->data, c->tainted);
        return OK;
    }
    void *h = get_handle(li, filename, err);
    if (!h) return DEFER;
    unsigned do_cache = UINT_MAX;
    lk.finds++;
    int rc = li->find(h, filename, key, strlen(key), result, err, &do_cache, opts);
    if (rc == DEFER) return DEFER;
    if (rc != OK) *result = NULL;
    cache_put(li, filename, key, opts, *result, do_cache);
    return *result ? OK : FAIL;
}

/* partial_find - the partial sequence after the plain key failed */
static int partial_find(const lookup_info *li, const char *filename, const char *key, int partial,
                        const char *affix, int affixlen, const char *opts, char **result, char **err)
{
    int rc = FAIL, dots = 0;
    for (const char *p = key; *p; p++) dots += *p == '.';
    /* affix + whole key first */
    char *k = string_sprintf("%.*s%s", affixlen, affix, key);
    if (dots + 1 >= partial && affixlen > 0 && (rc = internal_find(li, filename, k, opts, result, err)) != FAIL)
        return rc;
    const char *p = key;
    for (int comps = dots; comps >= partial && comps > 0; comps--) {
        p = strchr(p, '.') + 1;
        k = string_sprintf("%.*s%s", affixlen, affix, p);
        if ((rc = internal_find(li, filename, k, opts, result, err)) != FAIL) return rc;
    }
    if (partial != 0 || affixlen == 0) return FAIL;
    /* partial0: the final lookup depends on the affix (spec 9.7) */
    if (affixlen == 1) k = string_copyn(affix, 1);
    else if (affix[affixlen - 1] == '.') k = string_copyn(affix, (size_t)affixlen - 1);
    else k = string_copyn(affix, (size_t)affixlen);
    return internal_find(li, filename, k, opts, result, err);
}

/* star_find - the "*@domain" and "*" defaults */
static int star_find(const lookup_info *li, const char *filename, const char *key, int starflags,
                     const char *opts, char **result, char **err)
{
    int rc;
    const char *at = strrchr(key, '@');
    if ((starflags & SEARCH_STARAT) && at) {
        char *k = string_sprintf("*%s", at);
        if ((rc = internal_find(li, filename, k, opts, result, err)) != FAIL) return rc;
    }
    return internal_find(li, filename, "*", opts, result, err);
}

/* search_find - a lookup with partial matching and defaults */
char *search_find(const lookup_info *li, const char *filename, const char *key, int partial,
                  const char *affix, int affixlen, int starflags, const char *opts,
                  bool *expand_setup_done, char **err)
{
    char *result = NULL;
    *err = NULL;
    if (expand_setup_done) *expand_setup_done = false;
    DEBUG(D_lookup) debug_printf("search_find: file=\"%s\" key=\"%s\" type=%s partial=%d\n",
                                 filename ? filename : "NULL", key, li->name, partial);
    int rc = internal_find(li, filename, key, opts, &result, err);
    if (rc == FAIL && partial >= 0)
        rc = partial_find(li, filename, key, partial, affix, affixlen, opts, &result, err);
    if (rc == FAIL && starflags)
        rc = star_find(li, filename, key, starflags, opts, &result, err);
    if (rc != OK) return NULL;
    char *ret = lookup_opt(opts, "ret");
    if (ret && strcmp(ret, "key") == 0 && (li->type & LOOKUP_SINGLE_KEY)) return untaint_lookup_key(key);
    return result;
}

/* search_tidyup - close every open handle and flush the result cache */
void search_tidyup(void)
{
    while (lk.open) close_entry(&lk.open);
    cache_clear();
    for (size_t i = 0; lookup_table[i]; i++)
        if (lookup_table[i]->tidy) lookup_table[i]->tidy();
}
