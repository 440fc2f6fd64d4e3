/* dumpdb.c - tern_dumpdb: list the records of a hints database in
 * exim_dumpdb's layout, so scripts written for Exim's tool read ours.
 *
 *   tern_dumpdb [-z] [-k] <spool-directory> <database-name>
 *
 * -z prints times in UTC instead of local time, -k prints only the keys.
 * Reads under a shared lock; never creates or changes a database. Runs
 * as the invoking user (root or the exim user, who can read spool/db). */

/* MTA core */
#include "../tern.h"
#include "../hintsdb.h"
#include "../hints_records.h"

typedef struct dump_opts {
    bool utc, keys_only;
    const char *spool, *name;
} dump_opts;

static int usage(void)
{
    printf("Usage: tern_dumpdb [-z] [-k]  <spool-directory> <database-name>\n"
           "  <database-name> = retry | misc | wait-<transport-name> | callout | ratelimit | tls | seen\n");
    return 1;
}

static bool parse_args(int argc, char **argv, dump_opts *o)
{
    memset(o, 0, sizeof *o);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-z") == 0) o->utc = true;
        else if (strcmp(argv[i], "-k") == 0) o->keys_only = true;
        else return false;
    }
    if (argc - i != 2) return false;
    o->spool = argv[i];
    o->name = argv[i + 1];
    return hints_db_name_valid(o->name);
}

static void show(const char *key, const void *data, size_t len, void *arg)
{
    const dump_opts *o = arg;
    if (o->keys_only) printf("  %s\n", string_printing(key));
    else fputs(hints_record_dump(o->name, string_printing(key), data, len, o->utc), stdout);
}

int main(int argc, char **argv)
{
    dump_opts o;
    store_set_pool(POOL_MAIN);
    if (!parse_args(argc, argv, &o)) return usage();
    char *err;
    hintsdb *db = hintsdb_open_opt(string_sprintf("%s/db", o.spool), o.name, true, false, &err);
    if (!db) {
        printf("** %s\n", err);
        return 1;
    }
    int rc = hintsdb_scan(db, show, &o);
    hintsdb_close(db);
    if (rc != OK) {
        printf("** error while reading %s/db/%s\n", o.spool, o.name);
        return 1;
    }
    return 0;
}
