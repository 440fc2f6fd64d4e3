/* expand_be.c - the -be and -bem test modes: expand each argument, or
 * each line of standard input, printing the result or "Failed: reason".
 *
 * Runs as the invoking user, in the foreground, and writes nothing but
 * standard output. As in Exim, a line starting with an upper-case letter
 * defines a macro, and macros are substituted in the other lines. -bem
 * first loads a message file so that $h_ and $message_body have values. */

/* System */
#include <ctype.h>
#include <pwd.h>
/* MTA core */
#include "tern.h"
#include "cfgfile.h"
#include "expand.h"
#include "expand_int.h"
#include "globals.h"

/* Standard output is a terminal: flush after each prompt and result. */
static bool be_interactive;

/* macro_subst - replace defined macro names in a line; a name counts
 * when the character before it is not a letter, digit or underscore */
static char *macro_subst(const char *line)
{
    const char *cur = line;
    for (const macro_item *m = macro_first(); m; m = m->next) {
        size_t nl = strlen(m->name);
        if (!strstr(cur, m->name)) continue;
        gstring *g = string_get(strlen(cur) + 32);
        const char *p = cur, *hit;
        while ((hit = strstr(p, m->name))) {
            bool start_ok = hit == cur || !(isalnum((unsigned char)hit[-1]) || hit[-1] == '_');
            g = string_catn(g, p, (size_t)(hit - p));
            g = start_ok ? string_cat(g, m->value ? m->value : "") : string_catn(g, hit, nl);
            p = hit + nl;
        }
        g = string_cat(g, p);
        cur = string_from_gstring(g);
    }
    return (char *)cur;
}

/* define_macro_line - "NAME = value" typed at -be */
static void define_macro_line(const char *line)
{
    size_t n = 0;
    while (isalnum((unsigned char)line[n]) || line[n] == '_') n++;
    const char *p = exp_skip_ws(line + n);
    const char *err = NULL;
    if (*p != '=') {
        fprintf(stderr, "tern: malformed macro definition\n");
        return;
    }
    char *name = string_copyn(line, n);
    bool redefine = p[1] == '=';
    char *value = string_trim(string_copy(p + (redefine ? 2 : 1)));
    if (macro_find(name)) redefine = true;
    enum store_pool old = store_set_pool(POOL_PERM);
    bool ok = macro_define(name, value, false, redefine, &err);
    store_set_pool(old);
    if (!ok) {
        fprintf(stderr, "tern: %s\n", err ? err : "malformed macro definition");
        return;
    }
    printf("Defined macro '%s'\n", name);
}

/* test_line - one -be line or argument */
static void test_line(const char *line)
{
    rmark m = store_mark();
    char *l = macro_subst(line);
    if (isupper((unsigned char)l[0])) define_macro_line(l);
    else {
        char *r = expand_string(l);
        if (r) printf("%s\n", r);
        else printf("Failed: %s\n", expand_error());
    }
    if (be_interactive) fflush(stdout);
    store_reset(m);
}

/* read_logical_line - one line of stdin, joining lines ending in a
 * backslash (leading white space of the continuation dropped); NULL at
 * end of input */
static char *read_logical_line(void)
{
    char *buf = NULL;
    size_t cap = 0;
    gstring *g = NULL;
    for (int i = 0;; i++) {
        ssize_t n = getline(&buf, &cap, stdin);
        if (n < 0) break;
        char *p = buf, *e = buf + n;
        while (e > p && isspace((unsigned char)e[-1])) e--;
        if (i > 0) while (p < e && isspace((unsigned char)*p)) p++;
        g = string_catn(g ? g : string_get(64), p, (size_t)(e - p));
        if (e == p || g->s[g->len - 1] != '\\') break;
        g->len--;
    }
    free(buf);
    if (!g) { printf("\n"); return NULL; }
    return string_from_gstring(g);
}

/* be_identity - the caller as the sender, as Exim sets up for -be */
static void be_identity(void)
{
    struct passwd *pw = getpwuid(proc.real_uid);
    const char *login = pw ? pw->pw_name : "unknown";
    const char *qd = cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname;
    enum store_pool old = store_set_pool(POOL_PERM);
    msg.sender_address = string_sprintf("%s@%s", login, qd ? qd : "");
    msg.authenticated_sender = msg.sender_address;
    conn.authenticated_id = string_copy(login);
    conn.sender_ident = string_copy(login);
    if (!conn.smtp_active_hostname) conn.smtp_active_hostname = cfg.primary_hostname;
    dlv.local_user_uid = dlv.local_user_gid = (long long)(unsigned)-1;
    conn.interface_port = dlv.sending_port = -1;
    store_set_pool(old);
}

int expand_test_mode(int argc, char **argv, const char *message_file)
{
    be_identity();
    be_interactive = isatty(1);
    if (message_file && !expand_load_message(message_file)) return EXIT_FAILURE;
    if (argc > 0) {
        for (int i = 0; i < argc; i++) test_line(argv[i]);
        return 0;
    }
    for (;;) {
        printf("> ");
        if (be_interactive) fflush(stdout);
        char *line = read_logical_line();
        if (!line) break;
        test_line(line);
    }
    return 0;
}
