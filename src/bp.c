/* bp.c - "-bP": show the configuration as Exim does.
 *
 * Runs in the command-line process after the config is read. Values of
 * options set with "hide" (and secure ones) are shown only to admin users.
 * Output formats follow Exim's so scripts that parse -bP keep working. */

/* MTA core */
#include "tern.h"
#include "bp.h"
#include "cfgfile.h"
#include "drivers.h"
#include "globals.h"
#include "readconf.h"

static void print_option(const optionlist *ol, const void *block, bool hidden)
{
    unsigned t = ol->type & OPT_TYPE_MASK;
    if (t == opt_alias || t == opt_missing || t == opt_bool_verify) return; /* as Exim: never shown */
    if (hidden && !proc.admin_user && t != opt_bool && t != opt_expand_bool) {
        printf("%s = <value not displayable>\n", ol->name);
        return;
    }
    char *s = options_format(ol, block);
    if (s) printf("%s\n", s);
}

static void print_main_all(void)
{
    for (size_t i = 0; i < main_optionlist_count; i++)
        print_option(&main_optionlist[i], &cfg, readconf_hidden(main_optionlist[i].name));
}

/* print_driver - generic options then private ones, as Exim orders them;
 * "-bP routers" heads each instance, "-bP router NAME" does not */
static void print_driver(enum driver_kind kind, const driver_instance *d, bool header)
{
    const drivers_kind_desc *k = &drivers_kinds[kind];
    if (header) printf("\n%s %s:\n", d->name, k->singular);
    for (size_t i = 0; i < k->generic_count; i++) print_option(&k->generic[i], d, false);
    for (size_t i = 0; d->info && i < d->info->options_count; i++) {
        const optionlist *ol = &d->info->options[i];
        print_option(ol, (ol->type & OPT_PUBLIC) ? (const void *)d : d->options_block, false);
    }
}

static const driver_instance *find_instance(enum driver_kind kind, const char *name)
{
    for (const driver_instance *d = cfg.sections.drivers[kind]; d; d = d->next)
        if (strcmp(d->name, name) == 0) return d;
    return NULL;
}

/* kind_word - "router"/"routers" etc: which kind, and plural or not */
static bool kind_word(const char *w, enum driver_kind *kind, bool *plural)
{
    for (int k = 0; k < DRIVER_KINDS; k++) {
        if (strcmp(w, drivers_kinds[k].section) == 0) { *kind = k; *plural = true; return true; }
        if (strcmp(w, drivers_kinds[k].singular) == 0) { *kind = k; *plural = false; return true; }
    }
    return false;
}

static int print_kind(const char *word, const char *name)
{
    enum driver_kind kind;
    bool plural;
    if (!kind_word(word, &kind, &plural)) return -1;
    if (plural) {
        for (const driver_instance *d = cfg.sections.drivers[kind]; d; d = d->next) print_driver(kind, d, true);
        return 0;
    }
    if (!name) return -1; /* "-bP router" alone: Exim treats it as an unknown option */
    const driver_instance *d = find_instance(kind, name);
    if (!d) {
        printf("%s %s not found\n", drivers_kinds[kind].singular, name);
        return 1;
    }
    print_driver(kind, d, false);
    return 0;
}

static bool print_list_of(const char *word)
{
    static const char *const suffix = "_list";
    size_t n = strlen(word), sl = strlen(suffix);
    if (n <= sl || strcmp(word + n - sl, suffix) != 0) return false;
    char *kindname = string_copyn(word, n - sl);
    enum driver_kind kind;
    bool plural;
    if (strcmp(kindname, "acl") == 0) {
        for (const acl_block *a = cfg.sections.acls; a; a = a->next) printf("%s\n", a->name);
        return true;
    }
    if (!kind_word(kindname, &kind, &plural) || plural) return false;
    for (const driver_instance *d = cfg.sections.drivers[kind]; d; d = d->next) printf("%s\n", d->name);
    return true;
}

static void print_macros(int argc, char **argv, int i)
{
    if (i + 1 < argc) {
        for (int j = i + 1; j < argc; j++) {
            const macro_item *m = macro_find(argv[j]);
            if (m) printf("%s=%s\n", m->name, m->value);
            else printf("%s not found\n", argv[j]);
        }
        return;
    }
    for (const macro_item *m = macro_first(); m; m = m->next) printf("%s=%s\n", m->name, m->value);
}

static int print_named_list(const char *word, const char *name)
{
    static const char *const words[NL_KINDS] = {"domainlist", "hostlist", "addresslist", "localpartlist"};
    for (int k = 0; k < NL_KINDS; k++) {
        if (strcmp(word, words[k]) != 0) continue;
        for (const named_list *nl = cfg.sections.lists[k]; nl; nl = nl->next)
            if (!name || strcmp(nl->name, name) == 0)
                printf("%s %s = %s\n", words[k], nl->name, nl->hide && !proc.admin_user ? "<value not displayable>" : nl->value);
        return 0;
    }
    return -1;
}

static int print_one(const char *word)
{
    const optionlist *ol = options_find(main_optionlist, main_optionlist_count, word);
    optionlist shown;
    const char *realname = ol ? ol->name : NULL;
    if (ol && (ol->type & OPT_TYPE_MASK) == opt_alias) {
        /* Exim prints an alias under the name it was asked for */
        const optionlist *real = options_find(main_optionlist, main_optionlist_count, ol->aux);
        if (real) {
            shown = *real;
            shown.name = ol->name;
            realname = real->name;
            ol = &shown;
        }
    }
    if (!ol || (ol->type & OPT_TYPE_MASK) == opt_missing || (ol->type & OPT_TYPE_MASK) == opt_alias) {
        printf("%s is not a known option\n", word);
        return 1;
    }
    print_option(ol, &cfg, readconf_hidden(realname));
    return 0;
}

int bp_print(int argc, char **argv)
{
    if (argc == 0) {
        print_main_all();
        return 0;
    }
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(w, "config") == 0) { fputs(cfgfile_saved_lines(), stdout); continue; }
        if (strcmp(w, "config_file") == 0) { printf("%s\n", proc.config_file); continue; }
        if (strcmp(w, "macros") == 0 || strcmp(w, "macro") == 0) { print_macros(argc, argv, i); return 0; }
        if (strcmp(w, "all") == 0) { print_main_all(); continue; }
        if (print_list_of(w)) continue;
        int r = print_kind(w, next);
        if (r >= 0) { rc |= r; if (next && !strchr(w + strlen(w) - 1, 's')) i++; continue; }
        r = print_named_list(w, next);
        if (r >= 0) { if (next) i++; continue; }
        rc |= print_one(w);
    }
    return rc;
}
