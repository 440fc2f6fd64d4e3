/* smtp_wait.c - the wait-<transport> hints database: which queued
 * messages are waiting for a host (written when a delivery to the host
 * was deferred), so that after a successful delivery to that host the
 * transport can carry on with them down the same connection (Exim's
 * continued delivery, done here in the same process).
 *
 * A record is keyed by host name and holds "<stamp>\n<id> <id> ...", at
 * most LIMIT_WAIT_IDS ids, oldest dropped first. Records are hints: a
 * missing database or record only means nothing is carried on. Runs in
 * the delivery process as the exim user. */

/* System */
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "smtp_int.h" /* first: settles AFL_FILE (see there) */
#include "../globals.h"
#include "../hintsdb.h"
#include "../log.h"
#include "../spool.h"

static char *db_name(const transport_instance *t)
{
    return string_sprintf("wait-%s", t->drinst.name);
}

/* ids_of - the ids in a record (NULL-terminated, at most LIMIT_WAIT_IDS) */
static char **ids_of(const void *data, size_t len, int *n)
{
    char **ids = store_get_zero(sizeof *ids * (LIMIT_WAIT_IDS + 1), GET_UNTAINTED);
    const char *p = memchr(data, '\n', len);
    const char *end = (const char *)data + len;
    *n = 0;
    for (p = p ? p + 1 : end; p + MESSAGE_ID_LENGTH <= end && *n < LIMIT_WAIT_IDS; p += MESSAGE_ID_LENGTH + 1) {
        char *id = string_copyn(p, MESSAGE_ID_LENGTH);
        if (spool_message_id_valid(id)) ids[(*n)++] = id;
    }
    return ids;
}

static void put_ids(hintsdb *db, const char *key, char **ids, int n)
{
    if (!n) { (void)hintsdb_delete(db, key); return; }
    gstring *g = string_fmt_append(NULL, "%ld\n", (long)time(NULL));
    for (int i = 0; i < n; i++) g = string_fmt_append(g, "%s%s", i ? " " : "", ids[i]);
    (void)hintsdb_put(db, key, g->s, g->len);
}

/* add_id - id added to the record of host (once) */
static void add_id(hintsdb *db, const char *host, const char *id)
{
    void *data;
    size_t len;
    int n = 0;
    char **ids = hintsdb_get(db, host, &data, &len) == OK ? ids_of(data, len, &n)
                                                           : store_get_zero(sizeof(char *) * (LIMIT_WAIT_IDS + 1), GET_UNTAINTED);
    for (int i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0) return;
    if (n == LIMIT_WAIT_IDS) { memmove(ids, ids + 1, sizeof *ids * (size_t)(n - 1)); n--; }
    ids[n++] = (char *)id;
    put_ids(db, host, ids, n);
}

void smtp_wait_update(const smtp_ctx *x, const host_item *hosts)
{
    if (!msg.id && !(x->spool && x->spool->id[0])) return;
    const char *id = x->spool ? x->spool->id : msg.id;
    char *err;
    hintsdb *db = hintsdb_open(NULL, db_name(x->t), false, &err);
    if (!db) { DEBUG(D_transport) debug_printf("wait database: %s\n", err); return; }
    for (const host_item *h = hosts; h; h = h->next) {
        bool seen = false; /* one record per host name */
        for (const host_item *p = hosts; p != h; p = p->next) seen |= strcmp(p->name, h->name) == 0;
        if (!seen && !h->fallback) add_id(db, h->name, id);
    }
    hintsdb_close(db);
}

char **smtp_wait_take(const transport_instance *t, const char *host, const char *current, int max)
{
    char *err;
    hintsdb *db = hintsdb_open(NULL, db_name(t), false, &err);
    if (!db) return NULL;
    void *data;
    size_t len;
    int n = 0, taken = 0;
    char **ids = hintsdb_get(db, host, &data, &len) == OK ? ids_of(data, len, &n) : NULL;
    char **out = store_get_zero(sizeof *out * (size_t)(max + 1), GET_UNTAINTED);
    int keep = 0;
    for (int i = 0; i < n; i++) {
        if (current && strcmp(ids[i], current) == 0) continue;
        if (taken < max) out[taken++] = ids[i];
        else ids[keep++] = ids[i];
    }
    if (ids) put_ids(db, host, ids, keep);
    hintsdb_close(db);
    return taken ? out : NULL;
}
