/* test_log.c - log selectors, log file paths and the mainlog line format.
 *
 * Lines are written to log files in a temporary directory, then read back
 * and checked against Exim's layout: "YYYY-MM-DD HH:MM:SS[.mmm] [pid] id
 * text". The concurrency test forks writers and checks that no line was
 * broken by another process's write. */

/* System */
#include <fcntl.h>
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "unit.h"

static char dir[] = "/tmp/tern-unit-log-XXXXXX";

/* slurp - whole file as a string ("" if absent) */
static char *slurp(const char *path)
{
    gstring *g = string_get(1024);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return string_from_gstring(g);
    char buf[8192];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) g = string_catn(g, buf, (size_t)n);
    close(fd);
    return string_from_gstring(g);
}

static bool matches(const char *s, const char *re)
{
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) return false;
    bool ok = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

/* use_selector - set log_selector as a config file would */
static void use_selector(const char *s)
{
    cfg.log_selector = (char *)s;
    log_init();
}

static void test_selector_names(void)
{
    bool bits[L_COUNT];
    const char *bad = NULL;
    for (size_t i = 0; i < log_selector_names_count; i++) {
        const log_selector_name *n = &log_selector_names[i];
        if (n->bit < 0) continue;
        CHECK(log_selector_parse(string_sprintf("-all +%s", n->name), bits, &bad), n->name);
        int on = 0;
        for (int b = 0; b < L_COUNT; b++) on += bits[b];
        CHECK(bits[n->bit] && on == 1, n->name);
        CHECK(log_selector_parse(string_sprintf("+all -%s", n->name), bits, &bad), n->name);
        CHECK(!bits[n->bit], n->name);
    }
    CHECK(log_selector_parse("+all", bits, &bad), "+all");
    for (int b = 0; b < L_COUNT; b++) CHECK(bits[b], "+all sets every bit");
    CHECK(log_selector_parse("-all", bits, &bad), "-all");
    for (int b = 0; b < L_COUNT; b++) CHECK(!bits[b], "-all clears every bit");
    CHECK(log_selector_parse("", bits, &bad), "empty keeps defaults");
    CHECK(bits[L_retry_defer] && !bits[L_pid], "defaults");
    CHECK(log_selector_parse("+pid+millisec -retry_defer", bits, &bad), "joined names");
    CHECK(bits[L_pid] && bits[L_millisec] && !bits[L_retry_defer], "joined names bits");
    CHECK(log_selector_parse("+rejected_headers", bits, &bad) && bits[L_rejected_header],
          "old spelling");
    CHECK(!log_selector_parse("+pid +nosuch", bits, &bad), "unknown name");
    CHECK_STR(bad, "unknown log_selector setting: +nosuch", "unknown name message");
    CHECK(!log_selector_parse("pid", bits, &bad), "missing sign");
    CHECK_STR(bad, "malformed log_selector setting: + or - expected but found \"pid\"",
              "missing sign message");
    CHECK(!log_selector_parse("+", bits, &bad), "sign alone");
    CHECK_STR(bad, "unknown log_selector setting: +", "sign alone message");
}

static void test_paths(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char day[16], month[16];
    strftime(day, sizeof day, "%Y%m%d", &tm);
    strftime(month, sizeof month, "%Y%m", &tm);
    cfg.log_file_path = "/var/log/tern/%s-%D.log";
    CHECK_STR(log_path_for("main"), string_sprintf("/var/log/tern/main-%s.log", day), "%s %D");
    cfg.log_file_path = "/l/%slog.%M";
    CHECK_STR(log_path_for("reject"), string_sprintf("/l/rejectlog.%s", month), "%M");
    cfg.log_file_path = "syslog : /l/%s%%";
    CHECK_STR(log_path_for("panic"), "/l/panic%", "syslog skipped, %% kept");
    cfg.log_file_path = "syslog";
    CHECK(log_path_for("main") == NULL, "syslog only");
    cfg.log_file_path = "";
    cfg.spool_directory = "/sp";
    CHECK_STR(log_path_for("main"), "/sp/log/mainlog", "empty means spool/log");
}

#define STAMP "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"

static void test_line_format(void)
{
    char *mainlog = string_sprintf("%s/mainlog", dir);
    cfg.log_file_path = string_sprintf("%s/%%slog", dir);
    use_selector("");
    log_write(L_always, LOG_MAIN, "plain %d", 1);
    char *s = slurp(mainlog);
    CHECK(matches(s, STAMP " plain 1\n$"), "timestamp and text");
    CHECK_INT(strlen(s), 20 + 8, "nothing else on the line");

    unlink(mainlog);
    use_selector("+pid");
    msg.id = "1VdNti-0001OY-1V";
    log_write(L_always, LOG_MAIN, "with id");
    msg.id = NULL;
    s = slurp(mainlog);
    CHECK(matches(s, string_sprintf(STAMP " \\[%d\\] 1VdNti-0001OY-1V with id\n$", (int)getpid())),
          "pid and message id");

    unlink(mainlog);
    use_selector("+millisec");
    log_write(L_always, LOG_MAIN, "bad\x01 text\nInjected: line\t.");
    s = slurp(mainlog);
    CHECK(matches(s, STAMP "\\.[0-9]{3} bad\\\\001 text\\\\nInjected: line\\\\t\\.\n$"),
          "control characters escaped, millisec");

    unlink(mainlog);
    use_selector("-retry_defer");
    log_write(L_retry_defer, LOG_MAIN, "not selected");
    log_write(L_pid, LOG_MAIN, "not selected either");
    use_selector("+pid");
    log_write(L_pid, LOG_MAIN, "selected");
    s = slurp(mainlog);
    CHECK(strstr(s, "not selected") == NULL && strstr(s, "selected") != NULL, "selectors apply");

    log_write(L_always, LOG_REJECT, "to reject");
    CHECK(strstr(slurp(string_sprintf("%s/rejectlog", dir)), "to reject\n") != NULL, "rejectlog");
    /* LOG_REJECT alone is log_reject_target = reject: not the main log (Exim) */
    CHECK(strstr(slurp(mainlog), "to reject\n") == NULL, "reject alone not in mainlog");
    log_write(L_always, LOG_MAIN | LOG_REJECT, "to both");
    CHECK(strstr(slurp(mainlog), "to both\n") != NULL, "main and reject: mainlog");
    log_write(L_always, LOG_PANIC, "to panic");
    CHECK(strstr(slurp(string_sprintf("%s/paniclog", dir)), "to panic\n") != NULL, "paniclog");
    use_selector("");
}

/* test_concurrent - 4 processes x 500 lines: every line arrives whole */
static void test_concurrent(void)
{
    enum { WRITERS = 4, LINES = 500 };
    char *mainlog = string_sprintf("%s/mainlog", dir);
    unlink(mainlog);
    cfg.log_file_path = string_sprintf("%s/%%slog", dir);
    use_selector("");
    fflush(NULL);
    pid_t kids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        kids[w] = fork();
        if (kids[w] != 0) continue;
        for (int i = 0; i < LINES; i++)
            log_write(L_always, LOG_MAIN, "writer %d line %d %s", w, i,
                      "padding-padding-padding-padding-padding-padding-padding-padding");
        _exit(0);
    }
    for (int w = 0; w < WRITERS; w++) waitpid(kids[w], NULL, 0);
    char *s = slurp(mainlog);
    int seen[WRITERS][LINES] = {{0}}, good = 0, bad = 0;
    for (char *line = s, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) { bad++; break; }
        *nl = 0;
        int w, i, used = 0;
        if (matches(line, STAMP " writer [0-3] line [0-9]+ (padding-){7}padding$")
            && sscanf(line + 20, "writer %d line %d%n", &w, &i, &used) == 2 && i < LINES
            && !seen[w][i]++) good++;
        else bad++;
    }
    CHECK_INT(good, WRITERS * LINES, "every line whole and present once");
    CHECK_INT(bad, 0, "no broken lines");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    if (!mkdtemp(dir)) return 2;
    cfg = main_options_default;
    test_selector_names();
    test_paths();
    test_line_format();
    test_concurrent();
    int rc = unit_done("test_log");
    if (system(string_sprintf("rm -rf %s", dir)) != 0) rc = 1;
    return rc;
}
