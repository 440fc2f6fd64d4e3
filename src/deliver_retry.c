/* deliver_retry.c - retry hints for local deliveries and routing, as
 * Exim keeps them: a local transport's temporary failure is recorded
 * under "T:<local part>@<domain>" (or "T:<domain>" when the transport's
 * retry_use_local_part is false), a router's deferral under "R:<domain>"
 * (or "R:<local part>@<domain>" when the router's retry_use_local_part
 * is true). An unforced queue run skips an address whose record's retry
 * time is in the future; a failure past the rule's cutoff, or with no
 * rule at all, fails the address "retry timeout exceeded" once every
 * delivery of the attempt has been logged; a success removes the record.
 *
 * The smtp transport keeps its own keys (transports/smtp.c); the record
 * format and the rule arithmetic are retry_hints.c's. No database is
 * opened for a lookup while the retry database file does not exist. */

/* System */
#include <time.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "deliver_int.h"
#include "globals.h"
#include "log.h"
#include "queue.h"
#include "retry.h"
#include "router.h"
#include "transport.h"

/* transport_key - "T:lp@domain", or "T:domain" without the local part */
static char *transport_key(const address_item *a)
{
    if (a->transport && !a->transport->retry_use_local_part) return string_sprintf("T:%s", a->domain);
    return string_sprintf("T:%s@%s", a->local_part, a->domain);
}

/* router_key - "R:domain", or "R:lp@domain" with the local part */
static char *router_key(const address_item *a, bool with_local_part)
{
    if (with_local_part) return string_sprintf("R:%s@%s", a->local_part, a->domain);
    return string_sprintf("R:%s", a->domain);
}

/* waiting - key has a record whose retry time is still to come */
static bool waiting(const char *key, long now)
{
    retry_record rec;
    if (retry_read(key, &rec) != OK) return false;
    DEBUG(D_retry) debug_printf("retry: %s next try %ld (now %ld)\n", key, rec.next_try, now);
    return now < rec.next_try;
}

/* unforced_run - only a queue run without -qf honours retry times for
 * routing and local deliveries (-M, -qf and a first delivery do not) */
static bool unforced_run(const dctx *d)
{
    return queue_running() && !d->forced;
}

bool deliver_retry_route_skip(const dctx *d, address_item *a)
{
    if (!unforced_run(d) || !a->domain) return false;
    long now = (long)time(NULL);
    /* which key a router would use is not known before routing: either */
    if (!waiting(router_key(a, false), now) && !waiting(router_key(a, true), now)) return false;
    a->transport_return = DEFER;
    a->basic_errno = ERRNO_ROUTE_RETRY;
    a->message = string_copy("retry time not reached");
    a->flags |= AFL_ROUTE_RETRY;
    return true;
}

void deliver_retry_route_defer(address_item *a)
{
    if (!a->router || !a->domain) return;
    retry_item *ri = retry_add_item(a, router_key(a, a->router->retry_use_local_part), RETRY_SET | RETRY_LATE);
    ri->basic_errno = a->basic_errno ? a->basic_errno : -1; /* as the deferral is logged */
    ri->more_errno = a->more_errno;
    ri->message = a->message;
}

void deliver_retry_route_ok(dctx *d, const address_item *a)
{
    if (!a->domain) return;
    if (!d->routed) d->routed = store_get_zero(sizeof *d->routed, GET_UNTAINTED);
    retry_add_item(d->routed, router_key(a, false), RETRY_DELETE);
    retry_add_item(d->routed, router_key(a, true), RETRY_DELETE);
}

bool deliver_retry_local_skip(const dctx *d, address_item *a)
{
    if (!unforced_run(d) || !waiting(transport_key(a), (long)time(NULL))) return false;
    a->transport_return = DEFER;
    a->basic_errno = ERRNO_LOCAL_RETRY;
    a->message = string_copy("Retry time not yet reached");
    return true;
}

void deliver_retry_local_results(address_item *group)
{
    for (address_item *a = group; a; a = a->next) {
        if (a->transport_return == OK) {
            retry_add_item(a, transport_key(a), RETRY_DELETE);
        } else if ((a->transport_return == DEFER || a->transport_return == PENDING_DEFER)
                   && !(a->flags & AFL_LOG_PANIC)) { /* a panic-logged deferral keeps no record, as in Exim */
            retry_item *ri = retry_add_item(a, transport_key(a), RETRY_SET | RETRY_LATE);
            ri->basic_errno = a->basic_errno;
            ri->more_errno = a->more_errno;
            ri->message = a->message;
        }
    }
    retry_update(group);
}

address_item *deliver_retry_finish(dctx *d)
{
    if (d->routed) retry_update(d->routed);
    retry_update(d->deferred); /* the routing deferrals; the rest are written already */
    /* d->deferred's order is the order Exim logs the timeouts in: local
     * deferrals newest first, then routing deferrals */
    address_item *timed_out = NULL, **tail = &timed_out;
    for (address_item **pp = &d->deferred; *pp;) {
        address_item *a = *pp;
        if (!retry_timed_out(a)) { pp = &a->next; continue; }
        *pp = a->next;
        a->next = NULL;
        a->transport_return = FAIL;
        a->basic_errno = ERRNO_RETRY_TIMEOUT;
        a->message = a->user_message = string_copy("retry timeout exceeded");
        a->flags |= AFL_RETRY_TIMEDOUT;
        if (!*d->h.sender) a->flags |= AFL_IGNORE_ERROR; /* a bounce that timed out is dropped */
        *tail = a;
        tail = &a->next;
    }
    return timed_out;
}
