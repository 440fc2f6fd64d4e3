/* hintsdb.h - small key/value hints databases under <spool>/db/ (Berkeley
 * DB hash files), each guarded by a lock file so that concurrent
 * connection children never see a half-written record. */
#ifndef TERN_HINTSDB_H
#define TERN_HINTSDB_H

#include "tern.h"

typedef struct hintsdb hintsdb;

/* hintsdb_open - open (creating) <spool>/db/<name>, holding a shared lock
 * (readonly) or an exclusive one until hintsdb_close. NULL with *err on
 * failure. dir overrides <spool>/db when not NULL (tests). */
hintsdb *hintsdb_open(const char *dir, const char *name, bool readonly, char **err);
/* hintsdb_get - OK with a copy in *data (current pool) and *len, FAIL if absent */
int hintsdb_get(hintsdb *db, const char *key, void **data, size_t *len);
int hintsdb_put(hintsdb *db, const char *key, const void *data, size_t len);
int hintsdb_delete(hintsdb *db, const char *key);
void hintsdb_close(hintsdb *db);
/* hintsdb_open_opt - as hintsdb_open; with create false the database and
 * its lock file must already exist (tern_dumpdb, tern_tidydb) */
hintsdb *hintsdb_open_opt(const char *dir, const char *name, bool readonly, bool create, char **err);
/* hintsdb_scan - fn for every record, in the database's order; key and
 * data are copies valid only during the call. OK, or ERROR on a read error. */
typedef void hintsdb_scan_fn(const char *key, const void *data, size_t len, void *arg);
int hintsdb_scan(hintsdb *db, hintsdb_scan_fn *fn, void *arg);

#endif
