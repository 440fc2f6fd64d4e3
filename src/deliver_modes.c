/* deliver_modes.c - how delivery is started: -M/-Mc from the command
 * line, immediate delivery after reception (with -odq -odi -odb -odf,
 * queue_only, queue_only_load, queue_only_override) and the -N flag.
 *
 * Runs in the process that received the message, or in the -M caller
 * (root or an admin user: checked here). */

/* System */
#include <stdlib.h>
#include <sys/wait.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "globals.h"
#include "log.h"

bool deliver_parse_flag(const char *arg)
{
    if (strcmp(arg, "-N") == 0) { proc.dont_deliver = true; return true; }
    if (strncmp(arg, "-od", 3) == 0 && arg[3] && !arg[4] && strchr("bfiq", arg[3])) {
        proc.deliver_mode = arg[3];
        return true;
    }
    if (strcmp(arg, "-odqs") == 0) { proc.deliver_mode = 'q'; return true; }
    return false;
}

int deliver_mode_M(int argc, char **argv, bool continued)
{
    if (!proc.admin_user) {
        fprintf(stderr, "tern: permission denied\n"); /* Exim's wording for -M */
        return EXIT_FAILURE;
    }
    if (argc < 1) {
        fprintf(stderr, "tern: no message ids given after -M option\n");
        return EXIT_FAILURE;
    }
    int status = EXIT_SUCCESS;
    for (int i = 0; i < argc; i++) {
        int rc = deliver_message(argv[i], !continued, false);
        if (rc == DEFER && !continued) {
            printf("Spool file is locked (another process is handling this message)\n");
            status = EXIT_FAILURE;
        } else if (rc == FAIL) status = EXIT_FAILURE;
    }
    return status;
}

/* load_too_high - queue_only_load against the 1-minute load average */
static bool load_too_high(void)
{
    if (cfg.queue_only_load <= 0) return false;
    double la[1];
    if (getloadavg(la, 1) < 1) return false;
    return (int)(la[0] * 1000) > cfg.queue_only_load;
}

int deliver_after_receive(const char *id)
{
    char mode = proc.deliver_mode;
    if (mode == 'q') return OK;
    if (cfg.queue_only && !(cfg.queue_only_override && mode)) return OK;
    if (load_too_high()) {
        log_write(L_always, LOG_MAIN, "no immediate delivery: load average %.2f", 0.0);
        return OK;
    }
    if (mode != 'b') return deliver_message(id, false, false);
    pid_t pid = fork();
    if (pid != 0) return OK; /* the caller carries on; the child delivers */
    if (setsid() < 0) _exit(EXIT_FAILURE);
    _exit(deliver_message(id, false, false) == FAIL ? EXIT_FAILURE : EXIT_SUCCESS);
}
