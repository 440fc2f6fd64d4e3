/* pipe_deliver.c - the pipe transport's delivery: run a command with the
 * message on its standard input, without a shell unless use_shell is
 * set, with a fixed environment, a timeout, and the exit status mapped
 * to delivered / deferred (temp_errors) / failed.
 *
 * Runs in the delivery child with the user's uid (never root); forks and
 * execs the command. Arguments are split before expansion, so a value
 * from the message (a tainted local part) can never add arguments, and
 * a tainted command name is refused. Output goes to an unnamed temporary
 * file, so a chatty command can never block the message being written. */

/* System */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
/* MTA core */
#include "../tern.h"
#include "../address.h"
#include "../expand.h"
#include "../globals.h"
#include "../match.h"
#include "../spool.h"
#include "../transport.h"
/* This driver */
#include "pipe.h"
#include "pipe_int.h"

#define PIPE_MAX_ARGS 256

static void set(address_item *a, int rc, const char *m)
{
    a->transport_return = rc;
    if (m) a->message = string_copy(m);
}

/* the batch being delivered, for $pipe_addresses */
static const address_item *pipe_batch;

/* pipe_split_args - words of cmd, with "..." and '...' quoting, each expanded
 * on its own (unless raw) */
char **pipe_split_args(const transport_instance *t, const char *cmd, bool raw, char **err)
{
    char **argv = store_get(sizeof(char *) * (PIPE_MAX_ARGS + 1), GET_UNTAINTED);
    int n = 0;
    const char *p = cmd;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n') p++;
        if (!*p) break;
        if (n == PIPE_MAX_ARGS) { *err = string_copy("too many arguments in command"); return NULL; }
        gstring *g = string_get_tainted(32, store_is_tainted(cmd));
        char q = 0;
        for (; *p && (q || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
            if (!q && (*p == '"' || *p == '\'')) { q = *p; continue; }
            if (q && *p == q) { q = 0; continue; }
            if (q == '"' && *p == '\\' && p[1]) p++;
            g = string_catc(g, *p);
        }
        char *w = string_from_gstring(g);
        if (!raw && (strcmp(w, "$pipe_addresses") == 0 || strcmp(w, "${pipe_addresses}") == 0)) {
            /* one argument per address of the batch, never re-split */
            for (const address_item *a = pipe_batch; a && n < PIPE_MAX_ARGS; a = a->next)
                argv[n++] = string_sprintf("%s@%s", a->local_part, a->domain);
            continue;
        }
        char *v = raw ? w : expand_string(w);
        if (!v) {
            *err = string_sprintf("Expansion of \"%s\" from command \"%s\" in %s transport failed: %s", w, cmd,
                                  t->drinst.name, expand_error());
            return NULL;
        }
        argv[n++] = v;
    }
    argv[n] = NULL;
    if (!n) { *err = string_copy("no command supplied"); return NULL; }
    return argv;
}

/* build_argv - the command's argv, shell or not */
static char **build_argv(const transport_instance *t, const pipe_transport_options *o,
                         address_item *a, char **shown, char **err)
{
    bool from_addr = (a->flags & AFL_PIPE) && !o->force_command;
    const char *cmd = from_addr ? a->address + 1 : o->command;
    if (!cmd) { *err = string_sprintf("no command specified for %s transport", t->drinst.name); return NULL; }
    *shown = from_addr ? string_copy(cmd) : NULL;
    if (o->use_shell) {
        char *c = from_addr ? string_copy(cmd) : transport_expand(t, "command", cmd, err);
        if (!c) return NULL;
        if (*c == '|') c++;
        char **argv = store_get(sizeof(char *) * 4, GET_UNTAINTED);
        argv[0] = "/bin/sh";
        argv[1] = "-c";
        argv[2] = c;
        argv[3] = NULL;
        if (!*shown) *shown = c;
        return argv;
    }
    char **argv = pipe_split_args(t, cmd, from_addr, err);
    if (!argv) return NULL;
    if (store_is_tainted(argv[0]) && !from_addr) {
        *err = string_sprintf("Tainted arg 0 for %s transport command: '%s'", t->drinst.name, string_printing(argv[0]));
        return NULL;
    }
    if (!*shown) {
        gstring *g = NULL;
        for (char **v = argv; *v; v++) g = string_fmt_append(g, "%s%s", g ? " " : "", *v);
        *shown = string_from_gstring(g);
    }
    return argv;
}

/* status_result - map the command's exit status; messages name the
 * program (prog, argv[0]) except an exec failure, which shows the whole
 * command, as Exim's do */
static void status_result(const transport_instance *t, const pipe_transport_options *o,
                          address_item *a, int status, const char *prog, const char *shown, bool timed_out)
{
    if (timed_out) {
        a->transport_return = o->timeout_defer ? DEFER : FAIL;
        a->message = string_sprintf("pipe delivery process timed out");
        return;
    }
    if (WIFSIGNALED(status)) {
        a->transport_return = FAIL;
        a->message = string_sprintf("Child process of %s transport (running command \"%s\") was terminated by signal %d (%s)",
                                    t->drinst.name, prog, WTERMSIG(status), strsignal(WTERMSIG(status)));
        return;
    }
    int rc = WEXITSTATUS(status);
    if (rc == 0 || o->ignore_status) { a->transport_return = OK; return; }
    if (rc == PIPE_EXEC_FAILED && o->freeze_exec_fail) {
        a->transport_return = DEFER;
        a->special_action = 'F';
        a->message = string_sprintf("pipe process failed to exec \"%s\"", shown);
        return;
    }
    char *codes = o->temp_errors ? string_copy(o->temp_errors) : NULL;
    bool temp = codes && (strcmp(codes, "*") == 0 || pipe_code_in_list(rc, codes));
    a->transport_return = temp ? DEFER : FAIL;
    a->basic_errno = 0;
    a->message = string_sprintf("Child process of %s transport returned %d%s from command: %s",
                                t->drinst.name, rc,
                                rc == PIPE_EXEC_FAILED ? " (could mean unable to exec or command does not exist)"
                                : rc == EX_TEMPFAIL ? " (could mean temporary error)" : "",
                                prog);
    a->user_message = string_copy("local delivery failed"); /* the bounce does not show the command */
}

/* deliver_one - one run of the command for the address (or batch) a */
static bool deliver_one(transport_instance *t, address_item *a)
{
    const pipe_transport_options *o = t->drinst.options_block;
    char *err = NULL, *shown = NULL;
    int src = transport_check_size(t, &err);
    if (src != OK) { set(a, src, err); return true; }
    pipe_batch = a;
    char **argv = build_argv(t, o, a, &shown, &err);
    if (!argv) { set(a, DEFER, err); return true; }
    char **envp = pipe_environment(t, o, a, &err);
    if (!envp) { set(a, DEFER, err); return true; }
    pipe_run r = {0};
    if (pipe_start(o, argv, envp, &r, &err) != OK) { set(a, DEFER, err); return true; }
    int frc = pipe_feed(t, o, a, &r, &err);
    if (frc != OK && !r.child_gone) {
        pipe_kill(&r);
        set(a, frc, err);
        return true;
    }
    int status = pipe_wait(o, &r);
    status_result(t, o, a, status, argv[0], shown, r.timed_out);
    pipe_output_result(o, a, &r);
    return true;
}

bool pipe_transport_deliver(transport_instance *t, address_item *a)
{
    bool ran = deliver_one(t, a);
    transport_copy_result(a);
    return ran;
}
