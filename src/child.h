/* child.h - process helpers for the daemon: privilege drop in connection
 * children, and the exim user/group resolution. */
#ifndef TERN_CHILD_H
#define TERN_CHILD_H

#include "tern.h"

/* child_exim_ids - exim_user/exim_group, or the built-in EXIM_USER */
bool child_exim_ids(uid_t *uid, gid_t *gid);
/* child_drop_privilege - become uid/gid for good (no way back to root);
 * dies if that fails, so a child never receives as root by accident */
void child_drop_privilege(uid_t uid, gid_t gid);
/* child_chown_path - make a directory or file the exim user's (root only) */
void child_chown_path(const char *path, uid_t uid, gid_t gid);

#endif
