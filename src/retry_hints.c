/* retry_hints.c - the "retry" hints database: records, next-try times,
 * and the update after a delivery (retry_update).
 *
 * Runs in the delivery process as the exim user. Keys are Exim's:
 * "T:host:ip[:port]" for a host, "R:domain" for routing, "R:lp@domain"
 * or "R:lp@domain:<sender>" for an address. A record keeps the time of
 * the first failure, the last try, the next try, the error and whether
 * the rule's cutoff has passed. Records are hints: a missing or
 * unreadable database means "try now", never a lost message. A
 * delivery that succeeds at the first try does not write the database:
 * it only reads it (and only when the file exists). */

/* System */
#include <sys/stat.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "address.h"
#include "globals.h"
#include "hintsdb.h"
#include "log.h"
#include "retry.h"
#include "spool.h"

#define RETRY_DB "retry"
#define RETRY_INTERVAL_CAP (24 * 3600) /* retry_interval_max may not exceed it */

/* ---- record encoding: "first last next errno more expired\ntext" ---- */

static gstring *record_encode(const retry_record *r)
{
    gstring *g = string_get(64);
    g = string_fmt_append(g, "%ld %ld %ld %d %d %d\n", r->first_failed, r->last_try, r->next_try,
                          r->basic_errno, r->more_errno, r->expired ? 1 : 0);
    const char *t = r->text ? r->text : "";
    return string_catn(g, t, strnlen(t, LIMIT_RETRY_TEXT));
}

bool retry_record_decode(const void *data, size_t len, retry_record *rec)
{
    char *s = string_copyn(data, len);
    char *nl = strchr(s, '\n');
    if (!nl) return false;
    *nl = 0;
    int expired = 0;
    memset(rec, 0, sizeof *rec);
    if (sscanf(s, "%ld %ld %ld %d %d %d", &rec->first_failed, &rec->last_try, &rec->next_try,
               &rec->basic_errno, &rec->more_errno, &expired) != 6)
        return false;
    rec->expired = expired != 0;
    rec->text = nl + 1;
    return true;
}

static bool db_exists(void)
{
    struct stat st;
    return stat(string_sprintf("%s/db/%s", cfg.spool_directory ? cfg.spool_directory : ".", RETRY_DB),
                &st) == 0;
}

/* get_record - from an open database; ignores data past retry_data_expire */
static int get_record(hintsdb *db, const char *key, retry_record *rec, long now)
{
    void *data;
    size_t len;
    if (hintsdb_get(db, key, &data, &len) != OK) return FAIL;
    if (!retry_record_decode(data, len, rec)) return FAIL;
    if (cfg.retry_data_expire > 0 && now - rec->last_try > cfg.retry_data_expire) return FAIL;
    return OK;
}

int retry_read(const char *key, retry_record *rec)
{
    if (!db_exists()) return FAIL;
    char *err;
    hintsdb *db = hintsdb_open(NULL, RETRY_DB, true, &err);
    if (!db) { DEBUG(D_retry) debug_printf("retry: %s\n", err); return DEFER; }
    int rc = get_record(db, key, rec, (long)time(NULL));
    hintsdb_close(db);
    return rc;
}

bool retry_host_usable(const char *key, long now, bool *expired)
{
    retry_record rec;
    *expired = false;
    if (retry_read(key, &rec) != OK) return true;
    *expired = rec.expired;
    DEBUG(D_retry) debug_printf("retry: %s next try %ld (now %ld)%s\n", key, rec.next_try, now,
                                rec.expired ? " expired" : "");
    return now >= rec.next_try;
}

/* ---- next try ---- */

/* interval_for - the gap after a failure under parameter set p */
static long interval_for(const retry_param *p, long prev)
{
    if (p->rule == 'F') return p->p1;
    long grown = prev < p->p1 ? p->p1 : (long)((double)prev * p->p2 / 1000.0);
    if (p->rule == 'G' || grown <= p->p1) return grown;
    return p->p1 + random() % (grown - p->p1 + 1); /* H: between the minimum and the grown gap */
}

void retry_next_try(const retry_rule *r, const retry_record *old, long now, long first_failed,
                    retry_record *out)
{
    memset(out, 0, sizeof *out);
    out->first_failed = first_failed;
    out->last_try = now;
    out->next_try = now;
    out->expired = true;
    if (!r || !r->params) return; /* no rule or no parameters: give up at once */
    const retry_param *p = r->params, *last = p;
    for (; p; p = p->next) {
        last = p;
        if (now - first_failed < p->timeout) break;
    }
    out->expired = p == NULL;
    long prev = old ? old->next_try - old->last_try : 0;
    long gap = interval_for(p ? p : last, prev);
    long max = cfg.retry_interval_max > 0 && cfg.retry_interval_max < RETRY_INTERVAL_CAP
                   ? cfg.retry_interval_max : RETRY_INTERVAL_CAP;
    if (gap > max) gap = max;
    out->next_try = now + gap;
}

int retry_rule_cutoff(const retry_rule *r)
{
    int cutoff = 0;
    for (const retry_param *p = r ? r->params : NULL; p; p = p->next) cutoff = p->timeout;
    return cutoff;
}

/* ---- retry items and the update ---- */

retry_item *retry_add_item(address_item *addr, const char *key, int flags)
{
    retry_item *ri = store_get_zero(sizeof *ri, GET_UNTAINTED);
    ri->key = string_copy(key);
    ri->flags = flags;
    retry_item **tail = &addr->retries;
    while (*tail) tail = &(*tail)->next;
    *tail = ri;
    return ri;
}

/* rule_for - the rule for an item on addr (host name then domain for
 * host keys; the whole address for address keys; the domain for R:domain) */
static const retry_rule *rule_for(const address_item *a, const retry_item *ri)
{
    const char *sender = msg.sender_address ? msg.sender_address
                       : msg.spool ? msg.spool->sender : dlv.spool_hdr ? dlv.spool_hdr->sender : NULL;
    if (ri->flags & RETRY_HOST)
        return retry_find_rule(ri->host_name, a->domain, ri->basic_errno, ri->more_errno, sender);
    bool whole = strchr(ri->key, '@') != NULL;
    return retry_find_rule(whole ? a->address : a->domain, NULL, ri->basic_errno, ri->more_errno, sender);
}

/* first_for_cutoff - when a failure began, for the cutoff: for local
 * and routing failures (RETRY_LATE) the message's age counts if it is
 * older than the record, though the record keeps its own first failure */
static long first_for_cutoff(const retry_item *ri, long first, long received)
{
    return (ri->flags & (RETRY_MESSAGE | RETRY_LATE)) && received < first ? received : first;
}

/* set_one - write the record for a failure; sets ri->expired */
static void set_one(hintsdb *db, const address_item *a, retry_item *ri, long now)
{
    retry_record old, rec;
    bool have_old = get_record(db, ri->key, &old, now) == OK;
    long first = have_old ? old.first_failed : now;
    long received = msg.spool ? msg.spool->received_time : dlv.spool_hdr ? dlv.spool_hdr->received_time : now;
    if (!(ri->flags & RETRY_LATE)) first = first_for_cutoff(ri, first, received);
    const retry_rule *r = rule_for(a, ri);
    retry_next_try(r, have_old ? &old : NULL, now, first_for_cutoff(ri, first, received), &rec);
    rec.first_failed = first;
    rec.basic_errno = ri->basic_errno;
    rec.more_errno = ri->more_errno;
    rec.text = ri->message;
    ri->expired = rec.expired;
    DEBUG(D_retry) debug_printf("retry: %s rule %s next %ld%s\n", ri->key, r ? r->pattern : "(none)",
                                rec.next_try, rec.expired ? " expired" : "");
    if (!r && (ri->flags & RETRY_LATE)) { (void)hintsdb_delete(db, ri->key); return; }
    gstring *g = record_encode(&rec);
    if (hintsdb_put(db, ri->key, g->s, g->len) != OK)
        log_write(L_always, LOG_MAIN, "retry database update failed for %s", ri->key);
}

/* needs_write - any failure to record, or a success whose record exists */
static bool needs_write(address_item *list)
{
    bool deletes = false;
    for (address_item *a = list; a; a = a->next)
        for (retry_item *ri = a->retries; ri; ri = ri->next) {
            if (ri->flags & RETRY_DONE) continue;
            if (ri->flags & RETRY_SET) return true;
            deletes = true;
        }
    if (!deletes || !db_exists()) return false;
    char *err;
    hintsdb *db = hintsdb_open(NULL, RETRY_DB, true, &err);
    if (!db) return false;
    bool found = false;
    for (address_item *a = list; a && !found; a = a->next)
        for (retry_item *ri = a->retries; ri && !found; ri = ri->next) {
            if (ri->flags & RETRY_DONE) continue;
            void *d;
            size_t n;
            found = hintsdb_get(db, ri->key, &d, &n) == OK;
        }
    hintsdb_close(db);
    return found;
}

bool retry_timed_out(const address_item *a)
{
    bool any = false;
    for (const retry_item *ri = a->retries; ri; ri = ri->next) {
        if (!(ri->flags & RETRY_SET)) continue;
        if (!ri->expired) return false;
        any = true;
    }
    return any;
}

/* time_out - a deferred address whose failures have all passed their
 * cutoff (or have no rule) fails now */
static void time_out(address_item *a)
{
    for (retry_item *ri = a->retries; ri; ri = ri->next)
        if (ri->flags & RETRY_LATE) return; /* the caller's, after logging the deferral */
    if (!retry_timed_out(a) || a->transport_return != DEFER) return;
    a->transport_return = FAIL;
    a->message = a->message ? string_sprintf("%s: retry timeout exceeded", a->message)
                            : "retry timeout exceeded";
    a->user_message = a->message;
    a->basic_errno = ERRNO_RETRY_TIMEOUT;
}

void retry_update(address_item *addr_list)
{
    if (!needs_write(addr_list)) return;
    char *err;
    hintsdb *db = hintsdb_open(NULL, RETRY_DB, false, &err);
    if (!db) { log_write(L_always, LOG_MAIN, "retry database not updated: %s", err); return; }
    long now = (long)time(NULL);
    for (address_item *a = addr_list; a; a = a->next) {
        for (retry_item *ri = a->retries; ri; ri = ri->next) {
            if (ri->flags & RETRY_DONE) continue;
            if (ri->flags & RETRY_FINAL) ri->expired = true; /* no new retry time */
            else if (ri->flags & RETRY_SET) set_one(db, a, ri, now);
            else (void)hintsdb_delete(db, ri->key); /* FAIL: nothing was there */
            ri->flags |= RETRY_DONE;
        }
        time_out(a);
    }
    hintsdb_close(db);
}

/* ---- tern_dumpdb output ---- */

static char *dump_time(long t, bool utc)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (utc) gmtime_r(&tt, &tm);
    else localtime_r(&tt, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%d-%b-%Y %H:%M:%S", &tm);
    return string_copy(buf);
}

char *retry_dump_record(const char *key, const void *data, size_t len, bool utc)
{
    retry_record r;
    if (!retry_record_decode(data, len, &r)) return string_sprintf("  %s (malformed record)\n", key);
    return string_sprintf("  %s %d %d %s\n%s  %s  %s %s\n", key, r.basic_errno, r.more_errno,
                          string_printing(r.text), dump_time(r.first_failed, utc),
                          dump_time(r.last_try, utc), dump_time(r.next_try, utc), r.expired ? "*" : "");
}

/* ---- message age (queue runner) ---- */

bool retry_ignore_bounce(const char *sender, long received_time, long frozen_at, long now)
{
    return sender && !*sender && frozen_at && cfg.ignore_bounce_errors_after > 0
           && now - received_time > cfg.ignore_bounce_errors_after;
}

bool retry_frozen_timeout(long received_time, long frozen_at, long now)
{
    return frozen_at && cfg.timeout_frozen_after > 0 && now - received_time > cfg.timeout_frozen_after;
}

bool retry_auto_thaw_due(long frozen_at, long now)
{
    return frozen_at && cfg.auto_thaw > 0 && now - frozen_at >= cfg.auto_thaw;
}
