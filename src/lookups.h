/* lookups.h - the lookup API: single-key (lsearch, dbm, cdb...) and query
 * style (sqlite, dnsdb, redis...) lookups, with per-process caching.
 *
 * Owned by lookups.c (the registry and search_find); each driver is one
 * file in src/lookups/. expand.c (${lookup}) and match.c (lists with
 * "type;file" items) are the callers. */
#ifndef TERN_LOOKUPS_H
#define TERN_LOOKUPS_H

#include "tern.h"

enum lookup_type {
    LOOKUP_SINGLE_KEY = 1, /* key + file name: lsearch, dbm, cdb, json ... */
    LOOKUP_QUERY = 2,      /* a query string: sqlite, dnsdb, redis ... */
    LOOKUP_ABSFILE = 4,    /* file name must be absolute */
};

typedef struct lookup_info {
    const char *name;
    unsigned type;
    /* open - returns a handle or NULL with *err set */
    void *(*open)(const char *filename, char **err);
    /* check - file ownership/mode checks (may be NULL) */
    bool (*check)(void *handle, const char *filename, int modemask, uid_t *owners,
                  gid_t *owngroups, char **err);
    /* find - OK with *result, FAIL (not found), DEFER with *err */
    int (*find)(void *handle, const char *filename, const char *key, size_t keylen,
                char **result, char **err, unsigned *do_cache, const char *opts);
    void (*close)(void *handle);
    void (*tidy)(void);
    /* quote - ${quote_NAME:...}; NULL if the lookup has no quoting */
    char *(*quote)(const char *s, const char *opt);
    void (*version_report)(FILE *f);
} lookup_info;

/* Star and partial flags of a "partial2-lsearch*@" style type name. */
#define SEARCH_STAR   0x1 /* "*": try the default key "*" */
#define SEARCH_STARAT 0x2 /* "*@": try "*@domain" then "*" */

/* lookup_find - the driver whose name is the first len bytes of name */
const lookup_info *lookup_find(const char *name, size_t len);

/* search_findtype_partial - parse a full type name such as
 * "partial2(.)-lsearch*@,ret=key" into its parts. Returns the driver or
 * NULL with *err set. */
const lookup_info *search_findtype_partial(const char *name, int *partial, const char **affix,
                                           int *affixlen, int *starflags, const char **opts,
                                           char **err);

/* search_find - do a lookup (with caching, partial matching and star
 * defaults). Returns the result (in the current pool; tainted when the
 * lookup's data is tainted) or NULL: then *err is NULL for "not found"
 * and set for a deferral. */
char *search_find(const lookup_info *li, const char *filename, const char *key, int partial,
                  const char *affix, int affixlen, int starflags, const char *opts,
                  bool *expand_setup_done, char **err);

/* search_tidyup - close cached handles (between messages, before fork) */
void search_tidyup(void);

/* lookups_version_report - library version lines for -bV */
void lookups_version_report(FILE *f);

/* lookups_builtin_names - names for -bV's "Lookups (built-in):" line,
 * in registry order (also declared in modules.h for version.c). */
const char *const *lookups_builtin_names(void);

/* lookup_opt - the value of "name=" in a comma-separated option string
 * (as given after the lookup type: "dsearch,ret=full,filter=file");
 * NULL if absent. */
char *lookup_opt(const char *opts, const char *name);

/* lookup_open_max - handles kept open (Exim's lookup_open_max) */
void lookup_set_open_max(int n);

/* Counters for tests: real driver opens and finds since start. */
unsigned long lookup_stat_opens(void);
unsigned long lookup_stat_finds(void);

/* lsearch_parse_key - the key at the start of an lsearch line (quoted
 * keys unescaped); *rest gets the data after the optional ':' */
char *lsearch_parse_key(const char *line, const char **rest);

/* lsearch_scan_buffer - lsearch parsing of an in-memory file (fuzzing) */
int lsearch_scan_buffer(const char *data, size_t len, const char *key, char **result);

/* The drivers (one file each in src/lookups/). */
extern const lookup_info lsearch_lookup_info, wildlsearch_lookup_info,
    nwildlsearch_lookup_info, iplsearch_lookup_info, cdb_lookup_info, dbm_lookup_info,
    dbmjz_lookup_info, dbmnz_lookup_info, dnsdb_lookup_info, dsearch_lookup_info,
    json_lookup_info, sqlite_lookup_info;

#endif
