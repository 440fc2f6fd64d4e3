/* sqlite.c - the sqlite lookup: an SQL query on a database file named by
 * the "file=" option (sqlite,file=/path) or, the older way, by an
 * absolute path in front of the query.
 *
 * One column: the values of all rows, one per line. Several columns:
 * "name=value" pairs per row (values with spaces, or empty, in double
 * quotes), rows on separate lines. No rows: not found. The database is
 * opened read-only; results are untainted (the admin owns the file).
 * ${quote_sqlite:} doubles single quotes. */

/* System */
#include <ctype.h>
#include <sqlite3.h>
/* MTA core */
#include "../tern.h"
#include "../globals.h"
#include "../log.h"
/* This module */
#include "../lookups.h"


/* Open databases, kept for the life of the lookup handle. */
typedef struct sqlite_db {
    struct sqlite_db *next;
    char *file;
    sqlite3 *db;
} sqlite_db;

typedef struct sqlite_handle {
    sqlite_db *dbs;
} sqlite_handle;

static void *sqlite_open(const char *filename, char **err)
{
    sqlite_handle *h = store_malloc(sizeof *h);
    h->dbs = NULL;
    return h;
}

static void sqlite_close(void *handle)
{
    sqlite_handle *h = handle;
    while (h->dbs) {
        sqlite_db *d = h->dbs;
        h->dbs = d->next;
        sqlite3_close(d->db);
        store_free(d->file);
        store_free(d);
    }
    store_free(h);
}

/* get_db - the connection for file, opening it the first time */
static sqlite3 *get_db(sqlite_handle *h, const char *file, char **err)
{
    for (sqlite_db *d = h->dbs; d; d = d->next)
        if (strcmp(d->file, file) == 0) return d->db;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *err = string_sprintf("sqlite3_open(%s) failed: %s", file, db ? sqlite3_errmsg(db) : "no memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, cfg.sqlite_lock_timeout * 1000); /* seconds in the option */
    sqlite_db *d = store_malloc(sizeof *d);
    d->file = store_malloc(strlen(file) + 1);
    memcpy(d->file, file, strlen(file) + 1);
    d->db = db;
    d->next = h->dbs;
    h->dbs = d;
    return db;
}

/* cat_quoted - a multi-column value: quoted if empty or has spaces */
static gstring *cat_quoted(gstring *g, const char *v)
{
    if (*v && !strpbrk(v, " \t\n")) return string_cat(g, v);
    g = string_catc(g, '"');
    for (; *v; v++) {
        if (*v == '"' || *v == '\\') g = string_catc(g, '\\');
        g = string_catc(g, *v);
    }
    return string_catc(g, '"');
}

/* row_cb - append one row to the result */
static int row_cb(void *arg, int argc, char **argv, char **names)
{
    gstring **gp = arg;
    gstring *g = *gp;
    if (!g) g = string_get_tainted(128, GET_UNTAINTED);
    else g = string_catc(g, '\n');
    if (argc == 1) g = string_cat(g, argv[0] ? argv[0] : "");
    else
        for (int i = 0; i < argc; i++) {
            g = string_fmt_append(g, "%s=", names[i]);
            g = argv[i] ? cat_quoted(g, argv[i]) : string_cat(g, "<NULL>");
            g = string_catc(g, ' ');
        }
    *gp = g;
    return 0;
}

/* split_file - file= option, or a leading absolute path */
static const char *split_file(const char *query, const char *opts, char **file)
{
    if ((*file = lookup_opt(opts, "file"))) return query;
    while (isspace((unsigned char)*query)) query++;
    if (*query != '/' && cfg.sqlite_dbfile) { /* the main option names the default file */
        *file = cfg.sqlite_dbfile;
        return query;
    }
    if (*query != '/') return NULL;
    const char *p = query;
    while (*p && !isspace((unsigned char)*p)) p++;
    *file = string_copyn(query, (size_t)(p - query));
    return p;
}

static int sqlite_find(void *handle, const char *filename, const char *query, size_t len,
                       char **result, char **err, unsigned *do_cache, const char *opts)
{
    char *file;
    const char *sql = split_file(query, opts, &file);
    if (!sql || *file != '/') {
        search_mark_open_failure();
        *err = string_sprintf("absolute file name expected for \"sqlite\" lookup");
        return DEFER;
    }
    sqlite3 *db = get_db(handle, file, err);
    if (!db) return DEFER;
    gstring *g = NULL;
    char *emsg = NULL;
    if (sqlite3_exec(db, sql, row_cb, &g, &emsg) != SQLITE_OK) {
        DEBUG(D_lookup) debug_printf("sqlite lookup failed: %s\n", emsg ? emsg : "?");
        sqlite3_free(emsg);
        return FAIL;
    }
    if (!g) return FAIL;
    *result = string_from_gstring(g);
    return OK;
}

/* sqlite_quote - ${quote_sqlite:}: double single quotes */
static char *sqlite_quote(const char *s, const char *opt)
{
    gstring *g = string_get_tainted(strlen(s) + 8, store_is_tainted(s));
    for (; *s; s++) {
        if (*s == '\'') g = string_catc(g, '\'');
        g = string_catc(g, *s);
    }
    return string_from_gstring(g);
}

/* sqlite_version - -bV library line */
static void sqlite_version(FILE *f)
{
    fprintf(f, "Library version: SQLite: Compile: %s\n                         Runtime: %s\n",
            SQLITE_VERSION, sqlite3_libversion());
}

const lookup_info sqlite_lookup_info = {
    .name = "sqlite", .type = LOOKUP_QUERY, .open = sqlite_open, .find = sqlite_find,
    .close = sqlite_close, .quote = sqlite_quote, .version_report = sqlite_version,
};
