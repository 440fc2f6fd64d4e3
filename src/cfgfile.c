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
#include "globals.h"
#include "log.h"
#include "version.h"

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

/* One saved logical line for -bP config. */
enum saved_kind { SAVED_MARKER, SAVED_MACRO, SAVED_LINE };
typedef struct saved_line {
    struct saved_line *next;
    enum saved_kind kind;
    char *text;
} saved_line;

static macro_item *macros, *macros_tail;
static saved_line *saved, **saved_tail = &saved;
static cfg_reader *active; /* the reader whose files are open */

/* config_copy - a copy in POOL_CONFIG, whatever the current pool */
static char *config_copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = store_get_in(POOL_CONFIG, n, GET_UNTAINTED);
    memcpy(d, s, n);
    return d;
}

static void save_line(enum saved_kind kind, const char *text)
{
    saved_line *l = store_get_in(POOL_CONFIG, sizeof *l, GET_UNTAINTED);
    l->next = NULL;
    l->kind = kind;
    l->text = config_copy(text);
    *saved_tail = l;
    saved_tail = &l->next;
}

static void save_marker(int line, const char *file)
{
    save_line(SAVED_MARKER, string_sprintf("# %d \"%s\"", line, file));
}

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
        m->value = config_copy(value);
        m->command_line = command_line;
        return true;
    }
    m = macro_add(name, value);
    m->command_line = command_line;
    return true;
}

/* substitute_one - replace every occurrence of m's name in g. As in Exim,
 * the name matches anywhere (not only as a whole word) and the replacement
 * text is not scanned again for the same macro. Returns true if any was
 * replaced. */
static bool substitute_one(gstring **gp, const macro_item *m)
{
    gstring *g = *gp;
    size_t nlen = strlen(m->name);
    char *line = string_from_gstring(g);
    char *hit = strstr(line, m->name);
    if (!hit) return false;
    gstring *out = string_get(g->len + 64);
    const char *p = line;
    while (hit) {
        out = string_catn(out, p, (size_t)(hit - p));
        out = string_cat(out, m->value);
        p = hit + nlen;
        if (out->len > LIMIT_CONFIG_LINE) break;
        hit = strstr(p, m->name);
    }
    out = string_cat(out, p);
    *gp = out;
    return true;
}

/* macros_substitute - apply every macro in definition order to line,
 * leaving the first skip bytes alone (the name of a macro being defined) */
static char *macros_substitute(cfg_reader *r, char *line, size_t skip, bool *any)
{
    *any = false;
    if (!macros || !strpbrk(line + skip, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_")) return line;
    gstring *g = string_cat(NULL, line + skip);
    bool has_underscore = strchr(line + skip, '_') != NULL;
    for (const macro_item *m = macros; m; m = m->next) {
        if (m->builtin && !has_underscore) continue;
        if (substitute_one(&g, m)) *any = true;
        if (g->len > LIMIT_CONFIG_LINE) cfg_error(r, "line too long after macro expansion");
    }
    if (!*any) return line;
    return string_sprintf("%.*s%s", (int)skip, line, string_from_gstring(g));
}

/* macro_def_name_len - length of NAME if line is "NAME = ..." or
 * "NAME == ..." where a macro may be defined, else 0. The name of a macro
 * being (re)defined is not itself substituted. */
static size_t macro_def_name_len(const cfg_reader *r, const char *s)
{
    if (!r->macros_allowed || !isupper((unsigned char)*s)) return 0;
    const char *p = s;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    size_t n = (size_t)(p - s);
    while (*p == ' ' || *p == '\t') p++;
    return *p == '=' ? n : 0;
}

/* ---- files ---- */

/* push_file - open path and read from it until its end. Directories are
 * refused: fopen() accepts them and they would read as empty. */
static void push_file(cfg_reader *r, const char *path)
{
    if (r->depth >= LIMIT_CONFIG_INCLUDE_DEPTH)
        cfg_error(r, ".include nested too deeply (more than %d levels) at %s",
                  LIMIT_CONFIG_INCLUDE_DEPTH, path);
    FILE *f = fopen(path, "r");
    struct stat st;
    if (f && (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode))) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        if (!r->src) log_config_die("could not open configuration file %s: %s", path, strerror(errno));
        cfg_error(r, "failed to open included configuration file %s", path);
    }
    struct cfg_source *s = store_get_in(POOL_CONFIG, sizeof *s, GET_UNTAINTED);
    memset(s, 0, sizeof *s);
    s->f = f;
    s->name = config_copy(path);
    s->prev = r->src;
    if (r->src) save_marker(r->src->lineno, r->src->name);
    r->src = s;
    r->depth++;
    save_marker(1, path);
}

static void pop_file(cfg_reader *r)
{
    struct cfg_source *s = r->src;
    fclose(s->f);
    r->last_name = s->name;
    r->last_line = s->lineno;
    r->src = s->prev;
    r->depth--;
    if (r->src) save_marker(r->src->lineno, r->src->name);
}

cfg_reader *cfgfile_open(const char *path)
{
    cfg_reader *r = store_get_in(POOL_CONFIG, sizeof *r, GET_UNTAINTED);
    memset(r, 0, sizeof *r);
    r->macros_allowed = true;
    r->in_main = true;
    active = r;
    push_file(r, path);
    return r;
}

/* cfgfile_reset - close whatever an abandoned read left open and forget
 * macros and saved lines. For tests and fuzzing, which read many
 * configurations in one process; call store_reset_pool(POOL_CONFIG) after. */
void cfgfile_reset(void)
{
    while (active && active->src) {
        fclose(active->src->f);
        active->src = active->src->prev;
    }
    active = NULL;
    macros = macros_tail = NULL;
    saved = NULL;
    saved_tail = &saved;
}

/* read_physical - one physical line without its newline, or NULL at EOF.
 * NUL bytes are refused: they would silently truncate option values. */
static char *read_physical(cfg_reader *r)
{
    gstring *g = string_get(128);
    int c;
    bool any = false;
    while ((c = getc(r->src->f)) != EOF && c != '\n') {
        any = true;
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
    if (c == EOF && !any) return NULL;
    r->src->lineno++;
    char *s = string_from_gstring(g);
    if (g->len && s[g->len - 1] == '\r') s[g->len - 1] = 0;
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

/* is_directive - true if s starts with word followed by space or end */
static bool is_directive(const char *s, const char *word)
{
    size_t n = strlen(word);
    return strncmp(s, word, n) == 0 && (s[n] == 0 || isspace((unsigned char)s[n]));
}

static bool is_condition(const char *s)
{
    return is_directive(s, ".ifdef") || is_directive(s, ".ifndef") || is_directive(s, ".elifdef")
        || is_directive(s, ".elifndef");
}

static void cond_open(cfg_reader *r, bool truth)
{
    if (r->ifdepth >= LIMIT_CONFIG_IF_DEPTH)
        cfg_error(r, ".ifdef nested too deeply (more than %d levels)", LIMIT_CONFIG_IF_DEPTH);
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

/* include_path - the file named by .include: relative names are taken
 * from the including file's directory (.include_if_exists needs an
 * absolute name, as in Exim, whose wording the error keeps) */
static char *include_path(cfg_reader *r, char *arg, bool if_exists)
{
    arg = string_trim(arg);
    size_t n = strlen(arg);
    if (n >= 2 && arg[0] == '"' && arg[n - 1] == '"') {
        arg[n - 1] = 0;
        arg++;
    }
    if (*arg == '/') return arg;
    if (if_exists || !*arg) cfg_error(r, ".include specifies a non-absolute path \"%s\"", arg);
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
 * conditionals; comment and directive lines come back as "#". first is
 * true for the first line of a logical line (where a macro may be defined). */
static char *next_physical(cfg_reader *r, bool first)
{
    for (;;) {
        if (!r->src) return NULL;
        char *raw = read_physical(r);
        if (!raw) {
            pop_file(r);
            continue;
        }
        char *s = skip_ws(raw);
        if (*s == '#') return "#";
        bool any = false;
        if (*s && (!skipping(r) || is_condition(s))) {
            size_t skip = first ? macro_def_name_len(r, s) : 0;
            s = skip_ws(macros_substitute(r, s, skip, &any));
        }
        if (handle_conditional(r, s, any)) return "#";
        if (skipping(r) || *s == '#') return "#";
        if (handle_include(r, s)) return "#";
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

/* read_logical - join continuation lines: a trailing backslash joins the
 * next line with its leading white space removed; comment lines inside a
 * continuation are skipped; an empty line or the end of the file ends it */
static char *read_logical(cfg_reader *r)
{
    char *s;
    do {
        s = next_physical(r, true);
        if (!s) return NULL;
    } while (*s == 0 || *s == '#');
    gstring *g = string_cat(NULL, s);
    for (;;) {
        g->len = strip_trailing(string_from_gstring(g));
        if (!g->len || g->s[g->len - 1] != '\\') break;
        g->len--;
        char *next;
        do {
            next = next_physical(r, false);
        } while (next && *next == '#');
        if (!next || !*next) break;
        g = string_cat(g, next);
        if (g->len > LIMIT_CONFIG_LINE)
            cfg_error(r, "configuration line too long (limit %d bytes)", LIMIT_CONFIG_LINE);
    }
    g->len = strip_trailing(string_from_gstring(g));
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
    if (strlen(name) > LIMIT_MACRO_NAME)
        cfg_error(r, "macro name too long (maximum is %d characters)", LIMIT_MACRO_NAME);
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

/* cfgfile_next_line - see cfgfile.h. Scratch work happens in POOL_MAIN and
 * is released; only the finished line is kept in POOL_CONFIG. */
char *cfgfile_next_line(cfg_reader *r)
{
    rmark m = store_mark_in(POOL_MAIN);
    enum store_pool old = store_set_pool(POOL_MAIN);
    char *s, *keep = NULL;
    while ((s = read_logical(r))) {
        if (r->macros_allowed && try_macro_definition(r, s)) {
            save_line(SAVED_MACRO, s);
            continue;
        }
        save_line(SAVED_LINE, s);
        keep = config_copy(s);
        break;
    }
    if (!s && r->ifdepth) cfg_error(r, "Unexpected end of configuration file: .endif missing");
    store_set_pool(old);
    store_reset(m);
    return keep;
}

/* ---- -bP config ---- */

/* collapse_ws - runs of white space outside double quotes become one space.
 * Exim collapses most runs inside quotes too, but not all of them; Tern
 * keeps quoted text exactly as the value the option receives. */
static gstring *collapse_ws(gstring *g, const char *s)
{
    bool quoted = false, space = false;
    for (; *s; s++) {
        if (!quoted && isspace((unsigned char)*s)) { space = true; continue; }
        if (space) g = string_catc(g, ' ');
        space = false;
        if (quoted && *s == '\\' && s[1]) {
            g = string_catn(g, s, 2);
            s++;
            continue;
        }
        if (*s == '"') quoted = !quoted;
        g = string_catc(g, *s);
    }
    return g;
}

/* is_instance_header - "name:" or "name :" starting a driver or an ACL */
static bool is_instance_header(const char *s)
{
    const char *p = s;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.') p++;
    if (p == s) return false;
    while (isspace((unsigned char)*p)) p++;
    return p[0] == ':' && p[1] == 0;
}

/* saved_hidden - the text shown instead of a hidden value, or NULL:
 * macro values and "hide" options are shown only to admin users */
static char *saved_hidden(const saved_line *l)
{
    if (proc.admin_user) return NULL;
    const char *s = l->text, *eq = strchr(s, '=');
    if (!eq || (l->kind != SAVED_MACRO && !is_directive(s, "hide"))) return NULL;
    while (eq > s && isspace((unsigned char)eq[-1])) eq--;
    gstring *g = collapse_ws(NULL, string_copyn(s, (size_t)(eq - s)));
    return string_from_gstring(string_cat(g, " = <value not displayable>"));
}

/* saved_one - one line of -bP config: "begin" lines after a blank line,
 * "name:" lines in sections after a blank line indented 2, lines inside an
 * instance indented 4, other section lines indented 2 */
static gstring *saved_one(gstring *g, const saved_line *l, bool *in_section, bool *in_instance)
{
    char *hidden = saved_hidden(l);
    if (l->kind == SAVED_MARKER) return string_catc(string_cat(g, l->text), '\n');
    if (l->kind == SAVED_LINE && is_directive(l->text, "begin")) {
        *in_section = true;
        *in_instance = false;
        return string_catc(collapse_ws(string_cat(g, "\n"), l->text), '\n');
    }
    bool header = *in_section && l->kind == SAVED_LINE && is_instance_header(l->text);
    if (header) g = string_cat(g, "\n  ");
    else if (*in_section) g = string_cat(g, *in_instance ? "    " : "  ");
    if (header) *in_instance = true;
    if (hidden) g = string_cat(g, hidden);
    else g = collapse_ws(g, l->text);
    return string_catc(g, '\n');
}

/* cfgfile_saved_lines - the configuration as read, for -bP config */
const char *cfgfile_saved_lines(void)
{
    gstring *g = string_cat(NULL, "# Tern Configuration (" TERN_VERSION ")\n");
    bool in_section = false, in_instance = false;
    for (const saved_line *l = saved; l; l = l->next) g = saved_one(g, l, &in_section, &in_instance);
    return string_from_gstring(g);
}
