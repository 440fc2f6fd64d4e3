/* child.c - privilege handling for processes the daemon forks.
 *
 * The daemon runs as root only to bind its ports; every connection child
 * calls child_drop_privilege() before reading a byte from the peer. The
 * drop is permanent (setgroups, setgid, setuid, then a check that root
 * cannot be regained). */

/* System */
#include <grp.h>
#include <pwd.h>
/* MTA core */
#include "tern.h"
#include "child.h"
#include "globals.h"
#include "log.h"

bool child_exim_ids(uid_t *uid, gid_t *gid)
{
    struct passwd *pw = NULL;
    if (cfg.exim_user.set) {
        *uid = (uid_t)cfg.exim_user.id;
        pw = getpwuid(*uid);
    } else {
        pw = getpwnam(EXIM_USER);
        if (!pw) return false;
        *uid = pw->pw_uid;
    }
    if (cfg.exim_group.set) *gid = (gid_t)cfg.exim_group.id;
    else if (pw) *gid = pw->pw_gid;
    else {
        struct group *gr = getgrnam(EXIM_GROUP);
        if (!gr) return false;
        *gid = gr->gr_gid;
    }
    return true;
}

void child_drop_privilege(uid_t uid, gid_t gid)
{
    if (geteuid() != 0) return; /* not root: nothing to give up */
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
        die("failed to drop privilege to uid=%ld gid=%ld: %s", (long)uid, (long)gid, strerror(errno));
    if (uid != 0 && setuid(0) == 0) die("privilege drop to uid=%ld did not stick", (long)uid);
}

void child_chown_path(const char *path, uid_t uid, gid_t gid)
{
    if (geteuid() != 0) return;
    if (chown(path, uid, gid) != 0 && errno != ENOENT)
        log_write(L_always, LOG_MAIN, "failed to chown %s: %s", path, strerror(errno));
}
