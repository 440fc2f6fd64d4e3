/* receive_local.c - a message from a local program: the sendmail
 * interface (-bm, -t, -i/-oi, -f, -F).
 *
 * Runs as the calling user. The message is read from conn.in_fd up to
 * EOF (or a line with a single dot, unless -i/-oi), spooled durably as
 * SMTP messages are, and logged with P=local. Recipients come from the
 * command line or, with -t, from the To:, Cc: and Bcc: headers. */

/* System */
#include <pwd.h>
/* MTA core */
#include "tern.h"
#include "acl.h"
#include "deliver.h"
#include "globals.h"
#include "header.h"
#include "log.h"
#include "receive.h"
#include "receive_int.h"
#include "smtp_in.h"
#include "smtp_in_int.h"

/* caller_name - the name part of the caller's passwd gecos field */
static char *caller_name(void)
{
    struct passwd *pw = getpwuid(proc.real_uid);
    if (!pw || !pw->pw_gecos) return NULL;
    return string_copyn(pw->pw_gecos, strcspn(pw->pw_gecos, ","));
}

/* read_local - all lines up to EOF or the lone dot; 0, or -1 on error */
static int read_local(rcv *r, bool dot_ends)
{
    gstring *line = string_get_tainted(256, GET_TAINTED);
    for (;;) {
        line->len = 0;
        int c = 0;
        while ((c = smtp_getc()) >= 0 && c != '\n') {
            line = string_catc(line, (char)c);
            if (line->len >= LIMIT_DATA_LINE) break;
        }
        if (c < 0 && !line->len) return c == -1 ? 0 : -1;
        bool eol = c == '\n' || c < 0;
        if (eol && line->len && line->s[line->len - 1] == '\r') line->len--;
        if (dot_ends && eol && line->len == 1 && line->s[0] == '.') return 0;
        rcv_line(r, line->s, line->len, eol);
        if (c < 0) return 0;
    }
}

/* add_rcpt - one envelope recipient, qualified with qualify_recipient */
static void add_rcpt(const char *a)
{
    if (msg.recipients_count >= msg.recipients_cap) {
        int cap = msg.recipients_cap ? msg.recipients_cap * 2 : 8;
        recipient_item *n = store_get(sizeof *n * (size_t)cap, GET_UNTAINTED);
        if (msg.recipients_count) memcpy(n, msg.recipients, sizeof *n * (size_t)msg.recipients_count);
        msg.recipients = n;
        msg.recipients_cap = cap;
    }
    recipient_item *r = &msg.recipients[msg.recipients_count++];
    memset(r, 0, sizeof *r);
    r->pno = -1;
    const char *qd = cfg.qualify_recipient ? cfg.qualify_recipient :
                     cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname;
    r->address = strchr(a, '@') ? string_copy(a) : string_sprintf("%s@%s", a, qd);
}

/* extract_header_rcpts - -t: addresses of To:, Cc:, Bcc: (comma lists;
 * "Name <addr>" takes addr). Bcc: is then removed (RFC 5322 3.6.3). */
static void extract_header_rcpts(header_line *h)
{
    for (; h; h = h->next) {
        if (h->type != HTYPE_TO && h->type != HTYPE_CC && h->type != HTYPE_BCC) continue;
        char *v = header_value(h);
        int sep = ',';
        const char *list = v;
        char *item;
        while ((item = string_nextinlist(&list, &sep))) {
            char *lt = strchr(item, '<'), *gt = lt ? strchr(lt, '>') : NULL;
            if (lt && gt) item = string_copyn(lt + 1, (size_t)(gt - lt - 1));
            item = string_trim(item);
            if (*item) add_rcpt(item);
        }
        if (h->type == HTYPE_BCC) h->type = HTYPE_OLD;
    }
}

/* local_acls - acl_not_smtp_start before reading, acl_not_smtp after */
static bool local_acl(enum acl_where where, const char *acl)
{
    if (!acl) return true;
    char *um, *lm;
    int rc = acl_check(where, NULL, acl, &um, &lm);
    if (where == ACL_WHERE_NOTSMTP_START) return true; /* only for its controls: result ignored */
    if (rc == OK || rc == DISCARD) return rc == OK;
    log_write(L_always, LOG_MAIN | LOG_REJECT, "F=<%s> rejected by non-SMTP ACL%s%s",
              msg.sender_address, lm || um ? ": " : "", lm ? lm : um ? um : "");
    fprintf(stderr, "tern: message rejected by non-SMTP ACL: %s\n", um ? um : "Administrative prohibition");
    return false;
}

/* local_mime_acl - acl_not_smtp_mime once per MIME part: OK, DISCARD
 * or FAIL. Exim 4.96 writes no log line when it rejects here (exit
 * status 1 only); we say why on stderr as well. */
static int local_mime_acl(void)
{
    char *um, *lm;
    int rc = acl_mime_check(ACL_WHERE_MIME, cfg.acl_not_smtp_mime, &um, &lm);
    if (rc == OK || rc == DISCARD) return rc;
    fprintf(stderr, "tern: message rejected: %s\n", um ? um : "Administrative prohibition");
    return FAIL;
}

static int finish_local(rcv *r, const receive_local_opts *o)
{
    if (r->too_big) {
        log_write(L_size_reject, LOG_MAIN | LOG_REJECT, "rejected from <%s> %s: message too big: "
                  "read=%ld max=%ld", msg.sender_address, smtp_host_and_ident(true),
                  rcv_bytes_read(r), r->limit);
        fprintf(stderr, "tern: message too big (max=%ld)\n", r->limit);
        return EXIT_FAILURE;
    }
    rcv_headers_done(r);
    if (o->extract_rcpts) extract_header_rcpts(msg.headers);
    rcv_finish_headers(r);
    if (!msg.recipients_count) {
        fprintf(stderr, "tern: no recipients found\n");
        return EXIT_FAILURE;
    }
    acl_mime_source(rcv_body_to, r);
    int mime = local_mime_acl();
    bool keep = mime != FAIL && local_acl(ACL_WHERE_NOTSMTP, cfg.acl_not_smtp);
    acl_mime_unspool();
    if (keep && mime == DISCARD) {
        rcv_log_discarded(r, false, "MIME"); /* after acl_not_smtp, exit status 1: as Exim */
        return EXIT_FAILURE;
    }
    if (!keep || rcv_spool(r) != OK) return EXIT_FAILURE;
    rcv_log_arrival(r, false);
    deliver_after_receive(msg.id); /* -odq and queue_only keep it queued */
    return EXIT_SUCCESS;
}

int receive_local(const receive_local_opts *o)
{
    smtp_io_init();
    enum store_pool old = store_set_pool(POOL_MSG);
    for (int i = 0; i < o->rcpts_count; i++) add_rcpt(o->rcpts[i]);
    if (!o->rcpts_count && !o->extract_rcpts) {
        fprintf(stderr, "tern: no recipients given on the command line\n");
        return EXIT_FAILURE;
    }
    if (!local_acl(ACL_WHERE_NOTSMTP_START, cfg.acl_not_smtp_start)) return EXIT_FAILURE;
    rcv r;
    if (!rcv_open(&r)) return EXIT_FAILURE;
    r.local_input = true;
    /* the passwd name describes the caller, not a -f sender (as Exim) */
    r.originator_name = o->fullname ? string_copy(o->fullname) : o->sender_forced ? NULL : caller_name();
    int rc = read_local(&r, o->dot_ends);
    rc = rc == 0 ? finish_local(&r, o) : EXIT_FAILURE;
    rcv_cleanup(&r);
    store_set_pool(old);
    return rc;
}
