/* daemon_deliver.c - the daemon's delivery side (DESIGN.md sections 5
 * and 9).
 *
 * Connection children run as the exim user and cannot deliver. Each one
 * inherits the write end of a pipe the daemon made before forking, and
 * after "250 OK id=..." writes "<id>\n" to it in one write (atomic, being
 * shorter than PIPE_BUF). The daemon polls the read end beside its
 * listeners, keeps the ids in a bounded backlog and forks delivery
 * processes (root: the delivery code takes each address's uid itself),
 * at most LIMIT_DAEMON_DELIVERIES at once, each taking up to
 * LIMIT_DAEMON_DELIVERY_BATCH ids. An id that finds no room stays on the
 * spool for the next queue run; nothing is lost either way.
 *
 * With -q<time>, a queue runner is forked at start-up and then every
 * interval, unless the load average is above deliver_queue_load_max;
 * queue_run() itself enforces queue_run_max. */

/* System */
#include <fcntl.h>
#include <signal.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "daemon_deliver.h"
#include "expand_int.h"
#include "globals.h"
#include "log.h"
#include "queue.h"
#include "spool.h"

typedef char msgid[MESSAGE_ID_LENGTH + 1];

static struct {
    int rfd, wfd;
    bool in_conn_child;
    msgid *backlog;          /* ring of LIMIT_DAEMON_BACKLOG ids */
    int head, count;
    pid_t kids[LIMIT_DAEMON_DELIVERIES];
    int nkids;
    char carry[MESSAGE_ID_LENGTH + 2]; /* a line split across two reads */
    size_t carry_len;
    int interval;            /* seconds between queue runs; 0: none */
    time_t next_run;
    void (*in_child)(void);
} dd = {.rfd = -1, .wfd = -1};

void ddlv_init(void (*in_child)(void))
{
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) die("pipe for the delivery side failed: %s", strerror(errno));
    dd.rfd = p[0];
    dd.wfd = p[1];
    dd.backlog = store_get_in(POOL_PERM, sizeof(msgid) * LIMIT_DAEMON_BACKLOG, GET_UNTAINTED);
    dd.in_child = in_child;
    dd.interval = queue_daemon_interval();
    dd.next_run = time(NULL); /* the first queue run starts straight away */
}

int ddlv_poll_fd(void)
{
    return dd.rfd;
}

int ddlv_timeout_ms(void)
{
    if (dd.interval <= 0) return -1;
    long left = (long)(dd.next_run - time(NULL));
    return left <= 0 ? 0 : left > 86400 ? 86400000 : (int)left * 1000;
}

void ddlv_conn_child(void)
{
    close(dd.rfd);
    dd.rfd = -1;
    dd.in_conn_child = true;
}

char *ddlv_describe(void)
{
    if (dd.interval <= 0) return "no queue runs";
    return string_sprintf("-q%s", exp_time_interval(dd.interval));
}

bool daemon_handoff(const char *id)
{
    if (!dd.in_conn_child || dd.wfd < 0) return false;
    char line[MESSAGE_ID_LENGTH + 2];
    int n = snprintf(line, sizeof line, "%s\n", id);
    if (n <= 0 || (size_t)n >= sizeof line) return true; /* not an id: it stays queued */
    if (write(dd.wfd, line, (size_t)n) != n)
        log_write(L_always, LOG_MAIN, "no immediate delivery: the daemon is not taking messages "
                  "(%s); the message waits for a queue run", strerror(errno));
    return true;
}

/* ---- forking ---- */

/* child_setup - in any process forked here: no listeners, no pipe, plain signals */
static void child_setup(void)
{
    if (dd.in_child) dd.in_child();
    close(dd.rfd);
    close(dd.wfd);
    dd.rfd = dd.wfd = -1;
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    proc.pid = getpid();
}

/* deliver_batch - the delivery process: each id in turn */
static void deliver_batch(msgid *ids, int n) NORETURN;
static void deliver_batch(msgid *ids, int n)
{
    child_setup();
    for (int i = 0; i < n; i++) {
        rmark m = store_mark();
        deliver_message(ids[i], false, false);
        msg.id = NULL;
        store_reset(m);
    }
    _exit(EXIT_SUCCESS);
}

/* start_one - fork a delivery process for the oldest ids of the backlog */
static bool start_one(void)
{
    msgid batch[LIMIT_DAEMON_DELIVERY_BATCH];
    int n = 0;
    while (n < LIMIT_DAEMON_DELIVERY_BATCH && dd.count > 0) {
        memcpy(batch[n++], dd.backlog[dd.head], sizeof(msgid));
        dd.head = (dd.head + 1) % LIMIT_DAEMON_BACKLOG;
        dd.count--;
    }
    pid_t pid = fork();
    if (pid == 0) deliver_batch(batch, n);
    if (pid < 0) {
        log_write(L_always, LOG_MAIN, "fork of delivery process failed: %s; %d message%s wait%s "
                  "for a queue run", strerror(errno), n, n == 1 ? "" : "s", n == 1 ? "s" : "");
        return false;
    }
    dd.kids[dd.nkids++] = pid;
    return true;
}

/* start_deliveries - as many delivery processes as the limit allows */
static void start_deliveries(void)
{
    while (dd.count > 0 && dd.nkids < LIMIT_DAEMON_DELIVERIES)
        if (!start_one()) break;
}

/* take_id - one line from the pipe: a well-formed id joins the backlog */
static void take_id(const char *s, size_t len)
{
    msgid id;
    if (len != MESSAGE_ID_LENGTH) return;
    memcpy(id, s, len);
    id[len] = 0;
    if (!spool_message_id_valid(id)) return; /* a child never writes one; refuse all the same */
    if (dd.count >= LIMIT_DAEMON_BACKLOG) {
        msg.id = id;
        log_write(L_always, LOG_MAIN, "no immediate delivery: %d messages are waiting for a "
                  "delivery process", dd.count);
        msg.id = NULL;
        return;
    }
    memcpy(dd.backlog[(dd.head + dd.count) % LIMIT_DAEMON_BACKLOG], id, sizeof id);
    dd.count++;
}

/* take_bytes - split what was read into lines, carrying a partial one */
static void take_bytes(const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            if (dd.carry_len <= MESSAGE_ID_LENGTH) take_id(dd.carry, dd.carry_len);
            dd.carry_len = 0;
        } else if (dd.carry_len < sizeof dd.carry) dd.carry[dd.carry_len++] = buf[i];
    }
}

void ddlv_read(void)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(dd.rfd, buf, sizeof buf)) > 0) take_bytes(buf, (size_t)n);
    start_deliveries();
}

bool ddlv_reaped(pid_t pid)
{
    for (int i = 0; i < dd.nkids; i++) {
        if (dd.kids[i] != pid) continue;
        dd.kids[i] = dd.kids[--dd.nkids];
        start_deliveries();
        return true;
    }
    return false;
}

/* ---- queue runners ---- */

/* load_over - the 1-minute load average above limit (thousandths; <0: no limit) */
static bool load_over(int limit, double *load)
{
    return limit >= 0 && getloadavg(load, 1) == 1 && *load * 1000 > limit;
}

void ddlv_tick(void)
{
    if (dd.interval <= 0 || time(NULL) < dd.next_run) return;
    dd.next_run = time(NULL) + dd.interval;
    double load;
    if (load_over(cfg.deliver_queue_load_max, &load)) {
        log_write(L_always, LOG_MAIN, "no queue run: load average %.2f", load);
        return;
    }
    pid_t pid = fork();
    if (pid < 0) log_write(L_always, LOG_MAIN, "fork of queue runner failed: %s", strerror(errno));
    if (pid != 0) return;
    child_setup();
    _exit(queue_run(NULL, NULL, queue_daemon_flags()) == ERROR ? EXIT_FAILURE : EXIT_SUCCESS);
}
