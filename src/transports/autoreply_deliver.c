/* autoreply_deliver.c - the autoreply transport's delivery: build a reply
 * from the transport's options (to, cc, bcc, from, reply_to, subject,
 * headers, text, file, return_message), drop never_mail recipients,
 * honour "once", write "log", and hand the reply to the delivery process
 * (deliver_generated), which spools it from <> and delivers it.
 *
 * Runs in the transport child with the mail user's uid. Header values
 * come from expansions that may hold message data: any non-printing
 * character other than a newline followed by white space defers. */

/* System */
#include <ctype.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
/* MTA core */
#include "../tern.h"
#include "../deliver.h"
#include "../expand.h"
#include "../globals.h"
#include "../match.h"
#include "../options.h"
#include "../spool.h"
#include "../transport.h"
/* This driver */
#include "autoreply_int.h"

typedef struct reply {
    char *to, *cc, *bcc, *from, *reply_to, *subject, *headers, *text, *file, *once, *log, *never;
    long repeat;
    bool file_expand, return_message;
} reply;

/* ex - expand an option (NULL stays NULL); false with a->message */
static bool ex(const transport_instance *t, address_item *a, const char *name, const char *v, char **out)
{
    *out = NULL;
    if (!v) return true;
    char *err;
    if (!(*out = transport_expand(t, name, v, &err))) {
        a->message = err;
        return false;
    }
    return true;
}

/* printable - no control characters but newline + white space */
static bool printable(const transport_instance *t, address_item *a, const char *name, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p == '\n' && (p[1] == ' ' || p[1] == '\t')) continue;
        if (*p == '\t' || (*p >= 32 && *p != 127 && (*p < 128 || cfg.print_topbitchars))) continue;
        a->message = string_sprintf("Expansion of \"%s\" in %s transport contains non-printing character %d",
                                    name, t->drinst.name, *p);
        return false;
    }
    return true;
}

/* repeat_time - once_repeat as seconds; false with a->message */
static bool repeat_time(const transport_instance *t, address_item *a, const char *rep, reply *r)
{
    int secs = 0;
    if (rep && *rep && !options_parse_time(rep, &secs)) {
        a->message = string_sprintf("Invalid time value \"%s\" for \"once_repeat\" in %s transport", rep, t->drinst.name);
        return false;
    }
    r->repeat = secs;
    return true;
}

/* from_filter - the message a filter's mail/vacation command asked for
 * (already expanded; the transport's message options are ignored, as
 * in Exim, but never_mail still applies) */
static bool from_filter(const transport_instance *t, const autoreply_transport_options *o, address_item *a,
                        reply *r)
{
    const reply_item *f = a->reply;
    *r = (reply){.to = f->to, .cc = f->cc, .bcc = f->bcc, .from = f->from, .reply_to = f->reply_to,
                 .subject = f->subject, .headers = f->headers, .text = f->text, .file = f->file,
                 .once = f->once, .log = f->log, .file_expand = f->file_expand,
                 .return_message = f->return_message || o->return_message};
    if (!ex(t, a, "never_mail", o->never_mail, &r->never)) return false;
    const char *names[] = {"to", "cc", "bcc", "from", "reply_to", "subject"};
    char *vals[] = {r->to, r->cc, r->bcc, r->from, r->reply_to, r->subject};
    for (size_t i = 0; i < NELEM(names); i++)
        if (!printable(t, a, names[i], vals[i])) return false;
    return repeat_time(t, a, f->once_repeat, r);
}

static bool expand_all(const transport_instance *t, const autoreply_transport_options *o, address_item *a, reply *r)
{
    if (a->reply) return from_filter(t, o, a, r);
    r->file_expand = o->file_expand;
    r->return_message = o->return_message;
    struct { const char *name, *val; char **out; bool header; } v[] = {
        {"to", o->to, &r->to, true}, {"cc", o->cc, &r->cc, true}, {"bcc", o->bcc, &r->bcc, true},
        {"from", o->from, &r->from, true}, {"reply_to", o->reply_to, &r->reply_to, true},
        {"subject", o->subject, &r->subject, true}, {"headers", o->headers, &r->headers, false},
        {"text", o->text, &r->text, false}, {"file", o->file, &r->file, false},
        {"once", o->once, &r->once, false}, {"log", o->log, &r->log, false},
        {"never_mail", o->never_mail, &r->never, false},
    };
    for (size_t i = 0; i < NELEM(v); i++) {
        if (!ex(t, a, v[i].name, v[i].val, v[i].out)) return false;
        if (v[i].header && !printable(t, a, v[i].name, *v[i].out)) return false;
    }
    char *rep;
    if (!ex(t, a, "once_repeat", o->once_repeat, &rep)) return false;
    return repeat_time(t, a, rep, r);
}

/* add_recipients - the addresses of a header-style list, less never_mail */
static gstring *add_recipients(gstring *g, const char *list, const char *never)
{
    for (const char *p = list; p && *p;) {
        const char *q = p;
        bool quoted = false;
        int angle = 0;
        for (; *q && (quoted || angle || *q != ','); q++) {
            if (*q == '"') quoted = !quoted;
            else if (!quoted && *q == '<') angle++;
            else if (!quoted && *q == '>' && angle) angle--;
        }
        char *item = string_trim(string_copyn(p, (size_t)(q - p)));
        char *lt = strrchr(item, '<'), *gt = lt ? strchr(lt, '>') : NULL;
        if (lt && gt) item = string_copyn(lt + 1, (size_t)(gt - lt - 1));
        if (*item && (!never || match_address_list(item, true, never, NULL) != OK))
            g = string_fmt_append(g, "%s%s", g ? "," : "", item);
        p = *q ? q + 1 : q;
    }
    return g;
}

/* orig_header - a header of the message being answered, or NULL */
static char *orig_header(const char *name)
{
    size_t n = strlen(name);
    for (const header_line *l = msg.headers; l; l = l->next)
        if (l->type != HTYPE_OLD && strncasecmp(l->text, name, n) == 0 && l->text[n] == ':')
            return string_trim(string_copyn(l->text + n + 1, l->slen - n - 1));
    return NULL;
}

/* headers - the reply's header lines */
static gstring *headers(const reply *r)
{
    gstring *g = string_get(512);
    if (r->from) g = string_fmt_append(g, "From: %s\n", r->from);
    if (r->reply_to) g = string_fmt_append(g, "Reply-To: %s\n", r->reply_to);
    if (r->to) g = string_fmt_append(g, "To: %s\n", r->to);
    if (r->cc) g = string_fmt_append(g, "Cc: %s\n", r->cc);
    if (r->bcc) g = string_fmt_append(g, "Bcc: %s\n", r->bcc);
    if (r->subject) g = string_fmt_append(g, "Subject: %s\n", r->subject);
    char *mid = orig_header("Message-ID"), *refs = orig_header("References");
    if (mid) g = string_fmt_append(g, "In-Reply-To: %s\n", mid);
    if (mid || refs) g = string_fmt_append(g, "References: %s%s%s\n", refs ? refs : "", refs && mid ? " " : "", mid ? mid : "");
    g = string_cat(g, "Auto-Submitted: auto-replied\n");
    if (r->headers && *r->headers) {
        g = string_cat(g, r->headers);
        if (r->headers[strlen(r->headers) - 1] != '\n') g = string_catc(g, '\n');
    }
    return string_catc(g, '\n');
}

/* add_file - the "file" contents (expanded with file_expand) */
static bool add_file(const transport_instance *t, const autoreply_transport_options *o, address_item *a,
                     const char *path, bool expand, gstring **g)
{
    size_t len;
    const char *err;
    char *data = spool_read_file(path, &len, LIMIT_AUTOREPLY_FILE, &err);
    if (!data) {
        if (o->file_optional) return true;
        a->message = string_sprintf("Failed to open file %s when sending message from %s transport: %s", path,
                                    t->drinst.name, strerror(errno));
        return false;
    }
    if (expand) {
        /* a file named by the configuration is trusted as the configuration is */
        if (!store_is_tainted(path)) data = string_copy_taint(data, false);
        char *e;
        if (!(data = transport_expand(t, "file", data, &e))) { a->message = e; return false; }
    }
    *g = string_cat(*g, data);
    return true;
}

/* add_copy - return_message: the original, up to bounce_return_size_limit */
static void add_copy(const transport_instance *t, address_item *a, gstring **g)
{
    int fd = memfd_create("autoreply", MFD_CLOEXEC);
    char *err;
    transport_write_ctx c = {.fd = fd, .t = t, .addr = a};
    if (fd < 0 || transport_write_message(&c, &err) != OK) { if (fd >= 0) close(fd); return; }
    long limit = cfg.bounce_return_size_limit > 0 ? cfg.bounce_return_size_limit : 100 * 1024;
    long total = (long)c.written, take = total > limit ? limit : total;
    char *buf = store_get((size_t)take + 1, GET_TAINTED);
    ssize_t n = pread(fd, buf, (size_t)take, 0);
    close(fd);
    if (n < 0) return;
    *g = string_cat(*g, "------ This is a copy of the message, including all the headers.\n");
    if (take < total)
        *g = string_fmt_append(*g, "------ The body of the message is %ld characters long; only the first\n"
                                   "------ %ld or so are included here.\n", total, take);
    *g = string_catn(string_catc(*g, '\n'), buf, (size_t)n);
}

static bool fail_defer(address_item *a)
{
    a->transport_return = DEFER;
    return true;
}

/* log_text - what the log file records about the reply */
static char *log_text(const reply *r)
{
    gstring *g = NULL;
    const char *names[] = {"To", "Cc", "Bcc", "Subject"};
    const char *vals[] = {r->to, r->cc, r->bcc, r->subject};
    for (size_t i = 0; i < NELEM(names); i++)
        if (vals[i]) g = string_fmt_append(g, "  %s: %s\n", names[i], vals[i]);
    return g ? string_from_gstring(g) : string_copy("");
}

bool autoreply_transport_deliver(transport_instance *t, address_item *a)
{
    const autoreply_transport_options *o = t->drinst.options_block;
    reply r = {0};
    if (!expand_all(t, o, a, &r)) return fail_defer(a);
    gstring *rc = add_recipients(add_recipients(add_recipients(NULL, r.to, r.never), r.cc, r.never), r.bcc, r.never);
    a->transport_return = OK;
    if (!rc) return true; /* nobody left to answer: nothing to do */
    bool use_once = r.once && *r.once && r.to;
    if (use_once && autoreply_once_seen(o, r.once, r.to, r.repeat)) {
        if (r.log) autoreply_log(o, r.log, string_sprintf("  previously sent to %.200s\n", r.to));
        return true;
    }
    gstring *g = headers(&r);
    if (r.text) g = string_cat(g, r.text);
    if (r.text && *r.text && r.text[strlen(r.text) - 1] != '\n' && (r.file || r.return_message)) g = string_catc(g, '\n');
    if (r.file && !add_file(t, o, a, r.file, r.file_expand, &g)) return fail_defer(a);
    if (r.return_message) add_copy(t, a, &g);
    char *err;
    if (use_once && (err = autoreply_once_record(o, r.once, r.to))) {
        a->message = err;
        return fail_defer(a);
    }
    if (r.log) autoreply_log(o, r.log, log_text(&r));
    deliver_generated(a, string_from_gstring(rc), string_from_gstring(g));
    return true;
}
