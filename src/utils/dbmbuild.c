/* dbmbuild.c - tern_dbmbuild: build a Berkeley DB (DB_HASH) file from a
 * file in lsearch format, byte-compatible with what exim_dbmbuild
 * writes, so files made by either program are read by both.
 *
 *   tern_dbmbuild [-nolc] [-nozero] [-noduperr|-noduplicates] [-lastdup]
 *                 [-nowarn] <source file|-> <dbm file>
 *
 * Keys are lowercased unless -nolc; keys and data carry a terminating
 * NUL unless -nozero (then read them with dbmnz). The first of duplicate
 * keys wins unless -lastdup. The output is written under
 * "<dbm file>.dbmbuild_temp" and renamed only when complete. Exit status:
 * 0, or 1 for duplicates (unless -noduperr) and for errors. Runs as the
 * invoking user; never touches any file but its two arguments. */

/* System */
#include <ctype.h>
#include <db.h>
/* MTA core */
#include "../tern.h"
#include "../lookups.h"

typedef struct dbmbuild_opts {
    bool lowercase, zero, duperr, lastdup, warn;
    const char *in, *out;
} dbmbuild_opts;

typedef struct dbmbuild_state {
    DB *db;
    const dbmbuild_opts *o;
    int entries, dups;
} dbmbuild_state;

/* usage - wrong arguments */
static int usage(void)
{
    fprintf(stderr, "usage: tern_dbmbuild [-nolc] [-nozero] [-noduperr] [-lastdup] [-nowarn] "
                    "<source file> <dbm base name>\n");
    return 1;
}

/* parse_args - options then exactly two file names */
static bool parse_args(int argc, char **argv, dbmbuild_opts *o)
{
    *o = (dbmbuild_opts){.lowercase = true, .zero = true, .duperr = true, .warn = true};
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "-nolc") == 0) o->lowercase = false;
        else if (strcmp(argv[i], "-nozero") == 0) o->zero = false;
        else if (strcmp(argv[i], "-noduperr") == 0 || strcmp(argv[i], "-noduplicates") == 0) o->duperr = false;
        else if (strcmp(argv[i], "-lastdup") == 0) o->lastdup = true;
        else if (strcmp(argv[i], "-nowarn") == 0) o->warn = false;
        else return false;
    }
    if (argc - i != 2) return false;
    o->in = argv[i];
    o->out = argv[i + 1];
    return true;
}

/* put_entry - write one key/data pair, handling duplicates */
static bool put_entry(dbmbuild_state *st, char *key, gstring *data)
{
    const dbmbuild_opts *o = st->o;
    if (o->lowercase)
        for (char *p = key; *p; p++) *p = (char)tolower((unsigned char)*p);
    size_t dlen = data ? data->len : 0;
    while (dlen && isspace((unsigned char)data->s[dlen - 1])) dlen--;
    char *dv = string_copyn(data ? data->s : "", dlen);
    DBT k = {.data = key, .size = (u_int32_t)(strlen(key) + (o->zero ? 1 : 0))};
    DBT d = {.data = dv, .size = (u_int32_t)(dlen + (o->zero ? 1 : 0))};
    int rc = st->db->put(st->db, NULL, &k, &d, DB_NOOVERWRITE);
    if (rc == DB_KEYEXIST) {
        st->dups++;
        if (o->warn) fprintf(stderr, "** Duplicate key \"%s\"\n", key);
        rc = o->lastdup ? st->db->put(st->db, NULL, &k, &d, 0) : 0;
    } else if (rc == 0) st->entries++;
    if (rc != 0) fprintf(stderr, "tern_dbmbuild: write failed: %s\n", db_strerror(rc));
    return rc == 0;
}

/* build - read the source and write every entry */
static bool build(FILE *in, dbmbuild_state *st)
{
    char *buf = NULL, *key = NULL;
    size_t cap = 0;
    ssize_t n;
    gstring *data = NULL;
    bool ok = true;
    while (ok && (n = getline(&buf, &cap, in)) >= 0) {
        if (n > LIMIT_DBMBUILD_LINE) { fprintf(stderr, "tern_dbmbuild: line too long\n"); ok = false; break; }
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
        if (!*buf || *buf == '#') continue;
        if (isspace((unsigned char)*buf)) {
            char *t = string_trim(buf);
            if (!key || !*t) continue;
            while (data->len && isspace((unsigned char)data->s[data->len - 1])) data->len--;
            if (data->len) data = string_catc(data, ' ');
            data = string_cat(data, t);
            continue;
        }
        if (key) ok = put_entry(st, key, data);
        const char *rest;
        key = lsearch_parse_key(buf, &rest);
        data = string_get(64);
        data = string_cat(data, rest);
    }
    if (ok && key) ok = put_entry(st, key, data);
    free(buf);
    return ok;
}

int main(int argc, char **argv)
{
    dbmbuild_opts o;
    store_set_pool(POOL_MAIN);
    if (!parse_args(argc, argv, &o)) return usage();
    FILE *in = strcmp(o.in, "-") == 0 ? stdin : fopen(o.in, "r");
    if (!in) {
        fprintf(stderr, "tern_dbmbuild: unable to open %s: %s\n", o.in, strerror(errno));
        return 1;
    }
    char *tmp = string_sprintf("%s.dbmbuild_temp", o.out);
    dbmbuild_state st = {.o = &o};
    int rc = db_create(&st.db, NULL, 0);
    if (rc == 0) rc = st.db->open(st.db, NULL, tmp, NULL, DB_HASH, DB_CREATE | DB_TRUNCATE, 0666);
    if (rc != 0) {
        fprintf(stderr, "tern_dbmbuild: unable to create %s: %s\n", tmp, rc > 0 ? strerror(rc) : db_strerror(rc));
        return 1;
    }
    bool ok = build(in, &st);
    if (in != stdin) fclose(in);
    if (st.db->close(st.db, 0) != 0) ok = false;
    if (!ok || rename(tmp, o.out) != 0) {
        if (ok) fprintf(stderr, "tern_dbmbuild: unable to rename %s as %s: %s\n", tmp, o.out, strerror(errno));
        unlink(tmp);
        return 1;
    }
    printf("%d entr%s written\n", st.entries, st.entries == 1 ? "y" : "ies");
    if (st.dups) printf("%d duplicate key%s \n", st.dups, st.dups == 1 ? "" : "s");
    return st.dups && o.duperr ? 1 : 0;
}
