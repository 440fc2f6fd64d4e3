/* main.c - command line: Exim's flags, then dispatch to a mode.
 *
 * Runs as the invoking user (or root when installed setuid). Privilege
 * rules follow Exim: -C and -D from a caller other than root or the exim
 * user give up root before the alternate configuration is read. */

/* System */
#include <pwd.h>
#include <grp.h>
/* MTA core */
#include "tern.h"
#include "acl.h"
#include "bp.h"
#include "cfgfile.h"
#include "globals.h"
#include "modes.h"
#include "queue.h"
#include "smtp_in_modes.h"
#include "readconf.h"
#include "retry.h"
#include "rewrite.h"
#include "version.h"

typedef struct cmdline {
    const char *mode;       /* "bV", "bP", ... or NULL */
    int mode_argc;          /* words after the mode flag */
    char **mode_argv;
    const char *config;     /* -C */
    bool macros_given;      /* -D */
    bool bad;
} cmdline;

static void usage_die(const char *msg) NORETURN;
static void usage_die(const char *msg)
{
    fprintf(stderr, "tern: %s\n", msg);
    exit(EXIT_FAILURE);
}

/* define_macro - -DNAME or -DNAME=value */
static void define_macro(const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *name = eq ? string_copyn(arg, (size_t)(eq - arg)) : string_copy(arg);
    name = string_trim(name);
    if (!macro_name_valid(name) || *name == '_')
        usage_die(string_sprintf("macro name set by -D must start with an upper case letter: %s", name));
    const char *err;
    if (!macro_define(name, eq ? string_trim(string_copy(eq + 1)) : "", true, false, &err))
        usage_die(err);
}

/* option_value - the value of a flag given either joined (-Cfile) or as
 * the next word (-C file) */
static const char *option_value(int argc, char **argv, int *i, size_t flaglen)
{
    if (argv[*i][flaglen]) return argv[*i] + flaglen;
    if (*i + 1 >= argc) usage_die(string_sprintf("string expected after %s", argv[*i]));
    return argv[++*i];
}

static void parse_d(const char *rest)
{
    const char *bad;
    if (!debug_parse(rest, &bad)) usage_die(bad);
}

/* parse_b - -bV, -bP ..., and the other -b modes: rest of argv goes to the mode */
static bool parse_b(cmdline *cl, int argc, char **argv, int *i)
{
    const char *m = argv[*i] + 1;
    cl->mode = m;
    if (strncmp(m, "bp", 2) == 0) return true; /* -bp*: flags and ids may follow */
    cl->mode_argc = argc - *i - 1;
    cl->mode_argv = argv + *i + 1;
    *i = argc;
    return true;
}

static void parse_args(cmdline *cl, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') { cl->mode_argc = argc - i; cl->mode_argv = argv + i; return; }
        if (strcmp(a, "--") == 0) { cl->mode_argc = argc - i - 1; cl->mode_argv = argv + i + 1; return; }
        if (strcmp(a, "--version") == 0) { cl->mode = "bV"; continue; }
        switch (a[1]) {
        case 'C': cl->config = option_value(argc, argv, &i, 2); break;
        case 'D': define_macro(a + 2); cl->macros_given = true; break;
        case 'd': parse_d(a + 2); break;
        case 'b': parse_b(cl, argc, argv, &i); break;
        case 'M':
            if (strcmp(a, "-M") == 0 || strcmp(a, "-Mc") == 0) parse_b(cl, argc, argv, &i);
            else modes_flag(cl->mode, a, argc, argv, &i);
            break;
        default: modes_flag(cl->mode, a, argc, argv, &i);
        }
    }
}

/* identity - who called us, and what that allows */
static void identity(void)
{
    proc.pid = getpid();
    proc.real_uid = getuid();
    proc.real_gid = getgid();
    proc.privileged = geteuid() == 0;
    proc.admin_user = proc.real_uid == 0;
    proc.trusted_caller = proc.real_uid == 0;
}

/* drop_privilege - Exim's rule for -C and -D from an untrusted caller */
static void drop_privilege_for_alt_config(const cmdline *cl)
{
    if (!cl->config && !cl->macros_given) return;
    proc.config_changed = true;
    if (proc.real_uid == 0 || geteuid() != 0) return;
    if (setgid(proc.real_gid) != 0 || setuid(proc.real_uid) != 0)
        usage_die("failed to give up root privilege for -C/-D");
    proc.privileged = false;
}

/* finish_identity - admin/trusted status needs the config (exim_user, admin_groups) */
static void finish_identity(void)
{
    if (cfg.exim_user.set && (uid_t)cfg.exim_user.id == proc.real_uid) {
        proc.admin_user = true;
        proc.trusted_caller = true;
    }
}

int main(int argc, char **argv)
{
    cmdline cl = {0};
    proc.progname = argv[0];
    proc.argc = argc;
    proc.argv = argv;
    identity();
    cfg = main_options_default;
    builtin_macros_define();
    parse_args(&cl, argc, argv);
    drop_privilege_for_alt_config(&cl);
    readconf_read(cl.config ? cl.config : CONFIGURE_FILE);
    readconf_finish();
    retry_init();
    rewrite_init();
    acl_init();
    finish_identity();
    if (!cl.mode && queue_mode_pending()) return queue_mode(cl.mode_argc, cl.mode_argv);
    if (!cl.mode && (cl.mode_argc > 0 || smtp_modes_implied())) cl.mode = "bm"; /* sendmail form */
    if (!cl.mode) usage_die("no mode given (try -bV, -bP, -bd, -bs, -be)");
    if (strcmp(cl.mode, "bV") == 0) { version_report(stdout); return 0; }
    if (strcmp(cl.mode, "bP") == 0) return bp_print(cl.mode_argc, cl.mode_argv);
    return modes_run(cl.mode, cl.mode_argc, cl.mode_argv);
}
