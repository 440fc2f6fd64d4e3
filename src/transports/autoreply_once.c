/* autoreply_once.c - the autoreply transport's memory of whom it has
 * answered ("once"): a Berkeley DB file keyed by the To: value holding
 * the time of the last reply, or, with once_file_size, a plain file of
 * "<time> <address>" lines kept under that size by dropping the oldest
 * lines. Also its "log" file.
 *
 * Runs in the transport child with the mail user's uid: the files live
 * where the user can write (usually the home directory) and are created
 * with the transport's "mode". */

/* System */
#include <fcntl.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
/* MTA core */
#include "../tern.h"
#include "../hintsdb.h"
#include "../log.h"
#include "../spool.h"
/* This driver */
#include "autoreply_int.h"

/* ---- the Berkeley DB form ---- */

static hintsdb *db_open(const char *path, bool readonly)
{
    char *d = string_copy(path), *b = string_copy(path);
    char *err;
    return hintsdb_open(dirname(d), basename(b), readonly, &err);
}

static long db_when(const char *path, const char *key)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1; /* never answered anyone: nothing to create yet */
    hintsdb *db = db_open(path, true);
    if (!db) return -1;
    void *data;
    size_t len;
    long when = -1;
    if (hintsdb_get(db, key, &data, &len) == OK && len == sizeof(long)) memcpy(&when, data, sizeof when);
    hintsdb_close(db);
    return when;
}

/* ---- the plain-file form ---- */

/* file_when - the time of key's line in the once file, or -1 */
static long file_when(const char *path, const char *key)
{
    FILE *f = fopen(path, "re");
    if (!f) return -1;
    char line[LIMIT_AUTOREPLY_ONCE_LINE];
    long when = -1;
    while (fgets(line, sizeof line, f)) {
        char *sp = strchr(line, ' '), *nl = strchr(line, '\n');
        if (!sp || !nl) continue;
        *nl = 0;
        if (strcasecmp(sp + 1, key) == 0) when = strtol(line, NULL, 10);
    }
    fclose(f);
    return when;
}

/* file_record - rewrite the once file: other lines (oldest dropped while
 * over once_file_size), then key's line */
static char *file_record(const autoreply_transport_options *o, const char *path, const char *key)
{
    size_t len;
    const char *err;
    char *old = spool_read_file(path, &len, LIMIT_AUTOREPLY_FILE, &err);
    gstring *keep = NULL;
    for (char *p = old, *nl; p && *p; p = nl + 1) {
        if (!(nl = strchr(p, '\n'))) break;
        *nl = 0;
        char *sp = strchr(p, ' ');
        if (sp && strcasecmp(sp + 1, key) != 0) keep = string_fmt_append(keep, "%s\n", p);
    }
    char *mine = string_sprintf("%ld %s\n", (long)time(NULL), key);
    size_t limit = (size_t)o->once_file_size, mlen = strlen(mine);
    const char *s = keep ? keep->s : "";
    size_t slen = keep ? keep->len : 0;
    while (slen && slen + mlen > limit) {
        const char *nl = memchr(s, '\n', slen);
        size_t cut = nl ? (size_t)(nl - s) + 1 : slen;
        s += cut;
        slen -= cut;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, (mode_t)o->mode);
    if (fd < 0) return string_sprintf("failed to open %s: %s", path, strerror(errno));
    bool ok = write(fd, s, slen) == (ssize_t)slen && write(fd, mine, mlen) == (ssize_t)mlen;
    int e = errno;
    close(fd);
    return ok ? NULL : string_sprintf("failed to write %s: %s", path, strerror(e));
}

bool autoreply_once_seen(const autoreply_transport_options *o, const char *path, const char *key,
                         long repeat)
{
    long when = o->once_file_size > 0 ? file_when(path, key) : db_when(path, key);
    if (when < 0) return false;
    return repeat <= 0 || (long)time(NULL) - when < repeat;
}

char *autoreply_once_record(const autoreply_transport_options *o, const char *path, const char *key)
{
    if (o->once_file_size > 0) return file_record(o, path, key);
    struct stat st;
    bool fresh = stat(path, &st) != 0;
    hintsdb *db = db_open(path, false);
    if (!db) return string_sprintf("failed to open %s", path);
    long now = (long)time(NULL);
    int rc = hintsdb_put(db, key, &now, sizeof now);
    hintsdb_close(db);
    if (fresh && chmod(path, (mode_t)o->mode) != 0) return string_sprintf("failed to chmod %s", path);
    return rc == OK ? NULL : string_sprintf("failed to write %s", path);
}

void autoreply_log(const autoreply_transport_options *o, const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, (mode_t)o->mode);
    if (fd < 0) return;
    char *line = string_sprintf("%s\n%s", log_timestamp(), text);
    ssize_t n = write(fd, line, strlen(line));
    (void)n; /* the log is a record for the user, not for delivery */
    close(fd);
}
