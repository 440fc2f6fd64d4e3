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
    char *hdata;      /* the -H file as read, for the local delivery agents */
    size_t hlen;
    int dfd, jfd;
    bool give_up, forced, freeze, any_delivered;
    bool cancel;      /* frozen past timeout_frozen_after: fail every address untried */
    bool ignore_bounce_errors; /* a bounce past ignore_bounce_errors_after: failures are dropped */
    spool_header h;
    address_item *todo, *local, *remote, *deferred, *failed, *discarded;
    address_item *routed; /* carries the R: records routing successes remove */
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

/* ---- retry hints for routing and local deliveries (deliver_retry.c) ---- */
/* deliver_retry_route_skip - an unforced queue run leaves a alone (DEFER,
 * "retry time not reached") if its R: record's retry time is to come */
bool deliver_retry_route_skip(const dctx *d, address_item *a);
/* deliver_retry_route_defer - hang the R: item on a router's deferral */
void deliver_retry_route_defer(address_item *a);
/* deliver_retry_route_ok - a routed: its R: records go at the end */
void deliver_retry_route_ok(dctx *d, const address_item *a);
/* deliver_retry_local_skip - the same for a local delivery's T: record */
bool deliver_retry_local_skip(const dctx *d, address_item *a);
/* deliver_retry_local_results - record a local transport's deferrals
 * and remove the records of its successes */
void deliver_retry_local_results(address_item *group);
/* deliver_retry_finish - write the routing records; take off d->deferred
 * (and return, as FAIL) the addresses past their retry rules' cutoff */
address_item *deliver_retry_finish(dctx *d);

/* deliver_set_message - msg and dlv for the message h describes, whose
 * -D file is open on dfd with the body at offset (deliver.c; also used
 * by the local delivery agents) */
void deliver_set_message(spool_header *h, int dfd, long offset);

/* deliver_restore_context - the reception values (client, protocol,
 * counts, ACL variables) from h, for the expansion variables
 * (deliver_context.c); deliver_forget_context - drop what points into
 * the message's memory once it is done */
void deliver_restore_context(const spool_header *h);
void deliver_forget_context(void);

/* In the local delivery agent (deliver_local.c): */
/* deliver_local_become - give up root for good: a's group, supplementary
 * groups (initgroups or none), user */
bool deliver_local_become(const address_item *a);
/* deliver_local_run - run chain's transports batch by batch, sending
 * each address's result on wfd in a frame as its batch ends */
void deliver_local_run(address_item *chain, int wfd);
/* In the delivery process: */
/* deliver_local_results - fill in chain's addresses from the agent's
 * results; spool the messages a transport generated before the result
 * counts */
void deliver_local_results(address_item *chain, char *buf, size_t len);
/* deliver_local_unreported - defer the addresses the agent gave no
 * result for; status is the ended agent's wait status (0 if alive) */
void deliver_local_unreported(address_item *chain, int status);

/* deliver_shadow_run - the shadow transport of batch's transport for the
 * addresses it delivered; sets their shadow_message (deliver_shadow.c) */
void deliver_shadow_run(address_item *batch);

#endif
