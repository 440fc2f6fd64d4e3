/* deliver_int.h - the state of one delivery attempt, shared by the
 * deliver*.c files and nothing else. */
#ifndef TERN_DELIVER_INT_H
#define TERN_DELIVER_INT_H

#include "tern.h"
#include "address.h"
#include "spool.h"

#define DELIVER_SET_BUCKETS 1024

typedef struct dset_node {
    struct dset_node *next;
    char *key;
} dset_node;

typedef struct dctx {
    char *id, *dir, *dpath, *hpath, *jpath;
    int dfd, jfd;
    bool give_up, forced, freeze, any_delivered;
    bool cancel;      /* frozen past timeout_frozen_after: fail every address untried */
    bool ignore_bounce_errors; /* a bounce past ignore_bounce_errors_after: failures are dropped */
    spool_header h;
    address_item *todo, *local, *remote, *deferred, *failed, *discarded;
    dset_node *done[DELIVER_SET_BUCKETS];   /* delivered or failed: never again */
    dset_node *queued[DELIVER_SET_BUCKETS]; /* queued for a transport in this attempt */
} dctx;

void deliver_done_add(dctx *d, const char *unique);
bool deliver_done_has(const dctx *d, const char *unique);
void deliver_queued_add(dctx *d, const char *unique);
bool deliver_queued_has(const dctx *d, const char *unique);
void deliver_reverse(address_item **list);
/* deliver_take_group - the first address and every later one with the
 * same uid and gid (one child process runs them all) */
address_item *deliver_take_group(address_item **list);
/* deliver_take_remote_group - same transport and domain (one connection) */
address_item *deliver_take_remote_group(address_item **list);
/* deliver_frozen_check - false if the message is frozen and stays so:
 * not forced, auto_thaw not due, timeout_frozen_after not passed (then
 * d->cancel is set) */
bool deliver_frozen_check(dctx *d, bool forced);
/* deliver_finish - log deferrals and failures, bounce, then rewrite -H
 * or remove the spool files and log Completed */
void deliver_finish(dctx *d);

/* deliver_shadow_run - the shadow transport of batch's transport for the
 * addresses it delivered; sets their shadow_message (deliver_shadow.c) */
void deliver_shadow_run(address_item *batch);

#endif
