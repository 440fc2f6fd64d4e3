/* deliver.c - the delivery process for one message: lock and read the
 * spool, replay the -J journal of a crashed attempt, route every
 * undelivered recipient, run the transports (local ones in a child with
 * the user's identity), journal each final result before logging it,
 * then rewrite -H or remove the spool files.
 *
 * Runs as root or the Exim user; never runs a transport as root. The
 * journal is what makes a crash safe: an address written to -J is never
 * delivered again; one not yet written may be delivered again (at least
 * once, never lost). See journal() for why -J needs no fsync. */

/* System */
#include <pwd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "deliver_int.h"
#include "globals.h"
#include "header.h"
#include "log.h"
#include "lookups.h"
#include "match.h"
#include "moan.h"
#include "queue.h"
#include "retry.h"
#include "transports/smtp.h"
#include "route.h"
#include "spool.h"
#include "transport.h"

/* ---- the spool files ---- */

static char *input_dir(const char *id)
{
    const char *spool = cfg.spool_directory ? cfg.spool_directory : SPOOL_DIRECTORY;
    if (cfg.split_spool_directory) return string_sprintf("%s/input/%c", spool, id[5]);
    return string_sprintf("%s/input", spool);
}

/* open_and_lock - the -D file, write-locked (as Exim: the lock on -D
 * is what says "a process is delivering this message") */
static int open_and_lock(dctx *d)
{
    d->dpath = string_sprintf("%s/%s-D", d->dir, d->id);
    d->dfd = open(d->dpath, O_RDWR | O_CLOEXEC);
    msg.id = d->id; /* the log lines below carry the id, as Exim's do */
    if (d->dfd < 0) {
        log_write(L_always, LOG_MAIN, "Spool file %s-D not found", d->id);
        /* completed() removes -D first and reception writes it first, so an
         * -H without its -D is what a crash in completed() leaves */
        if (errno == ENOENT) {
            unlink(string_sprintf("%s/%s-H", d->dir, d->id));
            unlink(string_sprintf("%s/%s-J", d->dir, d->id));
        }
        return FAIL;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = MESSAGE_ID_LENGTH + 3};
    if (fcntl(d->dfd, F_SETLK, &fl) != 0) {
        /* in a queue run only with +skip_delivery, as Exim */
        log_write(queue_running() ? L_skip_delivery : L_always, LOG_MAIN,
                  "Spool file for %s is locked (another process is handling this message)", d->id);
        close(d->dfd);
        d->dfd = -1;
        return DEFER;
    }
    dlv.data_fd = d->dfd;
    dlv.data_offset = MESSAGE_ID_LENGTH + 3; /* "<id>-D\n" */
    return OK;
}

void deliver_set_message(spool_header *h, int dfd, long offset)
{
    dlv.spool_hdr = h;
    dlv.data_fd = dfd;
    dlv.data_offset = offset;
    msg.id = h->id;
    msg.sender_address = h->sender;
    msg.return_path = h->sender;
    msg.headers = h->headers;
    struct stat st; /* $message_size: header, blank line and body, as at reception */
    off_t body = dfd >= 0 && fstat(dfd, &st) == 0 ? st.st_size - (off_t)offset : 0;
    msg.size = (long long)header_size(h->headers) + 1 + (body > 0 ? body : 0);
    deliver_restore_context(h);
}

static int read_header(dctx *d)
{
    size_t len;
    const char *err;
    d->hpath = string_sprintf("%s/%s-H", d->dir, d->id);
    char *data = spool_read_file(d->hpath, &len, 0, &err);
    if (!data || (err = spool_parse_header(data, len, &d->h)) != NULL) {
        log_write(L_always, LOG_MAIN, "Spool error for %s-H: %s", d->id, err);
        return FAIL;
    }
    d->hdata = data;
    d->hlen = len;
    deliver_set_message(&d->h, d->dfd, dlv.data_offset);
    for (int i = 0; i < d->h.nonrecipients_count; i++) deliver_done_add(d, d->h.nonrecipients[i]);
    return OK;
}

/* read_journal - addresses a crashed attempt finished: never again */
static void read_journal(dctx *d)
{
    d->jpath = string_sprintf("%s/%s-J", d->dir, d->id);
    size_t len;
    const char *err;
    char *data = spool_read_file(d->jpath, &len, LIMIT_REDIRECT_DATA, &err);
    if (!data) return;
    for (char *p = data, *nl; *p; p = nl + 1) {
        if (!(nl = strchr(p, '\n'))) break; /* a torn last line: not recorded */
        *nl = 0;
        if (*p) deliver_done_add(d, p);
    }
    DEBUG(D_deliver) debug_printf("journal %s read\n", d->jpath);
}

/* ---- building and routing the addresses ---- */

static void build_addresses(dctx *d)
{
    for (int i = d->h.recipients_count - 1; i >= 0; i--) {
        recipient_item *r = &d->h.recipients[i];
        address_item *a = route_new_address(r->address, 0);
        if (deliver_done_has(d, a->unique)) continue;
        a->parent_index = i;
        if (r->pno >= 0 && r->pno < d->h.recipients_count) { /* one_time: logged with its old parent */
            a->parent = route_new_address(d->h.recipients[r->pno].address, 0);
            a->parent->parent_index = r->pno;
        }
        a->dsn_flags = r->dsn_flags;
        a->dsn_orcpt = r->orcpt;
        if (r->errors_to) a->errors_address = r->errors_to;
        a->next = d->todo;
        d->todo = a;
    }
}

/* add_to - push a on a list */
static void add_to(address_item **list, address_item *a)
{
    a->next = *list;
    *list = a;
}

/* route_one - route one address, placing it on the right list */
static void route_one(dctx *d, address_item *a)
{
    address_item *local = NULL, *remote = NULL, *children = NULL, *succeed = NULL;
    router_lists lists = {.local = &local, .remote = &remote, .new = &children, .succeed = &succeed};
    if (deliver_retry_route_skip(d, a)) { add_to(&d->deferred, a); return; }
    int rc = route_address(a, &lists, V_NONE);
    if (rc == DISCARD) {
        a->transport_return = OK;
        if (!deliver_queued_has(d, a->unique)) deliver_log_discard(a); /* once per address, as Exim */
        deliver_queued_add(d, a->unique);
        add_to(&d->discarded, a);
        return;
    }
    if (rc != OK) {
        a->transport_return = rc == FAIL ? FAIL : DEFER;
        if (rc != FAIL) deliver_retry_route_defer(a);
        add_to(rc == FAIL ? &d->failed : &d->deferred, a);
        return;
    }
    if (a->special_action == 'F') d->freeze = true;
    deliver_retry_route_ok(d, a);
    for (address_item *n, *c = children; c; c = n) { n = c->next; add_to(&d->todo, c); }
    address_item **lists2[] = {&local, &remote, &succeed};
    address_item **dest[] = {&d->local, &d->remote, &d->discarded};
    for (size_t i = 0; i < NELEM(lists2); i++) {
        for (address_item *n, *c = *lists2[i]; c; c = n) {
            n = c->next;
            if (deliver_done_has(d, c->unique) || deliver_queued_has(d, c->unique)) continue;
            deliver_queued_add(d, c->unique);
            add_to(dest[i], c);
        }
    }
}

static void route_all(dctx *d)
{
    while (d->todo) {
        address_item *a = d->todo;
        d->todo = a->next;
        a->next = NULL;
        if (deliver_done_has(d, a->unique) && !a->parent) continue;
        route_one(d, a);
    }
    /* routing order is last-in-first-out; deliver in the order routed */
    deliver_reverse(&d->local);
    deliver_reverse(&d->remote);
}

/* ---- recording results ---- */

/* journal - append the finished addresses of chain, before anything is
 * logged or the spool changes.
 *
 * Durability (DESIGN.md section 9: one fsync per local delivery here,
 * the transport's own). The journal is written with write() only, and
 * that is enough:
 *  - Process crash (kill -9, OOM): the line is in the kernel's page
 *    cache the moment write() returns and outlives the process, so the
 *    next attempt reads it and never delivers the address again.
 *  - Power cut: the journal is only ever read to skip deliveries. A line
 *    written after the transport made its copy durable (appendfile
 *    fsyncs the mbox or the Maildir file before its rename; pipe and
 *    smtp hand it to someone else) can only claim what is already true.
 *    If the line is lost, the address is delivered again: at least once,
 *    never lost. On a metadata-ordered journaling file system (ext4
 *    data=ordered, xfs) a surviving line also implies a surviving
 *    Maildir rename: both are metadata changes committed in program
 *    order, the rename first.
 *  - What must be synced is what could lose the message: the -H rewrite
 *    (spool_write_file fsyncs before its rename, else an empty -H could
 *    replace the old one) and the delivered copy itself. Removing the
 *    spool files after "Completed" comes after the transport's fsync and
 *    rename in program order, under the same metadata ordering.
 * So the journal costs no fsync of its own, where it used to cost one
 * fdatasync per transport call. */
static void journal(dctx *d, address_item *chain)
{
    gstring *g = NULL;
    for (address_item *a = chain; a; a = a->next)
        if (a->transport_return == OK || a->transport_return == FAIL) g = string_fmt_append(g, "%s\n", a->unique);
    if (!g) return;
    if (d->jfd < 0) d->jfd = open(d->jpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (d->jfd < 0 || write(d->jfd, g->s, g->len) != (ssize_t)g->len)
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to write journal %s: %s", d->jpath, strerror(errno));
}

/* same_run - were a and b delivered by one transport run? (the child
 * reports one duration per run, shared by the batch) */
static bool same_run(const address_item *a, const address_item *b)
{
    return a && b && a->transport == b->transport && a->delivery_time_us == b->delivery_time_us
        && transport_batch_max(a->transport) > 1;
}

/* record - journal, log and sort the results of one transport call;
 * batched: all of chain went in one run (remote); else consecutive
 * addresses of one local batch are found by same_run */
static void record(dctx *d, address_item *chain, bool batched)
{
    for (address_item *a = chain; a; a = a->next) {
        if (a->transport_return == PENDING_DEFER) a->transport_return = DEFER;
        if (a->transport_return == DEFER && d->give_up) a->transport_return = FAIL;
    }
    journal(d, chain);
    bool first = true;
    address_item *prev_ok = NULL;
    for (address_item *n, *a = chain; a; a = n) {
        n = a->next;
        a->next = NULL;
        if (a->transport_return == OK) {
            if (!batched && !same_run(prev_ok, a)) first = true;
            deliver_log_result(a, first, false);
            first = false;
            prev_ok = a;
            deliver_done_add(d, a->unique);
            d->any_delivered = true;
        } else {
            if (a->transport_return == FAIL) deliver_done_add(d, a->unique);
            if (a->special_action == 'F') d->freeze = true;
            deliver_log_result(a, false, false);
            add_to(a->transport_return == FAIL ? &d->failed : &d->deferred, a);
        }
    }
}

/* ---- the attempt ---- */

static void run_local(dctx *d)
{
    address_item *ok = NULL;
    for (address_item *n, *a = d->local; a; a = n) {
        n = a->next;
        a->next = NULL;
        if (deliver_retry_local_skip(d, a) || !deliver_local_check(a)) record(d, a, false);
        else add_to(&ok, a);
    }
    d->local = NULL;
    deliver_reverse(&ok);
    while (ok) {
        address_item *group = deliver_take_group(&ok);
        deliver_local_group(d->hdata, d->hlen, group);
        deliver_retry_local_results(group);
        record(d, group, false);
    }
}

/* held_back - a remote address left on the queue for now: -qq's first
 * pass, -ql, or queue_smtp_domains on the first (unforced, not a queue
 * run) attempt. It stays undelivered without a log line or retry record,
 * as in Exim, for a later queue run. */
static bool held_back(const dctx *d, const address_item *a)
{
    if (queue_first_pass() || queue_local_only()) return true;
    if (d->forced || queue_running() || !d->h.deliver_firsttime || !cfg.queue_smtp_domains) return false;
    return match_isinlist(a->domain, cfg.queue_smtp_domains, MCL_DOMAIN, true, NULL) == OK;
}

static void run_remote(dctx *d)
{
    address_item *go = NULL;
    for (address_item *n, *a = d->remote; a; a = n) {
        n = a->next;
        if (!held_back(d, a)) { add_to(&go, a); continue; }
        a->transport_return = DEFER;
        add_to(&d->deferred, a);
    }
    deliver_reverse(&go);
    d->remote = go;
    while (d->remote) {
        address_item *group = deliver_take_remote_group(&d->remote);
        const transport_info *ti = (const transport_info *)group->transport->drinst.info;
        route_set_vars(group);
        dlv.transport = group->transport;
        dlv.transport_name = group->transport->drinst.name;
        bool ran = ti->deliver && ti->deliver((transport_instance *)group->transport, group);
        for (address_item *a = group; a && !ran; a = a->next) {
            a->transport_return = DEFER;
            if (!a->message)
                a->message = string_sprintf(ti->deliver ? "%s transport could not run"
                                                        : "%s transport: this driver cannot deliver in this build",
                                            group->transport->drinst.name);
        }
        retry_update(group);
        record(d, group, true);
    }
}

/* dont_deliver - -N: log what would have been delivered */
static void dont_deliver(dctx *d)
{
    address_item *lists[] = {d->local, d->remote};
    for (size_t i = 0; i < NELEM(lists); i++)
        for (address_item *a = lists[i]; a; a = a->next) {
            deliver_log_result(a, true, true);
            deliver_done_add(d, a->unique);
        }
    d->local = d->remote = NULL;
}

/* cancel_all - timeout_frozen_after: every address left fails untried,
 * unlogged, and (unless the message is itself a bounce) is bounced with
 * no reason shown, as Exim does */
static void cancel_all(dctx *d)
{
    build_addresses(d);
    for (address_item *n, *a = d->todo; a; a = n) {
        n = a->next;
        a->transport_return = FAIL;
        a->message = string_copy("delivery cancelled: frozen message timed out");
        a->user_message = string_copy("");
        if (!*d->h.sender) a->flags |= AFL_IGNORE_ERROR;
        deliver_done_add(d, a->unique);
        add_to(&d->failed, a);
    }
    d->todo = NULL;
    journal(d, d->failed);
}

/* give_up_all - -Mg: every address left fails untried, as for
 * timeout_frozen_after, logged "cancelled by <caller>" as Exim does */
static void give_up_all(dctx *d)
{
    struct passwd *pw = getpwuid(proc.real_uid);
    log_write(L_always, LOG_MAIN, "cancelled by %s", pw ? pw->pw_name : string_sprintf("%d", (int)proc.real_uid));
    d->cancel = true;
}

/* time_out - local and routing deferrals past their retry rules'
 * cutoff fail, logged after every delivery of the attempt, as Exim */
static void time_out(dctx *d)
{
    address_item *list = deliver_retry_finish(d);
    journal(d, list);
    for (address_item *n, *a = list; a; a = n) {
        n = a->next;
        a->next = NULL;
        deliver_done_add(d, a->unique);
        deliver_log_result(a, false, false);
        add_to(&d->failed, a);
    }
}

static void attempt(dctx *d)
{
    if (d->cancel) { cancel_all(d); return; }
    build_addresses(d);
    route_all(d);
    deliver_reverse(&d->failed);
    deliver_reverse(&d->deferred);
    journal(d, d->failed); /* routing failures are final too */
    for (address_item *a = d->failed; a; a = a->next) {
        deliver_done_add(d, a->unique);
        deliver_log_result(a, false, false);
    }
    for (address_item *a = d->deferred; a; a = a->next) deliver_log_result(a, false, false);
    if (proc.dont_deliver) dont_deliver(d);
    run_local(d);
    run_remote(d);
    time_out(d);
}

int deliver_message(const char *id, bool forced, bool give_up)
{
    if (!spool_message_id_valid(id)) {
        fprintf(stderr, "tern: malformed message id %s\n", id);
        return FAIL;
    }
    rmark m = store_mark();
    dctx *d = store_get_zero(sizeof *d, GET_UNTAINTED);
    d->id = string_copy(id);
    d->dir = input_dir(id);
    d->jfd = -1;
    d->dfd = -1;
    d->give_up = give_up;
    d->forced = forced;
    int rc = open_and_lock(d);
    if (rc == OK) rc = read_header(d);
    if (rc == OK && deliver_frozen_check(d, forced)) {
        if (give_up) give_up_all(d);
        read_journal(d);
        attempt(d);
        deliver_finish(d);
    }
    if (d->jfd >= 0) close(d->jfd);
    if (d->dfd >= 0) close(d->dfd);
    dlv.spool_hdr = NULL;
    dlv.data_fd = -1;
    msg.id = NULL;
    msg.sender_address = msg.return_path = NULL;
    msg.headers = NULL;
    msg.size = 0;
    deliver_forget_context();
    deliver_agents_close(false);
    search_tidyup(); /* a reused delivery process sees edited lookup files at once, as Exim's fresh one does */
    store_reset(m);
    smtp_transport_run_continued(); /* messages waiting for a host just used (smtp.h) */
    return rc;
}
