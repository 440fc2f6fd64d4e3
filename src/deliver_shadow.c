/* deliver_shadow.c - shadow_transport: after a local transport has
 * delivered a batch, the transport named by its shadow_transport runs
 * for the addresses it delivered (if shadow_condition allows), on copies
 * of them, so its outcome never changes the real delivery. The outcome
 * shows only as " ST=name" or " ST=name (error)" on the "=>" line, as in
 * Exim 4.96.
 *
 * Runs in the local delivery child, after the main transport, with the
 * same uid and gid (the shadow transport's own user/group do not apply). */

/* MTA core */
#include "tern.h"
#include "deliver_int.h"
#include "expand.h"
#include "globals.h"
#include "route.h"
#include "transport.h"

/* shadow_clones - copies of the delivered addresses of batch, for the
 * shadow transport (its results must not touch the real ones) */
static address_item *shadow_clones(address_item *batch, transport_instance *st, address_item ***orig)
{
    address_item *chain = NULL, **tail = &chain;
    int n = 0;
    for (address_item *a = batch; a; a = a->next) n++;
    *orig = store_get(sizeof **orig * (size_t)n, GET_UNTAINTED);
    n = 0;
    for (address_item *a = batch; a; a = a->next) {
        if (a->transport_return != OK) continue;
        address_item *c = store_get(sizeof *c, GET_UNTAINTED);
        *c = *a;
        c->next = NULL;
        c->transport = st;
        c->transport_return = PENDING_DEFER;
        c->basic_errno = c->more_errno = 0;
        c->message = c->user_message = NULL;
        (*orig)[n++] = a;
        *tail = c;
        tail = &c->next;
    }
    return chain;
}

void deliver_shadow_run(address_item *batch)
{
    const transport_instance *t = batch->transport;
    transport_instance *st = t->shadow_transport ? route_find_transport(t->shadow_transport) : NULL;
    if (!st || !((const transport_info *)st->drinst.info)->deliver) return;
    if (t->shadow_condition && !expand_check_condition(t->shadow_condition, t->drinst.name, "transport")) return;
    address_item **orig, *chain = shadow_clones(batch, st, &orig);
    if (!chain) return;
    dlv.transport = st;
    dlv.transport_name = st->drinst.name;
    bool ran = ((const transport_info *)st->drinst.info)->deliver(st, chain);
    int i = 0;
    for (address_item *c = chain; c; c = c->next, i++) {
        const char *why = !ran ? "transport could not run" : c->message;
        if (ran && c->transport_return == OK) orig[i]->shadow_message = string_sprintf(" ST=%s", st->drinst.name);
        else
            orig[i]->shadow_message = string_sprintf(" ST=%s (%s%s%s)", st->drinst.name,
                                                     c->basic_errno > 0 ? strerror(c->basic_errno) : "",
                                                     c->basic_errno > 0 ? ": " : "",
                                                     why ? why : c->basic_errno > 0 ? "" : "unknown error");
    }
    dlv.transport = batch->transport;
    dlv.transport_name = batch->transport->drinst.name;
}

