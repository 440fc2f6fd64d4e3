/* msglog.c - per-message log files in <spool>/msglog/ (split into
 * one-character subdirectories like input/ when split_spool_directory
 * is set), in Exim's line format so -Mvl shows the same text.
 *
 * Written by the receiving and delivery processes (as the exim user),
 * read by -Mvl. Never fsynced: the mainlog and the journal are the
 * records that matter for durability. */

/* System */
#include <fcntl.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "msglog.h"

static const char *spool_dir(void)
{
    return cfg.spool_directory ? cfg.spool_directory : SPOOL_DIRECTORY;
}

/* msglog_dir - <spool>/msglog or <spool>/msglog/<id[5]> */
static char *msglog_dir(const char *id, bool split)
{
    if (split) return string_sprintf("%s/msglog/%c", spool_dir(), id[5]);
    return string_sprintf("%s/msglog", spool_dir());
}

char *msglog_path(const char *id)
{
    struct stat st;
    bool split = cfg.split_spool_directory;
    char *first = string_sprintf("%s/%s", msglog_dir(id, split), id);
    if (stat(first, &st) == 0) return first;
    char *other = string_sprintf("%s/%s", msglog_dir(id, !split), id);
    return stat(other, &st) == 0 ? other : first;
}

/* make_dirs - <spool>/msglog and, when split, its subdirectory */
static void make_dirs(const char *id)
{
    char *top = string_sprintf("%s/msglog", spool_dir());
    if (mkdir(top, 0750) < 0 && errno != EEXIST) return;
    if (cfg.split_spool_directory && mkdir(msglog_dir(id, true), 0750) < 0 && errno != EEXIST) return;
}

int msglog_write(const char *id, const char *fmt, ...)
{
    if (!cfg.message_logs) return OK;
    rmark m = store_mark();
    char *path = msglog_path(id);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0 && errno == ENOENT) {
        make_dirs(id);
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    }
    if (fd < 0) { store_reset(m); return ERROR; }
    va_list ap;
    va_start(ap, fmt);
    gstring *g = string_fmt_append(NULL, "%s ", log_timestamp());
    g = string_vfmt_append(g, fmt, ap);
    va_end(ap);
    g = string_catc(g, '\n');
    ssize_t n = write(fd, g->s, g->len);
    close(fd);
    store_reset(m);
    return n == (ssize_t)g->len ? OK : ERROR;
}

void msglog_finish(const char *id)
{
    rmark m = store_mark();
    char *path = msglog_path(id);
    if (cfg.preserve_message_logs) {
        char *old = string_sprintf("%s/msglog.OLD", spool_dir());
        if (mkdir(old, 0750) < 0 && errno != EEXIST) { store_reset(m); return; }
        if (rename(path, string_sprintf("%s/%s", old, id)) == 0) { store_reset(m); return; }
    }
    unlink(path);
    store_reset(m);
}
