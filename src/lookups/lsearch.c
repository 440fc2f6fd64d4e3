/* lsearch.c - the linear-search lookups over alias-style text files:
 * lsearch (literal keys), wildlsearch (keys expanded, then matched as
 * patterns), nwildlsearch (patterns, no expansion) and iplsearch (keys
 * are IP addresses or CIDR networks). One file because the four share
 * the line parser; each has its own lookup_info.
 *
 * File format: "key: data" or "key data"; a key starting with '"' is
 * quoted with the usual backslash escapes; data continues on following
 * lines that start with white space (joined with one space); an empty
 * line ends the data; lines starting with # are comments. The files belong to
 * the admin, so results are untainted. Never writes to the file. */

/* System */
#include <ctype.h>
#include <sys/stat.h>
/* MTA core */
#include "../tern.h"
#include "../expand.h"
#include "../match.h"
/* This module */
#include "../lookups.h"

enum ls_kind { LS_PLAIN, LS_WILD, LS_NWILD, LS_IP };

/* Bound by expand.c when linked in; wildlsearch refuses keys that need
 * expansion in a program built without it. */
extern char *expand_string(const char *s) __attribute__((weak));

/* lsearch_open - open the file for reading; it must be a regular file */
static void *lsearch_open(const char *filename, char **err)
{
    FILE *f = fopen(filename, "rb");
    if (!f) {
        *err = string_sprintf("failed to open %s for linear search: %s", filename, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
        *err = string_sprintf("%s is not a regular file (lsearch lookup)", filename);
        fclose(f);
        return NULL;
    }
    return f;
}

static void lsearch_close(void *handle)
{
    fclose((FILE *)handle);
}

/* read_line - next physical line without its newline, or NULL at EOF */
static char *read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0) return NULL;
    if (n > 0 && (*buf)[n - 1] == '\n') (*buf)[--n] = 0;
    if (n > 0 && (*buf)[n - 1] == '\r') (*buf)[--n] = 0;
    return *buf;
}

/* hexval - value of a hex digit */
static int hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* unescape - one backslash escape at *pp (just after the backslash) */
static gstring *unescape(gstring *g, const char **pp)
{
    const char *p = *pp;
    static const char from[] = "nrtbfva", to[] = "\n\r\t\b\f\v\a";
    const char *m = *p ? strchr(from, *p) : NULL;
    if (m) { g = string_catc(g, to[m - from]); p++; }
    else if (*p == 'x' && isxdigit((unsigned char)p[1])) {
        int v = hexval((unsigned char)*++p);
        if (isxdigit((unsigned char)*++p)) v = v * 16 + hexval((unsigned char)*p++);
        g = string_catc(g, (char)v);
    } else if (*p >= '0' && *p <= '7') {
        int v = 0;
        for (int i = 0; i < 3 && *p >= '0' && *p <= '7'; i++) v = v * 8 + *p++ - '0';
        g = string_catc(g, (char)v);
    } else if (*p) g = string_catc(g, *p++);
    *pp = p;
    return g;
}

/* parse_key - the key at the start of line; *rest points after it and
 * any ':' terminator. Quoted keys have their escapes processed. */
char *lsearch_parse_key(const char *line, const char **rest)
{
    const char *p = line;
    gstring *g = string_get_tainted(64, GET_UNTAINTED);
    if (*p == '"') {
        for (p++; *p && *p != '"';) {
            if (*p == '\\') { p++; g = unescape(g, &p); }
            else g = string_catc(g, *p++);
        }
        if (*p == '"') p++;
    } else {
        while (*p && *p != ':' && !isspace((unsigned char)*p)) g = string_catc(g, *p++);
    }
    while (isspace((unsigned char)*p)) p++;
    if (*p == ':') p++;
    while (isspace((unsigned char)*p)) p++;
    *rest = p;
    return string_from_gstring(g);
}

/* key_matches - does this file key select the subject? OK, FAIL, DEFER */
static int key_matches(enum ls_kind kind, const char *fkey, const char *key, size_t keylen, char **err)
{
    switch (kind) {
    case LS_PLAIN:
        return strlen(fkey) == keylen && strncasecmp(fkey, key, keylen) == 0 ? OK : FAIL;
    case LS_IP:
        return match_ip_in_net(key, fkey) ? OK : FAIL;
    case LS_WILD:
        if (strpbrk(fkey, "$\\")) {
            if (!expand_string) {
                *err = string_sprintf("wildlsearch key \"%s\" needs string expansion", fkey);
                return DEFER;
            }
            if (!(fkey = expand_string(fkey))) return FAIL;
        }
        return match_check_string(key, fkey, -1, true, MCL_STRING, NULL);
    case LS_NWILD:
        return match_check_string(key, fkey, -1, true, MCL_STRING, NULL);
    }
    return FAIL;
}

/* read_data - the data of a matched line plus its continuation lines */
static char *read_data(FILE *f, const char *first, char **buf, size_t *cap)
{
    gstring *g = string_get_tainted(128, GET_UNTAINTED);
    g = string_cat(g, first);
    for (;;) {
        long pos = ftell(f);
        char *l = read_line(f, buf, cap);
        if (!l) break;
        if (!isspace((unsigned char)*l)) { fseek(f, pos, SEEK_SET); break; } /* empty too */
        char *t = string_trim(l);
        if (!*t) continue;
        while (g->len && isspace((unsigned char)g->s[g->len - 1])) g->len--;
        if (g->len) g = string_catc(g, ' ');
        g = string_cat(g, t);
        if (g->len > LIMIT_LSEARCH_LINE) break;
    }
    while (g->len && isspace((unsigned char)g->s[g->len - 1])) g->len--;
    return string_from_gstring(g);
}

/* after_key - the raw text after the key (for ret=full) */
static const char *after_key(const char *l)
{
    if (*l != '"') return l + strcspn(l, ": \t");
    for (l++; *l && *l != '"'; l++)
        if (*l == '\\' && l[1]) l++;
    return *l ? l + 1 : l;
}

/* ls_find - scan the file for the first line whose key matches */
static int ls_find(enum ls_kind kind, FILE *f, const char *key, size_t keylen, char **result,
                   char **err, const char *opts)
{
    char *buf = NULL, *l;
    size_t cap = 0;
    int rc = FAIL;
    rewind(f);
    char *ret = lookup_opt(opts, "ret");
    bool full = ret && strcmp(ret, "full") == 0;
    while ((l = read_line(f, &buf, &cap))) {
        if (!*l || *l == '#' || isspace((unsigned char)*l)) continue;
        const char *rest;
        char *fkey = lsearch_parse_key(l, &rest);
        if ((rc = key_matches(kind, fkey, key, keylen, err)) == FAIL) continue;
        if (rc == OK) {
            const char *raw = full ? after_key(l) : rest;
            char *data = read_data(f, raw, &buf, &cap);
            *result = full ? string_sprintf("%s%s", fkey, data) : data;
        }
        break;
    }
    free(buf);
    return rc;
}

static int lsearch_find(void *h, const char *filename, const char *key, size_t keylen, char **result,
                        char **err, unsigned *do_cache, const char *opts)
{
    return ls_find(LS_PLAIN, h, key, keylen, result, err, opts);
}

static int wildlsearch_find(void *h, const char *filename, const char *key, size_t keylen,
                            char **result, char **err, unsigned *do_cache, const char *opts)
{
    return ls_find(LS_WILD, h, key, keylen, result, err, opts);
}

static int nwildlsearch_find(void *h, const char *filename, const char *key, size_t keylen,
                             char **result, char **err, unsigned *do_cache, const char *opts)
{
    return ls_find(LS_NWILD, h, key, keylen, result, err, opts);
}

/* iplsearch_find - the key must be an IP address (no mask) */
static int iplsearch_find(void *h, const char *filename, const char *key, size_t keylen,
                          char **result, char **err, unsigned *do_cache, const char *opts)
{
    /* the "*" default of iplsearch* is looked up as a plain key */
    if (strcmp(key, "*") == 0) return ls_find(LS_PLAIN, h, key, keylen, result, err, opts);
    if (!match_is_ip(key, NULL)) {
        *err = string_sprintf("\"%s\" is not a valid iplsearch key (an IP address, with optional CIDR "
                              "mask, is wanted): in a host list, use net-iplsearch as the search type", key);
        return DEFER;
    }
    return ls_find(LS_IP, h, key, keylen, result, err, opts);
}

/* lsearch_scan - parse a buffer as an lsearch file (fuzzing and tests) */
int lsearch_scan_buffer(const char *data, size_t len, const char *key, char **result)
{
    FILE *f = fmemopen((void *)data, len, "rb");
    char *err = NULL;
    if (!f) return DEFER;
    int rc = ls_find(LS_PLAIN, f, key, strlen(key), result, &err, NULL);
    fclose(f);
    return rc;
}

const lookup_info lsearch_lookup_info = {
    .name = "lsearch", .type = LOOKUP_SINGLE_KEY, .open = lsearch_open,
    .find = lsearch_find, .close = lsearch_close,
};
const lookup_info wildlsearch_lookup_info = {
    .name = "wildlsearch", .type = LOOKUP_SINGLE_KEY, .open = lsearch_open,
    .find = wildlsearch_find, .close = lsearch_close,
};
const lookup_info nwildlsearch_lookup_info = {
    .name = "nwildlsearch", .type = LOOKUP_SINGLE_KEY, .open = lsearch_open,
    .find = nwildlsearch_find, .close = lsearch_close,
};
const lookup_info iplsearch_lookup_info = {
    .name = "iplsearch", .type = LOOKUP_SINGLE_KEY, .open = lsearch_open,
    .find = iplsearch_find, .close = lsearch_close,
};
