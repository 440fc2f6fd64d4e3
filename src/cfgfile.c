/* cfgfile.c - physical-to-logical line reading of the runtime configuration.
 *
 * Runs in every process at startup, as the invoking user or root, before
 * any privilege is dropped. Handles, in this order per physical line:
 * macro substitution, .include, conditionals, comments, continuations.
 * Every error names the file and line. Never reads an unbounded line: a
 * logical line longer than LIMIT_CONFIG_LINE is an error. */

/* System */
#include <ctype.h>
#include <libgen.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "cfgfile.h"
#include "log.h"

struct cfg_source {
    struct cfg_source *prev;
    FILE *f;
    char *name;
    int lineno;
};

enum if_state {
    IF_TRUE,      /* taking lines */
    IF_FALSE,     /* skipping, an .elifdef may still turn true */
    IF_DONE,      /* skipping, some branch was already taken */
    IF_OUTER_OFF  /* skipping because an enclosing block is skipped */
};

struct cfg_reader {
    struct cfg_source *src;
    int depth;
    enum if_state ifs[LIMIT_CONFIG_IF_DEPTH];
    int ifdepth;
    bool macros_allowed;
    bool in_main;
    char *last_name; /* for errors after the last file closed */
    int last_line;
};

static macro_item *macros, *macros_tail;
static gstring *saved;

const char *cfgfile_saved_lines(void) { return saved ? string_from_gstring(saved) : ""; }

const char *cfgfile_filename(const cfg_reader *r) { return r->src ? r->src->name : r->last_name; }
int cfgfile_lineno(const cfg_reader *r) { return r->src ? r->src->lineno : r->last_line; }
void cfgfile_set_section(cfg_reader *r, bool macros_allowed, bool in_main)
{
    r->macros_allowed = macros_allowed;
    r->in_main = in_main;
}

void cfg_error(cfg_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = string_vsprintf(fmt, ap);
    va_end(ap);
    if (r && cfgfile_filename(r))
        log_config_die("configuration error in line %d of %s:\n  %s", cfgfile_lineno(r),
                       cfgfile_filename(r), msg);
    log_config_die("configuration error:\n  %s", msg);
}

/* ---- macros ---- */

bool macro_name_valid(const char *name)
{
    if (!isupper((unsigned char)*name) && *name != '_') return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return false;
    return strlen(name) <= LIMIT_MACRO_NAME;
}

const macro_item *macro_first(void) { return macros; }

const macro_item *macro_find(const char *name)
{
    for (macro_item *m = macros; m; m = m->next)
        if (strcmp(m->name, name) == 0) return m;
    return NULL;
}

static macro_item *macro_add(const char *name, const char *value)
{
    enum store_pool old = store_set_pool(POOL_CONFIG);
    macro_item *m = store_get_zero(sizeof *m, GET_UNTAINTED);
    m->name = string_copy(name);
    m->value = string_copy(value);
    store_set_pool(old);
    if (macros_tail) macros_tail->next = m;
    else macros = m;
    macros_tail = m;
    return m;
}

void macro_define_builtin(const char *name, const char *value)
{
    if (!macro_find(name)) macro_add(name, value)->builtin = true;
}

/* macro_define - returns false with *err set if the definition is refused */
bool macro_define(const char *name, const char *value, bool command_line, bool redefine,
                  const char **err)
{
    macro_item *m = (macro_item *)macro_find(name);
    if (m && m->command_line && !command_line) return true; /* -D wins */
    if (m && m->builtin) {
        *err = string_sprintf("macro \"%s\" is a builtin and cannot be redefined", name);
        return false;
    }
    if (m && !redefine && !command_line) {
        *err = string_sprintf("macro \"%s\" is already defined "
                              "(use \"==\" if you want to redefine it)", name);
        return false;
    }
    if (!m && redefine) {
        *err = string_sprintf("can't redefine an undefined macro \"%s\"", name);
        return false;
    }
    if (m) {
        m->value = string_copy_perm(value);
        m->command_line = command_line;
        return true;
    }
    m = macro_add(name, value);
    m->command_line = command_line;
    return true;
}

/* substitute_one - replace every occurrence of m's name in g that is not
 * preceded by a name character; returns true if any was replaced. */
static bool substitute_one(gstring **gp, const macro_item *m)
{
    gstring *g = *gp;
    size_t nlen = strlen(m->name);
    bool any = false;
    char *line = string_from_gstring(g);
    char *hit = strstr(line, m->name);
    if (!hit) return false;
    gstring *out = string_get(g->len + 64);
    const char *p = line;
    while (hit) {
        if (hit > line && (isalnum((unsigned char)hit[-1]) || hit[-1] == '_')) {
            out = string_catn(out, p, (size_t)(hit + 1 - p));
            p = hit + 1;
        } else {
            out = string_catn(out, p, (size_t)(hit - p));
            out = string_cat(out, m->value);
            p = hit + nlen;
            any = true;
        }
        if (out->len > LIMIT_CONFIG_LINE) break;
        hit = strstr(p, m->name);
    }
    out = string_cat(out, p);
    *gp = out;
    return any;
}

/* macros_substitute - apply every macro in definition order */
static char *macros_substitute(cfg_reader *r, char *line, bool *any)
{
    *any = false;
    if (!macros || !strpbrk(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_")) return line;
    gstring *g = string_cat(NULL, line);
    bool has_underscore = strchr(line, '_') != NULL;
    for (const macro_item *m = macros; m; m = m->next) {
        if (m->builtin && !has_underscore) continue;
        if (substitute_one(&g, m)) *any = true;
        if (g->len > LIMIT_CONFIG_LINE) cfg_error(r, "line too long after macro expansion");
    }
    return string_from_gstring(g);
}

/* ---- files ---- */

static void push_file(cfg_reader *r, const char *path)
{
    if (r->depth >= LIMIT_CONFIG_INCLUDE_DEPTH)
        cfg_error(r, ".include nested too deeply (more than %d levels) at %s",
                  LIMIT_CONFIG_INCLUDE_DEPTH, path);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!r->src) log_config_die("could not open configuration file %s: %s", path, strerror(errno));
        cfg_error(r, "failed to open included configuration file %s", path);
    }
    struct cfg_source *s = store_get_zero(sizeof *s, GET_UNTAINTED);
    s->f = f;
    s->name = string_copy_perm(path);
    s->prev = r->src;
    r->src = s;
    r->depth++;
    saved = string_fmt_append(saved, "# 1 \"%s\"\n", path);
}

static void pop_file(cfg_reader *r)
{
    struct cfg_source *s = r->src;
    fclose(s->f);
    r->last_name = s->name;
    r->last_line = s->lineno;
    r->src = s->prev;
    r->depth--;
    if (r->src) saved = string_fmt_append(saved, "# %d \"%s\"\n", r->src->lineno + 1, r->src->name);
}

cfg_reader *cfgfile_open(const char *path)
{
    cfg_reader *r = store_get_zero(sizeof *r, GET_UNTAINTED);
    r->macros_allowed = true;
    r->in_main = true;
    push_file(r, path);
    return r;
}

/* read_physical - one physical line without its newline, or NULL at EOF.
 * NUL bytes are refused: they would silently truncate option values. */
static char *read_physical(cfg_reader *r)
{
    gstring *g = NULL;
    int c;
    while ((c = getc(r->src->f)) != EOF && c != '\n') {
        if (c == 0) {
            r->src->lineno++;
            cfg_error(r, "NUL character in configuration line");
        }
        g = string_catc(g, (char)c);
        if (g->len > LIMIT_CONFIG_LINE) {
            r->src->lineno++;
            cfg_error(r, "configuration line too long (limit %d bytes)", LIMIT_CONFIG_LINE);
        }
    }
    if (c == EOF && !g) return NULL;
    r->src->lineno++;
    char *s = g ? string_from_gstring(g) : string_copy("");
    size_t n = strlen(s);
    if (n && s[n - 1] == '\r') s[n - 1] = 0;
    return s;
}

static bool skipping(const cfg_reader *r)
{
    return r->ifdepth > 0 && r->ifs[r->ifdepth - 1] != IF_TRUE;
}

static char *skip_ws(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    return s;
}

/* directive_word - length of ".word" at s if followed by space or end */
static bool is_directive(const char *s, const char *word)
{
    size_t n = strlen(word);
    return strncmp(s, word, n) == 0 && (s[n] == 0 || isspace((unsigned char)s[n]));
}

static void cond_open(cfg_reader *r, bool truth)
{
    if (r->ifdepth >= LIMIT_CONFIG_IF_DEPTH) cfg_error(r, ".ifdef nested too deeply");
    enum if_state st = skipping(r) ? IF_OUTER_OFF : truth ? IF_TRUE : IF_FALSE;
    r->ifs[r->ifdepth++] = st;
}

static void cond_elif(cfg_reader *r, bool truth, const char *which)
{
    if (!r->ifdepth) cfg_error(r, "%s without matching .ifdef", which);
    enum if_state *st = &r->ifs[r->ifdepth - 1];
    if (*st == IF_TRUE) *st = IF_DONE;
    else if (*st == IF_FALSE && truth) *st = IF_TRUE;
}

/* handle_conditional - returns true if the line was a conditional directive.
 * The condition is "did any macro substitution happen in this line". */
static bool handle_conditional(cfg_reader *r, const char *s, bool substituted)
{
    if (*s != '.') return false;
    if (is_directive(s, ".ifdef")) cond_open(r, substituted);
    else if (is_directive(s, ".ifndef")) cond_open(r, !substituted);
    else if (is_directive(s, ".elifdef")) cond_elif(r, substituted, ".elifdef");
    else if (is_directive(s, ".elifndef")) cond_elif(r, !substituted, ".elifndef");
    else if (is_directive(s, ".else")) cond_elif(r, true, ".else");
    else if (is_directive(s, ".endif")) {
        if (!r->ifdepth) cfg_error(r, ".endif without matching .ifdef");
        r->ifdepth--;
    } else return false;
    return true;
}

/* include_path - the file named by .include, relative to the including
 * file's directory when not absolute (only .include allows that) */
static char *include_path(cfg_reader *r, char *arg, bool if_exists)
{
    arg = string_trim(arg);
    size_t n = strlen(arg);
    if (n >= 2 && arg[0] == '"' && arg[n - 1] == '"') {
        arg[n - 1] = 0;
        arg++;
    }
    if (*arg == '/') return arg;
    if (if_exists) cfg_error(r, ".include_if_exists specifies a non-absolute path \"%s\"", arg);
    char *dir = dirname(string_copy(r->src->name));
    return string_sprintf("%s/%s", dir, arg);
}

static bool handle_include(cfg_reader *r, char *s)
{
    bool if_exists = is_directive(s, ".include_if_exists");
    if (!if_exists && !is_directive(s, ".include")) return false;
    char *path = include_path(r, s + (if_exists ? 18 : 8), if_exists);
    struct stat st;
    if (if_exists && stat(path, &st) != 0) return true;
    for (struct cfg_source *p = r->src; p; p = p->prev)
        if (strcmp(p->name, path) == 0) cfg_error(r, ".include of %s is recursive", path);
    push_file(r, path);
    return true;
}

/* next_physical - the next physical line after macros, includes and
 * conditionals; comment lines come back as "" */
static char *next_physical(cfg_reader *r)
{
    for (;;) {
        if (!r->src) return NULL;
        char *raw = read_physical(r);
        if (!raw) {
            pop_file(r);
            continue;
        }
        char *s = skip_ws(raw);
        if (*s == '#') return string_copy("#");
        bool any = false;
        if (*s && !skipping(r)) s = skip_ws(macros_substitute(r, s, &any));
        else if (*s == '.' && (is_directive(s, ".ifdef") || is_directive(s, ".ifndef")
                               || is_directive(s, ".elifdef") || is_directive(s, ".elifndef")))
            s = skip_ws(macros_substitute(r, s, &any));
        if (handle_conditional(r, s, any)) return string_copy("#");
        if (skipping(r)) return string_copy("#");
        if (*s == '#') return string_copy("#");
        if (handle_include(r, s)) return string_copy("#");
        return s;
    }
}

/* strip_trailing - remove trailing white space in place, return length */
static size_t strip_trailing(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return n;
}

/* read_logical - join continuation lines; comment lines inside a
 * continuation are skipped, an empty line ends it */
static char *read_logical(cfg_reader *r)
{
    char *s;
    do {
        s = next_physical(r);
        if (!s) return NULL;
    } while (*s == 0 || *s == '#');
    gstring *g = string_cat(NULL, s);
    for (;;) {
        g->len = strip_trailing(string_from_gstring(g));
        if (!g->len || g->s[g->len - 1] != '\\') break;
        g->len--;
        char *next;
        do {
            next = next_physical(r);
        } while (next && *next == '#');
        if (!next || !*next) break;
        g = string_cat(g, next);
        if (g->len > LIMIT_CONFIG_LINE) cfg_error(r, "configuration line too long");
    }
    return string_from_gstring(g);
}

/* try_macro_definition - "Name = value" or "Name == value" */
static bool try_macro_definition(cfg_reader *r, char *s)
{
    if (!isupper((unsigned char)*s)) return false;
    char *p = s;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    char *name = string_copyn(s, (size_t)(p - s));
    p = skip_ws(p);
    if (*p != '=') {
        if (!r->in_main) return false;
        cfg_error(r, "malformed macro definition");
    }
    bool redefine = p[1] == '=';
    p = skip_ws(p + (redefine ? 2 : 1));
    const char *err;
    for (const macro_item *m = macros; m && !redefine; m = m->next)
        if (!macro_find(name) && !m->builtin && strstr(name, m->name))
            cfg_error(r, "\"%s\" cannot be defined as a macro because previously defined macro "
                      "\"%s\" is a substring", name, m->name);
    if (!macro_define(name, string_trim(p), false, redefine, &err)) cfg_error(r, "%s", err);
    return true;
}

char *cfgfile_next_line(cfg_reader *r)
{
    enum store_pool old = store_set_pool(POOL_CONFIG);
    char *s;
    for (;;) {
        s = read_logical(r);
        if (!s) break;
        if (r->macros_allowed && try_macro_definition(r, s)) continue;
        saved = string_fmt_append(saved, "%s\n", s);
        break;
    }
    if (!s && r->ifdepth) {
        store_set_pool(old);
        cfg_error(r, "Unexpected end of configuration file: .endif missing");
    }
    store_set_pool(old);
    return s;
}
