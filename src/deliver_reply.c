/* deliver_reply.c - messages that a local transport generated (the
 * autoreply transport's replies) put into the spool as new messages from
 * <> and delivered, as Exim does when autoreply submits to "exim -t".
 *
 * Runs in the delivery process (root or the exim user), never in the
 * transport child, which has the mail user's uid and cannot write the
 * spool. The reply is on disk (-D, -H, directory fsync'ed) before the
 * address that caused it is journalled as delivered, so a crash loses
 * neither. Header lines of the reply were checked for non-printing
 * characters by the transport. */

/* System */
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "globals.h"
#include "header.h"
#include "log.h"
#include "router.h"
#include "spool.h"
#include "transport.h"
#include "version.h"

static char *reply_input_dir(const char *id)
{
    const char *spool = cfg.spool_directory ? cfg.spool_directory : SPOOL_DIRECTORY;
    if (cfg.split_spool_directory) return string_sprintf("%s/input/%c", spool, id[5]);
    return string_sprintf("%s/input", spool);
}

static char *date_now(time_t t)
{
    struct tm tm;
    char buf[64];
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
    return string_copy(buf);
}


static bool has_header(const header_line *h, int type)
{
    for (; h; h = h->next) if (h->type == type) return true;
    return false;
}

/* recipients - the comma-separated list as recipient_items */
static int recipients(spool_header *h, const char *rcpts)
{
    int n = 1;
    for (const char *p = rcpts; *p; p++) n += *p == ',';
    recipient_item *ri = store_get_zero(sizeof *ri * (size_t)n, GET_UNTAINTED);
    int k = 0;
    const char *list = rcpts;
    int sep = ',';
    char *it;
    while ((it = string_nextinlist(&list, &sep)) && k < n) {
        ri[k].address = string_trim(it);
        ri[k].pno = -1;
        if (*ri[k].address) k++;
    }
    h->recipients = ri;
    h->recipients_count = k;
    return k;
}

/* build - the new message's -H contents and -D text */
static void build(spool_header *h, const address_item *a, const char *text, gstring **dfile)
{
    time_t now = time(NULL);
    struct passwd *pw = getpwuid((uid_t)a->uid);
    h->caller_login = pw ? string_copy(pw->pw_name) : string_sprintf("%ld", a->uid);
    h->caller_uid = a->uid;
    h->caller_gid = a->gid;
    h->sender = "";
    h->received_time = (long)now;
    h->received_protocol = "local";
    h->ident = h->caller_login;
    h->deliver_firsttime = true;
    const char *body;
    header_line *given = header_split(text, &body);
    gstring *hd = string_fmt_append(NULL, "Received: from %s by %s with local (Tern %s)\n\tid %s\n\tfor %s;\n\t%s\n",
                                    h->caller_login, cfg.primary_hostname, TERN_VERSION, h->id,
                                    h->recipients[0].address, date_now(now));
    for (const header_line *l = given; l; l = l->next)
        if (l->type != HTYPE_BCC) hd = string_catn(hd, l->text, l->slen);
    if (!has_header(given, HTYPE_ID)) hd = string_fmt_append(hd, "Message-Id: <E%s@%s>\n", h->id, cfg.primary_hostname);
    if (!has_header(given, HTYPE_FROM))
        hd = string_fmt_append(hd, "From: %s@%s\n", h->caller_login,
                               cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname);
    bool dated = false;
    for (const header_line *l = given; l; l = l->next) dated |= strncasecmp(l->text, "Date:", 5) == 0;
    if (!dated) hd = string_fmt_append(hd, "Date: %s\n", date_now(now));
    const char *dummy;
    h->headers = header_split(string_from_gstring(string_catc(hd, '\n')), &dummy);
    for (const char *p = body; *p; p++) h->body_linecount += *p == '\n';
    *dfile = string_cat(string_fmt_append(NULL, "%s-D\n", h->id), body);
}

/* deliver_now - the reply is delivered by a child, so the current
 * message's delivery state is left alone */
static void deliver_now(const char *id)
{
    pid_t pid = fork();
    if (pid == 0) {
        deliver_agents_forget();
        msg.id = string_copy(id);
        _exit(deliver_message(id, false, false) == OK ? 0 : 1);
    }
    if (pid > 0) while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
}

void deliver_reply_spool(address_item *a, const char *rcpts, const char *text)
{
    spool_header h = {0};
    if (!rcpts || recipients(&h, rcpts) == 0) return; /* all discarded: nothing to send */
    spool_new_message_id(h.id);
    gstring *d;
    build(&h, a, text, &d);
    gstring *hf = spool_format_header(&h);
    const char *err = NULL, *dir = reply_input_dir(h.id);
    mkdir(dir, 0750);
    if (spool_write_file(dir, string_sprintf("%s-D", h.id), d->s, d->len, &err) != OK
        || spool_write_file(dir, string_sprintf("%s-H", h.id), hf->s, hf->len, &err) != OK
        || spool_fsync_dir(dir) != OK) {
        a->transport_return = DEFER;
        a->message = string_sprintf("Failed to send message from %s %s (%s)",
                                    a->transport ? a->transport->drinst.name : a->router->drinst.name,
                                    a->transport ? "transport" : "router", err ? err : strerror(errno));
        return;
    }
    size_t size = d->len - (MESSAGE_ID_LENGTH + 3);
    for (const header_line *l = h.headers; l; l = l->next) size += l->slen;
    char *saved = msg.id;
    msg.id = h.id;
    log_write(L_always, LOG_MAIN, "<= <> R=%s U=%s P=local S=%zu", saved ? saved : "", h.caller_login, size);
    msg.id = saved;
    deliver_now(h.id);
}
