/* daemon.c - the SMTP listener (-bd, -bdf): binds the configured
 * interfaces and ports, accepts connections and forks one child per
 * connection, enforcing the smtp_accept_* limits.
 *
 * Runs as root when started as root, so that it can bind, hand each
 * connection to a child that permanently becomes exim_user (child.c)
 * before reading anything, and fork the delivery processes for the
 * messages those children accept (daemon_deliver.c). The daemon itself never reads from
 * a peer and allocates only PERM memory or scratch it resets. SIGHUP
 * re-executes the binary (new configuration; running children carry
 * on), SIGTERM closes the listeners and exits. */

/* System */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
/* MTA core */
#include "tern.h"
#include "child.h"
#include "daemon.h"
#include "daemon_deliver.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "match.h"
#include "smtp_in.h"
#include "spool.h"
#include "tls.h"
#include "version.h"

typedef struct listener {
    int fd;
    char addr[INET6_ADDRSTRLEN];
    int port;
    bool tls; /* a tls_on_connect_ports port: TLS before the banner (RFC 8314) */
} listener;

typedef struct conn_child {
    pid_t pid;
    char addr[INET6_ADDRSTRLEN];
} conn_child;

static struct {
    listener l[LIMIT_DAEMON_LISTENERS];
    int nl;
    conn_child *kids;
    int nkids;
    uid_t uid;
    gid_t gid;
    char *pid_file;
} dm;

static volatile sig_atomic_t got_hup, got_term, got_chld;

static void on_signal(int sig)
{
    if (sig == SIGHUP) got_hup = 1;
    else if (sig == SIGTERM || sig == SIGINT) got_term = 1;
    else if (sig == SIGCHLD) got_chld = 1;
}

/* parse_port - a number or a service name */
static int parse_port(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s && !*end && v > 0 && v < 65536) return (int)v;
    struct servent *se = getservbyname(s, "tcp");
    if (!se) die("invalid port or service name \"%s\" for the daemon", s);
    return ntohs((uint16_t)se->s_port);
}

static bool tls_port(int port);

/* add_listener - bind one address and port */
static void add_listener(const char *addr, int port)
{
    if (dm.nl >= LIMIT_DAEMON_LISTENERS) die("too many listening sockets (limit %d)", LIMIT_DAEMON_LISTENERS);
    bool v6 = strchr(addr, ':') != NULL;
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1) die("invalid IPv6 address %s", addr);
        len = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1) die("invalid IPv4 address %s", addr);
        len = sizeof *s4;
    }
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 && v6 && errno == EAFNOSUPPORT) return; /* no IPv6 on this host */
    if (fd < 0) die("socket creation failed: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
        listen(fd, cfg.smtp_connect_backlog > 0 ? cfg.smtp_connect_backlog : 20) != 0)
        die("socket bind() to port %d for address %s failed: %s: daemon abandoned", port, addr,
            strerror(errno));
    listener *l = &dm.l[dm.nl++];
    l->fd = fd;
    l->port = port;
    l->tls = tls_port(port);
    if ((size_t)snprintf(l->addr, sizeof l->addr, "%s", addr) >= sizeof l->addr)
        die("address too long: %s", addr);
}

/* split_interface - "1.2.3.4.25", "[1.2.3.4]:25", "::1.25" -> address, port (0: none) */
static char *split_interface(char *item, int *port)
{
    *port = 0;
    if (*item == '[') {
        char *e = strchr(item, ']');
        if (!e) die("malformed interface %s", item);
        *e = 0;
        if (e[1] == ':' || e[1] == '.') *port = parse_port(e + 2);
        return item + 1;
    }
    char *dot = strrchr(item, '.');
    int dots = 0;
    for (char *p = item; *p; p++) dots += *p == '.';
    bool v6 = strchr(item, ':') != NULL;
    if (dot && ((v6 && dots == 1) || (!v6 && dots == 4))) {
        *dot = 0;
        *port = parse_port(dot + 1);
    }
    return item;
}

/* is_port_list - -oX with only digits, commas and colons means ports */
static bool is_port_list(const char *s)
{
    return *s && strspn(s, "0123456789,:") == strlen(s);
}

static void bind_all(const char *oX)
{
    const char *ifaces = cfg.local_interfaces, *ports = cfg.daemon_smtp_ports;
    if (oX && is_port_list(oX)) ports = oX;
    else if (oX) ifaces = oX;
    ifaces = expand_cstring(ifaces);
    ports = expand_cstring(ports);
    if (!ifaces || !ports) die("expansion of local_interfaces or daemon_smtp_ports failed: %s",
                               expand_error());
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&ifaces, &sep))) {
        int port;
        char *addr = split_interface(item, &port);
        if (port) { add_listener(addr, port); continue; }
        const char *pl = ports;
        int psep = strchr(pl, ',') && pl[0] != '<' ? ',' : 0;
        char *p;
        while ((p = string_nextinlist(&pl, &psep))) add_listener(addr, parse_port(p));
    }
    if (!dm.nl) die("no listening sockets could be set up");
}

/* listening_text - "[127.0.0.1]:2525 [::1]:2525" for the start-up log,
 * with " and for SMTPS on ..." for tls_on_connect_ports, as Exim */
static char *listening_text(void)
{
    gstring *g = NULL;
    for (int tls = 0; tls < 2; tls++) {
        bool first = true;
        for (int i = 0; i < dm.nl; i++) {
            if (dm.l[i].tls != tls) continue;
            if (first && tls) g = string_cat(g, g ? " and for SMTPS on " : "SMTPS on ");
            g = string_fmt_append(g, "%s[%s]:%d", first ? "" : " ", dm.l[i].addr, dm.l[i].port);
            first = false;
        }
    }
    return string_from_gstring(g);
}

/* tls_port - is this port in tls_on_connect_ports? */
static bool tls_port(int port)
{
    const char *list = cfg.tls_on_connect_ports;
    int sep = 0;
    char *p;
    while (list && (p = string_nextinlist(&list, &sep)))
        if (parse_port(p) == port) return true;
    return false;
}

/* ---- children ---- */

static int count_from(const char *addr)
{
    int n = 0;
    for (int i = 0; i < dm.nkids; i++) n += strcmp(dm.kids[i].addr, addr) == 0;
    return n;
}

static void reap(void)
{
    got_chld = 0;
    pid_t pid;
    int status;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (ddlv_reaped(pid)) continue;
        if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
            rmark m = store_mark();
            int n = spool_tidy_dead_writer(cfg.spool_directory, cfg.split_spool_directory, pid);
            if (n) log_write(L_always, LOG_MAIN, "removed %d uncommitted -D file%s of connection "
                             "process %d, which died", n, n == 1 ? "" : "s", (int)pid);
            store_reset(m);
        }
        for (int i = 0; i < dm.nkids; i++) {
            if (dm.kids[i].pid != pid) continue;
            dm.kids[i] = dm.kids[--dm.nkids];
            break;
        }
    }
}

/* peer_host - in smtp_reserve_hosts (or any host list)? */
static bool host_in(const char *addr, const char *list)
{
    if (!list) return false;
    const char *l = expand_cstring(list);
    match_host h = {.address = addr};
    return l && match_host_list(&h, l, NULL) == OK;
}

/* refuse - reply 421 and log why (the connection_reject selector) */
static bool refuse(int fd, const char *who, const char *reply, const char *why)
{
    smtp_refuse_connection(fd, reply);
    log_write(L_connection_reject, LOG_MAIN, "Connection from %s refused: %s", who, why);
    return true;
}

/* over_limits - smtp_accept_max, _reserve, _max_per_host, smtp_load_reserve */
static bool over_limits(int fd, const char *addr)
{
    char *who = string_sprintf("[%s]", addr);
    int max = cfg.smtp_accept_max;
    if (max > 0 && dm.nkids >= max)
        return refuse(fd, who, "Too many concurrent SMTP connections; please try again later.",
                      "too many connections");
    if (max > 0 && cfg.smtp_accept_reserve > 0 && dm.nkids >= max - cfg.smtp_accept_reserve &&
        !host_in(addr, cfg.smtp_reserve_hosts))
        return refuse(fd, who, string_sprintf("%s: Too many concurrent SMTP connections; please "
                      "try again later", cfg.primary_hostname), "not in reserve list");
    const char *ph = cfg.smtp_accept_max_per_host ? expand_cstring(cfg.smtp_accept_max_per_host) : NULL;
    long perhost = ph && *ph ? strtol(ph, NULL, 10) : 0;
    if (perhost > 0 && count_from(addr) >= perhost)
        return refuse(fd, who, "Too many concurrent SMTP connections from one IP address; please "
                      "try again later.", "too many connections from that IP address");
    double load;
    if (cfg.smtp_load_reserve >= 0 && getloadavg(&load, 1) == 1 &&
        load * 1000 > cfg.smtp_load_reserve && !host_in(addr, cfg.smtp_reserve_hosts))
        return refuse(fd, who, "Too much load; please try again later.",
                      string_sprintf("load average = %.2f", load));
    return false;
}

/* sockaddr_text - address and port of a sockaddr */
static int sockaddr_text(const struct sockaddr_storage *ss, char *buf, size_t n)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)n);
        if (strncmp(buf, "::ffff:", 7) == 0 && strchr(buf, '.')) memmove(buf, buf + 7, strlen(buf + 7) + 1);
        return ntohs(s6->sin6_port);
    }
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)n);
    return ntohs(s4->sin_port);
}

/* run_child - the connection child: drop privilege, then the session */
static void run_child(int fd, const char *addr, int port, bool tls) NORETURN;
static void run_child(int fd, const char *addr, int port, bool tls)
{
    for (int i = 0; i < dm.nl; i++) close(dm.l[i].fd);
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    ddlv_conn_child();
    child_drop_privilege(dm.uid, dm.gid);
    proc.pid = getpid();
    struct sockaddr_storage me;
    socklen_t ml = sizeof me;
    char ibuf[INET6_ADDRSTRLEN] = "";
    int iport = 0;
    if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0) iport = sockaddr_text(&me, ibuf, sizeof ibuf);
    smtp_conn_setup(addr, port, fd, fd, true);
    conn.interface_address = string_copy_perm(ibuf);
    conn.interface_port = iport;
    conn.tls_on_connect = tls;
    conn.queue_only = cfg.smtp_accept_queue > 0 && dm.nkids > cfg.smtp_accept_queue;
    int rc = smtp_session();
    shutdown(fd, SHUT_WR);
    close(fd);
    _exit(rc);
}

/* accept_one - take one connection from a listener */
static void accept_one(listener *l)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
    if (fd < 0) return;
    if (cfg.tcp_nodelay) /* replies are written whole; don't wait for delayed ACKs */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
    char addr[INET6_ADDRSTRLEN];
    int port = sockaddr_text(&ss, addr, sizeof addr);
    rmark m = store_mark();
    if (over_limits(fd, addr) || dm.nkids >= LIMIT_DAEMON_CHILDREN) {
        close(fd);
        store_reset(m);
        return;
    }
    log_write(L_smtp_connection, LOG_MAIN, "SMTP connection from [%s]:%d (TCP/IP connection count "
              "= %d)", addr, port, dm.nkids + 1);
    tls_server_refresh(); /* a renewed certificate: reloaded here, as root */
    pid_t pid = fork();
    if (pid == 0) run_child(fd, addr, port, l->tls);
    if (pid < 0) log_write(L_always, LOG_MAIN, "fork of SMTP connection child failed: %s", strerror(errno));
    else {
        dm.kids[dm.nkids].pid = pid;
        if ((size_t)snprintf(dm.kids[dm.nkids].addr, sizeof dm.kids[0].addr, "%s", addr) <
            sizeof dm.kids[0].addr)
            dm.nkids++;
    }
    close(fd);
    store_reset(m);
}

/* ---- start-up and signals ---- */

/* prepare_dirs - spool and log directories the exim user can write */
static void prepare_dirs(void)
{
    const char *sp = cfg.spool_directory;
    const char *dirs[] = {"", "/input", "/log", "/msglog", "/db"};
    for (size_t i = 0; i < NELEM(dirs); i++) {
        char *d = string_sprintf("%s%s", sp, dirs[i]);
        (void)mkdir(d, 0750);
        child_chown_path(d, dm.uid, dm.gid);
    }
    const char *types[] = {"main", "reject", "panic"};
    for (size_t i = 0; i < NELEM(types); i++) {
        char *p = log_path_for(types[i]);
        if (!p) continue;
        int fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd >= 0) close(fd);
        child_chown_path(p, dm.uid, dm.gid);
    }
}

static void detach(void)
{
    pid_t pid = fork();
    if (pid < 0) die("fork of daemon failed: %s", strerror(errno));
    if (pid > 0) _exit(EXIT_SUCCESS);
    setsid();
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) { dup2(nul, 0); dup2(nul, 1); dup2(nul, 2); if (nul > 2) close(nul); }
}

static void write_pid_file(void)
{
    if (!dm.pid_file) return;
    char *s = string_sprintf("%d\n", (int)getpid());
    int fd = open(dm.pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
        log_write(L_always, LOG_MAIN, "failed to write pid file %s: %s", dm.pid_file, strerror(errno));
    if (fd >= 0) close(fd);
}

static void set_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() must wake up */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* reexec - SIGHUP: start again with the same arguments (new config);
 * children are separate processes and keep their connections */
static void reexec(void) NORETURN;
static void reexec(void)
{
    log_write(L_always, LOG_MAIN, "pid %d: SIGHUP received: re-exec daemon", (int)getpid());
    for (int i = 0; i < dm.nl; i++) close(dm.l[i].fd);
    execv("/proc/self/exe", proc.argv);
    die("re-exec of daemon failed: %s", strerror(errno));
}

/* close_listeners - in processes forked for delivery and queue runs */
static void close_listeners(void)
{
    for (int i = 0; i < dm.nl; i++) close(dm.l[i].fd);
}

/* serve - the accept loop: listeners, the delivery pipe (last slot),
 * queue-run timer, signals */
static int serve(void)
{
    struct pollfd pfd[LIMIT_DAEMON_LISTENERS + 1];
    for (int i = 0; i < dm.nl; i++) pfd[i] = (struct pollfd){.fd = dm.l[i].fd, .events = POLLIN};
    pfd[dm.nl] = (struct pollfd){.fd = ddlv_poll_fd(), .events = POLLIN};
    for (;;) {
        if (got_chld) reap();
        if (got_term) break;
        if (got_hup) reexec();
        ddlv_tick();
        int n = poll(pfd, (nfds_t)dm.nl + 1, ddlv_timeout_ms());
        if (n <= 0) continue;
        if (pfd[dm.nl].revents & POLLIN) ddlv_read();
        for (int i = 0; i < dm.nl; i++)
            if (pfd[i].revents & POLLIN) accept_one(&dm.l[i]);
    }
    log_write(L_always, LOG_MAIN, "pid %d: SIGTERM received: daemon terminating", (int)getpid());
    for (int i = 0; i < dm.nl; i++) close(dm.l[i].fd);
    if (dm.pid_file) unlink(dm.pid_file);
    return EXIT_SUCCESS;
}

int daemon_run(bool foreground, const char *oX, const char *oP)
{
    if (!child_exim_ids(&dm.uid, &dm.gid)) die("exim user %s does not exist", EXIM_USER);
    if (geteuid() == 0 && dm.uid == 0) die("refusing to receive mail as root: set exim_user");
    dm.kids = store_get_in(POOL_PERM, sizeof(conn_child) * LIMIT_DAEMON_CHILDREN, GET_UNTAINTED);
    const char *pp = cfg.pid_file_path ? expand_cstring(cfg.pid_file_path) : NULL;
    if (oP) dm.pid_file = string_copy_perm(oP);
    else if (!oX) dm.pid_file = string_copy_perm(pp && *pp ? pp
                                                 : string_sprintf("%s/exim-daemon.pid", cfg.spool_directory));
    prepare_dirs();
    bind_all(oX);
    set_signals();
    if (!foreground) detach();
    ddlv_init(close_listeners);
    tls_server_preload(); /* as root, before any connection child */
    write_pid_file();
    log_write(L_always, LOG_MAIN, "exim %s daemon started: pid=%d, %s, listening for SMTP on %s",
              TERN_EXIM_COMPAT, (int)getpid(), ddlv_describe(), listening_text());
    return serve();
}
