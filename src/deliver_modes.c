/* deliver_modes.c - how delivery is started: -M/-Mc from the command
 * line, immediate delivery after reception (with -odq -odi -odb -odf,
 * queue_only, queue_only_load, queue_only_override) and the -N flag.
 *
 * Runs in the process that received the message, or in the -M caller
 * (root or an admin user: checked here). After reception, a daemon's
 * connection child hands the id to the daemon (daemon_deliver.c); any
 * other receiver forks the delivery process itself: in the background
 * by default (-odb), waited for with -odi/-odf, not at all with -odq. */

/* System */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
/* MTA core */
#include "tern.h"
#include "daemon_deliver.h"
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
    /* As Exim 4.96: a locked, missing or unreadable message is reported in
     * the mainlog by the delivery code, and -M still exits 0 */
    for (int i = 0; i < argc; i++) (void)deliver_message(argv[i], !continued, false);
    return EXIT_SUCCESS;
}

/* load_too_high - queue_only_load against the 1-minute load average */
static bool load_too_high(double *load)
{
    if (cfg.queue_only_load < 0) return false;
    return getloadavg(load, 1) == 1 && *load * 1000 > cfg.queue_only_load;
}

/* queue_only_file - the file named by queue_only_file exists */
static bool queue_file_exists(void)
{
    struct stat st;
    return cfg.queue_only_file && *cfg.queue_only_file && stat(cfg.queue_only_file, &st) == 0;
}

/* keep_queued - should this message wait for a queue run? Logs the
 * reasons Exim logs (load, messages per connection). */
static bool keep_queued(void)
{
    char mode = proc.deliver_mode;
    if (conn.host_checking || mode == 'q' || msg.acl.queue || msg.acl.freeze || conn.queue_only)
        return true;
    bool overridden = cfg.queue_only_override && mode;
    if ((cfg.queue_only || queue_file_exists()) && !overridden) return true;
    int per_conn = cfg.smtp_accept_queue_per_connection;
    if (per_conn > 0 && conn.messages > per_conn) { /* SMTP only: -bm counts none */
        log_write(L_always, LOG_MAIN, "no immediate delivery: more than %d messages received in "
                  "one connection", per_conn);
        return true;
    }
    double load;
    if (load_too_high(&load)) {
        log_write(L_always, LOG_MAIN, "no immediate delivery: load average %.2f", load);
        if (cfg.queue_only_load_latch) conn.queue_only = true;
        return true;
    }
    return false;
}

/* to_dev_null - stdin and stdout (the -bs channel) away from the delivery */
static void to_dev_null(bool and_stderr)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0) return;
    dup2(fd, 0);
    dup2(fd, 1);
    if (and_stderr) dup2(fd, 2);
    if (fd > 2) close(fd);
}

/* delivery_child - the forked delivery process; background ones fork
 * again so that nobody has to reap them */
static void delivery_child(const char *id, bool background) NORETURN;
static void delivery_child(const char *id, bool background)
{
    signal(SIGCHLD, SIG_DFL);
    if (background) {
        if (setsid() < 0 || fork() != 0) _exit(EXIT_SUCCESS);
    }
    to_dev_null(background);
    proc.pid = getpid();
    _exit(deliver_message(id, false, false) == FAIL ? EXIT_FAILURE : EXIT_SUCCESS);
}

int deliver_after_receive(const char *id)
{
    if (!id || keep_queued()) return OK;
    if (daemon_handoff(id)) return OK; /* a daemon connection child: the daemon delivers */
    bool background = proc.deliver_mode != 'i' && proc.deliver_mode != 'f';
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) delivery_child(id, background);
    if (pid < 0) {
        log_write(L_always, LOG_MAIN, "fork of delivery process failed: %s", strerror(errno));
        return DEFER;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return OK;
}
