/* deliver_spool.c - the end of a delivery attempt: deferral and failure
 * lines, bounces and retry records, then either the -H file rewritten
 * with the finished addresses as non-recipients (and -J removed) or, when
 * nothing is left, the spool files removed and "Completed" logged.
 *
 * Runs in the delivery process. The order matters for crash safety:
 * -H is rewritten (fsync'ed) before -J goes, so a finished address is
 * always recorded in one of them. */

/* System */
#include <sys/time.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "deliver_int.h"
#include "globals.h"
#include "log.h"
#include "moan.h"
#include "msglog.h"
#include "retry.h"

/* bounce_errors_ignored - a bounce older than ignore_bounce_errors_after
 * (at once when it is 0): its failures are dropped, not frozen */
static bool bounce_errors_ignored(const spool_header *h, long now)
{
    return !*h->sender && (cfg.ignore_bounce_errors_after == 0 || now - h->received_time > cfg.ignore_bounce_errors_after);
}

bool deliver_frozen_check(dctx *d, bool forced)
{
    long now = (long)time(NULL);
    d->ignore_bounce_errors = bounce_errors_ignored(&d->h, now);
    if (!d->h.frozen_at) return true;
    const char *why = forced ? "Unfrozen by forced delivery"
        : *d->h.sender && retry_auto_thaw_due(d->h.frozen_at, now) ? "Unfrozen by auto-thaw"
        : retry_ignore_bounce(d->h.sender, d->h.received_time, d->h.frozen_at, now) ? "Unfrozen by errmsg timer"
        : NULL;
    if (!why && retry_frozen_timeout(d->h.received_time, d->h.frozen_at, now)) {
        why = "cancelled by timeout_frozen_after";
        d->cancel = true;
    }
    if (!why) return false;
    d->h.frozen_at = 0;
    log_write(L_always, LOG_MAIN, "%s", why);
    return true;
}

/* warn_delay - a delay warning when delay_warning says one is due */
static void warn_delay(dctx *d)
{
    if (!d->deferred || !moan_warning_due(&d->h, (long)time(NULL))) return;
    moan_send_warning(&d->h, d->deferred);
    d->h.warning_count++;
}

/* bounce - failed addresses go back to the sender (never for a bounce:
 * a failing bounce is frozen, as Exim does) */
static void bounce(dctx *d)
{
    address_item *list = NULL;
    for (address_item *n, *a = d->failed; a; a = n) {
        n = a->next;
        if ((a->flags & AFL_IGNORE_ERROR) || d->ignore_bounce_errors) {
            log_write(L_always, LOG_MAIN, "%s: error ignored", a->address);
            continue;
        }
        address_item *c = store_get(sizeof *c, GET_UNTAINTED);
        *c = *a;
        c->next = list;
        list = c;
    }
    if (!list) return;
    if (moan_bounce_freezes(&d->h)) {
        d->freeze = true;
        log_write(L_always, LOG_MAIN, "Frozen (delivery error message)");
        if (!d->h.frozen_at) d->h.frozen_at = time(NULL); /* logged: no plain "Frozen" too */
        return;
    }
    moan_send_bounce(&d->h, list);
}

/* add_nonrecipients - everything done goes into the -H tree */
static void add_nonrecipients(dctx *d)
{
    int n = 0;
    for (int b = 0; b < DELIVER_SET_BUCKETS; b++)
        for (dset_node *x = d->done[b]; x; x = x->next) n++;
    char **all = store_get(sizeof(char *) * (size_t)(n + d->h.nonrecipients_count + 1), GET_UNTAINTED);
    int k = 0;
    for (int b = 0; b < DELIVER_SET_BUCKETS; b++)
        for (dset_node *x = d->done[b]; x; x = x->next) all[k++] = x->key;
    d->h.nonrecipients = all;
    d->h.nonrecipients_count = k;
}

/* one_time_top - the top-level address above a, when a one_time
 * redirect router made a or one of its ancestors; else NULL */
static const address_item *one_time_top(const address_item *a)
{
    bool one_time = false;
    for (; a->parent; a = a->parent) one_time |= (a->flags & AFL_ONE_TIME) != 0;
    return one_time && a->parent_index >= 0 ? a : NULL;
}

static bool is_recipient(const dctx *d, const char *address)
{
    for (int i = 0; i < d->h.recipients_count; i++)
        if (strcasecmp(d->h.recipients[i].address, address) == 0) return true;
    return false;
}

/* promote_one_time - deferred addresses from a one_time redirection
 * become recipients of their own (remembering the top-level address as
 * their parent number, for the log) and that top-level address is done,
 * so the redirection is not made again (manual: one_time) */
static void promote_one_time(dctx *d)
{
    for (const address_item *a = d->deferred; a; a = a->next) {
        const address_item *top = one_time_top(a);
        if (!top) continue;
        deliver_done_add(d, top->unique);
        if (is_recipient(d, a->address)) continue;
        DEBUG(D_deliver) debug_printf("one_time: adding %s in place of %s\n", a->address, top->address);
        int n = d->h.recipients_count;
        recipient_item *r = store_get(sizeof *r * (size_t)(n + 1), GET_UNTAINTED);
        memcpy(r, d->h.recipients, sizeof *r * (size_t)n);
        r[n] = (recipient_item){.address = a->address, .errors_to = a->errors_address, .pno = top->parent_index};
        d->h.recipients = r;
        d->h.recipients_count = n + 1;
    }
}

/* rewrite_header - keep the message with its progress recorded */
static void rewrite_header(dctx *d)
{
    promote_one_time(d);
    add_nonrecipients(d);
    d->h.deliver_firsttime = false;
    if (d->freeze && !d->h.frozen_at) d->h.frozen_at = time(NULL);
    gstring *g = spool_format_header(&d->h);
    const char *err;
    if (spool_write_file(d->dir, string_sprintf("%s-H", d->id), g->s, g->len, &err) != OK) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to update %s-H: %s", d->id, err);
        return; /* keep -J: it still holds the progress */
    }
    unlink(d->jpath);
}

/* all_done - no address is left to try */
static bool all_done(const dctx *d)
{
    return !d->deferred && !d->freeze;
}

static void completed(dctx *d)
{
    /* -D first: an -H left without it (a crash here) is tidied by the next
     * attempt (deliver.c open_and_lock) instead of a stray -D nobody owns */
    unlink(d->dpath);
    unlink(d->hpath);
    unlink(d->jpath);
    msglog_finish(d->id);
    if (!log_selected(L_queue_time_overall)) {
        log_write(L_always, LOG_MAIN, "Completed");
        return;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long us = (tv.tv_sec - d->h.received_time) * 1000000L + (tv.tv_usec - d->h.received_usec);
    log_write(L_always, LOG_MAIN, "Completed QT=%s", deliver_time_string(us < 0 ? 0 : us));
}

void deliver_finish(dctx *d)
{
    warn_delay(d);
    bounce(d);
    /* newly frozen by a transport or router (freeze_exec_fail, self = freeze) */
    if (d->freeze && !d->h.frozen_at) log_write(L_always, LOG_MAIN, "Frozen");
    if (all_done(d)) completed(d);
    else rewrite_header(d);
}
