/* test_redis_live.c - EXPERIMENTAL_REDIS: the lookup driver against real
 * redis-server processes started here on free 127.0.0.1 ports (and a Unix
 * socket) in a temporary directory: every reply type, AUTH, database
 * selection, failover, a server killed and restarted, a 10 MB reply,
 * binary bytes, CRLF injection, cluster MOVED. Skips when redis-server is
 * not installed. */
#include "tern.h"
#include "unit.h"

#ifdef EXPERIMENTAL_REDIS
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <hiredis/hiredis.h>
#include "experimental/redis.h"

#define REDIS_BIN "/usr/bin/redis-server"

static char tmpdir[] = "/tmp/tern-redis-XXXXXX";

struct server { pid_t pid; int port; char dir[256]; };

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &l)) return -1;
    close(fd);
    return ntohs(a.sin_port);
}

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* start - redis-server on port (0: pick one) with extra args; waits until it answers */
static bool start(struct server *s, int port, const char *name, const char *const *extra)
{
    const char *argv[32] = {REDIS_BIN, "--bind", "127.0.0.1", "--port", NULL, "--dir", NULL,
                            "--save", "", "--appendonly", "no", "--daemonize", "no"};
    int n = 13;
    s->port = port ? port : free_port();
    snprintf(s->dir, sizeof s->dir, "%s/%s", tmpdir, name);
    mkdir(s->dir, 0700);
    argv[4] = string_sprintf("%d", s->port), argv[6] = s->dir;
    for (; extra && *extra; extra++) argv[n++] = *extra;
    argv[n] = NULL;
    if ((s->pid = fork()) == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1), dup2(null, 2);
        execv(REDIS_BIN, (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        struct timeval tv = {1, 0};
        redisContext *c = redisConnectWithTimeout("127.0.0.1", s->port, tv);
        bool up = c && !c->err;
        if (c) redisFree(c);
        if (up) return true;
        msleep(50);
    }
    return false;
}

static void stop(struct server *s)
{
    if (s->pid > 0) kill(s->pid, SIGKILL), waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

/* look - run a lookup with servers as redis_servers; returns rc */
static int look(const char *servers, const char *query, char **res, char **err)
{
    unsigned cache = 1;
    xp_redis_opts.redis_servers = (char *)servers;
    *res = NULL, *err = NULL;
    return xp_redis_lookup_info.find(xp_redis_lookup_info.open(NULL, err), NULL, query,
                                     strlen(query), res, err, &cache, NULL);
}

static char *srv(const struct server *s, const char *rest) { return string_sprintf("127.0.0.1::%d%s", s->port, rest); }

static void test_reply_types(const struct server *a)
{
    char *list = srv(a, "//"), *r, *e;
    unsigned cache = 1;
    CHECK_INT(look(list, "FLUSHALL", &r, &e), OK, "flushall");
    CHECK_INT(look(list, "SET k v", &r, &e), OK, "set");
    CHECK_STR(r, "OK", "status reply");
    CHECK_INT(look(list, "GET k", &r, &e), OK, "get");
    CHECK_STR(r, "v", "string reply");
    CHECK(!store_is_tainted(r), "reply untainted (admin-run database)");
    CHECK_INT(look(list, "GET missing", &r, &e), FAIL, "nil reply fails");
    CHECK_INT(look(list, "INCR n", &r, &e), OK, "incr");
    CHECK_STR(r, "1", "integer reply");
    CHECK_INT(look(list, "RPUSH l a b c", &r, &e), OK, "rpush");
    CHECK_INT(look(list, "LRANGE l 0 -1", &r, &e), OK, "lrange");
    CHECK_STR(r, "a\nb\nc", "array reply joined with newlines");
    CHECK_INT(look(list, "SMEMBERS none", &r, &e), OK, "empty array");
    CHECK_STR(r, "", "empty array is empty");
    CHECK_INT(look(list, "MGET k missing k", &r, &e), OK, "mget");
    CHECK_STR(r, "v\n\nv", "nil element is an empty line");
    char *q = string_sprintf("EVAL %s 0", xp_redis_quote("return {1,{2,'x',{}},'y'}", NULL));
    CHECK_INT(look(list, q, &r, &e), OK, "nested array");
    CHECK_STR(r, "1\n2\nx\ny", "nested arrays flattened");
    CHECK_INT(look(list, "LPUSH k x", &r, &e), DEFER, "server error defers");
    CHECK(e && strstr(e, "WRONGTYPE"), "server's message kept");
    CHECK_INT(look(list, "NOSUCHCOMMAND", &r, &e), DEFER, "unknown command defers");
    CHECK_INT(look(list, "", &r, &e), DEFER, "empty query defers");
    xp_redis_opts.redis_servers = list;
    xp_redis_lookup_info.find(NULL, NULL, "GET k", 5, &r, &e, &cache, NULL);
    CHECK_INT(cache, 1, "GET may be cached");
    xp_redis_lookup_info.find(NULL, NULL, "INCR n", 6, &r, &e, &cache, NULL);
    CHECK_INT(cache, 0, "INCR is never cached");
    CHECK_INT(xp_redis_lookup_info.find(NULL, NULL, "GET k", 5, &r, &e, &cache, string_sprintf("servers=%s", list)), OK, "servers= option");
    CHECK_INT(xp_redis_lookup_info.find(NULL, NULL, "GET k", 5, &r, &e, &cache, string_sprintf("servers=127.0.0.1::%d", a->port)), OK, "servers= by host name");
    CHECK_INT(xp_redis_lookup_info.find(NULL, NULL, "GET k", 5, &r, &e, &cache, "servers=nohost"), DEFER, "servers= unknown host");
    CHECK_INT(xp_redis_lookup_info.find(NULL, NULL, "GET k", 5, &r, &e, &cache, "bogus=1"), DEFER, "unknown option");
    CHECK_INT(look("", "GET k", &r, &e), DEFER, "no servers");
    CHECK_INT(look("127.0.0.1::99999//", "GET k", &r, &e), DEFER, "bad port");
    CHECK_INT(look("127.0.0.1/x/", "GET k", &r, &e), DEFER, "bad database");
}

static void test_databases(const struct server *a)
{
    char *r, *e;
    CHECK_INT(look(srv(a, "/10/"), "SET dbk ten", &r, &e), OK, "set in db 10");
    CHECK_INT(look(srv(a, "/0/"), "GET dbk", &r, &e), FAIL, "not in db 0");
    CHECK_INT(look(srv(a, "/10/"), "GET dbk", &r, &e), OK, "db 10 again");
    CHECK_STR(r, "ten", "db 10 value");
    CHECK_INT(look(string_sprintf("[127.0.0.1]::%d/10/", a->port), "GET dbk", &r, &e), OK,
              "bracketed address with port");
    CHECK_INT(look(string_sprintf("<; [::1]:%d/10/", a->port), "GET dbk", &r, &e), DEFER,
              "IPv6 loopback: server bound to 127.0.0.1 only");
}

static void test_auth(void)
{
    struct server b = {0};
    static const char *const pw[] = {"--requirepass", "s3cr/et", NULL};
    if (!start(&b, 0, "auth", pw)) { CHECK(0, "start auth server"); return; }
    char *r, *e;
    CHECK_INT(look(srv(&b, "//s3cr/et"), "SET a 1", &r, &e), OK, "AUTH with a password holding '/'");
    CHECK_INT(look(srv(&b, "/3/s3cr/et"), "SET a 3", &r, &e), OK, "AUTH then SELECT");
    CHECK_INT(look(srv(&b, "//"), "GET a", &r, &e), DEFER, "no password: NOAUTH");
    CHECK(e && strstr(e, "NOAUTH"), "NOAUTH message");
    CHECK_INT(look(srv(&b, "//wrong"), "GET a", &r, &e), DEFER, "wrong password");
    CHECK(e && strstr(e, "AUTH") && !strstr(e, "wrong"), "AUTH failure named, password not shown");
    stop(&b);
}

static void test_failover(const struct server *a)
{
    char *r, *e;
    int dead = free_port();
    char *list = string_sprintf("127.0.0.1::%d//:%s", dead, srv(a, "//"));
    CHECK_INT(look(list, "GET k", &r, &e), OK, "second server used when the first is down");
    CHECK_STR(r, "v", "failover value");
    CHECK_INT(look(string_sprintf("127.0.0.1::%d//", dead), "GET k", &r, &e), DEFER, "all down: defer");
    CHECK(e && strstr(e, "cannot connect"), "connect error message");
}

static void test_restart(void)
{
    struct server c = {0};
    char *r, *e;
    if (!start(&c, 0, "restart", NULL)) { CHECK(0, "start restart server"); return; }
    char *list = srv(&c, "//");
    CHECK_INT(look(list, "SET r 1", &r, &e), OK, "before kill");
    stop(&c);
    CHECK_INT(look(list, "GET r", &r, &e), DEFER, "server dead: defer");
    CHECK_INT(look(list, "GET r", &r, &e), DEFER, "still dead: defer");
    CHECK(start(&c, c.port, "restart", NULL), "restart on the same port");
    CHECK_INT(look(list, "SET r 2", &r, &e), OK, "works again, no process restart");
    stop(&c); /* now a restart between two lookups: the kept connection is stale */
    CHECK(start(&c, c.port, "restart", NULL), "second restart");
    CHECK_INT(look(list, "SET r 3", &r, &e), OK, "stale kept connection reopened once");
    stop(&c);
}

static void test_big_binary_injection(const struct server *a)
{
    char *list = srv(a, "//"), *r, *e;
    size_t big = 10 * 1024 * 1024;
    char *v = store_malloc(big + 1);
    memset(v, 'x', big), v[big] = 0, v[big / 2] = 'y';
    char *q = string_sprintf("SET big %s", v);
    CHECK_INT(look(list, q, &r, &e), OK, "10 MB set");
    CHECK_INT(look(list, "GET big", &r, &e), OK, "10 MB get");
    CHECK(r && strlen(r) == big && r[big / 2] == 'y', "10 MB reply intact");
    store_free(v);

    char bin[256];
    size_t n = 0;
    for (int c = 1; c < 256; c++) bin[n++] = (char)c;
    bin[n] = 0;
    q = string_sprintf("SET bin %s", xp_redis_quote(bin, NULL));
    CHECK_INT(look(list, q, &r, &e), OK, "binary set");
    CHECK_INT(look(list, "GET bin", &r, &e), OK, "binary get");
    CHECK(r && strcmp(r, bin) == 0, "bytes 1..255 round trip");
    unsigned cache = 1;
    CHECK_INT(xp_redis_lookup_info.find(NULL, NULL, "SET nul a\0b", 11, &r, &e, &cache, NULL), OK, "NUL inside a word is sent");
    CHECK_INT(look(list, "GET nul", &r, &e), DEFER, "a reply with NUL defers, never truncates");

    CHECK_INT(look(list, "DBSIZE", &r, &e), OK, "dbsize");
    char *before = r;
    CHECK_INT(look(list, "SET inj a\r\nFLUSHALL", &r, &e), DEFER, "unquoted CRLF is only a word break");
    CHECK_INT(look(list, "DBSIZE", &r, &e), OK, "dbsize after");
    CHECK_STR(r, before, "nothing flushed");
    const char *evil = "a\r\nFLUSHALL\r\n*1\r\n$8\r\nFLUSHALL\r\n";
    CHECK_INT(look(list, string_sprintf("SET inj %s", xp_redis_quote(evil, NULL)), &r, &e), OK, "quoted CRLF");
    CHECK_INT(look(list, "GET inj", &r, &e), OK, "get quoted");
    CHECK_STR(r, evil, "CRLF and RESP stored as data");
    CHECK_INT(look(list, "GET k", &r, &e), OK, "other keys survive");
}

static void test_unix_socket(void)
{
    struct server u = {0};
    char *path = string_sprintf("%s/redis.sock", tmpdir), *r, *e;
    const char *extra[] = {"--unixsocket", path, NULL};
    if (!start(&u, 0, "unix", extra)) { CHECK(0, "start unix server"); return; }
    CHECK_INT(look(string_sprintf("(%s)/2/", path), "SET s 1", &r, &e), OK, "(socket)/db/");
    CHECK_INT(look(path, "SET s 1", &r, &e), OK, "bare socket path");
    CHECK_INT(look(string_sprintf("(%s)/2/", path), "DBSIZE", &r, &e), OK, "dbsize db 2");
    CHECK_STR(r, "1", "socket db 2 selected");
    stop(&u);
}

/* test_cluster - node Y owns every slot, X redirects to it */
static void test_cluster(void)
{
    struct server x = {0}, y = {0};
    /* the bus port defaults to port + 10000, which may not exist: pick one */
    const char *cx[] = {"--cluster-enabled", "yes", "--cluster-config-file", NULL,
                        "--cluster-port", NULL, NULL};
    cx[3] = string_sprintf("%s/x.conf", tmpdir);
    cx[5] = string_sprintf("%d", free_port());
    if (!start(&x, 0, "cx", cx)) { CHECK(0, "start cluster x"); return; }
    cx[3] = string_sprintf("%s/y.conf", tmpdir);
    const char *ybus = cx[5] = string_sprintf("%d", free_port());
    if (!start(&y, 0, "cy", cx)) { CHECK(0, "start cluster y"); stop(&x); return; }
    char *r, *e;
    CHECK_INT(look(srv(&y, "//"), "CLUSTER ADDSLOTSRANGE 0 16383", &r, &e), OK, "y takes all slots");
    CHECK_INT(look(srv(&x, "//"), string_sprintf("CLUSTER MEET 127.0.0.1 %d %s", y.port, ybus), &r, &e), OK, "meet");
    bool moved = false, y_ok = false;
    for (int i = 0; i < 100 && !(moved && y_ok); i++) {
        redisContext *c = redisConnect("127.0.0.1", x.port), *d = redisConnect("127.0.0.1", y.port);
        redisReply *rep = c && !c->err ? redisCommand(c, "GET probe") : NULL;
        redisReply *rep2 = d && !d->err ? redisCommand(d, "GET probe") : NULL;
        moved = rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "MOVED", 5) == 0;
        y_ok = rep2 && rep2->type == REDIS_REPLY_NIL;
        if (rep) freeReplyObject(rep);
        if (rep2) freeReplyObject(rep2);
        if (c) redisFree(c);
        if (d) redisFree(d);
        if (!moved || !y_ok) msleep(100);
    }
    CHECK(moved, "x answers MOVED");
    CHECK_INT(look(srv(&x, "//"), "SET ck clustered", &r, &e), OK, "SET follows MOVED");
    CHECK_INT(look(srv(&x, "//"), "GET ck", &r, &e), OK, "GET follows MOVED");
    CHECK_STR(r, "clustered", "value from the owning node");
    CHECK_INT(look(srv(&y, "//"), "GET ck", &r, &e), OK, "value is on y");
    stop(&x), stop(&y);
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    if (access(REDIS_BIN, X_OK) != 0) {
        printf("test_redis_live: skipped: %s is not installed (scripts/install-deps)\n", REDIS_BIN);
        return 0;
    }
    if (!mkdtemp(tmpdir)) return 1;
    struct server a = {0};
    if (!start(&a, 0, "a", NULL)) { fprintf(stderr, "cannot start redis-server\n"); return 1; }
    test_reply_types(&a);
    test_databases(&a);
    test_auth();
    test_failover(&a);
    test_restart();
    test_big_binary_injection(&a);
    test_unix_socket();
    test_cluster();
    stop(&a);
    xp_redis_tidy();
    char *rm = string_sprintf("rm -rf %s", tmpdir);
    if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return unit_done("test_redis_live");
}
#else
int main(void)
{
    printf("test_redis_live: skipped: EXPERIMENTAL_REDIS is not built\n");
    return 0;
}
#endif
