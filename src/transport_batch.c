/* transport_batch.c - which addresses a local transport may deliver in
 * one run (batch_max, batch_id), following the rules of Exim's chapter
 * on batched local delivery.
 *
 * Runs in the transport child with the message's variables set; reads
 * the transport's option strings through its option table, so every
 * driver with batch_max/batch_id is handled alike. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "address.h"
#include "expand.h"
#include "globals.h"
#include "options.h"
#include "route.h"
#include "transport.h"

/* private_opt - the address of option name in t's private block, or NULL */
static void *private_opt(const transport_instance *t, const char *name, unsigned type)
{
    const driver_info *di = t->drinst.info;
    const optionlist *o = options_find(di->options, di->options_count, name);
    if (!o || (o->type & OPT_TYPE_MASK) != type || (o->type & OPT_PUBLIC)) return NULL;
    return (char *)t->drinst.options_block + o->offset;
}

int transport_batch_max(const transport_instance *t)
{
    const int *p = private_opt(t, "batch_max", opt_int);
    return p && *p > 1 ? *p : 1;
}

/* uses_var - does any string option of t (but batch_id) mention $name
 * or ${name}? */
static bool uses_var(const transport_instance *t, const char *name)
{
    const driver_info *di = t->drinst.info;
    char *plain = string_sprintf("$%s", name), *braced = string_sprintf("${%s}", name);
    size_t pl = strlen(plain);
    for (size_t i = 0; i < di->options_count; i++) {
        const optionlist *o = &di->options[i];
        if ((o->type & OPT_TYPE_MASK) != opt_stringptr || (o->type & OPT_PUBLIC)) continue;
        if (strcmp(o->name, "batch_id") == 0) continue; /* it decides the batches itself */
        const char *v = *(char *const *)((const char *)t->drinst.options_block + o->offset);
        for (const char *p = v; p && (p = strstr(p, plain)); p += pl)
            if (!isalnum((unsigned char)p[pl]) && p[pl] != '_') return true;
        if (v && strstr(v, braced)) return true;
    }
    return false;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* batch_id_of - batch_id expanded for a; NULL if unset or it fails */
static char *batch_id_of(const transport_instance *t, const address_item *a, bool *failed)
{
    char *const *id = private_opt(t, "batch_id", opt_stringptr);
    *failed = false;
    if (!id || !*id) return NULL;
    route_set_vars(a);
    char *v = expand_string(*id);
    if (!v) *failed = true;
    return v;
}

bool transport_can_batch(const address_item *first, const address_item *b)
{
    const transport_instance *t = first->transport;
    if (b->transport != t || transport_batch_max(t) < 2) return false;
    if (!same_str(first->errors_address, b->errors_address)) return false;
    if (first->extra_headers != b->extra_headers || !same_str(first->remove_headers, b->remove_headers)) return false;
    if ((first->flags & (AFL_PIPE | AFL_FILE)) != (b->flags & (AFL_PIPE | AFL_FILE))) return false;
    if ((first->flags & AFL_PFR) && strcmp(first->address, b->address) != 0) return false;
    if (first->host_list && (!b->host_list || !same_str(first->host_list->name, b->host_list->name))) return false;
    if (uses_var(t, "local_part")) return false;
    if (uses_var(t, "domain") && strcasecmp(first->domain, b->domain) != 0) return false;
    bool f1, f2;
    char *id1 = batch_id_of(t, first, &f1), *id2 = batch_id_of(t, b, &f2);
    if (f1 || f2) return false;
    return same_str(id1, id2);
}
