/* hintsdb.c - hints databases (ratelimit, seen, and later retry and
 * wait-<transport>) as Berkeley DB 5.3 hash files in <spool>/db/.
 *
 * Runs in connection children and delivery processes as the exim user.
 * Each open takes an fcntl lock on <name>.lockfile first (shared for
 * readers, exclusive for writers) and keeps it until close, as Exim
 * does, so a read-modify-write of a record is atomic across processes.
 * Keys are NUL-terminated strings stored without the NUL. */

/* System */
#include <db.h>
#include <fcntl.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "hintsdb.h"

struct hintsdb {
    DB *db;
    int lockfd;
};

/* lock_fd - take the lock on an open lock file; fd or -1 (closed) */
static int lock_fd(int fd, const char *path, bool readonly, char **err)
{
    struct flock fl = {.l_type = readonly ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET};
    while (fcntl(fd, F_SETLKW, &fl) < 0) {
        if (errno == EINTR) continue;
        *err = string_sprintf("failed to lock %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* lock_file - open (creating) and lock <dir>/<name>.lockfile */
static int lock_file(const char *dir, const char *name, bool readonly, char **err)
{
    char *path = string_sprintf("%s/%s.lockfile", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) { *err = string_sprintf("failed to open %s: %s", path, strerror(errno)); return -1; }
    return lock_fd(fd, path, readonly, err);
}

/* lock_existing - as lock_file, but the lock file must exist (the tools
 * never create databases); the error is worded as Exim's tools word it */
static int lock_existing(const char *dir, const char *name, bool readonly, char **err)
{
    char *path = string_sprintf("%s/%s.lockfile", dir, name);
    int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        *err = string_sprintf("Failed to open database lock file %s: %s", path, strerror(errno));
        return -1;
    }
    return lock_fd(fd, path, readonly, err);
}

hintsdb *hintsdb_open(const char *dir, const char *name, bool readonly, char **err)
{
    return hintsdb_open_opt(dir, name, readonly, true, err);
}

hintsdb *hintsdb_open_opt(const char *dir, const char *name, bool readonly, bool create, char **err)
{
    if (!dir) dir = string_sprintf("%s/db", cfg.spool_directory ? cfg.spool_directory : ".");
    if (create && mkdir(dir, 0750) < 0 && errno != EEXIST) {
        *err = string_sprintf("failed to create %s: %s", dir, strerror(errno));
        return NULL;
    }
    int fd = create ? lock_file(dir, name, readonly, err) : lock_existing(dir, name, readonly, err);
    if (fd < 0) return NULL;
    DB *db;
    int rc = db_create(&db, NULL, 0);
    if (rc == 0) {
        char *path = string_sprintf("%s/%s", dir, name);
        rc = db->open(db, NULL, path, NULL, DB_HASH, create ? DB_CREATE : readonly ? DB_RDONLY : 0, 0640);
        if (rc != 0) db->close(db, 0);
    }
    if (rc != 0) {
        *err = create ? string_sprintf("failed to open hints database %s/%s: %s", dir, name, db_strerror(rc))
                      : string_sprintf("Failed to open DBM file %s/%s for %s:\n   %s (or Berkeley DB error "
                                       "while opening)", dir, name, readonly ? "reading" : "updating",
                                       db_strerror(rc));
        close(fd);
        return NULL;
    }
    hintsdb *h = store_get(sizeof *h, GET_UNTAINTED);
    h->db = db;
    h->lockfd = fd;
    return h;
}

static DBT key_dbt(const char *key)
{
    DBT k;
    memset(&k, 0, sizeof k);
    k.data = (void *)key;
    k.size = (u_int32_t)strlen(key);
    return k;
}

int hintsdb_get(hintsdb *h, const char *key, void **data, size_t *len)
{
    DBT k = key_dbt(key), v;
    memset(&v, 0, sizeof v);
    if (h->db->get(h->db, NULL, &k, &v, 0) != 0) return FAIL;
    *data = store_get(v.size + 1, GET_UNTAINTED);
    memcpy(*data, v.data, v.size);
    ((char *)*data)[v.size] = 0;
    *len = v.size;
    return OK;
}

int hintsdb_put(hintsdb *h, const char *key, const void *data, size_t len)
{
    DBT k = key_dbt(key), v;
    memset(&v, 0, sizeof v);
    v.data = (void *)data;
    v.size = (u_int32_t)len;
    return h->db->put(h->db, NULL, &k, &v, 0) == 0 ? OK : DEFER;
}

int hintsdb_delete(hintsdb *h, const char *key)
{
    DBT k = key_dbt(key);
    return h->db->del(h->db, NULL, &k, 0) == 0 ? OK : FAIL;
}

void hintsdb_close(hintsdb *h)
{
    if (!h) return;
    h->db->close(h->db, 0);
    close(h->lockfd);
}

int hintsdb_scan(hintsdb *h, hintsdb_scan_fn *fn, void *arg)
{
    DBC *cur;
    if (h->db->cursor(h->db, NULL, &cur, 0) != 0) return ERROR;
    DBT k, v;
    memset(&k, 0, sizeof k);
    memset(&v, 0, sizeof v);
    int rc;
    while ((rc = cur->get(cur, &k, &v, DB_NEXT)) == 0) {
        rmark m = store_mark();
        char *key = string_copyn(k.data, k.size);
        void *data = store_get(v.size + 1, GET_UNTAINTED);
        memcpy(data, v.data, v.size);
        ((char *)data)[v.size] = 0;
        fn(key, data, v.size, arg);
        store_reset(m);
    }
    cur->close(cur);
    return rc == DB_NOTFOUND ? OK : ERROR;
}
