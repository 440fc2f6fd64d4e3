/* log.c - mainlog, rejectlog and paniclog in Exim's format; debug output.
 *
 * Runs in every process. Each line is built whole in memory and written
 * with one write(2) to a file opened O_APPEND, so concurrent processes
 * never interleave within a line. Log files are opened per write: the
 * daemon never holds a stale descriptor across rotation. Untrusted text
 * must reach here already escaped (string_printing) by the caller or via
 * log_write's own escaping of control characters. */

/* System */
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "debuglog.h"

const log_selector_name log_selector_names[] = {
    {"8bitmime", L_8bitmime},
    {"acl_warn_skipped", L_acl_warn_skipped},
    {"address_rewrite", L_address_rewrite},
    {"all", -1},
    {"all_parents", L_all_parents},
    {"arguments", L_arguments},
    {"connection_reject", L_connection_reject},
    {"delay_delivery", L_delay_delivery},
    {"deliver_time", L_deliver_time},
    {"delivery_size", L_delivery_size},
    {"dkim", L_dkim},
    {"dkim_verbose", L_dkim_verbose},
    {"dnslist_defer", L_dnslist_defer},
    {"dnssec", L_dnssec},
    {"etrn", L_etrn},
    {"host_lookup_failed", L_host_lookup_failed},
    {"ident_timeout", L_ident_timeout},
    {"incoming_interface", L_incoming_interface},
    {"incoming_port", L_incoming_port},
    {"lost_incoming_connection", L_lost_incoming_connection},
    {"millisec", L_millisec},
    {"msg_id", L_msg_id},
    {"msg_id_created", L_msg_id_created},
    {"outgoing_interface", L_outgoing_interface},
    {"outgoing_port", L_outgoing_port},
    {"pid", L_pid},
    {"pipelining", L_pipelining},
    {"protocol_detail", L_protocol_detail},
    {"proxy", L_proxy},
    {"queue_run", L_queue_run},
    {"queue_time", L_queue_time},
    {"queue_time_exclusive", L_queue_time_exclusive},
    {"queue_time_overall", L_queue_time_overall},
    {"receive_time", L_receive_time},
    {"received_recipients", L_received_recipients},
    {"received_sender", L_received_sender},
    {"rejected_header", L_rejected_header},
    {"rejected_headers", L_rejected_header},
    {"retry_defer", L_retry_defer},
    {"return_path_on_delivery", L_return_path_on_delivery},
    {"sender_on_delivery", L_sender_on_delivery},
    {"sender_verify_fail", L_sender_verify_fail},
    {"size_reject", L_size_reject},
    {"skip_delivery", L_skip_delivery},
    {"smtp_confirmation", L_smtp_confirmation},
    {"smtp_connection", L_smtp_connection},
    {"smtp_incomplete_transaction", L_smtp_incomplete_transaction},
    {"smtp_mailauth", L_smtp_mailauth},
    {"smtp_no_mail", L_smtp_no_mail},
    {"smtp_protocol_error", L_smtp_protocol_error},
    {"smtp_syntax_error", L_smtp_syntax_error},
    {"subject", L_subject},
    {"tls_certificate_verified", L_tls_certificate_verified},
    {"tls_cipher", L_tls_cipher},
    {"tls_peerdn", L_tls_peerdn},
    {"tls_resumption", L_tls_resumption},
    {"tls_sni", L_tls_sni},
    {"unknown_in_list", L_unknown_in_list},
};
const size_t log_selector_names_count = NELEM(log_selector_names);

/* Selected unless log_selector says otherwise: Exim's starred defaults. */
static const enum log_sel default_selectors[] = {
    L_acl_warn_skipped, L_connection_reject, L_delay_delivery, L_dkim, L_dnslist_defer,
    L_etrn, L_host_lookup_failed, L_lost_incoming_connection, L_msg_id, L_queue_run,
    L_rejected_header, L_retry_defer, L_sender_verify_fail, L_size_reject, L_skip_delivery,
    L_smtp_confirmation, L_tls_certificate_verified, L_tls_cipher,
};

static bool selectors[L_COUNT];
static bool selectors_ready;

static void selectors_default(bool *bits)
{
    memset(bits, 0, L_COUNT * sizeof *bits);
    for (size_t i = 0; i < NELEM(default_selectors); i++) bits[default_selectors[i]] = true;
}

static int selector_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < log_selector_names_count; i++)
        if (strlen(log_selector_names[i].name) == len
            && strncmp(log_selector_names[i].name, name, len) == 0)
            return log_selector_names[i].bit;
    return -2;
}

/* log_selector_parse - "+name -name ..." over the defaults into bits[L_COUNT] */
bool log_selector_parse(const char *s, bool *bits, const char **bad)
{
    selectors_default(bits);
    while (s && *s) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) break;
        if (*s != '+' && *s != '-') {
            *bad = string_sprintf("malformed log_selector setting: "
                                  "+ or - expected but found \"%s\"", s);
            return false;
        }
        const char *sign = s;
        bool on = *s++ == '+';
        const char *start = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '+' && *s != '-') s++;
        int bit = selector_lookup(start, (size_t)(s - start));
        if (bit == -2) {
            *bad = string_sprintf("unknown log_selector setting: %.*s", (int)(s - sign), sign);
            return false;
        }
        if (bit == -1) for (int i = 0; i < L_COUNT; i++) bits[i] = on;
        else bits[bit] = on;
    }
    return true;
}

bool log_selected(enum log_sel sel)
{
    if (sel == L_always) return true;
    if (!selectors_ready) {
        const char *bad;
        if (!log_selector_parse(cfg.log_selector, selectors, &bad)) selectors_default(selectors);
        selectors_ready = true;
    }
    return selectors[sel];
}

/* ---- debug ---- */

static const char *const debug_names[D_COUNT] = {
    "acl", "auth", "deliver", "dns", "dnsbl", "exec", "expand", "filter", "hints_lookup",
    "host_lookup", "ident", "interface", "lists", "load", "local_scan", "lookup",
    "memory", "noutf8", "pid", "process_info", "queue_run", "receive", "resolver",
    "retry", "rewrite", "route", "timestamp", "tls", "transport", "uid", "verify"};

/* Categories that "-d" alone turns on: Exim leaves out the noisy ones. */
static bool debug_default_off(int i)
{
    return i == D_expand || i == D_filter || i == D_interface || i == D_load || i == D_memory
        || i == D_noutf8 || i == D_pid || i == D_timestamp;
}

/* debug_parse - "-d", "-d+expand-acl", "-dall" */
bool debug_parse(const char *s, const char **bad)
{
    for (int i = 0; i < D_COUNT; i++) proc.debug[i] = !debug_default_off(i);
    proc.debugging = true;
    if (strcmp(s, "all") == 0) s = "+all";
    while (*s) {
        if (*s != '+' && *s != '-') { *bad = string_sprintf("bad -d option: %s", s); return false; }
        bool on = *s++ == '+';
        const char *start = s;
        while (*s && *s != '+' && *s != '-') s++;
        size_t len = (size_t)(s - start);
        if (len == 3 && strncmp(start, "all", 3) == 0) {
            for (int i = 0; i < D_COUNT; i++) proc.debug[i] = on;
            continue;
        }
        int found = -1;
        for (int i = 0; i < D_COUNT; i++)
            if (strlen(debug_names[i]) == len && strncmp(debug_names[i], start, len) == 0) found = i;
        if (found < 0) { *bad = string_sprintf("unknown debugging category \"%.*s\"", (int)len, start); return false; }
        proc.debug[found] = on;
    }
    return true;
}

bool debug_on(enum debug_cat cat) { return proc.debugging && proc.debug[cat]; }
bool debug_any(void) { return proc.debugging; }

void debug_printf(const char *fmt, ...)
{
    rmark m = store_mark();
    va_list ap;
    va_start(ap, fmt);
    gstring *g = NULL;
    if (proc.debug[D_pid]) g = string_fmt_append(g, "%5d ", (int)getpid());
    g = string_vfmt_append(g, fmt, ap);
    va_end(ap);
    if (!debuglog_write(g->s, g->len)) {
        ssize_t n = write(proc.debug_fd, g->s, g->len);
        (void)n; /* debug output is best effort */
    }
    store_reset(m);
}

/* ---- log lines ---- */

char *log_timestamp(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    if (log_selected(L_millisec)) snprintf(buf + n, sizeof buf - n, ".%03d", (int)(tv.tv_usec / 1000));
    return string_copy(buf);
}

/* expand_log_path - %s becomes the log type, %D the date (yyyymmdd), %M the month */
static char *expand_log_path(const char *tmpl, const char *type)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    gstring *g = NULL;
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%' || !p[1]) { g = string_catc(g, *p); continue; }
        p++;
        if (*p == 's') g = string_cat(g, type);
        else if (*p == 'D') g = string_fmt_append(g, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        else if (*p == 'M') g = string_fmt_append(g, "%04d%02d", tm.tm_year + 1900, tm.tm_mon + 1);
        else if (*p == '%') g = string_catc(g, '%');
        else { g = string_catc(g, '%'); g = string_catc(g, *p); }
    }
    return string_from_gstring(g);
}

/* log_path_for - the file for "main", "reject" or "panic"; NULL for syslog only */
char *log_path_for(const char *type)
{
    const char *list = cfg.log_file_path ? cfg.log_file_path : LOG_FILE_PATH;
    const char *spool = cfg.spool_directory ? cfg.spool_directory : SPOOL_DIRECTORY;
    int sep = 0;
    char *item;
    while (isspace((unsigned char)*list)) list++;
    if (!*list) return string_sprintf("%s/log/%slog", spool, type);
    while ((item = string_nextinlist(&list, &sep))) {
        if (strcmp(item, "syslog") == 0) continue;
        if (!*item) return string_sprintf("%s/log/%slog", spool, type);
        return expand_log_path(item, type);
    }
    return NULL;
}

static void append_line(const char *type, const char *line, size_t len)
{
    char *path = log_path_for(type);
    if (!path) return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        if (strcmp(type, "panic") != 0) {
            ssize_t n = write(2, line, len);
            (void)n; /* nowhere else to report it */
        }
        return;
    }
    ssize_t n = write(fd, line, len);
    (void)n; /* a full disk must not stop mail flow: Exim also carries on */
    close(fd);
}

static gstring *line_prefix(gstring *g)
{
    g = string_cat(g, log_timestamp());
    if (log_selected(L_pid)) g = string_fmt_append(g, " [%d]", (int)getpid());
    if (msg.id) g = string_fmt_append(g, " %s", msg.id);
    return string_catc(g, ' ');
}

static void log_vwrite(int selector, int flags, const char *fmt, va_list ap)
{
    if (selector != L_always && !log_selected((enum log_sel)selector)) return;
    rmark m = store_mark();
    gstring *body = string_vfmt_append(NULL, fmt, ap);
    char *text = string_printing_n(body->s, body->len);
    if (conn.host_checking) { /* -bh: log lines are shown, not written */
        fprintf(stderr, "LOG: %s%s%s\n", msg.id ? msg.id : "", msg.id ? " " : "", text);
        store_reset(m);
        return;
    }
    if (proc.address_test) { /* -bt / -bv: shown, not written */
        if (proc.address_test == 't')
            fprintf(stderr, "LOG: MAIN%s\n  %.*s\n", flags & LOG_PANIC ? " PANIC" : "", (int)body->len, body->s);
        else
            fprintf(stderr, "%s %.*s\n", log_timestamp(), (int)body->len, body->s);
        store_reset(m);
        return;
    }
    gstring *g = string_catc(string_cat(line_prefix(NULL), text), '\n');
    if (g->len > LIMIT_LOG_LINE) {
        g->len = LIMIT_LOG_LINE - 1;
        g = string_catc(g, '\n');
    }
    if (flags & (LOG_MAIN | LOG_PANIC)) append_line("main", g->s, g->len); /* LOG_REJECT alone: log_reject_target = reject */
    if (flags & LOG_REJECT) append_line("reject", g->s, g->len);
    if (flags & LOG_PANIC) {
        append_line("panic", g->s, g->len);
        debuglog_panic();
    }
    if (flags & LOG_STDERR || (flags & LOG_PANIC && proc.debugging)) {
        ssize_t n = write(2, g->s, g->len);
        (void)n;
    }
    store_reset(m);
}

void log_write(int selector, int flags, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(selector, flags, fmt, ap);
    va_end(ap);
    if ((flags & LOG_PANIC_DIE) == LOG_PANIC_DIE) exit(EXIT_FAILURE);
}

static void (*config_die_test_hook)(const char *msg);

/* log_set_config_die_test_hook - tests and fuzz targets only: make
 * log_config_die call fn with the message instead of logging and exiting.
 * fn must not return (it longjmps back into the test). */
void log_set_config_die_test_hook(void (*fn)(const char *msg))
{
    config_die_test_hook = fn;
}

/* log_config_die - configuration errors go to stderr and the panic log.
 * Written raw: the message may span lines, as Exim's does. */
void log_config_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gstring *g = string_vfmt_append(NULL, fmt, ap);
    va_end(ap);
    char *msg = string_sprintf("Tern %s\n", string_from_gstring(g));
    if (config_die_test_hook) config_die_test_hook(msg);
    ssize_t n = write(2, msg, strlen(msg));
    (void)n;
    char *line = string_sprintf("%s %s", log_timestamp(), msg);
    append_line("panic", line, strlen(line));
    exit(EXIT_FAILURE);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gstring *g = string_vfmt_append(NULL, fmt, ap);
    va_end(ap);
    char *s = string_from_gstring(g);
    log_write(L_always, LOG_PANIC, "%s", s);
    fprintf(stderr, "tern: %s\n", s);
    exit(EXIT_FAILURE);
}

void bug_abort(const char *func, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gstring *g = string_vfmt_append(NULL, fmt, ap);
    va_end(ap);
    log_write(L_always, LOG_PANIC, "BUG in %s: %s", func, string_from_gstring(g));
    fprintf(stderr, "tern: BUG in %s: %s\n", func, string_from_gstring(g));
    abort();
}

void log_init(void) { selectors_ready = false; }

void log_reject_detail(const char *text, size_t len)
{
    if (conn.host_checking) return;
    append_line("reject", text, len);
}
