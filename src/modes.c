/* modes.c - dispatch of -b modes and mode flags.
 *
 * Modes that later subsystems provide (-bd, -bs, -be, -bt, -q, -M) are
 * reported as absent from this build with a clear message, never faked. */

/* System */
/* MTA core */
#include "tern.h"
#include "cfgfile.h"
#include "deliver.h"
#include "drivers.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "lookups.h"
#include "match.h"
#include "modes.h"
#include "queue.h"
#include "retry.h"
#include "rewrite.h"
#include "smtp_in_modes.h"
#include "verify.h"
#include "xp_all.h"

void modes_flag(const char *mode, const char *arg, int argc, char **argv, int *i)
{
    (void)mode;
    bool delivery_flag = deliver_parse_flag(arg); /* -od* -N: how delivery runs */
    if (smtp_modes_flag(arg, argc, argv, i)) {      /* -t -i -f -F -oM* -oX -oP, and -od* */
        if (arg[1] == 'f') { /* -brt matches senders= against it too */
            const char *v = arg[2] ? arg + 2 : argv[*i];
            msg.sender_address = strcmp(v, "<>") == 0 ? string_copy("") : string_copy(v);
        }
        return;
    }
    if (delivery_flag) return;
    if (queue_flag(arg, argc, argv, i)) return; /* -q* -R -S -M* */
    fprintf(stderr, "tern: unknown or unsupported option %s\n", arg);
    exit(EXIT_FAILURE);
}

int modes_run(const char *mode, int argc, char **argv)
{
    bool handled;
    int rc = smtp_modes_run(mode, argc, argv, &handled); /* -bs -bh -bm -t -bd */
    if (handled) return rc;
    if (strcmp(mode, "bt") == 0 || strcmp(mode, "bv") == 0 || strcmp(mode, "bvs") == 0)
    {
        proc.address_test = mode[1];
        return verify_test_mode(argc, argv, mode);
    }
    if (strcmp(mode, "M") == 0 || strcmp(mode, "Mc") == 0)
        return deliver_mode_M(argc, argv, mode[1] == 'c');
    rc = queue_list_mode(mode, argc, argv, &handled); /* -bp* */
    if (handled) return rc;
    if (strcmp(mode, "brt") == 0) return retry_test_mode(argc, argv, msg.sender_address);
    if (strcmp(mode, "brw") == 0) return rewrite_test_mode(argc, argv);
    if (strcmp(mode, "be") == 0) return expand_test_mode(argc, argv, NULL);
    if (strcmp(mode, "bem") == 0) {
        if (argc < 1) { fprintf(stderr, "tern: string expected after -bem\n"); return EXIT_FAILURE; }
        return expand_test_mode(argc - 1, argv + 1, argv[0]);
    }
    fprintf(stderr, "tern: -%s: this mode is not in this build of Tern yet\n", mode);
    return EXIT_FAILURE;
}

/* opt_macros - _OPT_<PREFIX>_<NAME> for each option in a table */
static void opt_macros(const char *prefix, const optionlist *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned ty = t[i].type & OPT_TYPE_MASK;
        if (ty == opt_missing || t[i].name[0] == '*') continue; /* '*' rows are internal */
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
    if (drivers_find(DRIVER_TRANSPORT, "appendfile")) { /* its mailbox formats, as Exim names them */
        macro_define_builtin("_HAVE_TRANSPORT_APPEND_MAILDIR", "y");
        macro_define_builtin("_HAVE_TRANSPORT_APPEND_MAILSTORE", "y");
        macro_define_builtin("_HAVE_TRANSPORT_APPEND_MBX", "y");
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
    const char *bad = cfg_main_finish(&cfg);
    if (bad) log_config_die("configuration error:\n  %s", bad);
    bool bits[L_COUNT];
    if (!log_selector_parse(cfg.log_selector, bits, &bad))
        log_config_die("configuration error:\n  %s in log_selector", bad);
    log_init();
    lookup_set_open_max(cfg.lookup_open_max);
    if (cfg.local_interfaces) match_set_local_interfaces(cfg.local_interfaces);
}
