/* readconf.c - parse the runtime configuration into cfg.
 *
 * Runs once per process at startup (and again after SIGHUP via re-exec).
 * Takes logical lines from cfgfile.c and sorts them into the main options,
 * named lists, ACL blocks, driver instances, retry and rewrite rules.
 * Everything lives in POOL_CONFIG. Dies with file and line on any error:
 * a half-read configuration is never used. */

/* System */
#include <ctype.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "auth.h"
#include "cfgfile.h"
#include "globals.h"
#include "log.h"
#include "readconf.h"
#include "router.h"
#include "transport.h"

enum section { SEC_MAIN, SEC_ACL, SEC_AUTH, SEC_ROUTERS, SEC_TRANSPORTS, SEC_RETRY,
               SEC_REWRITE, SEC_LOCAL_SCAN, SEC_COUNT };

static const struct { const char *name; enum section sec; } section_names[] = {
    {"acl", SEC_ACL}, {"authenticators", SEC_AUTH}, {"local_scan", SEC_LOCAL_SCAN},
    {"retry", SEC_RETRY}, {"rewrite", SEC_REWRITE}, {"routers", SEC_ROUTERS},
    {"transports", SEC_TRANSPORTS},
};

typedef struct parse_ctx {
    cfg_reader *r;
    enum section sec;
    driver_instance *drv;       /* instance being read */
    enum driver_kind kind;
    acl_block *acl;             /* ACL being read */
    cfg_line **acl_tail;
    driver_instance **drv_tail[DRIVER_KINDS];
    cfg_line **retry_tail, **rewrite_tail;
    struct option_seen *seen;   /* options set so far, for "second time" */
} parse_ctx;

/* One option already set in one block (main options or one instance). */
typedef struct option_seen {
    struct option_seen *next;
    const void *block;
    const optionlist *ol;
} option_seen;

static named_list *hidden_main; /* names given with "hide" */

/* readconf_reset - forget "hide" names from an earlier read (tests, fuzzing) */
void readconf_reset(void)
{
    hidden_main = NULL;
}

bool readconf_hidden(const char *name)
{
    for (named_list *h = hidden_main; h; h = h->next)
        if (strcmp(h->name, name) == 0) return true;
    return false;
}

/* ---- string values ---- */

static int hexval(int c) { return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10; }

/* quoted_escape - one backslash escape inside a quoted value; returns the
 * byte and advances *pp past the escape */
static char quoted_escape(const char **pp)
{
    const char *p = *pp;
    char c = *p++;
    int v = 0, n = 0;
    switch (c) {
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'x':
        while (n < 2 && isxdigit((unsigned char)*p)) v = v * 16 + hexval((unsigned char)*p++), n++;
        c = (char)v;
        break;
    default:
        if (c >= '0' && c <= '7') {
            v = c - '0';
            while (n < 2 && *p >= '0' && *p <= '7') v = v * 8 + (*p++ - '0'), n++;
            c = (char)v;
        }
    }
    *pp = p;
    return c;
}

char *readconf_string_value(const char *s, const char **err)
{
    *err = NULL;
    if (*s != '"') return string_copy(s);
    gstring *g = string_get(strlen(s));
    const char *p = s + 1;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) {
            p++;
            g = string_catc(g, quoted_escape(&p));
        } else g = string_catc(g, *p++);
    }
    if (*p != '"') {
        *err = string_copy("missing quote at end of string value");
        return NULL;
    }
    for (p++; isspace((unsigned char)*p); p++) {}
    if (*p) {
        *err = string_copy("extra characters follow string value");
        return NULL;
    }
    return string_from_gstring(g);
}

/* ---- option lines ---- */

typedef struct option_words {
    char *name;      /* without no_/not_ */
    bool negated;
    bool has_value;
    char *value;
    bool hide;
    bool junk;
    const optionlist *as_written; /* the row named, before alias resolution */
} option_words;

/* split_option - "hide name = value", "no_name", "name" */
static void split_option(parse_ctx *c, char *line, option_words *w)
{
    memset(w, 0, sizeof *w);
    char *p = line;
    if (strncmp(p, "hide", 4) == 0 && isspace((unsigned char)p[4])) {
        w->hide = true;
        for (p += 4; isspace((unsigned char)*p); p++) {}
    }
    char *start = p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    if (p == start) cfg_error(c->r, "option setting expected: %s", string_printing(line));
    w->name = string_copyn(start, (size_t)(p - start));
    while (isspace((unsigned char)*p)) p++;
    if (*p == '=') {
        w->has_value = true;
        for (p++; isspace((unsigned char)*p); p++) {}
        w->value = p;
    } else if (*p) {
        w->junk = true; /* "name value" without '=' */
    }
}

/* lookup_option - find NAME (or its no_/not_ form) in the table */
static const optionlist *lookup_option(const optionlist *t, size_t n, option_words *w)
{
    const optionlist *ol = options_find(t, n, w->name);
    if (!ol && (string_has_prefix(w->name, "no_") || string_has_prefix(w->name, "not_"))) {
        const char *base = w->name + (w->name[2] == '_' ? 3 : 4);
        ol = options_find(t, n, base);
        if (ol) {
            w->negated = true;
            w->name = string_copy(base);
        }
    }
    w->as_written = ol;
    if (ol && (ol->type & OPT_TYPE_MASK) == opt_alias) ol = options_find(t, n, ol->aux);
    return ol;
}

/* check_bool_words - a boolean value is one word: Exim's wording for
 * anything after it, with its hint when the extra text looks like a comment */
static void check_bool_words(parse_ctx *c, const option_words *w)
{
    char *v = w->value, *p = v;
    while (*p && !isspace((unsigned char)*p)) p++;
    char *rest = p;
    while (isspace((unsigned char)*rest)) rest++;
    if (!*rest) return;
    cfg_error(c->r, "extra characters follow \"%.*s\" for boolean option %s%s", (int)(p - v), v,
              w->name, *rest == '#' ? " (# is comment only at line start)" : "");
}

/* note_seen - an option may be set once per block */
static void note_seen(parse_ctx *c, const optionlist *ol, const void *block)
{
    for (option_seen *o = c->seen; o; o = o->next)
        if (o->ol == ol && o->block == block)
            cfg_error(c->r, "\"%s\" option set for the second time", ol->name);
    option_seen *o = store_get(sizeof *o, GET_UNTAINTED);
    o->block = block;
    o->ol = ol;
    o->next = c->seen;
    c->seen = o;
}

/* apply_option - parse the value into block; dies on error */
static void apply_option(parse_ctx *c, const optionlist *ol, void *block, option_words *w)
{
    unsigned t = ol->type & OPT_TYPE_MASK;
    bool is_bool = t == opt_bool || t == opt_bool_verify;
    if (w->junk && is_bool)
        cfg_error(c->r, "extra characters follow boolean option %s%s", w->negated ? "no_" : "",
                  w->name);
    if (w->junk) cfg_error(c->r, "missing \"=\" after %s", w->name);
    if (w->has_value && is_bool) check_bool_words(c, w);
    note_seen(c, w->as_written ? w->as_written : ol, block);
    const char *value = w->value ? w->value : "";
    if (w->has_value && !is_bool && t != opt_missing) {
        const char *err;
        value = readconf_string_value(w->value, &err);
        if (!value) cfg_error(c->r, "%s for %s", err, w->name);
    }
    const char *err = options_set(ol, block, value, w->negated, w->has_value);
    if (err) cfg_error(c->r, "%s", err);
}

/* check_log_selector - refuse unknown names where they are set */
static void check_log_selector(parse_ctx *c)
{
    bool bits[L_COUNT];
    const char *bad;
    if (!log_selector_parse(cfg.log_selector, bits, &bad)) cfg_error(c->r, "%s", bad);
}

static void main_option(parse_ctx *c, char *line)
{
    option_words w;
    split_option(c, line, &w);
    const optionlist *ol = lookup_option(main_optionlist, main_optionlist_count, &w);
    if (!ol) cfg_error(c->r, "main option \"%s\" unknown", w.name);
    apply_option(c, ol, &cfg, &w);
    if (strcmp(ol->name, "log_selector") == 0) check_log_selector(c);
    if (w.hide) {
        named_list *h = store_get_zero(sizeof *h, GET_UNTAINTED);
        h->name = (char *)ol->name;
        h->next = hidden_main;
        hidden_main = h;
    }
}

/* ---- named lists ---- */

static bool named_list_line(parse_ctx *c, char *line)
{
    static const struct { const char *word, *what; enum named_list_kind kind; } kinds[] = {
        {"addresslist", "address list", NL_ADDRESS}, {"domainlist", "domain list", NL_DOMAIN},
        {"hostlist", "host list", NL_HOST}, {"localpartlist", "local part list", NL_LOCALPART}};
    char *p = line;
    bool hide = false;
    if (strncmp(p, "hide ", 5) == 0) { hide = true; p += 5; while (*p == ' ') p++; }
    for (size_t i = 0; i < NELEM(kinds); i++) {
        size_t n = strlen(kinds[i].word);
        if (strncmp(p, kinds[i].word, n) != 0) continue;
        bool cache = strncmp(p + n, "_cache", 6) == 0 && isspace((unsigned char)p[n + 6]);
        char *q = p + n + (cache ? 6 : 0);
        if (!isspace((unsigned char)*q)) continue;
        while (isspace((unsigned char)*q)) q++;
        char *name = q;
        while (isalnum((unsigned char)*q) || *q == '_') q++;
        if (q == name) cfg_error(c->r, "missing name for %s", kinds[i].word);
        named_list *nl = store_get_zero(sizeof *nl, GET_UNTAINTED);
        nl->name = string_copyn(name, (size_t)(q - name));
        while (isspace((unsigned char)*q)) q++;
        if (*q != '=') cfg_error(c->r, "missing '=' after \"%s\"", nl->name);
        for (q++; isspace((unsigned char)*q); q++) {}
        for (named_list *o = cfg.sections.lists[kinds[i].kind]; o; o = o->next)
            if (strcmp(o->name, nl->name) == 0)
                cfg_error(c->r, "duplicate name \"%s\" for a named %s", nl->name, kinds[i].what);
        nl->value = string_copy(q);
        nl->cache = cache || kinds[i].kind == NL_DOMAIN || kinds[i].kind == NL_HOST;
        nl->hide = hide;
        nl->next = cfg.sections.lists[kinds[i].kind];
        cfg.sections.lists[kinds[i].kind] = nl;
        return true;
    }
    return false;
}

/* ---- drivers ---- */

static void finish_driver(parse_ctx *c)
{
    driver_instance *d = c->drv;
    if (!d) return;
    c->drv = NULL;
    if (!d->driver_name)
        cfg_error(c->r, "no driver defined for %s \"%s\"", drivers_kinds[c->kind].singular, d->name);
    if (d->info->init) {
        const char *err = d->info->init(d);
        if (err) cfg_error(c->r, "%s %s: %s", d->name, drivers_kinds[c->kind].singular, err);
    }
}

static void start_driver(parse_ctx *c, char *name)
{
    finish_driver(c);
    const drivers_kind_desc *k = &drivers_kinds[c->kind];
    if (strlen(name) > LIMIT_DRIVER_NAME) cfg_error(c->r, "%s name too long", k->singular);
    for (driver_instance *o = cfg.sections.drivers[c->kind]; o; o = o->next)
        if (strcmp(o->name, name) == 0)
            cfg_error(c->r, "there are two %ss called \"%s\"", k->singular, name);
    driver_instance *d = store_get(k->instance_size, GET_UNTAINTED);
    memcpy(d, k->generic_default, k->instance_size);
    d->name = string_copy(name);
    d->srcfile = cfgfile_filename(c->r);
    d->srcline = cfgfile_lineno(c->r);
    *c->drv_tail[c->kind] = d;
    c->drv_tail[c->kind] = &d->next;
    c->drv = d;
}

/* set_driver_name - "driver = x": attach the implementation and its defaults */
static void set_driver_name(parse_ctx *c, const char *value)
{
    const drivers_kind_desc *k = &drivers_kinds[c->kind];
    driver_instance *d = c->drv;
    if (d->driver_name) cfg_error(c->r, "driver set twice for %s \"%s\"", k->singular, d->name);
    const driver_info *info = drivers_find(c->kind, value);
    if (!info && drivers_not_built(c->kind, value))
        cfg_error(c->r, "%s %s: the %s driver \"%s\" is not built into this binary", k->singular,
                  d->name, k->singular, value);
    if (!info) cfg_error(c->r, "%s %s: cannot find %s driver \"%s\"", k->singular, d->name,
                         k->singular, value);
    d->info = info;
    d->driver_name = string_copy(value);
    d->options_block = store_get(info->options_len, GET_UNTAINTED);
    memcpy(d->options_block, info->options_default, info->options_len);
}

static void driver_option(parse_ctx *c, char *line)
{
    const drivers_kind_desc *k = &drivers_kinds[c->kind];
    driver_instance *d = c->drv;
    option_words w;
    split_option(c, line, &w);
    if (strcmp(w.name, "driver") == 0) {
        if (d->driver_name) cfg_error(c->r, "\"driver\" option set for the second time");
        const char *err;
        char *v = w.value ? readconf_string_value(w.value, &err) : NULL;
        if (!v || !*v) cfg_error(c->r, "unexpected end of line (data missing) after driver");
        set_driver_name(c, v);
        return;
    }
    const optionlist *ol = lookup_option(k->generic, k->generic_count, &w);
    if (ol) {
        apply_option(c, ol, d, &w);
        return;
    }
    if (!d->info)
        cfg_error(c->r, "option \"%s\" unknown (\"driver\" must be specified before any "
                  "private options)", w.name);
    ol = lookup_option(d->info->options, d->info->options_count, &w);
    if (!ol) cfg_error(c->r, "option \"%s\" unknown", w.name);
    apply_option(c, ol, (ol->type & OPT_PUBLIC) ? (void *)d : d->options_block, &w);
}

/* instance_header - "name:" starting a driver or ACL; returns the name */
static char *instance_header(char *line)
{
    char *p = line;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.') p++;
    if (p == line) return NULL;
    char *end = p;
    while (isspace((unsigned char)*p)) p++;
    if (*p != ':') return NULL;
    for (p++; isspace((unsigned char)*p); p++) {}
    if (*p) return NULL;
    return string_copyn(line, (size_t)(end - line));
}

static void driver_line(parse_ctx *c, char *line)
{
    char *name = instance_header(line);
    if (name) {
        start_driver(c, name);
        return;
    }
    if (!c->drv) cfg_error(c->r, "%s name missing", drivers_kinds[c->kind].singular);
    driver_option(c, line);
}

/* ---- raw sections ---- */

static cfg_line *raw_line(parse_ctx *c, char *text)
{
    cfg_line *l = store_get_zero(sizeof *l, GET_UNTAINTED);
    l->text = text;
    l->file = cfgfile_filename(c->r);
    l->line = cfgfile_lineno(c->r);
    return l;
}

static void acl_line(parse_ctx *c, char *line)
{
    char *name = instance_header(line);
    if (name) {
        for (acl_block *o = cfg.sections.acls; o; o = o->next)
            if (strcmp(o->name, name) == 0) cfg_error(c->r, "there are two ACLs called \"%s\"", name);
        acl_block *a = store_get_zero(sizeof *a, GET_UNTAINTED);
        a->name = name;
        a->file = cfgfile_filename(c->r);
        a->line = cfgfile_lineno(c->r);
        a->next = cfg.sections.acls;
        cfg.sections.acls = a;
        c->acl = a;
        c->acl_tail = &a->lines;
        return;
    }
    if (!c->acl) cfg_error(c->r, "missing or malformed ACL name");
    *c->acl_tail = raw_line(c, line);
    c->acl_tail = &(*c->acl_tail)->next;
}

static void rule_line(parse_ctx *c, char *line, cfg_line ***tail)
{
    **tail = raw_line(c, line);
    *tail = &(**tail)->next;
}

/* ---- sections ---- */

static void begin_section(parse_ctx *c, const char *name)
{
    finish_driver(c);
    for (size_t i = 0; i < NELEM(section_names); i++) {
        if (strcmp(section_names[i].name, name) != 0) continue;
        enum section s = section_names[i].sec;
        if (cfg.sections.seen[s]) cfg_error(c->r, "\"%s\" section is repeated in the configuration file", name);
        cfg.sections.seen[s] = true;
        c->sec = s;
        c->acl = NULL;
        bool macros = s != SEC_RETRY && s != SEC_REWRITE && s != SEC_LOCAL_SCAN;
        cfgfile_set_section(c->r, macros, false);
        if (s == SEC_LOCAL_SCAN)
            cfg_error(c->r, "local_scan() options not supported: Tern has no local_scan() interface");
        if (s == SEC_AUTH) c->kind = DRIVER_AUTH;
        if (s == SEC_ROUTERS) c->kind = DRIVER_ROUTER;
        if (s == SEC_TRANSPORTS) c->kind = DRIVER_TRANSPORT;
        return;
    }
    cfg_error(c->r, "\"%s\" is not a known configuration section name", name);
}

static void dispatch_line(parse_ctx *c, char *line)
{
    if (strncmp(line, "begin", 5) == 0 && isspace((unsigned char)line[5])) {
        begin_section(c, string_trim(line + 5));
        return;
    }
    switch (c->sec) {
    case SEC_MAIN:
        if (!named_list_line(c, line)) main_option(c, line);
        break;
    case SEC_ACL: acl_line(c, line); break;
    case SEC_AUTH:
    case SEC_ROUTERS:
    case SEC_TRANSPORTS: driver_line(c, line); break;
    case SEC_RETRY: rule_line(c, line, &c->retry_tail); break;
    case SEC_REWRITE: rule_line(c, line, &c->rewrite_tail); break;
    case SEC_LOCAL_SCAN:
    case SEC_COUNT: break;
    }
}

/* reverse_acls - ACLs were pushed on the front; keep file order for -bP */
static void reverse_acls(void)
{
    acl_block *prev = NULL, *a = cfg.sections.acls;
    while (a) {
        acl_block *next = a->next;
        a->next = prev;
        prev = a;
        a = next;
    }
    cfg.sections.acls = prev;
}

/* choose_file - first existing file of a colon-separated list */
static char *choose_file(const char *filelist)
{
    int sep = ':';
    const char *list = filelist;
    char *item, *first = NULL;
    struct stat st;
    while ((item = string_nextinlist(&list, &sep))) {
        if (!first) first = item;
        if (stat(item, &st) == 0) return item;
    }
    return first ? first : string_copy(filelist);
}

void readconf_read(const char *filelist)
{
    enum store_pool old = store_set_pool(POOL_CONFIG);
    parse_ctx c = {.sec = SEC_MAIN};
    for (int k = 0; k < DRIVER_KINDS; k++) c.drv_tail[k] = &cfg.sections.drivers[k];
    c.retry_tail = &cfg.sections.retry;
    c.rewrite_tail = &cfg.sections.rewrite;
    proc.config_file = string_copy(choose_file(filelist));
    if (debug_any()) debug_printf("configuration file is %s\n", proc.config_file);
    c.r = cfgfile_open(proc.config_file);
    char *line;
    while ((line = cfgfile_next_line(c.r))) {
        rmark m = store_mark();
        dispatch_line(&c, line);
        (void)m; /* config memory is kept: every parsed value lives on */
    }
    finish_driver(&c);
    /* Exim traces inline ACL statements with the last config line read */
    cfg.sections.last_file = cfgfile_filename(c.r);
    cfg.sections.last_line = cfgfile_lineno(c.r);
    const char *err = routers_check_transports();
    if (err) log_config_die("configuration error:\n  %s", err);
    reverse_acls();
    store_set_pool(old);
}
