/* tidydb.c - tern_tidydb: delete hints records that have not been
 * updated for a while (default 30 days), as exim_tidydb does, with the
 * same usage and output.
 *
 *   tern_tidydb [-t <time>] <spool-directory> <database-name>
 *
 * Holds the database's exclusive lock while it works, so it is safe to
 * run while Tern is delivering. Records whose age it cannot read are
 * kept. Runs as root or the exim user (from cron). */

/* System */
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "../hintsdb.h"
#include "../hints_records.h"
#include "../options.h"

#define TIDY_DEFAULT_AGE (30 * 24 * 3600) /* exim_tidydb's default -t 30d */

typedef struct tidy_key {
    struct tidy_key *next;
    char *key;
} tidy_key;

static int usage(void)
{
    printf("Usage: tern_tidydb [-t <time>]  <spool-directory> <database-name>\n"
           "  <database-name> = retry | misc | wait-<transport-name> | callout | ratelimit | tls | seen\n");
    return 1;
}

/* collect - every key, newest first in the list (Exim's tool visits the
 * keys in the reverse of the database order, and so do we) */
static void collect(const char *key, const void *data, size_t len, void *arg)
{
    tidy_key **list = arg;
    (void)data; (void)len;
    tidy_key *k = store_get_in(POOL_PERM, sizeof *k, GET_UNTAINTED);
    size_t n = strlen(key) + 1;
    k->key = store_get_in(POOL_PERM, n, GET_UNTAINTED);
    memcpy(k->key, key, n);
    k->next = *list;
    *list = k;
}

static void tidy(hintsdb *db, const char *name, tidy_key *keys, long cutoff)
{
    for (tidy_key *k = keys; k; k = k->next) {
        rmark m = store_mark();
        void *data;
        size_t len;
        long stamp;
        if (hintsdb_get(db, k->key, &data, &len) == OK && hints_record_stamp(name, k->key, data, len, &stamp)
            && stamp < cutoff && hintsdb_delete(db, k->key) == OK)
            printf("deleted %s (too old)\n", string_printing(k->key));
        store_reset(m);
    }
}

int main(int argc, char **argv)
{
    int age = TIDY_DEFAULT_AGE, i = 1;
    store_set_pool(POOL_MAIN);
    if (i + 1 < argc && strcmp(argv[i], "-t") == 0) {
        if (!options_parse_time(argv[i + 1], &age)) return usage();
        i += 2;
    }
    if (argc - i != 2 || !hints_db_name_valid(argv[i + 1])) return usage();
    const char *spool = argv[i], *name = argv[i + 1];
    char *dir = string_sprintf("%s/db", spool), *err;
    printf("Tidying Exim hints database %s/%s\n", dir, name);
    hintsdb *db = hintsdb_open_opt(dir, name, false, false, &err);
    if (!db) {
        printf("** %s\n", err);
        return 1;
    }
    tidy_key *keys = NULL;
    int rc = hintsdb_scan(db, collect, &keys);
    if (rc == OK) tidy(db, name, keys, (long)time(NULL) - age);
    hintsdb_close(db);
    printf("Tidying complete\n");
    return rc == OK ? 0 : 1;
}
