/* redirect_list.c - parse redirection data (an alias entry or a .forward
 * file): addresses, "|command", "/file", ":include:", ":fail:", ":defer:",
 * ":blackhole:", separated by commas or newlines, "#" comments.
 *
 * Runs in the delivery process; reads :include: files as the process's
 * identity. Produces address_items; never delivers anything. */

/* System */
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
/* MTA core */
#include "lib/fileio.h"
#include "tern.h"
#include "redirect_list.h"
#include "route.h"
#include "spool.h"

/* next_item - one item of the list; handles quotes and comments */
static char *next_item(const char **pp)
{
    const char *p = *pp;
    for (;;) {
        while (*p == ',' || isspace((unsigned char)*p)) p++;
        if (*p != '#') break;
        while (*p && *p != '\n') p++;
    }
    if (!*p) { *pp = p; return NULL; }
    const char *start = p;
    bool quoted = false;
    int angle = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) { p++; continue; }
        if (*p == '"') quoted = !quoted;
        else if (!quoted && *p == '<') angle++;
        else if (!quoted && *p == '>' && angle) angle--;
        else if (!quoted && !angle && (*p == ',' || *p == '\n')) break;
    }
    *pp = p;
    char *item = string_copyn_taint(start, (size_t)(p - start), store_is_tainted(start));
    return string_trim(item);
}

/* strip_outer - "|cmd args" and <addr> lose their quotes or brackets */
static char *strip_outer(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') { s[n - 1] = 0; return string_trim(s + 1); }
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"' && (s[1] == '|' || s[1] == '/')) {
        s[n - 1] = 0;
        return s + 1;
    }
    return s;
}

/* special - :fail: :defer: :blackhole: :include: (text is the rest) */
static int special(redirect_parse *rp, char *item, const char *rest, const char **pp)
{
    if (strncmp(item, ":blackhole:", 11) == 0) { rp->blackhole = true; return OK; }
    bool fail = strncmp(item, ":fail:", 6) == 0;
    if (fail || strncmp(item, ":defer:", 7) == 0) {
        const char *t = rest + (fail ? 6 : 7);
        while (isspace((unsigned char)*t)) t++;
        rp->special_text = string_copy(t);
        rp->special = fail ? FAIL : DEFER;
        rp->special_item = string_trim(string_copyn(rest, strcspn(rest, "\n")));
        *pp = rest + strlen(rest); /* the text runs to the end */
        return OK;
    }
    return ERROR;
}

/* quote_error - an unmatched '"' in the local part, worded as Exim:
 * one that opens mid-word also gets the "(expected word ...)" note */
static const char *quote_error(const char *a)
{
    bool q = false, midword = false;
    for (const char *p = a; *p; p++) {
        if (*p == '\\' && q && p[1]) { p++; continue; }
        if (*p != '"') continue;
        if (!q && p > a && p[-1] != '.') midword = true;
        q = !q;
    }
    if (!q) return NULL;
    return midword ? "unmatched doublequote in local part (expected word or \"<\")"
                   : "unmatched doublequote in local part";
}

const char *redirect_check_address(const char *a)
{
    const char *qe = quote_error(a);
    if (qe) return qe;
    const char *err;
    char *lp, *dom;
    if (*a == '@') return "no local part";
    if (!route_split(a, &lp, &dom, &err)) return err;
    bool q = false;
    for (const unsigned char *p = (const unsigned char *)lp; *p; p++) {
        if (*p == '\\' && q && p[1]) p++;
        else if (*p == '"') q = !q;
        else if (*p == '@' && !q) return "domain missing or malformed";
        else if ((isspace(*p) || *p < 32 || *p == 127) && !q)
            return "missing or malformed local part (expected word or \"<\")";
    }
    const char *gt = strchr(dom, '>');
    if (gt && *a != '<')
        return string_sprintf("malformed address: %s may not follow %.*s", gt,
                              (int)(strlen(a) - strlen(gt)), a);
    if (strchr(dom, '@') || strchr(dom, ' ') || !*dom) return "domain missing or malformed";
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p < 32 || *p == 127) return "malformed address";
    return NULL;
}

static int add_item(redirect_parse *rp, char *item, int depth);

char *redirect_read_file(const char *path, const char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size > LIMIT_REDIRECT_DATA) {
        *err = string_sprintf("failed to read %s: %s", path, fd < 0 ? strerror(errno) : "too large");
        if (fd >= 0) close(fd);
        return NULL;
    }
    /* a local file is the admin's or the user's, not outside data: untainted */
    char *buf = fileio_read_fd(fd, (size_t)st.st_size, GET_UNTAINTED, NULL);
    close(fd);
    return buf;
}

/* include - :include:file, read and parsed in place */
static int include(redirect_parse *rp, const char *path, int depth)
{
    if (rp->forbid_include) { rp->error = string_copy("included files not permitted"); return ERROR; }
    if (depth > 8) { rp->error = string_copy("too many nested :include: files"); return ERROR; }
    const char *err;
    char *data = redirect_read_file(path, &err);
    if (!data) { rp->error = string_sprintf("failed to open included file %s", path); return DEFER; }
    return redirect_parse_text(rp, data, depth + 1);
}

/* add_item - classify one item and add it to rp->out */
static int add_item(redirect_parse *rp, char *item, int depth)
{
    unsigned flags = 0;
    item = strip_outer(item);
    if (!*item) return OK;
    if (strncmp(item, ":include:", 9) == 0) return include(rp, string_trim(item + 9), depth);
    if (item[0] == '|') flags = AFL_PFR | AFL_PIPE;
    else if (item[0] == '/') flags = AFL_PFR | AFL_FILE;
    bool noredir = item[0] == '\\';
    if (noredir) item++;
    if (!flags) {
        const char *bad = redirect_check_address(item);
        if (bad) {
            rp->error = string_sprintf("%s in \"%s\"", bad, item);
            if (!rp->skip_syntax_errors) return ERROR;
            rp->skipped++; /* the router logs each one (skip_syntax_errors) */
            rp->skipped_errors = string_fmt_append(rp->skipped_errors, "%s\n", rp->error);
            rp->error = NULL;
            return OK;
        }
        const char *q = noredir && rp->qualify_noredir ? rp->qualify_noredir : rp->qualify_domain;
        if (!strchr(item, '@') && q) item = string_sprintf("%s@%s", item, q);
    }
    if (++rp->count > LIMIT_REDIRECT_ITEMS) { rp->error = string_copy("too many addresses in redirection"); return ERROR; }
    address_item *a = route_new_address(item, flags);
    if (noredir) a->flags |= AFL_HOMONYM;
    a->next = rp->out;
    rp->out = a;
    return OK;
}

int redirect_parse_text(redirect_parse *rp, const char *text, int depth)
{
    const char *p = text;
    char *item;
    for (;;) {
        while (*p == ',' || isspace((unsigned char)*p)) p++;
        const char *rest = p;
        if (!(item = next_item(&p))) break;
        if (item[0] == ':' && strncmp(item, ":include:", 9) != 0) {
            if (special(rp, item, rest, &p) != OK) {
                rp->error = string_sprintf("unknown special item \"%s\"", item);
                return ERROR;
            }
            continue;
        }
        int rc = add_item(rp, item, depth);
        if (rc != OK) return rc;
    }
    return OK;
}
