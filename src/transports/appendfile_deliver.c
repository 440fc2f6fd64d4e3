/* appendfile_deliver.c - the appendfile transport's delivery: append to
 * an mbox file (lock file and fcntl locks, "From " line, escaping,
 * quota) or write a new file into a Maildir (tmp/, fsync, rename into
 * new/).
 *
 * Runs in the delivery child with the user's uid and gid, never as
 * root. Paths built from tainted data (the local part) are checked
 * before any open. A failed mbox append is truncated back so the
 * mailbox never keeps half a message. */

/* System */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "../address.h"
#include "../globals.h"
#include "../transport.h"
/* This driver */
#include "appendfile.h"
#include "appendfile_int.h"

#define QUOTA_ERRNO (-22) /* Exim's errno for an MTA-imposed quota */

/* result - set the address's outcome; returns true (the transport ran) */
static bool result(address_item *a, int rc, int err, const char *fmt, ...) PRINTF_LIKE(4, 5);
static bool result(address_item *a, int rc, int err, const char *fmt, ...)
{
    a->transport_return = rc;
    a->basic_errno = err;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        a->message = string_vsprintf(fmt, ap);
        va_end(ap);
    }
    return true;
}

/* quota_value - the expanded quota in bytes (0: none); a "/no_check"
 * modifier after the size means none. Settled before the mailbox is
 * opened, as Exim does. DEFER with a's error. */
static int quota_value(const transport_instance *t, const appendfile_transport_options *o, address_item *a,
                       long long *limit)
{
    char *err;
    *limit = 0;
    if (!o->quota) return OK;
    char *q = transport_expand(t, "quota", o->quota, &err);
    if (!q) { result(a, DEFER, 0, "%s", err); return DEFER; }
    char *whole = string_copy(q), *mod = strchr(q, '/');
    if (mod) *mod++ = 0;
    long long v = appendfile_parse_size(q);
    if (v < 0 || (mod && strcmp(mod, "no_check") != 0)) {
        result(a, DEFER, 0, "Malformed value \"%s\" (expansion of \"%s\") in %s transport", whole, o->quota,
               t->drinst.name);
        return DEFER;
    }
    if (!mod) *limit = v;
    return OK;
}

/* quota_check - the current size plus $message_size (not what this
 * transport adds: prefix, Return-path:) against limit */
static int quota_check(const appendfile_transport_options *o, long long limit, long long current,
                       address_item *a, const char *path)
{
    if (limit <= 0 || current + (o->quota_is_inclusive ? msg.size : 0) <= limit) return OK;
    result(a, DEFER, QUOTA_ERRNO, "mailbox is full (MTA-imposed quota exceeded while writing to %s)", path);
    return DEFER;
}

/* warn_threshold - quota_warn_threshold in bytes (0: none, also when it
 * does not expand to a size: the delivery has been made by then); a
 * value ending in % is a share of quota, ignored without one */
static long long warn_threshold(const transport_instance *t, const appendfile_transport_options *o)
{
    char *err, *q = NULL;
    char *w = o->quota_warn_threshold ? transport_expand(t, "quota_warn_threshold", o->quota_warn_threshold, &err) : NULL;
    if (!w) return 0;
    size_t n = strlen(w);
    bool percent = n && w[n - 1] == '%';
    if (percent) w[n - 1] = 0;
    long long v = appendfile_parse_size(w);
    if (v <= 0 || !percent) return v < 0 ? 0 : v;
    if (!o->quota || !(q = transport_expand(t, "quota", o->quota, &err))) return 0;
    char *mod = strchr(q, '/'); /* a modifier (no_check) does not change the size */
    if (mod) *mod = 0;
    long long quota = appendfile_parse_size(q);
    return quota > 0 ? quota * v / 100 : 0;
}

/* check_warning - after a delivery that took the mailbox from before
 * to before + added bytes: did it cross quota_warn_threshold? The
 * delivery process sends the warning (deliver_local.c). */
static void check_warning(const transport_instance *t, const appendfile_transport_options *o,
                          address_item *a, long long before, long long added)
{
    long long th = warn_threshold(t, o);
    if (th > 0 && before <= th && before + added > th) a->special_action = SPECIAL_WARN;
}

/* filter_failure - Exim's wording when the transport filter failed
 * (PANIC: also to the panic log) or timed out; sets *err and *e */
static int filter_failure(const transport_write_ctx *c, const char *path, char **err, int *e)
{
    if (c->filter_failed) {
        *e = ERRNO_FILTER_FAIL;
        *err = string_sprintf("transport filter process failed (%d) while writing to %s%s", c->filter_status,
                              path, c->filter_status == 127 ? ": unable to execute command" : "");
        return PANIC;
    }
    if (c->filter_timed_out) {
        *e = ETIMEDOUT;
        *err = string_sprintf("%s: error while writing to %s", strerror(ETIMEDOUT), path);
    }
    return DEFER;
}

/* write_wrapped - message_prefix, the message, message_suffix to fd
 * (which holds path), then fsync; *added gets the bytes written. OK, or
 * DEFER/PANIC with *err and *e (an errno) */
static int write_wrapped(const transport_instance *t, const appendfile_transport_options *o, int fd,
                         address_item *a, const char *path, long long *added, char **err, int *e)
{
    *e = 0;
    *added = 0;
    transport_write_ctx c = {.fd = fd, .t = t, .addr = a, .check_string = o->check_string,
                             .escape_string = o->escape_string};
    if (o->use_crlf) c.options |= TW_CRLF;
    if (o->use_bsmtp) c.options |= TW_BSMTP;
    int rc = OK;
    if (o->message_prefix) {
        char *p = transport_expand(t, "message_prefix", o->message_prefix, err);
        if (!p || appendfile_write_all(fd, p, strlen(p)) != 0) rc = DEFER;
        else *added += (long long)strlen(p);
    }
    if (rc == OK && transport_write_message(&c, err) != OK) {
        *e = errno;
        return filter_failure(&c, path, err, e);
    }
    *added += c.written;
    if (rc == OK && o->message_suffix) {
        char *s = transport_expand(t, "message_suffix", o->message_suffix, err);
        if (!s || appendfile_write_all(fd, s, strlen(s)) != 0) rc = DEFER;
        else *added += (long long)strlen(s);
    }
    if (rc == OK && fsync(fd) != 0) rc = DEFER;
    if (rc != OK) *e = errno;
    return rc;
}

/* mbox_append - locked append to an mbox file */
static bool mbox_append(const transport_instance *t, const appendfile_transport_options *o,
                        address_item *a, const char *path, long long limit)
{
    char *err = NULL;
    appendfile_lock lk = {0};
    if (appendfile_lock_file(o, path, &lk, &err) != OK) return result(a, DEFER, lk.error, "%s", err);
    struct stat st;
    int rc = DEFER;
    if (fstat(lk.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        result(a, DEFER, 0, "%s is not a regular file", path);
        goto out;
    }
    if (quota_check(o, limit, (long long)st.st_size, a, path) != OK) goto out;
    off_t start = lseek(lk.fd, 0, SEEK_END);
    long long added;
    int e, wrc = write_wrapped(t, o, lk.fd, a, path, &added, &err, &e);
    if (wrc != OK) {
        if (ftruncate(lk.fd, start) != 0 && !err) e = errno;
        result(a, wrc, e, "%s", err ? err : string_sprintf("error writing %s: %s", path, strerror(e)));
        goto out;
    }
    rc = OK;
out:
    appendfile_unlock(&lk);
    if (rc == OK) {
        result(a, OK, 0, NULL);
        check_warning(t, o, a, (long long)st.st_size, added);
    }
    return true;
}

/* maildir_subdirs - new, cur and tmp under dir */
static int maildir_subdirs(const appendfile_transport_options *o, const char *dir, char **err)
{
    static const char *const subs[] = {"", "/tmp", "/new", "/cur"};
    for (size_t i = 0; i < NELEM(subs); i++) {
        char *p = string_sprintf("%s%s", dir, subs[i]);
        if (mkdir(p, (mode_t)o->directory_mode) == 0 || errno == EEXIST) continue;
        if (errno == ENOENT && o->create_directory && appendfile_mkdir_p(p, (mode_t)o->directory_mode) == 0) continue;
        *err = string_sprintf("failed to create directory %s: %s", p, strerror(errno));
        return DEFER;
    }
    return OK;
}

/* maildir_deliver - tmp/<unique>, fsync, rename into new/ */
static bool maildir_deliver(const transport_instance *t, const appendfile_transport_options *o,
                            address_item *a, const char *dir, long long limit)
{
    char *err = NULL;
    if (maildir_subdirs(o, dir, &err) != OK) return result(a, DEFER, errno, "%s", err);
    char *name = appendfile_unique_name();
    long long before = limit > 0 || o->quota_warn_threshold ? appendfile_dir_size(dir) : 0;
    /* named as Exim names it, relative to the maildir */
    if (quota_check(o, limit, before, a, string_sprintf("tmp/%s", name)) != OK) return true;
    char *tmp = string_sprintf("%s/tmp/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, (mode_t)o->mode);
    if (fd < 0) return result(a, DEFER, errno, "failed to create %s: %s", tmp, strerror(errno));
    long long added;
    int e, wrc = write_wrapped(t, o, fd, a, tmp, &added, &err, &e);
    if (wrc != OK) {
        close(fd);
        unlink(tmp);
        return result(a, wrc, e, "%s", err ? err : string_sprintf("error writing %s: %s", tmp, strerror(e)));
    }
    close(fd);
    char *tag = NULL;
    if (o->maildir_tag && !(tag = transport_expand(t, "maildir_tag", o->maildir_tag, &err))) {
        unlink(tmp);
        return result(a, DEFER, 0, "%s", err);
    }
    char *final = string_sprintf("%s/new/%s%s", dir, name, tag ? tag : "");
    if (rename(tmp, final) != 0) {
        int e = errno;
        unlink(tmp);
        return result(a, DEFER, e, "failed to rename %s as %s: %s", tmp, final, strerror(e));
    }
    result(a, OK, 0, NULL);
    check_warning(t, o, a, before, added);
    return true;
}

/* target - the file or directory for this address */
static char *target(const transport_instance *t, const appendfile_transport_options *o,
                    address_item *a, bool *is_dir)
{
    char *err = NULL;
    const char *tmpl = o->file ? o->file : o->directory;
    *is_dir = o->directory != NULL;
    if (!tmpl && (a->flags & AFL_FILE)) {
        size_t n = strlen(a->address);
        *is_dir = n && a->address[n - 1] == '/';
        return a->address; /* from a redirect: checked by the router */
    }
    if (!tmpl) {
        result(a, DEFER, 0, "Mandatory file or directory option missing from %s transport", t->drinst.name);
        return NULL;
    }
    char *p = transport_expand(t, *is_dir ? "directory" : "file", tmpl, &err);
    if (!p) { result(a, DEFER, 0, "%s", err); return NULL; }
    if (!transport_path_safe(t, p, "file or directory name", tmpl, &err)) {
        result(a, PANIC, 0, "%s", err); /* as Exim: panic-logged, no retry record */
        return NULL;
    }
    if (*p != '/') { result(a, DEFER, 0, "appendfile: file or directory name \"%s\" is not absolute", p); return NULL; }
    return p;
}

static bool creation_allowed(const transport_instance *t, const appendfile_transport_options *o,
                             address_item *a, const char *path);

/* deliver_one - the message once, for the address (or batch) a */
static bool deliver_one(transport_instance *t, address_item *a)
{
    const appendfile_transport_options *o = t->drinst.options_block;
    char *err;
    int src = transport_check_size(t, &err);
    if (src != OK) return result(a, src, 0, "%s", err);
    bool is_dir;
    char *path = target(t, o, a, &is_dir);
    if (!path) return true;
    if (!creation_allowed(t, o, a, path)) return true;
    long long limit;
    if (quota_value(t, o, a, &limit) != OK) return true;
    if (is_dir || o->maildir_format) return maildir_deliver(t, o, a, path, limit);
    return mbox_append(t, o, a, path, limit);
}

/* creation_allowed - create_file: may path be created here? (only
 * asked when path does not exist yet) inhome: below the home directory;
 * belowhome (or an absolute directory in place of home): also no ".."
 * and its parent, symlinks resolved, still below it */
static bool creation_allowed(const transport_instance *t, const appendfile_transport_options *o,
                             address_item *a, const char *path)
{
    const char *cf = o->create_file;
    if (!cf || strcmp(cf, "anywhere") == 0) return true;
    struct stat st;
    if (lstat(path, &st) == 0) return true;
    char *err = NULL;
    const char *home = a->home_dir; /* the transport's home_directory wins over the router's */
    if (t->home_directory) home = transport_expand(t, "home_directory", t->home_directory, &err);
    if (*cf == '/') home = cf;
    if (!home || !*home) {
        result(a, DEFER, 0, "create_file = %s set for %s transport, but no home directory", cf, t->drinst.name);
        return false;
    }
    size_t hl = strlen(home);
    while (hl > 1 && home[hl - 1] == '/') hl--;
    bool ok = strncmp(path, home, hl) == 0 && path[hl] == '/';
    if (ok && strcmp(cf, "inhome") != 0) {
        ok = !strstr(path, "/../") && !strstr(path, "/./");
        char *parent = string_copy(path), *slash = strrchr(parent, '/');
        *slash = 0;
        char *real = ok ? realpath(*parent ? parent : "/", NULL) : NULL;
        char *realhome = ok ? realpath(string_copyn(home, hl), NULL) : NULL;
        if (real && realhome) {
            size_t rl = strlen(realhome);
            ok = strncmp(real, realhome, rl) == 0 && (real[rl] == '/' || real[rl] == 0);
        }
        free(real);
        free(realhome);
    }
    if (!ok) result(a, DEFER, 0, "%s is not within the home directory %.*s (create_file = %s) for %s transport",
                    path, (int)hl, home, cf, t->drinst.name);
    return ok;
}

bool appendfile_transport_deliver(transport_instance *t, address_item *a)
{
    bool ran = deliver_one(t, a);
    transport_copy_result(a);
    return ran;
}
