/* appendfile_lock.c - mailbox locking and file helpers for appendfile:
 * the "<file>.lock" lock file (created with O_EXCL, stale ones removed
 * after lockfile_timeout), fcntl write locks with retries, Maildir unique
 * names, directory sizes for quotas.
 *
 * Runs in the delivery child as the mailbox owner. */

/* System */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "../globals.h"
/* This driver */
#include "appendfile_int.h"

int appendfile_write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* make_lockfile - create path.lock exclusively, retrying */
static int make_lockfile(const appendfile_transport_options *o, const char *path, appendfile_lock *lk,
                         char **err)
{
    char *lf = string_sprintf("%s.lock", path);
    for (int i = 0; i <= o->lock_retries; i++) {
        int fd = open(lf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)o->lockfile_mode);
        if (fd >= 0) { close(fd); lk->lockfile = lf; return OK; }
        if (errno != EEXIST) {
            lk->error = errno;
            *err = string_sprintf("failed to create lock file %s: %s", lf, strerror(errno));
            return DEFER;
        }
        /* stale (its maker died): judged by ctime, which utime() cannot set back */
        struct stat st;
        if (o->lockfile_timeout > 0 && stat(lf, &st) == 0 && time(NULL) - st.st_ctime > o->lockfile_timeout
            && unlink(lf) == 0) continue;
        if (i < o->lock_retries) sleep((unsigned)o->lock_interval);
    }
    *err = string_sprintf("failed to lock mailbox %s (lock file)", path);
    lk->error = APPENDFILE_ERRNO_LOCKFAILED;
    return DEFER;
}

/* open_mailbox - open for append, creating if create_file allows */
static int open_mailbox(const appendfile_transport_options *o, const char *path, char **err)
{
    int flags = O_WRONLY | O_APPEND | O_CLOEXEC | (o->allow_symlink ? 0 : O_NOFOLLOW);
    int fd = open(path, flags);
    if (fd < 0 && errno == ENOENT && !o->file_must_exist) {
        fd = open(path, flags | O_CREAT | O_EXCL, (mode_t)o->mode);
        if (fd < 0 && errno == EEXIST) fd = open(path, flags);
    }
    if (fd < 0) *err = string_sprintf("%s: while opening mailbox %s", strerror(errno), path);
    return fd;
}

static void on_alarm(int sig) { (void)sig; }

/* fcntl_wait - a blocking F_SETLKW that gives up after secs */
static int fcntl_wait(int fd, struct flock *fl, int secs)
{
    struct sigaction sa = {.sa_handler = on_alarm}, old; /* no SA_RESTART: the alarm ends the wait */
    sigaction(SIGALRM, &sa, &old);
    alarm((unsigned)secs);
    int rc = fcntl(fd, F_SETLKW, fl);
    int e = errno;
    alarm(0);
    sigaction(SIGALRM, &old, NULL);
    errno = rc == 0 ? 0 : e == EINTR ? EAGAIN : e;
    return rc;
}

/* fcntl_lock - write lock on the whole file: non-blocking tries
 * lock_interval apart, or (lock_fcntl_timeout) blocking waits of that
 * long, as many as make up about the same total time */
static int fcntl_lock(const appendfile_transport_options *o, int fd, const char *path, appendfile_lock *lk,
                      char **err)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int wait = o->lock_fcntl_timeout, tries = o->lock_retries + 1;
    if (wait > 0) tries = (o->lock_retries * o->lock_interval + wait - 1) / wait;
    if (tries < 1) tries = 1;
    for (int i = 0; i < tries; i++) {
        if ((wait > 0 ? fcntl_wait(fd, &fl, wait) : fcntl(fd, F_SETLK, &fl)) == 0) return OK;
        if (errno != EAGAIN && errno != EACCES) break;
        if (wait <= 0 && i + 1 < tries) sleep((unsigned)o->lock_interval);
    }
    *err = string_sprintf("failed to lock mailbox %s (fcntl/flock)", path);
    lk->error = APPENDFILE_ERRNO_LOCKFAILED;
    return DEFER;
}

/* check_mode - an existing mailbox with more permission bits than mode
 * is narrowed to mode; one with fewer defers if mode_fail_narrower */
static int check_mode(const appendfile_transport_options *o, mode_t old, const char *path,
                      appendfile_lock *lk, char **err)
{
    mode_t want = (mode_t)o->mode & 07777, diff = old ^ want;
    if (!diff) return OK;
    if ((diff & old) == diff) {
        if (chmod(path, want) == 0) return OK;
        lk->error = errno;
        *err = string_sprintf("%s: attempting to chmod mailbox %s", strerror(errno), path);
        return DEFER;
    }
    if (!o->mode_fail_narrower) return OK;
    lk->error = APPENDFILE_ERRNO_BADMODE;
    *err = string_sprintf("mailbox %s has the wrong mode %o (%o expected)", path, (unsigned)old, (unsigned)want);
    return DEFER;
}

/* check_file - an existing mailbox, before it is opened: check_owner
 * and check_group (it must belong to the delivery's uid and gid), then
 * its mode */
static int check_file(const appendfile_transport_options *o, const char *path, appendfile_lock *lk, char **err)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return OK; /* opening reports these */
    if (o->check_owner && st.st_uid != getuid())
        *err = string_sprintf("mailbox %s has wrong uid (%d != %d)", path, (int)st.st_uid, (int)getuid());
    else if (o->check_group && st.st_gid != getgid())
        *err = string_sprintf("mailbox %s has wrong gid (%d != %d)", path, (int)st.st_gid, (int)getgid());
    else return check_mode(o, st.st_mode & 07777, path, lk, err);
    lk->error = APPENDFILE_ERRNO_BADUGID;
    return DEFER;
}

int appendfile_lock_file(const appendfile_transport_options *o, const char *path,
                         appendfile_lock *lk, char **err)
{
    lk->fd = -1;
    lk->lockfile = NULL;
    lk->error = 0;
    if (o->use_lockfile && make_lockfile(o, path, lk, err) != OK) return DEFER;
    if (check_file(o, path, lk, err) != OK) {
        appendfile_unlock(lk);
        return DEFER;
    }
    lk->fd = open_mailbox(o, path, err);
    if (lk->fd < 0) lk->error = errno;
    if (lk->fd < 0 || (o->use_fcntl_lock && fcntl_lock(o, lk->fd, path, lk, err) != OK)) {
        appendfile_unlock(lk);
        return DEFER;
    }
    return OK;
}

void appendfile_unlock(appendfile_lock *lk)
{
    if (lk->fd >= 0) close(lk->fd); /* closing drops the fcntl lock */
    if (lk->lockfile) unlink(lk->lockfile);
    lk->fd = -1;
    lk->lockfile = NULL;
}

int appendfile_mkdir_p(const char *path, mode_t mode)
{
    char *p = string_copy(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, mode) != 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    return mkdir(p, mode) != 0 && errno != EEXIST ? -1 : 0;
}

/* sum_dir - bytes of the regular files in one directory */
static long long sum_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    long long total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.') continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            total += st.st_size;
    }
    closedir(d);
    return total;
}

long long appendfile_dir_size(const char *dir)
{
    return sum_dir(string_sprintf("%s/new", dir)) + sum_dir(string_sprintf("%s/cur", dir));
}

long long appendfile_parse_size(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0) return -1;
    if (*end == 'K' || *end == 'k') { v *= 1024; end++; }
    else if (*end == 'M' || *end == 'm') { v *= 1024 * 1024; end++; }
    else if (*end == 'G' || *end == 'g') { v *= 1024.0 * 1024 * 1024; end++; }
    return *end ? -1 : (long long)v;
}

char *appendfile_unique_name(void)
{
    static unsigned counter;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    const char *host = cfg.primary_hostname ? cfg.primary_hostname : "localhost";
    gstring *g = string_fmt_append(NULL, "%ld.P%dQ%uM%06ld.", (long)tv.tv_sec, (int)getpid(), ++counter,
                                   (long)tv.tv_usec);
    for (const char *p = host; *p; p++) g = string_catc(g, *p == '/' ? '_' : (*p == ':' ? '_' : *p));
    return string_from_gstring(g);
}
