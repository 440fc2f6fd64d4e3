/* appendfile_int.h - helpers shared by the appendfile transport's files. */
#ifndef TERN_TRANSPORTS_APPENDFILE_INT_H
#define TERN_TRANSPORTS_APPENDFILE_INT_H

#include "../tern.h"
#include "../address.h"
#include "appendfile.h"

/* Exim's error numbers for these failures (in the log's "defer (N)") */
#define APPENDFILE_ERRNO_BADUGID    (-6) /* check_owner / check_group */
#define APPENDFILE_ERRNO_BADMODE    (-7) /* mailbox mode narrower than mode */
#define APPENDFILE_ERRNO_LOCKFAILED (-9) /* lock file or fcntl lock not got */

typedef struct appendfile_lock {
    int fd;            /* the mailbox, open for appending */
    char *lockfile;    /* NULL if no lock file was made */
    int error;         /* why appendfile_lock_file failed: errno or APPENDFILE_ERRNO_* */
} appendfile_lock;

/* appendfile_lock_file - open (creating if allowed) and lock path */
int appendfile_lock_file(const appendfile_transport_options *o, const char *path,
                         appendfile_lock *lk, char **err);
void appendfile_unlock(appendfile_lock *lk);
int appendfile_write_all(int fd, const char *p, size_t n);
int appendfile_mkdir_p(const char *path, mode_t mode);
long long appendfile_dir_size(const char *dir);
long long appendfile_parse_size(const char *s);
/* appendfile_unique_name - "<sec>.P<pid>Q<n>M<usec>.<host>" for Maildir */
char *appendfile_unique_name(void);
bool appendfile_transport_deliver(transport_instance *t, address_item *a);

#endif
