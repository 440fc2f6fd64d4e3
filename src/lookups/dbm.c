/* dbm.c - the Berkeley DB lookups: dbm (key with its terminating NUL,
 * as exim_dbmbuild and tern_dbmbuild write by default), dbmnz (key
 * without the NUL, for files made with -nozero or by other programs) and
 * dbmjz (the key is a list whose items are joined with NULs, as in
 * Cyrus's sasldb2). One file because the three share open/find; each has
 * its own lookup_info.
 *
 * Existing files are opened read-only with DB_UNKNOWN so any access
 * method the library knows is accepted. Results are untainted (the admin
 * owns the file). Never writes. */

/* System */
#include <db.h>
/* MTA core */
#include "../tern.h"
#include "../log.h"
/* This module */
#include "../lookups.h"

/* db_errcall - route library messages to the debug output, not stderr */
static void db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    DEBUG(D_lookup) debug_printf("Berkeley DB error: %s\n", msg);
}

/* dbm_open - open an existing database read-only */
static void *dbm_open(const char *filename, char **err)
{
    DB *db = NULL;
    int rc = db_create(&db, NULL, 0);
    if (rc == 0) {
        db->set_errcall(db, db_errcall);
        rc = db->open(db, NULL, filename, NULL, DB_UNKNOWN, DB_RDONLY, 0);
    }
    if (rc != 0) {
        if (db) db->close(db, 0);
        *err = string_sprintf("failed to open %s as a db (v4.1+) file: %s", filename,
                              rc > 0 ? strerror(rc) : "not a database file");
        return NULL;
    }
    return db;
}

static void dbm_close(void *handle)
{
    DB *db = handle;
    db->close(db, 0);
}

/* dbm_get - fetch the data for a key of exactly keylen bytes */
static int dbm_get(DB *db, const char *key, size_t keylen, char **result, char **err)
{
    DBT k = {.data = (void *)key, .size = (u_int32_t)keylen};
    DBT d = {0};
    int rc = db->get(db, NULL, &k, &d, 0);
    if (rc == DB_NOTFOUND) return FAIL;
    if (rc != 0) {
        *err = string_sprintf("dbm lookup failed: %s", db_strerror(rc));
        return DEFER;
    }
    size_t n = d.size ? strnlen(d.data, d.size) : 0; /* the stored NUL, if any, ends it */
    *result = string_copyn_taint(n ? d.data : "", n, GET_UNTAINTED);
    return OK;
}

static int dbm_find(void *h, const char *filename, const char *key, size_t keylen, char **result,
                    char **err, unsigned *do_cache, const char *opts)
{
    return dbm_get(h, key, keylen + 1, result, err);
}

static int dbmnz_find(void *h, const char *filename, const char *key, size_t keylen, char **result,
                      char **err, unsigned *do_cache, const char *opts)
{
    return dbm_get(h, key, keylen, result, err);
}

/* dbmjz_find - join the list items of key with NULs */
static int dbmjz_find(void *h, const char *filename, const char *key, size_t keylen, char **result,
                      char **err, unsigned *do_cache, const char *opts)
{
    gstring *g = string_get(keylen + 1);
    int sep = 0;
    const char *list = key;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        g = string_cat(g, item);
        g = string_catc(g, 0);
    }
    if (g->len == 0) return FAIL;
    return dbm_get(h, g->s, g->len - 1, result, err);
}

const lookup_info dbm_lookup_info = {
    .name = "dbm", .type = LOOKUP_SINGLE_KEY, .open = dbm_open, .find = dbm_find,
    .close = dbm_close,
};
const lookup_info dbmjz_lookup_info = {
    .name = "dbmjz", .type = LOOKUP_SINGLE_KEY, .open = dbm_open, .find = dbmjz_find,
    .close = dbm_close,
};
const lookup_info dbmnz_lookup_info = {
    .name = "dbmnz", .type = LOOKUP_SINGLE_KEY, .open = dbm_open, .find = dbmnz_find,
    .close = dbm_close,
};
