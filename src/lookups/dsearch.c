/* dsearch.c - the dsearch lookup: does the directory hold an entry named
 * by the key? (lstat, so symlinks are entries and are not followed).
 *
 * Options: ret=full returns the whole path instead of the entry name;
 * filter=file|dir|subdir restricts the entry type (subdir excludes "."
 * and ".."). Keys containing '/' are refused, so a key can never name
 * anything outside the directory. The result is untainted: it names an
 * entry the admin's directory really holds. */

/* System */
#include <dirent.h>
#include <sys/stat.h>
/* MTA core */
#include "../tern.h"
/* This module */
#include "../lookups.h"

/* dsearch_open - check the directory can be read; the handle is unused.
 * The name must be absolute; a relative one is first tried from "/" (the
 * working directory Exim has at this point) so that the complaint is
 * Exim's: a failure to open, else "not absolute". */
static void *dsearch_open(const char *dirname, char **err)
{
    const char *path = dirname[0] == '/' ? dirname : string_sprintf("/%s", dirname);
    DIR *d = opendir(path);
    if (!d) {
        *err = string_sprintf("failed to open %s for directory search: %s", dirname, strerror(errno));
        return NULL;
    }
    closedir(d);
    if (dirname[0] != '/') {
        *err = string_sprintf("dirname '%s' for dsearch is not absolute", dirname);
        return NULL;
    }
    return (void *)1;
}

/* filter_ok - does the entry's type pass filter=? */
static int filter_ok(const char *filter, const struct stat *st, const char *key, char **err)
{
    if (!filter) return OK;
    if (strcmp(filter, "file") == 0) return S_ISREG(st->st_mode) ? OK : FAIL;
    if (strcmp(filter, "dir") == 0) return S_ISDIR(st->st_mode) ? OK : FAIL;
    if (strcmp(filter, "subdir") == 0)
        return S_ISDIR(st->st_mode) && strcmp(key, ".") != 0 && strcmp(key, "..") != 0 ? OK : FAIL;
    *err = string_sprintf("dsearch: unknown filter \"%s\"", filter);
    return DEFER;
}

/* dsearch_find - lstat dirname/key */
static int dsearch_find(void *handle, const char *dirname, const char *key, size_t keylen,
                        char **result, char **err, unsigned *do_cache, const char *opts)
{
    if (strchr(key, '/')) {
        *err = string_sprintf("key for dsearch lookup contains a slash: %s", key);
        return DEFER;
    }
    char *path = string_sprintf("%s/%s", dirname, key);
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return FAIL;
        *err = string_sprintf("%s: lstat: %s", path, strerror(errno));
        return DEFER;
    }
    int rc = filter_ok(lookup_opt(opts, "filter"), &st, key, err);
    if (rc != OK) return rc;
    char *ret = lookup_opt(opts, "ret");
    bool full = ret && strcmp(ret, "full") == 0;
    /* validated against the directory: the entry exists */
    *result = string_copy_taint(full ? path : key, GET_UNTAINTED);
    return OK;
}

const lookup_info dsearch_lookup_info = {
    .name = "dsearch", .type = LOOKUP_SINGLE_KEY, .open = dsearch_open,
    .find = dsearch_find,
};
