/* acl_parse.c - turns the raw lines of "begin acl" (and inline ACL
 * strings and ACL files) into statements: a verb and its list of
 * conditions and modifiers, arguments kept unexpanded.
 *
 * Runs at startup (acl_init, errors are fatal with file:line) and at
 * run time for inline and file ACLs (errors become an ERROR return).
 * It never expands anything and never touches message state. */

/* System */
#include <ctype.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
/* This module */
#include "acl_int.h"

const char *const acl_verb_names[ACLV_COUNT] = {
    "accept", "defer", "deny", "discard", "drop", "require", "warn",
};

static acl_def *acl_named;   /* the "begin acl" section */
static acl_def *acl_loaded;  /* inline and file ACLs, kept for the process */

/* acl_cond_lookup - binary search of the sorted condition table */
const acl_cond_def *acl_cond_lookup(const char *name, size_t len)
{
    size_t lo = 0, hi = acl_cond_table_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *n = acl_cond_table[mid].name;
        int c = strncmp(name, n, len);
        if (c == 0 && n[len] != 0) c = -1;
        if (c == 0) return &acl_cond_table[mid];
        if (c < 0) hi = mid; else lo = mid + 1;
    }
    return NULL;
}

static int verb_lookup(const char *name, size_t len)
{
    for (int v = 0; v < ACLV_COUNT; v++)
        if (strlen(acl_verb_names[v]) == len && strncmp(acl_verb_names[v], name, len) == 0) return v;
    return -1;
}

static size_t word_len(const char *p)
{
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_') n++;
    return n;
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p)) p++;
    return p;
}

/* parse_set_name - "set acl_xxx = value": check and keep the name */
static const char *parse_set_name(acl_cond *c, const char *p, const char *line, char **err)
{
    size_t n = word_len(p);
    if (n < 5 || (strncmp(p, "acl_c", 5) != 0 && strncmp(p, "acl_m", 5) != 0)) {
        *err = string_sprintf("invalid variable name after \"set\" in ACL modifier \"set %s\" "
                              "(must start \"acl_c\" or \"acl_m\")", p);
        return NULL;
    }
    if (n == 5 || !(isdigit((unsigned char)p[5]) || p[5] == '_')) {
        *err = string_sprintf("invalid variable name after \"set\" in ACL modifier \"set %s\" "
                              "(digit or underscore must follow acl_c or acl_m)", p);
        return NULL;
    }
    (void)line;
    c->varname = string_copyn(p, n);
    return p + n;
}

/* parse_condition - one "[!]name [= arg]" item of a statement */
static acl_cond *parse_condition(const char *p, const char *line, enum acl_verb verb, char **err)
{
    const char *start = p;
    bool neg = false;
    if (*p == '!') { neg = true; p = skip_space(p + 1); }
    size_t n = word_len(p);
    const acl_cond_def *d = n ? acl_cond_lookup(p, n) : NULL;
    if (!d) {
        *err = string_sprintf("unknown ACL condition/modifier in \"%s\"", line);
        return NULL;
    }
    acl_cond *c = store_get_zero(sizeof *c, GET_UNTAINTED);
    c->def = d;
    c->negated = neg;
    if (neg && d->no_negate) {
        *err = string_sprintf("ACL error: negation is not allowed with \"%s\"", d->name);
        return NULL;
    }
    if (d->no_arg) {
        if (verb != ACLV_ACCEPT && verb != ACLV_DISCARD) {
            *err = string_sprintf("ACL error: \"%s\" is not allowed with \"%s\"", d->name, acl_verb_names[verb]);
            return NULL;
        }
        return c;
    }
    p = skip_space(p + n);
    if (strcmp(d->name, "set") == 0 && *p != '=') {
        p = parse_set_name(c, p, start, err);
        if (!p) return NULL;
        p = skip_space(p);
    }
    if (*p != '=') {
        *err = string_sprintf("\"=\" missing after ACL \"%s\" %s", d->name, d->modifier ? "modifier" : "condition");
        return NULL;
    }
    if (strcmp(d->name, "set") == 0 && !c->varname) {
        *err = string_sprintf("invalid variable name after \"set\" in ACL modifier \"set %s\" "
                              "(must start \"acl_c\" or \"acl_m\")", p);
        return NULL;
    }
    c->arg = string_trim(string_copy(skip_space(p + 1)));
    return c;
}

typedef struct parse_state {
    acl_def *def;
    acl_stmt **stmt_tail;
    acl_stmt *cur;
    acl_cond **cond_tail;
} parse_state;

/* parse_line - a verb line or a continuation condition line */
static bool parse_line(parse_state *ps, const char *line, const char *file, int lineno, char **err)
{
    const char *p = skip_space(line), *text = p;
    if (!*p || *p == '#') return true;
    const char *w = *p == '!' ? skip_space(p + 1) : p;
    size_t n = word_len(w);
    if (n == 0 || (w != p && verb_lookup(w, n) >= 0)) {
        *err = string_sprintf("malformed ACL line \"%s\"", p);
        return false;
    }
    int v = w == p ? verb_lookup(p, n) : -1;
    if (v < 0 && !ps->cur) {
        *err = string_sprintf("unknown ACL verb \"%s\" in \"%s\"", string_copyn(p, n), p);
        return false;
    }
    if (v >= 0) {
        acl_stmt *s = store_get_zero(sizeof *s, GET_UNTAINTED);
        s->verb = (enum acl_verb)v;
        s->file = file;
        s->line = lineno;
        *ps->stmt_tail = s;
        ps->stmt_tail = &s->next;
        ps->cur = s;
        ps->cond_tail = &s->conds;
        p = skip_space(p + n);
        if (!*p) return true;
    }
    acl_cond *c = parse_condition(p, string_trim(string_copy(text)), ps->cur->verb, err);
    if (!c) return false;
    *ps->cond_tail = c;
    ps->cond_tail = &c->next;
    return true;
}

static acl_def *new_def(const char *name, parse_state *ps)
{
    acl_def *d = store_get_zero(sizeof *d, GET_UNTAINTED);
    d->name = string_copy(name);
    memset(ps, 0, sizeof *ps);
    ps->def = d;
    ps->stmt_tail = &d->stmts;
    return d;
}

/* acl_parse_text - an inline ACL or file contents: newline-separated,
 * backslash continuation, # comments */
acl_def *acl_parse_text(const char *name, const char *text, const char *file, char **err, int *errline)
{
    parse_state ps;
    acl_def *d = new_def(name, &ps);
    int lineno = 0;
    gstring *g = NULL;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        g = string_catn(g ? g : string_get(len + 1), p, len);
        p += len + (nl ? 1 : 0);
        while (g->len && isspace((unsigned char)g->s[g->len - 1])) g->len--;
        if (g->len && g->s[g->len - 1] == '\\' && *p) { g->len--; while (isspace((unsigned char)*p) && *p != '\n') p++; continue; }
        char *line = string_from_gstring(g);
        g = NULL;
        if (*skip_space(line) == '#') continue;
        if (!parse_line(&ps, line, file, lineno, err)) { *errline = lineno; return NULL; }
    }
    return d;
}

/* acl_init - parse the "begin acl" section; any error is fatal */
void acl_init(void)
{
    enum store_pool old = store_set_pool(POOL_CONFIG);
    acl_def **tail = &acl_named;
    for (const acl_block *b = cfg.sections.acls; b; b = b->next) {
        parse_state ps;
        acl_def *d = new_def(b->name, &ps);
        for (const cfg_line *l = b->lines; l; l = l->next) {
            char *err;
            if (!parse_line(&ps, l->text, l->file, l->line, &err))
                log_config_die("configuration error in line %d of %s:\n  error in ACL: %s", l->line, l->file, err);
        }
        *tail = d;
        tail = &d->next;
    }
    store_set_pool(old);
}

/* acl_find - a named ACL of the configuration */
acl_def *acl_find(const char *name)
{
    for (acl_def *d = acl_named; d; d = d->next)
        if (strcmp(d->name, name) == 0) return d;
    return NULL;
}

static char *read_acl_file(const char *path, char **err)
{
    FILE *f = fopen(path, "r");
    if (!f) { *err = string_sprintf("failed to open ACL file \"%s\": %s", path, strerror(errno)); return NULL; }
    gstring *g = string_get(1024);
    char buf[1024];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) g = string_catn(g, buf, n);
    bool bad = ferror(f);
    fclose(f);
    if (bad) { *err = string_sprintf("failed to read ACL file \"%s\": %s", path, strerror(errno)); return NULL; }
    return string_from_gstring(g);
}

/* place_inline - inline ACL statements are traced (-bh) with the file
 * and line where reading the configuration ended, as Exim traces them */
static void place_inline(acl_def *d)
{
    for (acl_stmt *s = d->stmts; cfg.sections.last_file && s; s = s->next) {
        s->file = cfg.sections.last_file;
        s->line = cfg.sections.last_line;
    }
}

/* acl_load - the ACL an acl_smtp_* value names (already expanded):
 * "/file", a name from the config, or an inline ACL. Loaded ACLs are
 * cached for the life of the process, as Exim does. */
acl_def *acl_load(const char *text, char **err)
{
    if (*text != '/' && !strpbrk(text, " \t\n")) {
        acl_def *d = acl_find(text);
        if (d) return d;
    }
    for (acl_def *d = acl_loaded; d; d = d->next)
        if (strcmp(d->name, text) == 0) return d;
    enum store_pool old = store_set_pool(POOL_PERM);
    const char *body = text, *file = "inline ACL";
    if (*text == '/') {
        body = read_acl_file(text, err);
        file = text;
    }
    int errline = 0;
    acl_def *d = body ? acl_parse_text(text, body, string_copy(file), err, &errline) : NULL;
    if (d) d->is_inline = *text != '/';
    if (d && d->is_inline) place_inline(d);
    if (!d && body) *err = string_sprintf("error in ACL: %s", *err);
    if (d) { d->next = acl_loaded; acl_loaded = d; }
    store_set_pool(old);
    return d;
}
