/* moan.c - bounce messages and delay warnings.
 *
 * Runs in the delivery process (bounces) and the queue runner (delay
 * warnings) as the exim user. Each report is a new message from <> with
 * received_protocol "local", written to the spool (-D then -H, both
 * fsync'ed by spool_write_file), logged with "<= <> R=<id>", then handed
 * to delivery in a child process so that the current message's state is
 * not disturbed. Texts are Exim 4.96's defaults, or the items of
 * bounce_message_file / warn_message_file (items separated by lines of
 * exactly "****", each expanded; an empty item means the default). With
 * EXPERIMENTAL_DSN the report is MIME multipart/report (RFC 3464), its
 * machine-readable part made by experimental/dsn.c. */

/* System */
#include <ctype.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "expand.h"
#include "globals.h"
#include "header.h"
#include "log.h"
#include "match.h"
#include "moan.h"
#include "spool.h"
#include "version.h"
#ifdef EXPERIMENTAL_DSN
#include "experimental/dsn.h"
#endif

/* One report being built. */
typedef struct report {
    const spool_header *orig;
    const char *rcpt;        /* who gets it */
    address_item **addrs;    /* the addresses it is about */
    int naddrs;
    gstring *head;           /* header lines, each ending in \n */
    gstring *body;
    char *boundary;          /* NULL: plain text */
} report;

/* ---- templates ---- */

/* read_admin_file - a file the administrator owns (untainted: its
 * items are expanded), at most LIMIT_BOUNCE_TEMPLATE bytes */
static char *read_admin_file(const char *path, const char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { *err = strerror(errno); return NULL; }
    char *buf = store_get(LIMIT_BOUNCE_TEMPLATE + 1, GET_UNTAINTED);
    size_t len = 0;
    for (ssize_t n; len < LIMIT_BOUNCE_TEMPLATE && (n = read(fd, buf + len, LIMIT_BOUNCE_TEMPLATE - len)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { *err = strerror(errno); close(fd); return NULL; }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = 0;
    return buf;
}

/* template_items - the "****"-separated items of file, or NULL */
static char **template_items(const char *file, int want)
{
    if (!file || !*file) return NULL;
    const char *err = "";
    char *data = read_admin_file(file, &err);
    if (!data) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "Failed to open %s for error message texts: %s", file, err);
        return NULL;
    }
    char **items = store_get_zero(sizeof(char *) * (size_t)want, GET_UNTAINTED);
    gstring *g = string_get(256);
    int n = 0;
    for (char *line = data, *nl; line && *line && n < want; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        if (ll == 4 && strncmp(line, "****", 4) == 0) { items[n++] = string_from_gstring(g); g = string_get(256); continue; }
        g = string_catn(g, line, ll);
        g = string_catc(g, '\n');
    }
    if (n < want) items[n] = string_from_gstring(g);
    return items;
}

/* item - expanded template item i, or dflt when absent, empty or failing */
static const char *item(char **items, int i, const char *dflt)
{
    if (!items || !items[i] || !*string_trim(string_copy(items[i]))) return dflt;
    char *v = expand_string(items[i]);
    if (!v) {
        log_write(L_always, LOG_MAIN, "Expansion of error message text item failed: %s", expand_error());
        return dflt;
    }
    return v;
}

/* ---- pieces ---- */

static char *rfc2822_date(time_t t)
{
    struct tm tm;
    char buf[64];
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
    return string_copy(buf);
}

/* orig_header - value of a header of the original message, or NULL */
static char *orig_header(const spool_header *h, const char *name)
{
    size_t n = strlen(name);
    for (const header_line *l = h->headers; l; l = l->next)
        if (l->type != HTYPE_OLD && strncasecmp(l->text, name, n) == 0 && l->text[n] == ':')
            return string_trim(string_copyn(l->text + n + 1, l->slen - n - 1));
    return NULL;
}

/* address_list - "  addr\n    reason\n" for each address; the
 * reason's first line after lead ("Delay reason: " in warnings) */
static gstring *address_list(gstring *g, address_item **a, int n, const char *lead)
{
    for (int i = 0; i < n; i++) {
        g = string_fmt_append(g, "  %s\n", a[i]->address);
        const char *why = a[i]->user_message ? a[i]->user_message : a[i]->message;
        for (const char *p = why; p && *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            g = string_fmt_append(g, "    %s%.*s\n", p == why ? lead : "", (int)len, p);
            p = nl ? nl + 1 : NULL;
        }
    }
    return g;
}

static gstring *header(gstring *g, const char *name, const char *value)
{
    return string_fmt_append(g, "%s: %s\n", name, value);
}

char *moan_from(void)
{
    char *from = expand_string(cfg.dsn_from ? cfg.dsn_from : "");
    return from && *from ? from : string_sprintf("Mail Delivery System <Mailer-Daemon@%s>", cfg.qualify_domain);
}

/* common_headers - Reply-To (errors_reply_to), Auto-Submitted, From, To,
 * References, MIME, in Exim's order */
static gstring *common_headers(report *r, gstring *g)
{
    if (cfg.errors_reply_to) g = header(g, "Reply-To", cfg.errors_reply_to);
    g = header(g, "Auto-Submitted", "auto-replied");
    g = header(g, "From", moan_from());
    g = header(g, "To", r->rcpt);
    char *mid = orig_header(r->orig, "Message-Id");
    if (mid) g = header(g, "References", mid);
    if (r->boundary) {
        g = string_fmt_append(g, "Content-Type: multipart/report; report-type=delivery-status; boundary=%s\n",
                              r->boundary);
        g = header(g, "MIME-Version", "1.0");
    }
    return g;
}

/* returned_output - what pipe commands printed (return_output,
 * return_fail_output), under a heading per address; intro is the
 * bounce_message_file's third item, if it has one */
static gstring *returned_output(gstring *g, address_item **a, int n, const char *intro)
{
    int with = 0;
    for (int i = 0; i < n; i++) with += a[i]->return_text != NULL;
    if (!with) return g;
    if (intro) g = string_fmt_append(g, "%s%s", intro, *intro && intro[strlen(intro) - 1] == '\n' ? "" : "\n");
    else g = string_fmt_append(g, "The following text was generated during the delivery attempt%s:\n",
                               with > 1 ? "s" : "");
    for (int i = 0; i < n; i++) {
        const char *t = a[i]->return_text;
        if (!t) continue;
        g = string_fmt_append(g, "\n------ %s ------\n\n%s", a[i]->address, t);
        if (*t && t[strlen(t) - 1] != '\n') g = string_catc(g, '\n');
    }
    return string_catc(g, '\n');
}

/* ---- the returned copy of the message ---- */

static char *input_dir(const char *id)
{
    if (!cfg.split_spool_directory) return string_sprintf("%s/input", cfg.spool_directory);
    return string_sprintf("%s/input/%c", cfg.spool_directory, id[5]);
}

/* body_copy - the original body, cut at limit bytes and long lines cut
 * at bounce_return_linesize_limit; *cut says if anything was left out */
static gstring *body_copy(gstring *g, const char *id, long limit, bool *cut, long *total)
{
    const char *err;
    size_t len;
    *cut = false;
    *total = 0;
    char *d = spool_read_file(string_sprintf("%s/%s-D", input_dir(id), id), &len, LIMIT_BOUNCE_RETURN, &err);
    if (!d) return string_fmt_append(g, "[message body not available: %s]\n", err);
    const char *p = memchr(d, '\n', len);
    p = p ? p + 1 : d + len;
    size_t body = (size_t)(d + len - p);
    *total = (long)body;
    if ((long)body > limit) { body = (size_t)limit; *cut = true; }
    long maxline = cfg.bounce_return_linesize_limit > 0 ? cfg.bounce_return_linesize_limit : 998;
    for (const char *end = p + body; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        g = string_catn(g, p, ll > (size_t)maxline ? (size_t)maxline : ll);
        g = string_catc(g, '\n');
        p += ll + 1;
    }
    return g;
}

/* returned_message - the copy of the original (headers, maybe body) */
static gstring *returned_message(report *r, gstring *g, char **items, int first_item, bool headers_only)
{
    /* the MIME form always returns the message, as Exim 4.96's does
     * (bounce_return_body and RET= still choose how much) */
    if (!cfg.bounce_return_message && !r->boundary) return g;
    bool body = !headers_only && cfg.bounce_return_body && r->orig->dsn_ret != DSN_RET_HDRS;
    if (r->boundary)
        g = string_fmt_append(g, "--%s\nContent-type: %s\n\nReturn-path: <%s>\n", r->boundary,
                              body ? "message/rfc822" : "text/rfc822-headers", r->orig->sender);
    else
        g = string_fmt_append(g, "%s\n\n", item(items, first_item, body
            ? "------ This is a copy of the message, including all the headers. ------"
            : "------ This is a copy of the message's headers. ------"));
    for (const header_line *l = r->orig->headers; l; l = l->next)
        if (l->type != HTYPE_OLD) g = string_catn(g, l->text, l->slen);
    if (!body) return r->boundary ? string_catc(g, '\n') : g;
    g = string_catc(g, '\n');
    bool cut;
    long total, limit = cfg.bounce_return_size_limit > 0 ? cfg.bounce_return_size_limit : LIMIT_BOUNCE_RETURN;
    gstring *b = body_copy(string_get(1024), r->orig->id, limit, &cut, &total);
    if (cut)
        g = string_fmt_append(g, "%s\n", item(items, first_item + 1, string_sprintf(
            "------ The body of the message is %ld characters long; only the first\n"
            "------ %ld or so are included here.", total, limit)));
    return string_catn(g, b->s, b->len);
}

/* ---- writing the new message ---- */

/* deliver_child - hand the new message to delivery without disturbing
 * the caller's message state */
static void deliver_child(const char *id)
{
    pid_t pid = fork();
    if (pid == 0) {
        deliver_agents_forget();
        msg.spool = NULL;
        msg.id = string_copy(id);
        _exit(deliver_message(id, false, false) == OK ? 0 : 1);
    }
    if (pid > 0) while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
}

static const char *caller_name(void)
{
    struct passwd *pw = getpwuid(getuid());
    return pw ? string_copy(pw->pw_name) : string_sprintf("%d", (int)getuid());
}

/* write_report - spool the report for rcpts (the first is r->rcpt) */
static bool write_report(report *r, char **rcpts, int nrcpts)
{
    spool_header h = {0};
    spool_new_message_id(h.id);
    time_t now = time(NULL);
    h.caller_login = (char *)caller_name();
    h.caller_uid = getuid(); h.caller_gid = getgid();
    h.sender = "";
    h.received_time = (long)now;
    h.received_protocol = "local";
    h.ident = h.caller_login;
    h.localerror = true;
    recipient_item *ri = store_get_zero(sizeof *ri * (size_t)nrcpts, GET_UNTAINTED);
    for (int i = 0; i < nrcpts; i++) { ri[i].address = rcpts[i]; ri[i].pno = -1; }
    h.recipients = ri;
    h.recipients_count = nrcpts;
    /* "for" names the recipient only when there is one (errors_copy adds more) */
    gstring *hd = string_fmt_append(NULL, "Received: from %s by %s with local (Tern %s)\n\tid %s%s%s;\n\t%s\n",
                                    h.caller_login, cfg.primary_hostname, TERN_VERSION, h.id,
                                    nrcpts == 1 ? "\n\tfor " : "", nrcpts == 1 ? r->rcpt : "", rfc2822_date(now));
    hd = string_catn(hd, r->head->s, r->head->len);
    hd = string_fmt_append(hd, "Message-Id: <E%s@%s>\nDate: %s\n", h.id, cfg.primary_hostname, rfc2822_date(now));
    h.headers = header_split(string_from_gstring(hd), NULL);
    for (const char *p = r->body->s; p < r->body->s + r->body->len; p++) h.body_linecount += *p == '\n';
    gstring *d = string_fmt_append(NULL, "%s-D\n", h.id);
    d = string_catn(d, r->body->s, r->body->len);
    gstring *hf = spool_format_header(&h);
    const char *err, *dir = input_dir(h.id);
    mkdir(dir, 0750);
    if (spool_write_file(dir, string_sprintf("%s-D", h.id), d->s, d->len, &err) != OK
        || spool_write_file(dir, string_sprintf("%s-H", h.id), hf->s, hf->len, &err) != OK
        || spool_fsync_dir(dir) != OK) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to write error message for %s: %s", r->orig->id, err);
        return false;
    }
    char *saved = msg.id;
    msg.id = h.id; /* the log line is the new message's */
    log_write(L_always, LOG_MAIN, "<= <> R=%s U=%s P=local S=%zu", r->orig->id, h.caller_login,
              d->len - (MESSAGE_ID_LENGTH + 3) + hd->len);
    msg.id = saved;
    deliver_child(h.id);
    return true;
}

/* ---- bounces ---- */

/* errors_copy_rcpts - the bounce recipient plus errors_copy matches */
static int errors_copy_rcpts(const char *rcpt, char ***out)
{
    char **r = store_get(sizeof(char *) * 64, GET_UNTAINTED);
    int n = 0;
    r[n++] = string_copy(rcpt);
    const char *list = cfg.errors_copy ? expand_string(cfg.errors_copy) : NULL;
    int sep = 0;
    char *it;
    while (list && (it = string_nextinlist(&list, &sep)) && n < 63) {
        char *sp = it;
        while (*sp && !isspace((unsigned char)*sp)) sp++;
        if (!*sp) continue;
        *sp++ = 0;
        if (match_address_list(rcpt, true, it, NULL) != OK) continue;
        const char *copies = string_trim(sp);
        int sep2 = ',';
        char *c;
        while ((c = string_nextinlist(&copies, &sep2)) && n < 63) r[n++] = string_trim(c);
    }
    *out = r;
    return n;
}

/* reversed - the addresses in the opposite order: Exim's bounce text and
 * X-Failed-Recipients list them the other way round from its DSN part */
static address_item **reversed(address_item **addrs, int n)
{
    address_item **v = store_get(sizeof *v * (size_t)(n ? n : 1), GET_UNTAINTED);
    for (int i = 0; i < n; i++) v[i] = addrs[n - 1 - i];
    return v;
}

static void build_bounce(report *r)
{
    char **items = template_items(cfg.bounce_message_file, 6);
    dlv.bounce_recipient = (char *)r->rcpt;
    address_item **text_order = reversed(r->addrs, r->naddrs);
    gstring *g = string_get(256);
    g = string_cat(g, "X-Failed-Recipients: ");
    for (int i = 0; i < r->naddrs; i++) g = string_fmt_append(g, "%s%s", i ? ",\n  " : "", text_order[i]->address);
    g = string_catc(g, '\n');
    g = common_headers(r, g);
    bool to_sender = strcmp(r->rcpt, r->orig->sender) == 0;
    const char *subj = item(items, 0, NULL);
    g = subj ? string_fmt_append(string_cat(g, subj), "%s", subj[strlen(subj) - 1] == '\n' ? "" : "\n")
             : string_fmt_append(g, "Subject: Mail delivery failed%s\n", to_sender ? ": returning message to sender" : "");
    r->head = g;
    gstring *b = string_get(1024);
    if (r->boundary) b = string_fmt_append(b, "--%s\nContent-type: text/plain; charset=us-ascii\n\n", r->boundary);
    const char *intro = item(items, 1, NULL);
    if (intro) b = string_cat(b, intro);
    else {
        b = string_cat(b, "This message was created automatically by mail delivery software.\n\n");
        if (cfg.bounce_message_text) b = string_fmt_append(b, "%s\n\n", cfg.bounce_message_text);
        b = string_fmt_append(b, "A message %scould not be delivered to one or more of its\n"
                                 "recipients. This is a permanent error. The following address(es) failed:\n",
                              to_sender ? "that you sent " : string_sprintf("sent by\n\n<%s>\n\n", r->orig->sender));
    }
    b = address_list(string_catc(b, '\n'), text_order, r->naddrs, "");
    b = returned_output(string_catc(b, '\n'), text_order, r->naddrs, item(items, 2, NULL));
#ifdef EXPERIMENTAL_DSN
    if (r->boundary) b = xp_dsn_status_part(b, r->boundary, "failed", r->addrs, r->naddrs);
#endif
    b = returned_message(r, b, items, 3, false);
    if (r->boundary) b = string_fmt_append(b, "\n--%s--\n", r->boundary);
    r->body = b;
}

bool moan_bounce_freezes(const spool_header *h)
{
    return !h->sender || !*h->sender;
}

/* bounce_to - the address that hears about a; "" for none */
static const char *bounce_to(const spool_header *h, const address_item *a)
{
    if (a->flags & AFL_IGNORE_ERROR) return "";
    return a->errors_address ? a->errors_address : h->sender;
}

static char *new_boundary(void)
{
#ifdef EXPERIMENTAL_DSN
    return string_sprintf("%ld-eximdsn-%ld", (long)time(NULL), random());
#else
    return NULL;
#endif
}

void moan_send_bounce(const spool_header *h, address_item *failed)
{
    if (moan_bounce_freezes(h)) return; /* bounces never bounce: the caller freezes */
    for (address_item *a = failed; a; a = a->next) {
        const char *to = bounce_to(h, a);
        bool done = !*to;
        for (address_item *b = failed; b != a && !done; b = b->next) done = strcmp(bounce_to(h, b), to) == 0;
        if (done) continue; /* ignored, or already in an earlier report */
        report r = {.orig = h, .rcpt = to, .boundary = new_boundary()};
        r.addrs = store_get(sizeof(address_item *) * 1024, GET_UNTAINTED);
        for (address_item *b = a; b && r.naddrs < 1024; b = b->next)
            if (strcmp(bounce_to(h, b), to) == 0) r.addrs[r.naddrs++] = b;
        build_bounce(&r);
        char **rcpts;
        int n = errors_copy_rcpts(to, &rcpts);
        write_report(&r, rcpts, n);
    }
    dlv.bounce_recipient = NULL;
}

/* ---- delay warnings ---- */

/* delay_text - "N minutes" / "N hours" as $warn_message_delay */
static char *delay_text(long secs)
{
    if (secs < 3600) return string_sprintf("%ld minutes", secs / 60);
    return string_sprintf("%ld hours", secs / 3600);
}

/* warning_time - seconds after arrival when warning n (0-based) is due */
static long warning_time(int n)
{
    const int *t = cfg.delay_warning;
    if (!t || t[0] <= 0) return -1;
    if (n < t[0]) return t[n + 1];
    return (long)t[t[0]] * (n - t[0] + 2); /* the last value repeats */
}

bool moan_warning_due(const spool_header *h, long now)
{
    long at = warning_time(h->warning_count);
    if (at <= 0 || moan_bounce_freezes(h) || now - h->received_time < at) return false;
    if (!cfg.delay_warning_condition) return true;
    header_line *saved = msg.headers;
    msg.headers = h->headers;
    char *v = expand_string(cfg.delay_warning_condition);
    msg.headers = saved;
    if (!v) {
        log_write(L_always, LOG_MAIN, "failed to expand delay_warning_condition: %s", expand_error());
        return false;
    }
    return *v && strcmp(v, "0") != 0 && strcasecmp(v, "no") != 0 && strcasecmp(v, "false") != 0;
}

static void build_warning(report *r, const char *delay)
{
    char **items = template_items(cfg.warn_message_file, 3);
    dlv.warn_message_delay = (char *)delay;
    dlv.warn_message_recipients = (char *)r->rcpt;
    gstring *g = common_headers(r, string_get(256));
    const char *subj = item(items, 0, NULL);
    g = subj ? string_fmt_append(string_cat(g, subj), "%s", subj[strlen(subj) - 1] == '\n' ? "" : "\n")
             : string_fmt_append(g, "Subject: Warning: message %s delayed %s\n", r->orig->id, delay);
    r->head = g;
    gstring *b = string_get(1024);
    if (r->boundary) b = string_fmt_append(b, "--%s\nContent-type: text/plain; charset=us-ascii\n\n", r->boundary);
    const char *intro = item(items, 1, NULL);
    if (intro) b = string_cat(b, intro);
    else {
        char *subject = orig_header(r->orig, "Subject"), *date = orig_header(r->orig, "Date");
        b = string_fmt_append(b, "This message was created automatically by mail delivery software.\n"
            "A message %shas not yet been delivered to one or more of its\n"
            "recipients after more than %s on the queue on %s.\n\n"
            "The message identifier is:     %s\n",
            strcmp(r->rcpt, r->orig->sender) == 0 ? "that you sent " : string_sprintf("sent by\n\n<%s>\n\n", r->orig->sender),
            delay, cfg.primary_hostname, r->orig->id);
        if (subject) b = string_fmt_append(b, "The subject of the message is: %s\n", subject);
        if (date) b = string_fmt_append(b, "The date of the message is:    %s\n", date);
        b = string_cat(b, r->naddrs == 1 ? "\nThe address to which the message has not yet been delivered is:\n"
                                         : "\nThe addresses to which the message has not yet been delivered are:\n");
    }
    b = address_list(string_catc(b, '\n'), r->addrs, r->naddrs, "Delay reason: ");
    b = string_cat(b, "\n");
    b = string_cat(b, item(items, 2,
        "No action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\n"
        "remains undelivered. Eventually the mail delivery software will give up,\n"
        "and when that happens, the message will be returned to you.\n"));
#ifdef EXPERIMENTAL_DSN
    if (r->boundary) b = xp_dsn_status_part(string_catc(b, '\n'), r->boundary, "delayed", r->addrs, r->naddrs);
    if (r->boundary) b = string_fmt_append(returned_message(r, b, items, 3, true), "\n--%s--\n", r->boundary);
#endif
    r->body = b;
}

void moan_send_warning(const spool_header *h, address_item *deferred)
{
    if (moan_bounce_freezes(h) || !deferred) return;
    report r = {.orig = h, .rcpt = h->sender, .boundary = new_boundary()};
    r.addrs = store_get(sizeof(address_item *) * 1024, GET_UNTAINTED);
    for (address_item *a = deferred; a && r.naddrs < 1024; a = a->next) r.addrs[r.naddrs++] = a;
    build_warning(&r, delay_text((long)time(NULL) - h->received_time));
    char *rcpt = string_copy(h->sender);
    write_report(&r, &rcpt, 1);
    dlv.warn_message_delay = dlv.warn_message_recipients = NULL;
}
