/* queue_run.c - queue runners: one pass over the spool (two with -qq),
 * selecting messages by id range, -R recipient and -S sender strings,
 * -qi first-time-only, and frozen state, and delivering each selected
 * message with deliver_message() in this process.
 *
 * Started by -q/-R/-S from the command line or by the daemon (-q<time>)
 * in a forked child, as root. Runners the daemon starts hold one of
 * queue_run_max slots (byte-range locks on <spool>/db/queue_run.lockfile)
 * so that no more than that many run at once; the kernel drops a slot
 * when its runner exits, however it exits. */

/* System */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "queue.h"
#include "queue_int.h"
#include "retry.h"
#include "spool.h"

#define QUEUE_RUN_MAX_LIMIT 10000 /* largest queue_run_max honoured: slots are lock bytes */

static struct {
    bool running, first_pass, local_only;
} qr_state;

bool queue_running(void) { return qr_state.running; }
bool queue_first_pass(void) { return qr_state.first_pass; }
bool queue_local_only(void) { return qr_state.local_only; }

char *queue_run_describe(unsigned flags)
{
    gstring *g = string_get(32);
    char letters[8];
    int n = 0;
    if (flags & QR_TWO_STAGE) letters[n++] = 'q';
    if (flags & QR_FIRST_ONLY) letters[n++] = 'i';
    if (flags & QR_FORCE) letters[n++] = 'f';
    if (flags & QR_FORCE_THAW) letters[n++] = 'f';
    if (flags & QR_LOCAL_ONLY) letters[n++] = 'l';
    letters[n] = 0;
    if (n) g = string_fmt_append(g, " -q%s", letters);
    if (queue_cmdline.rcpt.string) g = string_fmt_append(g, " -R %s", queue_cmdline.rcpt.string);
    if (queue_cmdline.sender.string) g = string_fmt_append(g, " -S %s", queue_cmdline.sender.string);
    return string_from_gstring(g);
}

/* ---- queue_run_max slots ---- */

static int run_max(void)
{
    if (!cfg.queue_run_max) return 0;
    char *s = expand_string(cfg.queue_run_max);
    char *end;
    long v = s ? strtol(s, &end, 10) : -1;
    if (!s || *end || v < 0) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "bad queue_run_max value \"%s\": %s", cfg.queue_run_max,
                  s ? "not a number" : expand_error());
        return 1;
    }
    return v > QUEUE_RUN_MAX_LIMIT ? QUEUE_RUN_MAX_LIMIT : (int)v;
}

/* take_slot - a free runner slot: fd holding its lock, -1 if all are busy
 * (or the lock file cannot be opened: then no runner is started) */
static int take_slot(int max)
{
    const char *spool = cfg.spool_directory ? cfg.spool_directory : SPOOL_DIRECTORY;
    char *dir = string_sprintf("%s/db", spool);
    if (mkdir(dir, 0750) < 0 && errno != EEXIST) return -1;
    int fd = open(string_sprintf("%s/queue_run.lockfile", dir), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return -1;
    for (int k = 0; k < max; k++) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = k, .l_len = 1};
        if (fcntl(fd, F_SETLK, &fl) == 0) return fd;
    }
    close(fd);
    return -1;
}

/* ---- selection ---- */

static bool contains(const char *hay, const queue_select *s)
{
    if (!s->regex) return strcasestr(hay, s->string) != NULL;
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)s->string, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                                   &errcode, &erroff, NULL);
    if (!re) return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)hay, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0;
}

static bool delivered(const spool_header *h, const char *a)
{
    for (int i = 0; i < h->nonrecipients_count; i++)
        if (strcmp(h->nonrecipients[i], a) == 0) return true;
    return false;
}

/* selected - -R: some undelivered recipient contains the string; -S: the sender does */
static bool selected(const spool_header *h)
{
    const queue_select *r = &queue_cmdline.rcpt, *s = &queue_cmdline.sender;
    if (s->string && !contains(h->sender, s)) return false;
    if (!r->string) return true;
    for (int i = 0; i < h->recipients_count; i++)
        if (!delivered(h, h->recipients[i].address) && contains(h->recipients[i].address, r)) return true;
    return false;
}

/* frozen_due - a frozen message that auto_thaw (not for bounces, as the
 * manual says), timeout_frozen_after or ignore_bounce_errors_after says
 * should be looked at again; the delivery process then applies the
 * option itself (thaw, or give up) */
static bool frozen_due(const spool_header *h, time_t now)
{
    bool bounce = !*h->sender;
    if (!bounce && retry_auto_thaw_due(h->frozen_at, (long)now)) return true;
    if (retry_frozen_timeout(h->received_time, h->frozen_at, (long)now)) return true;
    return retry_ignore_bounce(h->sender, h->received_time, h->frozen_at, (long)now);
}

/* ---- the run ---- */

static bool in_range(const char *id, const char *start, const char *stop)
{
    return (!start || strcmp(id, start) >= 0) && (!stop || strcmp(id, stop) <= 0);
}

static void shuffle(queue_entry *list, int n)
{
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(random() % (i + 1));
        queue_entry t = list[i];
        list[i] = list[j];
        list[j] = t;
    }
}

/* consider - deliver one message if it is selected; *first_forced is
 * cleared once -R/-S (without f) has forced its first message */
static void consider(const char *id, unsigned flags, bool *first_forced)
{
    spool_header h;
    if (queue_read_header(id, &h, NULL)) return; /* gone meanwhile, or the delivery reports it */
    if ((flags & QR_FIRST_ONLY) && !h.deliver_firsttime) return;
    if (!selected(&h)) return;
    time_t now = time(NULL);
    if (h.frozen_at && !(flags & QR_FORCE_THAW) && !frozen_due(&h, now)) {
        msg.id = (char *)id;
        if (!qr_state.first_pass) log_write(L_skip_delivery, LOG_MAIN, "Message is frozen");
        msg.id = NULL;
        return;
    }
    bool forced = (flags & QR_FORCE) || *first_forced;
    *first_forced = false;
    DEBUG(D_queue_run) debug_printf("queue run: delivering %s%s%s\n", id, forced ? " forced" : "",
                                    qr_state.first_pass ? " (first pass)" : "");
    deliver_message(id, forced, false);
    msg.id = NULL;
}

static void one_pass(const char *start, const char *stop, unsigned flags)
{
    rmark outer = store_mark();
    int n;
    queue_entry *list = queue_scan(cfg.queue_run_in_order, &n);
    if (!cfg.queue_run_in_order) shuffle(list, n);
    bool first_forced = queue_cmdline.rcpt.string || queue_cmdline.sender.string;
    for (int i = 0; i < n; i++) {
        if (!in_range(list[i].id, start, stop)) continue;
        rmark m = store_mark();
        consider(list[i].id, flags, &first_forced);
        store_reset(m);
    }
    store_reset(outer);
}

int queue_run(const char *start_id, const char *stop_id, unsigned flags)
{
    int slot = -1, max = (flags & QR_DAEMON) ? run_max() : 0;
    if (max > 0 && (slot = take_slot(max)) < 0) return DEFER;
    char *desc = queue_run_describe(flags);
    log_write(L_queue_run, LOG_MAIN, "Start queue run: pid=%d%s", (int)getpid(), desc);
    qr_state.running = true;
    qr_state.local_only = flags & QR_LOCAL_ONLY;
    deliver_agents_keep(true); /* one agent per mail user for the whole run */
    if (flags & QR_TWO_STAGE) {
        qr_state.first_pass = true;
        one_pass(start_id, stop_id, flags);
        qr_state.first_pass = false;
    }
    one_pass(start_id, stop_id, flags);
    deliver_agents_keep(false);
    deliver_agents_close(true);
    qr_state.running = qr_state.local_only = false;
    log_write(L_queue_run, LOG_MAIN, "End queue run: pid=%d%s", (int)getpid(), desc);
    if (slot >= 0) close(slot);
    return OK;
}
