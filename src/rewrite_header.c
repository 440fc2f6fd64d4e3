/* rewrite_header.c - rewriting the addresses in From:, Sender:, To:,
 * Cc:, Bcc:, Reply-To: (and the Resent- forms) of a message.
 *
 * Runs at reception (global rules, after the header section is read and
 * before the DATA ACL) and in transports (headers_rewrite). Each item of
 * the header's address list is parsed as Exim does (addr_parse.c); only
 * the working address is replaced, so phrases and comments stay, unless
 * a "w" rule replaces the whole item. An unparseable item is left as it
 * is. The header text is tainted message data and stays tainted. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "addr_parse.h"
#include "globals.h"
#include "header.h"
#include "log.h"
#include "rewrite.h"

/* The new text of one header being built. */
typedef struct hdr_out {
    const rewrite_rule *rules;
    const char *text;   /* the old header */
    const char *copied; /* old text before this is in out */
    gstring *out;
    size_t linestart;   /* out offset of the last line break we added */
    unsigned field;
    bool tainted;       /* the old header is (message data always is) */
    bool qualify;
    bool changed;
} hdr_out;

/* field_of - the rule flag for a header type; 0 if not rewritable */
static unsigned field_of(char type)
{
    switch (type) {
    case HTYPE_FROM: return RW_FROM;
    case HTYPE_SENDER: return RW_SENDER;
    case HTYPE_TO: return RW_TO;
    case HTYPE_CC: return RW_CC;
    case HTYPE_BCC: return RW_BCC;
    case HTYPE_REPLY_TO: return RW_REPLY_TO;
    default: return 0;
    }
}

/* new_address - the item's replacement, or NULL to leave it alone */
static char *new_address(hdr_out *o, const addr_parsed *pa, bool *whole)
{
    char *addr = pa->address, *w = NULL;
    bool qualified = false;
    if (!pa->domain) {
        if (!o->qualify || !*addr) return NULL; /* RFC 5322 wants a domain; only local input gets one */
        bool rcpt = o->field & (RW_TO | RW_CC | RW_BCC);
        addr = string_sprintf("%s@%s", addr, rcpt ? cfg.qualify_recipient : cfg.qualify_domain);
        qualified = true;
    }
    char *n = rewrite_address(o->rules, addr, o->field, &w);
    if (n == addr && !qualified) return NULL;
    *whole = w != NULL;
    return w ? w : n;
}

/* fold - after an address that grew: a line break before the next item
 * once the line we are building is long, unless the old text already
 * breaks there (the same places as Exim, so -H files compare equal) */
static void fold(hdr_out *o, const char *next)
{
    if (o->out->len - o->linestart <= LIMIT_REWRITE_FOLD) return;
    const char *p = next - 1;
    while (p > o->text && (*p == ' ' || *p == '\t')) p--;
    if (*p == '\n') return;
    o->linestart = o->out->len;
    o->out = string_catn(o->out, "\n\t", 2);
}

/* splice - the new text for [from, to) into out, then the old text up
 * to where the next item starts */
static void splice(hdr_out *o, const char *from, const char *to, const char *n, const char *next)
{
    o->out = string_catn(o->out, o->copied, (size_t)(from - o->copied));
    o->out = string_cat(o->out, n);
    o->out = string_catn(o->out, to, (size_t)(next - to));
    o->copied = next;
    o->changed = true;
}

/* one_item - rewrite the item [s, iend); next is where the next starts.
 * Parsing and matching use scratch memory released per item, so a
 * header of many thousand addresses costs linear time and memory; the
 * new text is held in malloc'd memory across that release, as the
 * output may be growing in the scratch pool itself (transports). */
static void one_item(hdr_out *o, const char *s, const char *iend, const char *next, enum addr_group *grp)
{
    enum store_pool old = store_set_pool(POOL_MAIN);
    rmark m = store_mark();
    addr_parsed pa;
    char *item = string_copyn_taint(s, (size_t)(iend - s), o->tainted);
    const char *err = addr_parse_extract(item, false, grp, &pa);
    bool whole = false;
    char *n = NULL;
    if (err && strcmp(err, "empty address") != 0) log_write(L_always, LOG_MAIN, "rewrite: %s", err);
    if (!err) n = new_address(o, &pa, &whole);
    size_t nlen = n ? strlen(n) : 0;
    char *keep = n ? memcpy(store_malloc(nlen + 1), n, nlen + 1) : NULL;
    store_reset(m);
    store_set_pool(old);
    if (!keep) return;
    const char *from = whole ? s : s + pa.start, *to = whole ? iend : s + pa.end;
    if (whole && !*iend && to > from && to[-1] == '\n') to--; /* the header's own line end stays */
    splice(o, from, to, keep, next);
    store_free(keep);
    /* Exim folds only after a grown working address, never after a "w" item */
    if (!whole && nlen > (size_t)(to - from) && *next) fold(o, next);
}

char *rewrite_header_line(const rewrite_rule *rules, const header_line *h, bool qualify)
{
    hdr_out o = {.rules = rules, .text = h->text, .field = field_of(h->type)};
    const char *colon = strchr(h->text, ':');
    if (!o.field || !colon) return NULL;
    o.qualify = qualify;
    if (!(rewrite_existflags(rules) & o.field) && !qualify) return NULL;
    o.copied = h->text;
    o.tainted = store_is_tainted(h->text);
    o.out = string_get_tainted(h->slen + 64, o.tainted);
    enum addr_group grp = GROUP_ALLOWED;
    const char *s = colon + 1;
    for (;;) {
        while (isspace((unsigned char)*s)) s++;
        if (!*s) break;
        const char *iend = addr_parse_item_end(s), *next = *iend ? iend + 1 : iend;
        while (isspace((unsigned char)*next)) next++;
        one_item(&o, s, iend, next, &grp);
        s = next;
    }
    if (!o.changed) return NULL;
    o.out = string_cat(o.out, o.copied);
    return string_from_gstring(o.out);
}

/* qualify_ok - may this field's unqualified addresses be qualified?
 * (only for input allowed to send them: local, or the *_unqualified_hosts) */
static bool qualify_ok(char type)
{
    unsigned f = field_of(type);
    return f & (RW_TO | RW_CC | RW_BCC) ? conn.unqualified_recipient_ok : conn.unqualified_sender_ok;
}

void rewrite_headers(const rewrite_rule *rules, header_line *list)
{
    for (header_line *h = list; h; h = h->next) {
        if (h->type == HTYPE_OLD) continue;
        char *text = rewrite_header_line(rules, h, qualify_ok(h->type));
        if (!text) continue;
        header_line *n = store_get(sizeof *n, GET_UNTAINTED);
        n->text = text;
        n->slen = strlen(text);
        n->type = h->type;
        n->next = h->next;
        h->next = n;
        h->type = HTYPE_OLD;
        h = n;
    }
}
