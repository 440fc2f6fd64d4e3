/* verify.c - routing an address without delivering it: the ACL's
 * "verify = sender" and "verify = recipient", and the -bt / -bv test
 * modes with Exim's output.
 *
 * Runs in the SMTP receiving process (ACLs) or the caller's process
 * (-bt/-bv). Routers run in verify mode; no transport is ever run. */

/* System */
#include <stdio.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "host.h"
#include "redirect_list.h"
#include "route.h"
#include "transport.h"
#include "verify.h"

/* One routed outcome, in the order routing finished. As in Exim, -bt
 * prints failures, deferrals and pipes/files as they happen and the
 * routed addresses at the end, latest first. */
typedef struct vresult {
    struct vresult *next;
    address_item *addr;
    int rc;
    bool at_end;   /* a routed address: printed after the others */
} vresult;

typedef struct vrun {
    vresult *head, **tail;
    address_item *queue;            /* to route, next first */
    int count;
} vrun;

static void push_result(vrun *v, address_item *a, int rc)
{
    vresult *r = store_get_zero(sizeof *r, GET_UNTAINTED);
    r->addr = a;
    r->rc = rc;
    r->at_end = rc == OK && !(a->flags & AFL_PFR);
    *v->tail = r;
    v->tail = &r->next;
}

/* push_front - children (in the order generated) go before the rest:
 * routing is depth first, as Exim's */
static void push_front(vrun *v, address_item *children)
{
    if (!children) return;
    address_item *last = children;
    while (last->next) last = last->next;
    last->next = v->queue;
    v->queue = children;
}

/* reverse - lists from routers are newest first */
static address_item *reverse(address_item *l)
{
    address_item *r = NULL;
    for (address_item *n; l; l = n) { n = l->next; l->next = r; r = l; }
    return r;
}

/* route_tree - route addr and everything it generates */
static void route_tree(vrun *v, address_item *top, enum router_verify how)
{
    v->head = NULL;
    v->tail = &v->head;
    v->queue = NULL;
    top->next = NULL;
    push_front(v, top);
    while (v->queue) {
        address_item *a = v->queue;
        v->queue = a->next;
        address_item *local = NULL, *remote = NULL, *children = NULL, *succeed = NULL;
        router_lists lists = {.local = &local, .remote = &remote, .new = &children, .succeed = &succeed};
        int rc = route_address(a, &lists, how);
        if (rc != OK) { push_result(v, a, rc); continue; }
        address_item *done = reverse(local);
        for (address_item *n, *x = done; x; x = n) { n = x->next; push_result(v, x, OK); }
        for (address_item *n, *x = reverse(remote); x; x = n) { n = x->next; push_result(v, x, OK); }
        for (address_item *n, *x = reverse(succeed); x; x = n) { n = x->next; push_result(v, x, OK); }
        children = reverse(children);
        if (how != V_NONE && (!children || children->next)) { push_result(v, a, OK); continue; }
        push_front(v, children);
    }
}

int verify_address(const char *address, enum router_verify how, char **msg)
{
    address_item *a = route_new_address(address, 0);
    vrun v = {0};
    route_tree(&v, a, how);
    int rc = OK;
    for (vresult *r = v.head; r; r = r->next) {
        if (r->rc == OK || r->rc == DISCARD) continue;
        if (rc != FAIL) { rc = r->rc == FAIL ? FAIL : DEFER; *msg = r->addr->message; }
    }
    if (rc == OK) *msg = NULL;
    return rc;
}

/* ---- -bt and -bv ---- */

static void print_parents(const address_item *a)
{
    for (const address_item *p = a->parent; p; p = p->parent) printf("    <-- %s\n", p->address);
}

static void print_hosts(const address_item *a)
{
    int maxlen = 0, maxaddlen = 7;
    for (const host_item *h = a->host_list; h; h = h->next) {
        int n = (int)strlen(h->name);
        if (n > maxlen) maxlen = n;
        if (h->address && (int)strlen(h->address) > maxaddlen) maxaddlen = (int)strlen(h->address);
    }
    for (const host_item *h = a->host_list; h; h = h->next) {
        printf("  host %-*s ", maxlen, h->name);
        if (h->address) printf("[%s]", h->address);
        else printf("%*s", maxaddlen + 2, "");
        if (h->port != PORT_NONE && h->port > 0) printf(":%d", h->port);
        if (h->mx >= 0) printf(" MX=%d", h->mx);
        printf("\n");
    }
}

/* print_pfr_bt - a pipe or file a redirect generated; a missing
 * transport or a forbid_* option shows here, the delivery would fail */
static void print_pfr_bt(const address_item *a)
{
    const address_item *top = a->parent ? a->parent : a;
    printf("%s -> %s", top->address, a->address);
    if (!a->transport)
        printf("\n*** Error in setting up pipe, file, or autoreply:\n%s\n", a->message);
    else if (a->flags & AFL_FORBIDDEN) printf(" *** forbidden ***\n");
    else printf("\n  transport = %s\n", a->transport->drinst.name);
}

/* print_ok_bt - one routed address in -bt's layout */
static void print_ok_bt(const address_item *a, bool dup)
{
    printf("%s%s\n", a->address, dup ? "   [duplicate, would not be delivered]" : "");
    print_parents(a);
    printf("  router = %s, transport = %s\n", a->router ? a->router->drinst.name : "",
           a->transport ? a->transport->drinst.name : "unset");
    print_hosts(a);
}

/* print_routed_bt - the routed addresses, latest first; an address
 * already shown in this run is marked as a duplicate */
static void print_routed_bt(const vresult *head, gstring **seen)
{
    int n = 0;
    for (const vresult *r = head; r; r = r->next) n += r->at_end;
    const address_item **routed = store_get(sizeof *routed * (size_t)(n + 1), GET_UNTAINTED);
    int i = n;
    for (const vresult *r = head; r; r = r->next)
        if (r->at_end) routed[--i] = r->addr;
    for (i = 0; i < n; i++) {
        const address_item *a = routed[i];
        char *key = string_sprintf("\n%s\n", a->address); /* local parts are caseful here */
        bool dup = *seen && strstr(string_from_gstring(*seen), key);
        *seen = string_cat(*seen, key);
        print_ok_bt(a, dup);
    }
}

/* report - print one top-level address's outcome; returns its worst rc */
static int report(const char *arg, vrun *v, bool bt, address_item *top, gstring **seen)
{
    int worst = OK;
    for (vresult *r = v->head; r; r = r->next) {
        address_item *a = r->addr;
        if (r->at_end) continue;
        const address_item *shown = bt ? a : top; /* -bv names only what was asked */
        if (r->rc == FAIL) {
            worst = FAIL;
            printf(bt ? "%s is undeliverable: %s\n" : "%s failed to verify: %s\n", shown->address, a->message);
            if (bt) print_parents(a);
        } else if (r->rc == DEFER) {
            if (worst == OK) worst = DEFER;
            printf("%s cannot be resolved at this time: %s\n", shown->address, a->message);
            if (bt) print_parents(a);
        } else if (r->rc == DISCARD) {
            if (bt) printf("mail to %s is discarded\n", a->address);
        } else if (bt) {
            print_pfr_bt(a);
        }
    }
    if (bt) print_routed_bt(v->head, seen);
    if (!bt && worst == OK) printf("%s verified\n", top->address);
    (void)arg;
    return worst;
}

/* test_address_arg - an address to test, tainted, trimmed and without
 * the "<...>" around it */
static char *test_address_arg(const char *raw)
{
    char *arg = string_trim(string_copy_taint(raw, GET_TAINTED));
    size_t n = strlen(arg);
    if (n >= 2 && arg[0] == '<' && arg[n - 1] == '>') {
        arg[n - 1] = 0;
        arg = string_trim(arg + 1);
    }
    return arg;
}

/* next_arg - the next address: an argument, or a line of stdin after
 * Exim's "> " prompt; NULL at the end */
static char *next_arg(int argc, char **argv, int *i, char *line, size_t len)
{
    if (argc) return *i < argc ? argv[(*i)++] : NULL;
    printf("> ");
    fflush(stdout);
    if (fgets(line, (int)len, stdin)) return line;
    printf("\n");
    return NULL;
}

int verify_test_mode(int argc, char **argv, const char *mode)
{
    bool bt = strcmp(mode, "bt") == 0;
    enum router_verify how = bt ? V_NONE : strcmp(mode, "bvs") == 0 ? V_SENDER : V_RECIPIENT;
    int worst = OK, i = 0;
    gstring *seen = NULL;
    char line[LIMIT_BT_LINE];
    for (char *raw; (raw = next_arg(argc, argv, &i, line, sizeof line));) {
        char *arg = test_address_arg(raw);
        const char *bad = *arg ? redirect_check_address(arg) : "empty address";
        if (bad) {
            printf("syntax error: %s\n", bad);
            worst = FAIL;
            continue;
        }
        address_item *a = route_new_address(arg, 0);
        vrun v = {0};
        route_tree(&v, a, how);
        int rc = report(arg, &v, bt, a, &seen);
        if (rc == FAIL) worst = FAIL;
        else if (rc == DEFER && worst == OK) worst = DEFER;
    }
    return worst == FAIL ? 2 : worst == DEFER ? 1 : 0;
}
