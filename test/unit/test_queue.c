/* test_queue.c - the queue's pure parts and its tools: -bp time-on-queue
 * and size formats (cases checked against Exim 4.96's -bp), queue_run_max
 * slots, msglog lines, and tern_dumpdb / tern_tidydb on records written
 * in Tern's own layouts (expected text in exim_dumpdb's layout). */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "tern.h"
#include "globals.h"
#include "hintsdb.h"
#include "hints_records.h"
#include "msglog.h"
#include "queue.h"
#include "unit.h"

static char tmpdir[] = "/tmp/tern-unit-queue-XXXXXX";

static void test_age(void)
{
    static const struct { long secs; const char *want; } cases[] = {
        {0, " 0m"}, {59, " 0m"}, {60, " 1m"}, {25 * 60, "25m"}, {90 * 60, "90m"}, {91 * 60, " 2h"},
        {149 * 60, " 2h"}, {150 * 60, " 3h"}, {72 * 3600 + 29 * 60, "72h"}, {72 * 3600 + 31 * 60, " 3d"},
        {1000L * 86400, "1000d"}, {-600, "-10m"}};
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(queue_format_age(cases[i].secs), cases[i].want, string_sprintf("age %ld", cases[i].secs));
}

static void test_size(void)
{
    static const struct { long long size; const char *want; } cases[] = {
        {0, "     "}, {1, "    1"}, {281, "  281"}, {1023, " 1023"}, {1024, " 1.0K"}, {2970, " 2.9K"},
        {3277, " 3.2K"}, {10239, "10.0K"}, {10240, "  10K"}, {20000, "  20K"}, {987401, " 964K"},
        {1048575, "1024K"}, {1048576, " 1.0M"}, {1258291, " 1.2M"}, {10485759, "10.0M"},
        {10485760, "  10M"}, {10858944, "  10M"}, {2147483648LL, "2048M"}};
    for (size_t i = 0; i < NELEM(cases); i++)
        CHECK_STR(queue_format_size(cases[i].size), cases[i].want, string_sprintf("size %lld", cases[i].size));
}

/* test_run_max - a daemon runner finds no free slot while another process
 * holds the only one, and runs once it is free */
static void test_run_max(void)
{
    cfg.queue_run_max = "1";
    char *lock = string_sprintf("%s/db/queue_run.lockfile", tmpdir);
    mkdir(string_sprintf("%s/db", tmpdir), 0750);
    int p[2];
    if (pipe(p) != 0) return;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(lock, O_RDWR | O_CREAT, 0640);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        if (fd < 0 || fcntl(fd, F_SETLK, &fl) != 0) _exit(1);
        if (write(p[1], "x", 1) != 1) _exit(1);
        sleep(30);
        _exit(0);
    }
    char c;
    CHECK(read(p[0], &c, 1) == 1, "child holds the slot");
    CHECK_INT(queue_run(NULL, NULL, QR_DAEMON), DEFER, "no slot: no run");
    CHECK_INT(queue_run(NULL, NULL, 0), OK, "command-line runs are not limited");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    CHECK_INT(queue_run(NULL, NULL, QR_DAEMON), OK, "slot free again");
    cfg.queue_run_max = "2";
    CHECK_INT(queue_run(NULL, NULL, QR_DAEMON), OK, "two slots");
    close(p[0]);
    close(p[1]);
}

static char *slurp(const char *path)
{
    size_t len;
    const char *err;
    char *s = spool_read_file(path, &len, 0, &err);
    return s ? s : string_copy("");
}

static void test_msglog(void)
{
    const char *id = "1xW7Fh-00004r-28";
    CHECK_INT(msglog_write(id, "Received from %s", "a@b.c"), OK, "msglog write");
    CHECK_INT(msglog_write(id, "=> x@y.z R=r T=t"), OK, "msglog append");
    char *s = slurp(string_sprintf("%s/msglog/%s", tmpdir, id));
    CHECK(strstr(s, " Received from a@b.c\n") && strstr(s, " => x@y.z R=r T=t\n"), "msglog lines");
    CHECK(s[4] == '-' && s[19] == ' ', "timestamp first");
    cfg.split_spool_directory = true;
    CHECK_STR(msglog_path(id), string_sprintf("%s/msglog/%s", tmpdir, id), "old place still found");
    const char *id2 = "1xW7Fz-00004r-28";
    msglog_write(id2, "x");
    CHECK_STR(msglog_path(id2), string_sprintf("%s/msglog/z/%s", tmpdir, id2), "split msglog");
    cfg.preserve_message_logs = true;
    msglog_finish(id2);
    CHECK(access(string_sprintf("%s/msglog.OLD/%s", tmpdir, id2), F_OK) == 0, "preserved");
    cfg.preserve_message_logs = false;
    msglog_finish(id);
    CHECK(access(msglog_path(id), F_OK) != 0, "removed");
    cfg.split_spool_directory = false;
    cfg.message_logs = false;
    msglog_write(id, "nothing");
    CHECK(access(msglog_path(id), F_OK) != 0, "message_logs = false");
    cfg.message_logs = true;
}

/* ---- tern_dumpdb / tern_tidydb ---- */

static char *tool(const char *name)
{
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = 0;
    *strrchr(exe, '/') = 0;
    *strrchr(exe, '/') = 0;
    char *bin = string_sprintf("%s/%s", exe, name);
    return access(bin, X_OK) == 0 ? bin : NULL;
}

static char *run_tool(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    gstring *g = string_get(256);
    char buf[512];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) g = string_catn(g, buf, n);
    if (f) pclose(f);
    return string_from_gstring(g);
}

typedef struct rl_rec { double stamp, rate, bloom_start; unsigned char bloom[128]; } rl_rec;

static void put_records(long t)
{
    char *err;
    char *dir = string_sprintf("%s/db", tmpdir);
    hintsdb *db = hintsdb_open(dir, "ratelimit", false, &err);
    rl_rec r = {.stamp = (double)t + 0.328283, .rate = 1.0};
    hintsdb_put(db, "1h/per_rcpt/x", &r, sizeof r);
    rl_rec u = {.stamp = (double)t - 86400 * 40 + 0.5, .rate = 2.5, .bloom_start = (double)t - 86400 * 40};
    hintsdb_put(db, "1h/per_rcpt/unique/u-y.z", &u, sizeof u);
    hintsdb_close(db);
    db = hintsdb_open(dir, "seen", false, &err);
    double s = (double)t;
    hintsdb_put(db, "w", &s, sizeof s);
    hintsdb_close(db);
}

static void test_dumpdb(void)
{
    char *dump = tool("tern_dumpdb"), *tidy = tool("tern_tidydb");
    if (!dump || !tidy) { printf("test_queue: dumpdb/tidydb tests skipped: tools not built\n"); return; }
    long t = 1795591608; /* 25-Nov-2026 07:26:48 UTC */
    put_records(t);
    CHECK_STR(run_tool(string_sprintf("%s -z %s seen", dump, tmpdir)), "w\t25-Nov-2026 07:26:48\n", "seen");
    CHECK_STR(run_tool(string_sprintf("TZ=America/New_York %s %s seen", dump, tmpdir)),
              "w\t25-Nov-2026 02:26:48\n", "seen local time");
    char *rl = run_tool(string_sprintf("%s -z %s ratelimit", dump, tmpdir));
    CHECK(strstr(rl, "25-Nov-2026 07:26:48.328283 rate:      1.000 key: 1h/per_rcpt/x\n") != NULL, "ratelimit");
    CHECK(strstr(rl, "16-Oct-2026 07:26:48.500000 rate:      2.500 epoch: 16-Oct-2026 07:26:48 size: 128 "
                     "key: 1h/per_rcpt/unique/u-y.z\n") != NULL, "ratelimit unique");
    char *keys = run_tool(string_sprintf("%s -k %s ratelimit", dump, tmpdir));
    CHECK(strstr(keys, "  1h/per_rcpt/x\n") != NULL, "-k");
    CHECK_STR(run_tool(string_sprintf("%s %s misc", dump, tmpdir)),
              string_sprintf("** Failed to open database lock file %s/db/misc.lockfile: No such file or directory\n",
                             tmpdir), "missing database");
    CHECK(strstr(run_tool(string_sprintf("%s %s nonsense", dump, tmpdir)), "Usage: tern_dumpdb [-z] [-k]  <spool") != NULL,
          "usage");
    char *out = run_tool(string_sprintf("%s %s ratelimit", tidy, tmpdir));
    CHECK_STR(out, string_sprintf("Tidying Exim hints database %s/db/ratelimit\n"
                                  "deleted 1h/per_rcpt/unique/u-y.z (too old)\nTidying complete\n", tmpdir),
              "tidy 30d");
    CHECK(strstr(run_tool(string_sprintf("%s -z %s ratelimit", dump, tmpdir)), "unique") == NULL, "gone");
    out = run_tool(string_sprintf("%s -t 1s %s seen", tidy, tmpdir));
    CHECK(strstr(out, "deleted w (too old)\n") != NULL, "tidy -t");
    CHECK(strstr(run_tool(string_sprintf("%s -t bad %s seen", tidy, tmpdir)), "Usage: tern_tidydb [-t <time>]") != NULL,
          "tidy usage");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    cfg = main_options_default;
    if (!mkdtemp(tmpdir)) return 1;
    cfg.spool_directory = tmpdir;
    cfg.log_file_path = string_sprintf("%s/%%slog", tmpdir);
    test_age();
    test_size();
    test_run_max();
    test_msglog();
    test_dumpdb();
    int rc = unit_done("test_queue");
    if (system(string_sprintf("rm -rf %s", tmpdir)) != 0) rc = 1;
    return rc;
}
