/* queue_cmd.c - the queue's command-line flags, as Exim spells them:
 *   -q[q][i][f[f]][l][<time>] [start-id [stop-id]]   (-qR, -qS = -R, -S)
 *   -R[rsflags] string, -S[rsflags] string           (rsflags: f ff r rf rff)
 *   -M -Mc -Mrm -Mf -Mt -Mg -Mmad <id>...; -Mar -Mmd <id> <address>...;
 *   -Mes <id> <address>; -Mvh -Mvb -Mvl -Mvc <id>
 * and the dispatch of the resulting action. Runs in the invoking process
 * before and after the configuration is read; errors end it with
 * Exim's wording. */

/* System */
#include <pwd.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "options.h"
#include "queue.h"
#include "queue_int.h"
#include "spool.h"

struct queue_cmd queue_cmdline;

static void cmd_die(const char *msg) NORETURN;
static void cmd_die(const char *msg)
{
    fprintf(stderr, "tern: %s\n", msg);
    exit(EXIT_FAILURE);
}

/* q_letters - the -q flag letters in their fixed order; returns the rest */
static const char *q_letters(const char *p, unsigned *flags)
{
    if (*p == 'q') { *flags |= QR_TWO_STAGE; p++; }
    if (*p == 'i') { *flags |= QR_FIRST_ONLY; p++; }
    if (*p == 'f') { *flags |= QR_FORCE; p++; }
    if (*p == 'f') { *flags |= QR_FORCE_THAW; p++; }
    if (*p == 'l') { *flags |= QR_LOCAL_ONLY; p++; }
    return p;
}

static bool next_is_id(int argc, char **argv, int i)
{
    return i + 1 < argc && spool_message_id_valid(argv[i + 1]);
}

/* parse_select - -R / -S (and -qR / -qS): flags joined, string next or joined */
static void parse_select(const char *rest, const char *flag, int argc, char **argv, int *i, queue_select *s)
{
    static const char *const rsflags[] = {"", "f", "ff", "r", "rf", "rff"};
    bool is_flags = false;
    for (size_t k = 0; k < NELEM(rsflags); k++) is_flags |= strcmp(rest, rsflags[k]) == 0;
    if (is_flags) {
        if (*i + 1 >= argc) cmd_die(string_sprintf("string expected after %s", flag));
        s->string = argv[++*i];
        s->regex = rest[0] == 'r';
        const char *f = rest + (rest[0] == 'r');
        s->qflags = f[0] == 'f' ? (f[1] == 'f' ? QR_FORCE | QR_FORCE_THAW : QR_FORCE) : 0;
    } else s->string = rest;
    queue_cmdline.run = true;
}

static void parse_q(const char *arg, int argc, char **argv, int *i)
{
    struct queue_cmd *q = &queue_cmdline;
    const char *p = q_letters(arg + 2, &q->qflags);
    q->run = true;
    if (*p) {
        if (!options_parse_time(p, &q->interval) || q->interval <= 0)
            cmd_die(string_sprintf("bad time value %s: abandoned", arg));
        q->run_time_given = true;
        return;
    }
    if (next_is_id(argc, argv, *i)) q->start_id = argv[++*i];
    if (q->start_id && next_is_id(argc, argv, *i)) q->stop_id = argv[++*i];
}

/* parse_m - -M<x>: the action and every following word as its arguments */
static void parse_m(const char *arg, int argc, char **argv, int *i)
{
    static const struct { const char *flag; enum msg_action a; } acts[] = {
        {"-M", MA_DELIVER}, {"-Mar", MA_ADD_RCPT}, {"-Mc", MA_DELIVER_CHECK},
        {"-Mes", MA_EDIT_SENDER}, {"-Mf", MA_FREEZE}, {"-Mg", MA_GIVE_UP},
        {"-Mmad", MA_MARK_ALL}, {"-Mmd", MA_MARK}, {"-Mrm", MA_REMOVE}, {"-Mt", MA_THAW},
        {"-Mvb", MA_VIEW_BODY}, {"-Mvc", MA_VIEW_COMPLETE}, {"-Mvh", MA_VIEW_HEADER},
        {"-Mvl", MA_VIEW_LOG}};
    struct queue_cmd *q = &queue_cmdline;
    for (size_t k = 0; k < NELEM(acts); k++)
        if (strcmp(arg, acts[k].flag) == 0) q->action = acts[k].a;
    if (q->action == MA_NONE)
        cmd_die(string_sprintf("unknown, malformed, or incomplete option %s", arg));
    q->action_flag = arg;
    q->args = argv + *i + 1;
    q->nargs = argc - *i - 1;
    *i = argc;
    if (q->nargs == 0) cmd_die(string_sprintf("no message ids given after %s option", arg));
    bool only_first = q->action == MA_ADD_RCPT || q->action == MA_MARK || q->action == MA_EDIT_SENDER;
    for (int k = 0; k < (only_first ? 1 : q->nargs); k++)
        if (!spool_message_id_valid(q->args[k]))
            cmd_die(string_sprintf("malformed message id %s after %s option", q->args[k], arg));
}

bool queue_flag(const char *arg, int argc, char **argv, int *i)
{
    if (arg[0] != '-') return false;
    if (arg[1] == 'q' && (arg[2] == 'R' || arg[2] == 'S'))
        parse_select(arg + 3, arg, argc, argv, i, arg[2] == 'R' ? &queue_cmdline.rcpt : &queue_cmdline.sender);
    else if (arg[1] == 'R' || arg[1] == 'S')
        parse_select(arg + 2, arg, argc, argv, i, arg[1] == 'R' ? &queue_cmdline.rcpt : &queue_cmdline.sender);
    else if (arg[1] == 'q') parse_q(arg, argc, argv, i);
    else if (arg[1] == 'M' && strncmp(arg, "-MC", 3) != 0 && strcmp(arg, "-Mset") != 0) parse_m(arg, argc, argv, i);
    else return false;
    return true;
}

bool queue_mode_pending(void)
{
    return queue_cmdline.run || queue_cmdline.action != MA_NONE;
}

int queue_daemon_interval(void)
{
    return queue_cmdline.run_time_given ? queue_cmdline.interval : 0;
}

unsigned queue_daemon_flags(void)
{
    return queue_cmdline.qflags | QR_DAEMON;
}

const char *queue_caller_name(void)
{
    struct passwd *pw = getpwuid(proc.real_uid);
    return pw ? string_copy(pw->pw_name) : string_sprintf("%ld", (long)proc.real_uid);
}

/* prod_allowed - -q, -R, -S, -M, -Mc: admin unless prod_requires_admin is off */
static bool prod_allowed(void)
{
    return proc.admin_user || !cfg.prod_requires_admin;
}

int queue_mode(int argc, char **argv)
{
    struct queue_cmd *q = &queue_cmdline;
    (void)argv;
    if (argc > 0 || (q->run && q->action != MA_NONE))
        cmd_die("incompatible command-line options or arguments");
    if (q->action != MA_NONE) return msgaction_run();
    if (!prod_allowed()) cmd_die("permission denied");
    if (q->run_time_given)
        cmd_die("-q with a time runs queue runners from the daemon: use it with -bd");
    unsigned flags = q->qflags | q->rcpt.qflags | q->sender.qflags;
    return queue_run(q->start_id, q->stop_id, flags) == ERROR ? EXIT_FAILURE : EXIT_SUCCESS;
}
