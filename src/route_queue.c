/* route_queue.c - what routers share once they accept an address: the
 * uid/gid a local delivery will run as, the home and current directory,
 * the transport, and the list the address goes on (local or remote).
 *
 * Runs in the delivery process; looks up users and groups but never
 * changes identity (deliver.c's child does that). */

/* System */
#include <grp.h>
#include <pwd.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "route.h"

/* parse_id - a user or group name or number to an id; false if unknown */
static bool parse_id(const char *s, bool group, long *id, long *gid)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s && !*end && errno == 0 && v >= 0) { *id = v; return true; }
    if (group) {
        struct group *g = getgrnam(s);
        if (!g) return false;
        *id = g->gr_gid;
        return true;
    }
    struct passwd *pw = getpwnam(s);
    if (!pw) return false;
    *id = pw->pw_uid;
    if (gid) *gid = pw->pw_gid;
    return true;
}

/* expand_id - expand a user/group option and look it up */
static bool expand_id(const router_instance *r, const char *opt, const char *val, bool group,
                      long *id, long *gid, address_item *addr)
{
    bool forced;
    char *err;
    char *s = route_expand(r, opt, val, &forced, &err);
    if (!s) { addr->message = err; return false; }
    if (!parse_id(s, group, id, gid)) {
        addr->message = string_sprintf("%s router: failed to find %s \"%s\"", r->drinst.name,
                                       group ? "group" : "user", s);
        return false;
    }
    return true;
}

bool route_get_ugid(const router_instance *r, address_item *addr, const struct passwd *pw)
{
    long uid = -1, gid = -1;
    if (r->user) {
        if (!expand_id(r, "user", r->user, false, &uid, &gid, addr)) return false;
    } else if (pw) {
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    if (r->group && !expand_id(r, "group", r->group, true, &gid, NULL, addr)) return false;
    if (uid >= 0) { addr->uid = uid; addr->flags |= AFL_UID_SET; }
    if (gid >= 0) { addr->gid = gid; addr->flags |= AFL_GID_SET; }
    if (r->initgroups) addr->flags |= AFL_INITGROUPS;
    return true;
}

/* set_dirs - transport_home_directory and transport_current_directory */
static bool set_dirs(const router_instance *r, address_item *addr)
{
    bool forced;
    char *err;
    if (r->transport_home_directory) {
        char *h = route_expand(r, "transport_home_directory", r->transport_home_directory, &forced, &err);
        if (!h) { addr->message = err; return false; }
        addr->home_dir = h;
    }
    if (r->transport_current_directory) {
        char *c = route_expand(r, "transport_current_directory", r->transport_current_directory, &forced, &err);
        if (!c) { addr->message = err; return false; }
        addr->current_dir = c;
    }
    return true;
}

/* find_transport - the router's transport option, expanded */
static int find_transport(const router_instance *r, address_item *addr, const char *tname)
{
    const char *name = tname ? tname : r->transport_name;
    if (!name && r->verify_only) return OK;
    if (!name) {
        log_write(L_always, LOG_MAIN, "Error in %s router: no transport defined", r->drinst.name);
        addr->message = string_copy("error in router: transport missing");
        return DEFER;
    }
    bool forced;
    char *err;
    char *n = route_expand(r, "transport", name, &forced, &err);
    if (!n) {
        addr->message = string_sprintf("failed to expand transport \"%s\" in %s router: %s", name,
                                       r->drinst.name, expand_error());
        return DEFER;
    }
    transport_instance *t = route_find_transport(n);
    if (!t) {
        addr->message = string_sprintf("transport \"%s\" not found in %s router", n, r->drinst.name);
        return DEFER;
    }
    addr->transport = t;
    return OK;
}

int route_queue(const router_instance *r, address_item *addr, const struct passwd *pw,
                const char *tname, router_lists *lists)
{
    int rc = find_transport(r, addr, tname);
    if (rc != OK) return rc;
    if (!route_get_ugid(r, addr, pw) || !set_dirs(r, addr)) return DEFER;
    const transport_info *ti = addr->transport ? (const transport_info *)addr->transport->drinst.info : NULL;
    address_item **list = ti && ti->local ? lists->local : lists->remote;
    if (!addr->transport && lists->succeed) list = lists->succeed;
    addr->next = *list;
    *list = addr;
    return OK;
}
