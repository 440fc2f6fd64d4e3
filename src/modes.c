/* modes.c - dispatch of -b modes and mode flags.
 *
 * Modes that later subsystems provide (-bd, -bs, -be, -bt, -q, -M) are
 * reported as absent from this build with a clear message, never faked. */

/* System */
#include <sys/utsname.h>
/* MTA core */
#include "tern.h"
#include "cfgfile.h"
#include "drivers.h"
#include "globals.h"
#include "log.h"
#include "modes.h"
#include "smtp_in_modes.h"
#include "xp_all.h"

void modes_flag(const char *mode, const char *arg, int argc, char **argv, int *i)
{
    (void)mode;
    if (smtp_modes_flag(arg, argc, argv, i)) return;
    fprintf(stderr, "tern: unknown or unsupported option %s\n", arg);
    exit(EXIT_FAILURE);
}

int modes_run(const char *mode, int argc, char **argv)
{
    bool handled;
    int rc = smtp_modes_run(mode, argc, argv, &handled);
    if (handled) return rc;
    fprintf(stderr, "tern: -%s: this mode is not in this build of Tern yet\n", mode);
    return EXIT_FAILURE;
}

/* opt_macros - _OPT_<PREFIX>_<NAME> for each option in a table */
static void opt_macros(const char *prefix, const optionlist *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned ty = t[i].type & OPT_TYPE_MASK;
        if (ty == opt_missing) continue;
        macro_define_builtin(string_sprintf("_OPT_%s_%s", prefix, string_uc(t[i].name)), "y");
    }
}

static void driver_macros(void)
{
    static const char *const kindwords[DRIVER_KINDS] = {"ROUTER", "TRANSPORT", "AUTHENTICATOR"};
    for (int k = 0; k < DRIVER_KINDS; k++) {
        const drivers_kind_desc *d = &drivers_kinds[k];
        opt_macros(string_sprintf("%sS", kindwords[k]), d->generic, d->generic_count);
        for (const driver_info *const *p = d->infos; *p; p++) {
            char *up = string_uc((*p)->driver_name);
            macro_define_builtin(string_sprintf("_DRIVER_%s_%s", kindwords[k], up), "y");
            opt_macros(string_sprintf("%s_%s", kindwords[k], up), (*p)->options, (*p)->options_count);
        }
    }
}

void builtin_macros_define(void)
{
    enum store_pool old = store_set_pool(POOL_CONFIG);
    for (const char *const *h = have_macro_names; *h; h++)
        macro_define_builtin(string_sprintf("_HAVE_%s", *h), "y");
    for (size_t i = 0; i < log_selector_names_count; i++)
        macro_define_builtin(string_sprintf("_LOG_%s", string_uc(log_selector_names[i].name)), "y");
    opt_macros("MAIN", main_optionlist, main_optionlist_count);
    driver_macros();
    store_set_pool(old);
}

void readconf_finish(void)
{
    if (!cfg.primary_hostname) {
        struct utsname u;
        if (uname(&u) == 0) cfg.primary_hostname = string_copy_perm(u.nodename);
    }
    const char *bad;
    bool bits[L_COUNT];
    if (!log_selector_parse(cfg.log_selector, bits, &bad))
        log_config_die("configuration error:\n  %s in log_selector", bad);
    log_init();
}
