/* queue.c - the spool as a queue: where a message's files are (plain or
 * split_spool_directory layout), scanning the input directory, locking a
 * message as Exim does, and reading or rewriting its -H file.
 *
 * Used by -bp, queue runners and -M actions, as root or the exim user.
 * Never changes a message another process has locked. */

/* System */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "queue.h"
#include "spool.h"

/* The -D file starts with "<id>-D\n"; Exim locks exactly those bytes. */
#define QUEUE_DATA_START_OFFSET (MESSAGE_ID_LENGTH + 3)

char *queue_spool_dir(const char *sub)
{
    const char *spool = cfg.spool_directory ? cfg.spool_directory : SPOOL_DIRECTORY;
    return *sub ? string_sprintf("%s/input/%s", spool, sub) : string_sprintf("%s/input", spool);
}

const char *queue_subdir(const char *id)
{
    static char split[2];
    struct stat st;
    if (strlen(id) < MESSAGE_ID_LENGTH) return ""; /* not an id: callers report it missing */
    split[0] = id[5];
    split[1] = 0;
    const char *first = cfg.split_spool_directory ? split : "";
    const char *second = cfg.split_spool_directory ? "" : split;
    if (stat(string_sprintf("%s/%s-H", queue_spool_dir(first), id), &st) == 0) return first;
    if (stat(string_sprintf("%s/%s-H", queue_spool_dir(second), id), &st) == 0) return second;
    return first;
}

char *queue_input_path(const char *id, const char *suffix)
{
    return string_sprintf("%s/%s%s", queue_spool_dir(queue_subdir(id)), id, suffix);
}

int queue_lock(const char *id)
{
    int fd = open(queue_input_path(id, "-D"), O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0,
                       .l_len = QUEUE_DATA_START_OFFSET};
    if (fcntl(fd, F_SETLK, &fl) < 0) {
        close(fd);
        return -2;
    }
    return fd;
}

const char *queue_read_header(const char *id, spool_header *h, bool *missing)
{
    size_t len;
    const char *err;
    char *path = queue_input_path(id, "-H");
    if (missing) *missing = false;
    char *data = spool_read_file(path, &len, 0, &err);
    if (!data) {
        int e = errno;
        if (missing) *missing = e == ENOENT;
        return string_copy(strerror(e));
    }
    return spool_parse_header(data, len, h);
}

const char *queue_write_header(const spool_header *h)
{
    gstring *g = spool_format_header(h);
    const char *err;
    char *name = string_sprintf("%s-H", h->id);
    if (spool_write_file(queue_spool_dir(queue_subdir(h->id)), name, g->s, g->len, &err) != OK) return err;
    return NULL;
}

/* scan_dir - append the ids of <dir>'s -H files to *list; collects
 * one-character subdirectory names in subs when given */
static void scan_dir(const char *dir, const char *sub, queue_entry **list, int *n, int *cap, char *subs)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (subs && len == 1 && isalnum((unsigned char)e->d_name[0])) {
            size_t k = strlen(subs);
            subs[k] = e->d_name[0];
            subs[k + 1] = 0;
            continue;
        }
        if (len != MESSAGE_ID_LENGTH + 2 || strcmp(e->d_name + MESSAGE_ID_LENGTH, "-H") != 0) continue;
        char *id = string_copyn(e->d_name, MESSAGE_ID_LENGTH);
        if (!spool_message_id_valid(id)) continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            queue_entry *bigger = store_get((size_t)*cap * sizeof **list, GET_UNTAINTED);
            if (*n) memcpy(bigger, *list, (size_t)*n * sizeof **list);
            *list = bigger;
        }
        memcpy((*list)[*n].id, id, MESSAGE_ID_LENGTH + 1);
        (*list)[*n].sub[0] = sub[0];
        (*list)[*n].sub[1] = 0;
        (*n)++;
    }
    closedir(d);
}

/* cmp_entry - arrival order as Exim lists it: the seconds part of the id,
 * then its sub-second part, then the process part (which says nothing
 * about order, but makes the sort total) */
static int cmp_entry(const void *a, const void *b)
{
    const char *x = ((const queue_entry *)a)->id, *y = ((const queue_entry *)b)->id;
    int d = strncmp(x, y, MESSAGE_ID_TIME_LEN);
    if (d == 0) d = strcmp(x + MESSAGE_ID_SUBSEC_OFF, y + MESSAGE_ID_SUBSEC_OFF);
    return d ? d : strcmp(x, y);
}

queue_entry *queue_scan(bool sorted, int *count)
{
    queue_entry *list = NULL;
    int n = 0, cap = 0;
    char subs[128] = "";
    scan_dir(queue_spool_dir(""), "", &list, &n, &cap, subs);
    for (const char *s = subs; *s; s++) {
        char sub[2] = {*s, 0};
        scan_dir(queue_spool_dir(sub), sub, &list, &n, &cap, NULL);
    }
    if (sorted && n > 1) qsort(list, (size_t)n, sizeof *list, cmp_entry);
    *count = n;
    return list;
}
