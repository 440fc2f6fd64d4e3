/* debuglog.c - "control = debug" (Exim 4.96): from an ACL, turn on
 * debug output as -d would, into <log directory>/debuglog<tag> (the
 * log_file_path with "debug" for %s, the tag appended). "stop" ends it,
 * "kill" ends it and removes the file; "pretrigger=SIZE" keeps the last
 * SIZE bytes of debug output in memory until "trigger=now" or, with
 * "trigger=paniclog", a panic-log write copies them to the file.
 *
 * Runs in the process whose ACL asked (a connection child, unprivileged):
 * the file is created with that identity. It never writes outside the
 * log directory: a tag with "/" or ".." is refused. */

/* System */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* MTA core */
#include "globals.h"
#include "log.h"
/* This module */
#include "debuglog.h"

typedef struct debug_request {
    const char *tag, *opts;
    bool stop, kill, trigger_now, trigger_panic;
    size_t pretrigger;
} debug_request;

/* parse - the slash-separated options; NULL or what is wrong */
static const char *parse(const char *options, debug_request *q)
{
    int sep = '/';
    const char *o = options;
    for (char *w; o && (w = string_nextinlist(&o, &sep));) {
        if (string_has_prefix(w, "tag=")) q->tag = w + 4;
        else if (string_has_prefix(w, "opts=")) q->opts = w + 5;
        else if (strcmp(w, "stop") == 0) q->stop = true;
        else if (strcmp(w, "kill") == 0) q->kill = true;
        else if (string_has_prefix(w, "pretrigger=")) {
            char *end;
            unsigned long n = strtoul(w + 11, &end, 10);
            if (*end || n == 0 || n > LIMIT_DEBUG_PRETRIGGER) return string_sprintf("bad pretrigger size \"%s\"", w + 11);
            q->pretrigger = n;
        } else if (strcmp(w, "trigger=now") == 0) q->trigger_now = true;
        else if (strcmp(w, "trigger=paniclog") == 0) q->trigger_panic = true;
        /* anything else is ignored, as Exim 4.96 ignores it */
    }
    if (q->tag && (strchr(q->tag, '/') || strstr(q->tag, ".."))) return string_copy("debug tag may not contain / or ..");
    return NULL;
}

/* flush - held lines to the file */
static void flush(void)
{
    gstring *g = proc.debug_pre;
    if (!g) return;
    proc.debug_pre = NULL;
    ssize_t n = write(proc.debug_fd, g->s, g->len);
    (void)n; /* debug output is best effort */
}

static void stop(bool kill)
{
    if (!proc.debug_path) return;
    flush();
    close(proc.debug_fd);
    if (kill) unlink(proc.debug_path);
    proc.debug_fd = 2;
    proc.debug_path = NULL;
    proc.debugging = false;
}

/* start - open the file and choose the categories, as -d[opts] does */
static const char *start(const debug_request *q)
{
    if (proc.debug_path) return NULL; /* already on: Exim keeps the first file */
    const char *bad = NULL;
    if (!debug_parse(q->opts ? q->opts : "", &bad)) return bad;
    char *path = string_sprintf("%s%s", log_path_for("debug"), q->tag ? q->tag : "");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0) {
        proc.debugging = false;
        return string_sprintf("failed to open debug log %s: %s", path, strerror(errno));
    }
    proc.debug_fd = fd;
    proc.debug_path = string_copy_perm(path);
    return NULL;
}

const char *debuglog_control(const char *options)
{
    debug_request q = {0};
    const char *err = parse(options, &q);
    if (err || conn.host_checking) return err; /* -bh writes no files */
    if (q.stop || q.kill) {
        stop(q.kill);
        return NULL;
    }
    if ((err = start(&q))) return err;
    if (q.pretrigger) {
        proc.debug_pre_max = q.pretrigger;
        if (!proc.debug_pre) {
            enum store_pool old = store_set_pool(POOL_PERM); /* lives as long as the debugging */
            proc.debug_pre = string_get(q.pretrigger + 1);
            store_set_pool(old);
        }
    }
    if (q.trigger_panic) proc.debug_trigger_panic = true;
    if (q.trigger_now) flush();
    return NULL;
}

bool debuglog_write(const char *s, size_t len)
{
    gstring *g = proc.debug_pre;
    if (!g) return false;
    if (len >= proc.debug_pre_max) { s += len - proc.debug_pre_max; len = proc.debug_pre_max; g->len = 0; }
    if (g->len + len > proc.debug_pre_max) { /* drop the oldest bytes */
        size_t drop = g->len + len - proc.debug_pre_max;
        memmove(g->s, g->s + drop, g->len - drop);
        g->len -= drop;
    }
    memcpy(g->s + g->len, s, len);
    g->len += len;
    return true;
}

void debuglog_panic(void)
{
    if (proc.debug_trigger_panic) flush();
}
