/* route_require.c - the require_files router precondition: files that
 * must (or, with "!", must not) exist, optionally checked roughly for a
 * user's access.
 *
 * Runs with the routers (delivery process, -bt/-bv, ACL verify). As in
 * Exim, the list is split before each item is expanded: a forced failure
 * or an empty result drops the item. An item without '/' names the user
 * (",group" optional) for the files after it: each directory on a path
 * needs "x" and the file "r" for that uid/gid, else it is as if stat()
 * said EACCES. EACCES defers, unless the item starts with "+": then the
 * file counts as missing. */

/* System */
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "route.h"

typedef struct req_user {
    bool set;
    uid_t uid;
    gid_t gid;
} req_user;

/* set_user - "user" or "user,group" (names or numbers); false with *err
 * if either is unknown */
static bool set_user(const char *item, req_user *u, char **err)
{
    char *name = string_copy(item), *comma = strchr(name, ',');
    if (comma) *comma++ = 0;
    char *end;
    struct passwd *pw = getpwnam(name);
    long id = strtol(name, &end, 10);
    *err = string_sprintf("user \"%s\" for require_files not found", name);
    if (!pw && (!*name || *end)) return false;
    u->uid = pw ? pw->pw_uid : (uid_t)id;
    u->gid = pw ? pw->pw_gid : 0;
    if (comma) {
        struct group *gr = getgrnam(comma);
        id = strtol(comma, &end, 10);
        *err = string_sprintf("group \"%s\" for require_files not found", comma);
        if (!gr && (!*comma || *end)) return false;
        u->gid = gr ? gr->gr_gid : (gid_t)id;
    }
    u->set = true;
    return true;
}

/* may - does the uid/gid have the access bit (S_IXUSR or S_IRUSR) on st? */
static bool may(const struct stat *st, const req_user *u, mode_t bit)
{
    if (u->uid == 0) return true;
    if (st->st_uid == u->uid) return (st->st_mode & bit) != 0;
    if (st->st_gid == u->gid) return (st->st_mode & (bit >> 3)) != 0;
    return (st->st_mode & (bit >> 6)) != 0;
}

/* user_can_read - "x" on every directory of path, "r" on the file */
static bool user_can_read(const char *path, const req_user *u)
{
    char *p = string_copy(path);
    struct stat st;
    for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        bool ok = stat(p, &st) == 0 && may(&st, u, S_IXUSR);
        *slash = '/';
        if (!ok) return false;
    }
    return stat(p, &st) == 0 && may(&st, u, S_IRUSR);
}

/* one_file - OK if the item's condition holds, FAIL if not, DEFER if stat
 * could not tell */
static int one_file(const char *item, const req_user *u, char **err)
{
    bool eacces_missing = *item == '+';
    if (eacces_missing) item++;
    bool neg = *item == '!';
    if (neg) item++;
    struct stat st;
    bool exists = stat(item, &st) == 0;
    if (exists && u->set && !user_can_read(item, u)) { /* the user's rough check fails as EACCES */
        exists = false;
        errno = EACCES;
    }
    if (!exists && errno != ENOENT && errno != ENOTDIR && !(errno == EACCES && eacces_missing)) {
        *err = string_sprintf("require_files: error for %s: %s", item, strerror(errno));
        return DEFER;
    }
    return exists == neg ? FAIL : OK;
}

int route_require_files(const router_instance *r, char **err)
{
    const char *list = r->require_files;
    int sep = 0;
    char *raw;
    req_user u = {0};
    while ((raw = string_nextinlist(&list, &sep))) {
        char *item = expand_string(raw);
        if (!item && expand_forced_fail()) continue;
        if (!item) {
            *err = string_sprintf("failed to expand \"%s\" for require_files: %s", raw, expand_error());
            return DEFER;
        }
        if (!*item) continue;
        if (!strchr(item, '/')) {
            if (!set_user(item, &u, err)) return DEFER;
            continue;
        }
        int rc = one_file(item, &u, err);
        if (rc != OK) return rc;
    }
    return OK;
}
