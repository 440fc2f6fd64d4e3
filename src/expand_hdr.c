/* expand_hdr.c - header variables ($h_ $header_ $rh_ $bh_ $lh_), RFC 2047
 * decoding, and the simple message loader used by -bem.
 *
 * Header text comes from a message, so values are tainted (the headers
 * are stored in tainted memory and copies keep that). */

/* System */
#include <ctype.h>
#include <iconv.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "globals.h"

enum hdr_kind { HDR_DECODED, HDR_BASIC, HDR_RAW, HDR_LIST };

/* Headers whose contents are address lists: joined with ",\n". */
static bool address_header(const char *name, size_t n)
{
    static const char *const names[] = {"bcc", "cc", "from", "reply-to", "sender", "to",
                                        "resent-bcc", "resent-cc", "resent-from", "resent-reply-to",
                                        "resent-sender", "resent-to"};
    for (size_t i = 0; i < NELEM(names); i++)
        if (strlen(names[i]) == n && strncasecmp(names[i], name, n) == 0) return true;
    return false;
}

/* hdr_kind_of - split "rh_subject:" into its kind and the header name */
static enum hdr_kind hdr_kind_of(const char *var, const char **hname)
{
    const char *us = strchr(var, '_');
    *hname = us ? us + 1 : var;
    switch (var[0]) {
    case 'r': return HDR_RAW;
    case 'b': return HDR_BASIC;
    case 'l': return HDR_LIST;
    default: return HDR_DECODED;
    }
}

/* trimmed - the value part of one header line without surrounding space */
static str_view trimmed(const header_line *h, size_t namelen)
{
    const char *p = h->text + namelen + 1, *e = h->text + h->slen;
    while (p < e && isspace((unsigned char)*p)) p++;
    while (e > p && isspace((unsigned char)e[-1])) e--;
    return sv(p, (size_t)(e - p));
}

/* exp_header_value - the value of a header variable, NULL if the message
 * has no such header */
const char *exp_header_value(const char *var, bool *exists)
{
    const char *hname;
    enum hdr_kind kind = hdr_kind_of(var, &hname);
    size_t n = strcspn(hname, ":");
    *exists = true;
    gstring *g = NULL;
    bool addr = address_header(hname, n);
    for (header_line *h = msg.headers; h; h = h->next) {
        if (h->type == '*' || h->slen <= n || h->text[n] != ':' || strncasecmp(h->text, hname, n))
            continue;
        if (kind == HDR_RAW) {
            g = string_catn(g ? g : string_get_tainted(64, true), h->text + n + 1, h->slen - n - 1);
            continue;
        }
        str_view v = trimmed(h, n);
        if (!v.len) continue;
        if (g) g = string_cat(g, kind == HDR_LIST ? (addr ? "," : "\n") : addr ? ",\n" : "\n");
        g = string_catn(g ? g : string_get_tainted(64, true), v.p, v.len);
    }
    if (!g) return NULL;
    char *s = string_from_gstring(g);
    return kind == HDR_DECODED ? exp_rfc2047_decode(s) : s;
}

/* to_utf8 - convert bytes in charset to UTF-8 with iconv; NULL if unknown */
static char *to_utf8(const char *charset, const char *in, size_t n)
{
    if (!strcasecmp(charset, "utf-8") || !strcasecmp(charset, "us-ascii")) return string_copyn(in, n);
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1) return NULL;
    size_t cap = 4 * n + 4, left = cap;
    char *out = store_get(cap + 1, store_is_tainted(in)), *op = out;
    char *ip = (char *)in;
    size_t il = n;
    size_t rc = iconv(cd, &ip, &il, &op, &left);
    iconv_close(cd);
    if (rc == (size_t)-1) return NULL;
    *op = 0;
    return out;
}

/* decode_word - one "=?cs?Q|B?text?=" at s; appends (converted to UTF-8
 * if convert) and returns the end */
static const char *decode_word(const char *s, gstring **g, bool convert)
{
    const char *q1 = strchr(s + 2, '?');
    if (!q1 || !q1[1] || q1[2] != '?') return NULL;
    char enc = (char)toupper((unsigned char)q1[1]);
    const char *text = q1 + 3, *end = strstr(text, "?=");
    if (!end || (enc != 'Q' && enc != 'B')) return NULL;
    char *cs = string_copyn(s + 2, (size_t)(q1 - s - 2));
    char *star = strchr(cs, '*'); /* RFC 2231 language suffix */
    if (star) *star = 0;
    gstring *raw = string_get_tainted((size_t)(end - text) + 1, store_is_tainted(s));
    if (enc == 'B') {
        unsigned char *out;
        long n = exp_b64decode(string_copyn(text, (size_t)(end - text)), &out);
        if (n < 0) return NULL;
        raw = string_catn(raw, (char *)out, (size_t)n);
    } else {
        for (const char *p = text; p < end; p++) {
            if (*p == '_') raw = string_catc(raw, ' ');
            else if (*p == '=' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
                char hex[3] = {p[1], p[2], 0};
                raw = string_catc(raw, (char)strtol(hex, NULL, 16));
                p += 2;
            } else raw = string_catn(raw, p, 1);
        }
    }
    if (!convert) {
        *g = string_catn(*g, raw->s, raw->len);
        return end + 2;
    }
    char *u = to_utf8(cs, raw->s, raw->len);
    if (!u) return NULL;
    *g = string_cat(*g, u);
    return end + 2;
}

/* decode_words - decode encoded words (RFC 2047 section 6), into UTF-8
 * if convert; white space between adjacent encoded words is dropped */
static char *decode_words(const char *s, bool convert)
{
    if (!strstr(s, "=?")) return (char *)s;
    gstring *g = string_get_tainted(strlen(s) + 1, store_is_tainted(s));
    const char *p = s;
    bool last_was_word = false;
    while (*p) {
        const char *w = strstr(p, "=?");
        if (!w) { g = string_cat(g, p); break; }
        const char *gap = p;
        bool only_space = true;
        for (const char *t = gap; t < w; t++) if (!isspace((unsigned char)*t)) only_space = false;
        size_t keep = g->len;
        if (!(last_was_word && only_space)) g = string_catn(g, gap, (size_t)(w - gap));
        const char *next = decode_word(w, &g, convert);
        if (!next) {
            g->len = keep;
            g = string_catn(g, gap, (size_t)(w - gap) + 2);
            p = w + 2;
            last_was_word = false;
            continue;
        }
        p = next;
        last_was_word = true;
    }
    return string_from_gstring(g);
}

char *exp_rfc2047_decode(const char *s) { return decode_words(s, true); }

char *expand_rfc2047_raw(const char *s) { return decode_words(s, false); }

/* add_header - one header line (with continuations) to msg.headers */
static header_line **add_header(header_line **tail, const char *text, size_t n)
{
    header_line *h = store_get(sizeof *h, GET_UNTAINTED);
    h->text = string_copyn_taint(text, n, GET_TAINTED);
    h->slen = n;
    h->type = ' ';
    h->next = NULL;
    *tail = h;
    return &h->next;
}

/* count_lines - newline count of a span */
static int count_lines(const char *p, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++) if (p[i] == '\n') c++;
    return c;
}

/* set_body - $message_body, $message_body_end and the counts */
static void set_body(const char *b, size_t n)
{
    size_t vis = LIMIT_MESSAGE_BODY_VISIBLE;
    msg.body = string_copyn_taint(b, n < vis ? n : vis, GET_TAINTED);
    msg.body_end = string_copyn_taint(n > vis ? b + n - vis : b, n < vis ? n : vis, GET_TAINTED);
    msg.body_size = (long long)n;
    msg.body_linecount = count_lines(b, n);
    msg.body_zerocount = 0;
    for (size_t i = 0; i < n; i++) if (!b[i]) msg.body_zerocount++;
}

/* expand_load_message - -bem: read headers (name: value, continuation
 * lines) up to the first empty line, then the body */
bool expand_load_message(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "tern: failed to open %s: %s\n", path, strerror(errno));
        return false;
    }
    enum store_pool old = store_set_pool(POOL_MSG);
    gstring *all = string_get_tainted(4096, true);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && all->len < LIMIT_BEM_MESSAGE) all = string_catn(all, buf, n);
    fclose(f);
    const char *p = string_from_gstring(all), *end = p + all->len;
    header_line **tail = &msg.headers;
    while (p < end && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
        const char *e = p;
        do { const char *nl = memchr(e, '\n', (size_t)(end - e)); e = nl ? nl + 1 : end; }
        while (e < end && (*e == ' ' || *e == '\t'));
        tail = add_header(tail, p, (size_t)(e - p));
        p = e;
    }
    if (p < end) p += *p == '\r' ? 2 : 1;
    set_body(p, (size_t)(end - p));
    msg.size = (long long)all->len;
    msg.linecount = count_lines(all->s, all->len);
    store_set_pool(old);
    return true;
}
