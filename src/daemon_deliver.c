/* daemon_deliver.c - the daemon's delivery side (DESIGN.md sections 5
 * and 9).
 *
 * Connection children run as the exim user and cannot deliver. Each one
 * inherits the write end of a pipe the daemon made before forking, and
 * after "250 OK id=..." writes "<id>\n" to it in one write (atomic, being
 * shorter than PIPE_BUF). The daemon polls the read end beside its
 * listeners, keeps the ids in a bounded backlog and forks delivery
 * processes (root: the delivery code takes each address's uid itself),
 * a few per CPU, more only when ids wait too long (limits.h), each
 * taking up to LIMIT_DAEMON_DELIVERY_BATCH ids. An id that finds no room stays on the
 * spool for the next queue run; nothing is lost either way.
 *
 * A delivery process does not exit after its batch: it writes "+<pid>\n"
 * on the same pipe and waits on a pipe of its own for the next batch, so
 * a steady stream of messages costs no fork per message on this side
 * (DESIGN.md section 9). Only the daemon ends an idle one, by closing
 * that pipe after LIMIT_DAEMON_DELIVERY_IDLE seconds (the process sees
 * EOF and exits), so no batch is ever written to a process that has
 * gone; a process that has delivered LIMIT_DAEMON_DELIVERY_REUSE
 * messages exits instead of asking for more.
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
#include "deliver.h"
#include "expand_int.h"
#include "globals.h"
#include "log.h"
#include "queue.h"
#include "spool.h"

typedef char msgid[MESSAGE_ID_LENGTH + 1];

/* One delivery process as the daemon sees it */
typedef struct {
    pid_t pid;
    int wfd;                 /* its batches; -1 once it is told to go */
    bool idle;               /* said "+<pid>" and has had nothing since */
    time_t idle_since;
} worker;

static struct {
    int rfd, wfd;
    bool in_conn_child;
    msgid *backlog;          /* ring of LIMIT_DAEMON_BACKLOG ids */
    long long *since;        /* when each arrived (monotonic ms) */
    int head, count;
    int usual;               /* delivery processes started without waiting */
    worker kids[LIMIT_DAEMON_DELIVERIES];
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
    dd.since = store_get_in(POOL_PERM, sizeof(long long) * LIMIT_DAEMON_BACKLOG, GET_UNTAINTED);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    dd.usual = cpus > 0 && cpus * LIMIT_DAEMON_DELIVERIES_PER_CPU < LIMIT_DAEMON_DELIVERIES
        ? (int)cpus * LIMIT_DAEMON_DELIVERIES_PER_CPU : LIMIT_DAEMON_DELIVERIES;
    dd.in_child = in_child;
    dd.interval = queue_daemon_interval();
    dd.next_run = time(NULL); /* the first queue run starts straight away */
}

int ddlv_poll_fd(void)
{
    return dd.rfd;
}

/* next_retirement - when the longest-idle delivery process is due to go (0: none) */
static time_t next_retirement(void)
{
    time_t t = 0;
    for (int i = 0; i < dd.nkids; i++) {
        const worker *w = &dd.kids[i];
        if (w->idle && w->wfd >= 0 && (t == 0 || w->idle_since + LIMIT_DAEMON_DELIVERY_IDLE < t))
            t = w->idle_since + LIMIT_DAEMON_DELIVERY_IDLE;
    }
    return t;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static worker *idle_worker(void);

/* extra_due - ms until the oldest waiting id justifies one more delivery
 * process than usual (0: now); -1 when that does not apply */
static long long extra_due(void)
{
    if (dd.count == 0 || dd.nkids < dd.usual || dd.nkids >= LIMIT_DAEMON_DELIVERIES || idle_worker()) return -1;
    long long left = dd.since[dd.head] + LIMIT_DAEMON_DELIVERY_WAIT_MS - now_ms();
    return left < 0 ? 0 : left;
}

int ddlv_timeout_ms(void)
{
    time_t due = dd.interval > 0 ? dd.next_run : 0, retire = next_retirement();
    if (retire && (!due || retire < due)) due = retire;
    long long ms = -1, extra = extra_due();
    if (due) {
        long left = (long)(due - time(NULL));
        ms = left <= 0 ? 0 : left > 86400 ? 86400000LL : left * 1000LL;
    }
    if (extra >= 0 && (ms < 0 || extra < ms)) ms = extra;
    return (int)ms;
}

/* close_worker_pipes - a forked process must not hold the delivery
 * processes' pipes open (their EOF is how they are told to go) */
static void close_worker_pipes(void)
{
    for (int i = 0; i < dd.nkids; i++) {
        if (dd.kids[i].wfd >= 0) close(dd.kids[i].wfd);
        dd.kids[i].wfd = -1;
    }
}

void ddlv_conn_child(void)
{
    close(dd.rfd);
    dd.rfd = -1;
    close_worker_pipes();
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

/* child_setup - in any process forked here: no listeners, no pipes, plain signals */
static void child_setup(void)
{
    if (dd.in_child) dd.in_child();
    close(dd.rfd);
    close(dd.wfd);
    dd.rfd = dd.wfd = -1;
    close_worker_pipes();
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    proc.pid = getpid();
}

/* deliver_ids - deliver each id in turn; how many were taken */
static int deliver_ids(msgid *ids, int n)
{
    for (int i = 0; i < n; i++) {
        rmark m = store_mark();
        deliver_message(ids[i], false, false);
        msg.id = NULL;
        store_reset(m);
    }
    return n;
}

/* next_batch - wait for the daemon's next batch: ids read whole lines at
 * a time (a line split across reads is completed by the next read);
 * 0 at EOF, which is the daemon saying "go" */
static int next_batch(int rfd, msgid *ids)
{
    char buf[LIMIT_DAEMON_DELIVERY_BATCH * (MESSAGE_ID_LENGTH + 1)];
    size_t have = 0;
    for (;;) {
        ssize_t r = read(rfd, buf + have, sizeof buf - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        have += (size_t)r;
        if (buf[have - 1] == '\n' || have == sizeof buf) break;
    }
    int n = 0;
    for (char *p = buf, *end = buf + have; p < end && n < LIMIT_DAEMON_DELIVERY_BATCH;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        if (nl - p == MESSAGE_ID_LENGTH) {
            memcpy(ids[n], p, MESSAGE_ID_LENGTH);
            ids[n][MESSAGE_ID_LENGTH] = 0;
            n += spool_message_id_valid(ids[n]);
        }
        p = nl + 1;
    }
    return n;
}

/* worker_run - the delivery process: the first batch, then each batch the
 * daemon sends after "+<pid>", until EOF or LIMIT_DAEMON_DELIVERY_REUSE */
static void worker_run(msgid *ids, int n, int rfd, int idle_fd) NORETURN;
static void worker_run(msgid *ids, int n, int rfd, int idle_fd)
{
    char line[32];
    int len = snprintf(line, sizeof line, "+%d\n", (int)getpid());
    deliver_agents_keep(true);
    for (int done = deliver_ids(ids, n); done < LIMIT_DAEMON_DELIVERY_REUSE; done += deliver_ids(ids, n)) {
        /* the daemon cannot hear us (pipe full): end, it reaps us */
        if (write(idle_fd, line, (size_t)len) != len) break;
        if ((n = next_batch(rfd, ids)) == 0) break;
    }
    deliver_agents_close(true);
    _exit(EXIT_SUCCESS);
}

/* take_batch - up to LIMIT_DAEMON_DELIVERY_BATCH of the oldest ids */
static int take_batch(msgid *batch)
{
    int n = 0;
    for (int i = dd.head; n < LIMIT_DAEMON_DELIVERY_BATCH && n < dd.count; i = (i + 1) % LIMIT_DAEMON_BACKLOG)
        memcpy(batch[n++], dd.backlog[i], sizeof(msgid));
    return n;
}

/* taken - drop n ids from the front of the backlog */
static void taken(int n)
{
    dd.head = (dd.head + n) % LIMIT_DAEMON_BACKLOG;
    dd.count -= n;
}

/* start_one - fork a delivery process for the oldest ids of the backlog */
static bool start_one(void)
{
    msgid batch[LIMIT_DAEMON_DELIVERY_BATCH];
    int n = take_batch(batch), p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        log_write(L_always, LOG_MAIN, "pipe for a delivery process failed: %s", strerror(errno));
        return false;
    }
    int idle_fd = fcntl(dd.wfd, F_DUPFD_CLOEXEC, 0); /* child_setup closes dd.wfd */
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        child_setup();
        worker_run(batch, n, p[0], idle_fd);
    }
    close(p[0]);
    if (idle_fd >= 0) close(idle_fd);
    if (pid < 0) {
        close(p[1]);
        log_write(L_always, LOG_MAIN, "fork of delivery process failed: %s; %d message%s wait%s "
                  "for a queue run", strerror(errno), n, n == 1 ? "" : "s", n == 1 ? "s" : "");
        taken(n);
        return false;
    }
    taken(n);
    dd.kids[dd.nkids++] = (worker){.pid = pid, .wfd = p[1]};
    return true;
}

/* hand_to - give an idle delivery process the oldest ids: one write of
 * whole lines, shorter than PIPE_BUF, so all of it or none arrives */
static bool hand_to(worker *w)
{
    msgid batch[LIMIT_DAEMON_DELIVERY_BATCH];
    char buf[LIMIT_DAEMON_DELIVERY_BATCH * (MESSAGE_ID_LENGTH + 1)];
    int n = take_batch(batch);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        memcpy(buf + len, batch[i], MESSAGE_ID_LENGTH);
        len += MESSAGE_ID_LENGTH;
        buf[len++] = '\n';
    }
    w->idle = false;
    if (write(w->wfd, buf, len) != (ssize_t)len) {
        close(w->wfd); /* not listening: let it go, the ids stay here */
        w->wfd = -1;
        return false;
    }
    taken(n);
    return true;
}

/* idle_worker - a delivery process waiting for work, or NULL */
static worker *idle_worker(void)
{
    for (int i = 0; i < dd.nkids; i++)
        if (dd.kids[i].idle && dd.kids[i].wfd >= 0) return &dd.kids[i];
    return NULL;
}

/* start_deliveries - idle delivery processes first, then new ones: the
 * usual number at once, more when the oldest id has waited too long */
static void start_deliveries(void)
{
    while (dd.count > 0) {
        worker *w = idle_worker();
        if (w) { hand_to(w); continue; }
        if (dd.nkids >= dd.usual && extra_due() != 0) break;
        if (!start_one()) break;
    }
}

/* worker_idle - "+<pid>" from a delivery process that has finished */
static void worker_idle(const char *s, size_t len)
{
    char num[16], *end;
    if (len == 0 || len >= sizeof num) return;
    memcpy(num, s, len);
    num[len] = 0;
    long pid = strtol(num, &end, 10);
    if (*end) return;
    for (int i = 0; i < dd.nkids; i++) {
        if (dd.kids[i].pid != pid) continue;
        dd.kids[i].idle = true;
        dd.kids[i].idle_since = time(NULL);
    }
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
    int at = (dd.head + dd.count) % LIMIT_DAEMON_BACKLOG;
    memcpy(dd.backlog[at], id, sizeof id);
    dd.since[at] = now_ms();
    dd.count++;
}

/* take_bytes - split what was read into lines, carrying a partial one */
static void take_bytes(const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            if (dd.carry_len > 0 && dd.carry[0] == '+') worker_idle(dd.carry + 1, dd.carry_len - 1);
            else if (dd.carry_len <= MESSAGE_ID_LENGTH) take_id(dd.carry, dd.carry_len);
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
        if (dd.kids[i].pid != pid) continue;
        if (dd.kids[i].wfd >= 0) close(dd.kids[i].wfd);
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

/* retire_idle - tell delivery processes idle too long to go (EOF) */
static void retire_idle(void)
{
    time_t now = time(NULL);
    for (int i = 0; i < dd.nkids; i++) {
        worker *w = &dd.kids[i];
        if (!w->idle || w->wfd < 0 || now < w->idle_since + LIMIT_DAEMON_DELIVERY_IDLE) continue;
        close(w->wfd);
        w->wfd = -1;
    }
}

void ddlv_tick(void)
{
    retire_idle();
    start_deliveries(); /* ids that have waited long enough for an extra process */
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
