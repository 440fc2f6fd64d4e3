/* deliver_util.c - sets of addresses already handled in a delivery
 * attempt, list helpers and the grouping of addresses per transport call.
 *
 * Runs in the delivery process; pure bookkeeping, no I/O. */

/* MTA core */
#include "tern.h"
#include "deliver_int.h"
#include "transport.h"

static unsigned hash(const char *s)
{
    unsigned h = 5381;
    for (; *s; s++) h = h * 33 + (unsigned char)(*s | 0x20);
    return h % DELIVER_SET_BUCKETS;
}

static bool set_has(dset_node *const *set, const char *key)
{
    for (const dset_node *n = set[hash(key)]; n; n = n->next)
        if (strcasecmp(n->key, key) == 0) return true;
    return false;
}

static void set_add(dset_node **set, const char *key)
{
    if (set_has(set, key)) return;
    dset_node *n = store_get(sizeof *n, GET_UNTAINTED);
    n->key = string_copy_taint(key, store_is_tainted(key));
    unsigned h = hash(key);
    n->next = set[h];
    set[h] = n;
}

void deliver_done_add(dctx *d, const char *u) { set_add(d->done, u); }
bool deliver_done_has(const dctx *d, const char *u) { return set_has(d->done, u); }
void deliver_queued_add(dctx *d, const char *u) { set_add(d->queued, u); }
bool deliver_queued_has(const dctx *d, const char *u) { return set_has(d->queued, u); }

void deliver_reverse(address_item **list)
{
    address_item *r = NULL;
    for (address_item *n, *a = *list; a; a = n) {
        n = a->next;
        a->next = r;
        r = a;
    }
    *list = r;
}

/* take_matching - move the first item and all that match it to a new chain */
static address_item *take_matching(address_item **list, bool (*same)(const address_item *, const address_item *))
{
    address_item *first = *list, *out = first, **tail = &first->next, **src = &first->next;
    *list = NULL;
    address_item *rest = NULL, **rtail = &rest;
    for (address_item *n, *a = *src; a; a = n) {
        n = a->next;
        a->next = NULL;
        if (same(first, a)) { *tail = a; tail = &a->next; }
        else { *rtail = a; rtail = &a->next; }
    }
    *tail = NULL;
    *list = rest;
    return out;
}

static bool same_ids(const address_item *a, const address_item *b)
{
    return a->uid == b->uid && a->gid == b->gid && (a->flags & AFL_INITGROUPS) == (b->flags & AFL_INITGROUPS);
}

static bool same_remote(const address_item *a, const address_item *b)
{
    return a->transport == b->transport && strcasecmp(a->domain, b->domain) == 0;
}

address_item *deliver_take_group(address_item **list) { return take_matching(list, same_ids); }
address_item *deliver_take_remote_group(address_item **list) { return take_matching(list, same_remote); }
