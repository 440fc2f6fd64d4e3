/* mime.c - walking the MIME structure of a message (RFC 2045, 2046) and
 * decoding part content, for the MIME ACL.
 *
 * Runs in the receiving process, on the text of a message that is not
 * yet accepted: every byte is hostile. The walker works on a view
 * (pointer and length, NULs allowed), never reads past it, keeps at
 * most LIMIT_MIME_HEADER bytes of a part header, follows at most
 * LIMIT_MIME_DEPTH nested multiparts and LIMIT_MIME_PARTS parts, and
 * decodes attached messages at most LIMIT_MIME_RFC822_DEPTH deep. It
 * never writes files and never refuses input: broken structure ends a
 * part or the walk, as Exim 4.96 reads it. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
/* This module */
#include "mime.h"

/* How the parts of an open multipart count as cover letter (Exim's
 * rule: the outermost part is; alternative and related pass it on to
 * all subparts, other multiparts to their first subpart only). */
enum cover { COVER_ALL, COVER_ONESHOT, COVER_NONE };

typedef struct mime_ctx {
    const char *boundary;
    size_t blen;
    enum cover mode;
} mime_ctx;

typedef struct walker {
    const char *p, *end;
    mime_visit_fn fn;
    void *arg;
    int count;             /* parts of the message being walked */
    int total;             /* parts of all messages, for LIMIT_MIME_PARTS */
    int rfc822_depth;
    mime_ctx stack[LIMIT_MIME_DEPTH];
    int depth;
    gstring *pending;      /* str_view + encoding of message/rfc822 parts */
} walker;

typedef struct rfc822_span {
    str_view body;
    const char *encoding;
} rfc822_span;

const char *mime_anomaly_text(int level)
{
    switch (level) {
    case MIME_ANOMALY_BROKEN_QP: return "Broken Quoted-Printable encoding detected";
    case MIME_ANOMALY_BROKEN_BASE64: return "Broken BASE64 encoding detected";
    case MIME_ANOMALY_LIMIT: return "MIME structure too deep or too big";
    default: return "";
    }
}

/* ---- part headers ---- */

/* header_more - true when the byte after a header line continues it */
static bool header_more(const walker *w)
{
    return w->p < w->end && (*w->p == ' ' || *w->p == '\t');
}

/* header_keeps - whether a header byte is stored: control characters
 * are not, nor blanks straight after ":" or ";" (so the LIMIT_MIME_HEADER
 * bytes kept are the ones Exim keeps) */
static bool header_keeps(const gstring *h, unsigned char c)
{
    if (c < 32) return false;
    if (c != ' ' || !h->len) return true;
    char last = h->s[h->len - 1];
    return last != ':' && last != ';';
}

/* read_header - one header (continuation lines joined, line ends
 * dropped, at most LIMIT_MIME_HEADER - 1 bytes kept) into *h.
 * Returns 1 for a header, 0 at the empty line that ends the header,
 * -1 at the end of the text: a last line with nothing after it is
 * dropped, as Exim does. */
static int read_header(walker *w, gstring **h)
{
    (*h)->len = 0;
    bool first = true;
    for (;;) {
        if (w->p >= w->end) return -1;
        const char *nl = memchr(w->p, '\n', (size_t)(w->end - w->p));
        if (!nl) { w->p = w->end; return -1; }
        size_t n = (size_t)(nl - w->p);
        if (n && w->p[n - 1] == '\r') n--;
        if (first && n == 0) { w->p = nl + 1; return 0; }
        for (size_t i = 0; i < n && (*h)->len < LIMIT_MIME_HEADER - 1; i++)
            if (header_keeps(*h, (unsigned char)w->p[i])) *h = string_catc(*h, w->p[i]);
        w->p = nl + 1;
        first = false;
        if (w->p >= w->end) return -1;
        if (!header_more(w)) return 1;
        w->p++; /* the first blank of a continuation line goes too (Exim's reading) */
    }
}

/* main_value - the value before the first ";": white space and
 * (comments) removed, lower-cased (Exim's "normalized" form). *used
 * gets the offset after the ";" (or n). */
static char *main_value(const char *s, size_t n, size_t *used)
{
    gstring *g = string_get_tainted(n + 1, true);
    int comment = 0;
    size_t i = 0;
    for (; i < n && s[i] != ';'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '(') comment++;
        else if (c == ')' && comment) comment--;
        else if (!comment && !isspace(c)) g = string_catc(g, (char)tolower(c));
    }
    *used = i < n ? i + 1 : n;
    return string_from_gstring(g);
}

/* param_value - a parameter value at s[*i]: double quotes switch
 * quoting on and off and are dropped, an unquoted ";" ends it (the
 * caller appends one to the header, as Exim does, so a value with an
 * unbalanced quote keeps it) */
static char *param_value(const char *s, size_t n, size_t *i)
{
    gstring *g = string_get_tainted(64, true);
    bool quoted = false;
    for (; *i < n; (*i)++) {
        char c = s[*i];
        if (c == '"') quoted = !quoted;
        else if (c == ';' && !quoted) break;
        else g = string_catc(g, c);
    }
    return string_from_gstring(g);
}

static int hexval(unsigned char c)
{
    return isdigit(c) ? c - '0' : toupper(c) - 'A' + 10;
}

/* rfc2231_piece - one piece of an RFC 2231 value: encoded pieces have
 * %XX escapes; the first encoded one starts with charset'language'. The
 * charset is dropped and the language only when it is empty (so
 * "us-ascii'en'x" gives "en'x", as Exim 4.96 gives). No charset
 * conversion is done. */
static gstring *rfc2231_piece(gstring *acc, const char *v, bool encoded)
{
    if (!encoded) return string_cat(acc, v);
    if (!acc->len) {
        const char *q = strchr(v, '\'');
        if (q) v = q[1] == '\'' ? q + 2 : q + 1;
    }
    for (const char *p = v; *p; p++) {
        if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            acc = string_catc(acc, (char)(hexval((unsigned char)p[1]) << 4 | hexval((unsigned char)p[2])));
            p += 2;
        } else acc = string_catc(acc, *p);
    }
    return acc;
}

/* rfc2231_name - is name "name*", "name*N" or "name*N*" (or the same
 * with "filename")? *encoded when the last "*" asks for %XX decoding
 * (RFC 2231 sections 3 and 4) */
static bool rfc2231_name(const char *name, size_t n, bool *encoded)
{
    size_t i;
    if (n >= 9 && strncasecmp(name, "filename*", 9) == 0) i = 9;
    else if (n >= 5 && strncasecmp(name, "name*", 5) == 0) i = 5;
    else return false;
    *encoded = true;
    if (i == n) return true;
    size_t j = i;
    while (j < n && isdigit((unsigned char)name[j])) j++;
    if (j == i) return false;
    *encoded = j < n && name[j] == '*';
    return j + (*encoded ? 1 : 0) == n;
}

/* param_set - one parameter, if it is one the MIME ACL reports */
static void param_set(mime_part *p, const char *name, size_t n, char *v, gstring **rfc2231)
{
    bool enc;
    if (n == 8 && strncasecmp(name, "boundary", 8) == 0) p->boundary = v;
    else if (n == 7 && strncasecmp(name, "charset", 7) == 0) p->charset = v;
    else if ((n == 4 && strncasecmp(name, "name", 4) == 0) || (n == 8 && strncasecmp(name, "filename", 8) == 0))
        p->filename = v;
    else if (rfc2231_name(name, n, &enc)) {
        if (!*rfc2231) *rfc2231 = string_get_tainted(64, true);
        *rfc2231 = rfc2231_piece(*rfc2231, v, enc);
    }
}

/* params_apply - "name = value" pairs in the text after the first ";"
 * (which ends in a ";"): white space around the name and after "=" is
 * dropped, the value is kept as it is up to an unquoted ";" (Exim keeps
 * trailing white space too). A later value wins. */
static void params_apply(mime_part *p, const char *s, size_t n)
{
    gstring *rfc2231 = NULL;
    size_t i = 0;
    while (i < n) {
        while (i < n && isspace((unsigned char)s[i])) i++;
        size_t start = i;
        while (i < n && s[i] != '=' && s[i] != ';') i++;
        size_t end = i;
        while (end > start && isspace((unsigned char)s[end - 1])) end--;
        if (i < n && s[i] == '=') {
            i++;
            while (i < n && isspace((unsigned char)s[i])) i++;
            char *v = param_value(s, n, &i);
            param_set(p, s + start, end - start, v, &rfc2231);
        }
        i++;
    }
    if (rfc2231) p->filename = string_from_gstring(rfc2231);
}

/* header_apply - one part header line, if it is one the MIME ACL reports */
static void header_apply(mime_part *p, const char *h, size_t n)
{
    static const struct { const char *name; size_t len; size_t off; bool params; } names[] = {
        {"content-type:", 13, offsetof(mime_part, content_type), true},
        {"content-disposition:", 20, offsetof(mime_part, disposition), true},
        {"content-transfer-encoding:", 26, offsetof(mime_part, encoding), false},
        {"content-id:", 11, offsetof(mime_part, content_id), false},
        {"content-description:", 20, offsetof(mime_part, description), false},
    };
    for (size_t k = 0; k < NELEM(names); k++) {
        if (n < names[k].len || strncasecmp(h, names[k].name, names[k].len) != 0) continue;
        const char *v = h + names[k].len;
        size_t vn = n - names[k].len, used;
        *(char **)((char *)p + names[k].off) = main_value(v, vn, &used);
        if (!names[k].params) return;
        gstring *rest = string_get_tainted(vn - used + 2, true);
        rest = string_catn(rest, v + used, vn - used);
        rest = string_catc(rest, ';');
        params_apply(p, rest->s, rest->len);
        return;
    }
}

/* read_part_header - the header of one part into p, up to its empty line */
static void read_part_header(walker *w, mime_part *p)
{
    gstring *h = string_get_tainted(256, true);
    int rc;
    while ((rc = read_header(w, &h)) == 1) header_apply(p, h->s, h->len);
    if (*p->filename) p->filename = expand_rfc2047_raw(p->filename);
}

/* ---- the walk ---- */

/* is_boundary - a line starting "--" and b (Exim tests the prefix only) */
static bool is_boundary(const char *line, size_t n, const mime_ctx *c)
{
    return n >= c->blen + 2 && line[0] == '-' && line[1] == '-' &&
           memcmp(line + 2, c->boundary, c->blen) == 0;
}

/* body_end - where the content starting at p ends: the next boundary
 * line of c (NULL: the end of the text) */
static const char *body_end(const char *p, const char *end, const mime_ctx *c)
{
    while (c && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (is_boundary(p, n, c)) return p;
        p = nl ? nl + 1 : end;
    }
    return end;
}

/* seek_boundary - past the next boundary line of c: 1 for a part
 * boundary, 0 for the final one ("--b--"), -1 at the end of the text */
static int seek_boundary(walker *w, const mime_ctx *c)
{
    while (w->p < w->end) {
        const char *line = w->p, *nl = memchr(line, '\n', (size_t)(w->end - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(w->end - line);
        w->p = nl ? nl + 1 : w->end;
        if (!is_boundary(line, n, c)) continue;
        return n >= c->blen + 4 && line[c->blen + 2] == '-' && line[c->blen + 3] == '-' ? 0 : 1;
    }
    return -1;
}

/* new_part - an empty part with Exim's defaults */
static void new_part(mime_part *p, walker *w)
{
    memset(p, 0, sizeof *p);
    p->content_type = p->boundary = p->charset = p->description = p->disposition = "";
    p->content_id = p->encoding = p->filename = "";
    p->part_count = w->count++;
    w->total++;
    p->anomaly_text = "";
    p->is_rfc822 = w->rfc822_depth > 0;
    if (!w->depth) { p->is_coverletter = true; return; }
    mime_ctx *c = &w->stack[w->depth - 1];
    p->is_coverletter = c->mode != COVER_NONE;
    if (c->mode == COVER_ONESHOT) c->mode = COVER_NONE;
}

/* open_multipart - the part's boundary becomes the innermost one */
static void open_multipart(walker *w, const mime_part *p)
{
    bool all = strcmp(p->content_type, "multipart/alternative") == 0 ||
               strcmp(p->content_type, "multipart/related") == 0;
    mime_ctx *c = &w->stack[w->depth++];
    c->boundary = p->boundary;
    c->blen = strlen(p->boundary);
    c->mode = !p->is_coverletter ? COVER_NONE : all ? COVER_ALL : COVER_ONESHOT;
}

/* take_part - read the part at w->p, visit it, note what follows it */
static int take_part(walker *w)
{
    mime_part p;
    new_part(&p, w);
    read_part_header(w, &p);
    p.is_multipart = strncmp(p.content_type, "multipart", 9) == 0;
    const mime_ctx *c = w->depth ? &w->stack[w->depth - 1] : NULL;
    p.body = sv(w->p, (size_t)(body_end(w->p, w->end, c) - w->p));
    bool descend = p.is_multipart && *p.boundary;
    if (descend && w->depth >= LIMIT_MIME_DEPTH) {
        descend = false;
        p.anomaly_level = MIME_ANOMALY_LIMIT;
        p.anomaly_text = mime_anomaly_text(MIME_ANOMALY_LIMIT);
    }
    int rc = w->fn(&p, w->arg);
    if (rc != OK) return rc;
    if (strncmp(p.content_type, "message/rfc822", 14) == 0) {
        rfc822_span s = {p.body, p.encoding};
        w->pending = string_catn(w->pending, (const char *)&s, sizeof s);
    }
    if (descend) open_multipart(w, &p);
    return OK;
}

static int walk_structure(walker *w, const char *text, size_t len);

/* walk_attached - each message/rfc822 part noted during a walk, decoded
 * and walked as a message of its own */
static int walk_attached(walker *w, const gstring *pending)
{
    for (size_t off = 0; pending && off + sizeof(rfc822_span) <= pending->len; off += sizeof(rfc822_span)) {
        rfc822_span s;
        memcpy(&s, pending->s + off, sizeof s);
        if (w->rfc822_depth >= LIMIT_MIME_RFC822_DEPTH || w->total >= LIMIT_MIME_PARTS) return OK;
        int anomaly = 0;
        gstring *dec = mime_decode(s.encoding, s.body, NULL, &anomaly);
        walker *inner = store_get_zero(sizeof *inner, GET_UNTAINTED);
        inner->fn = w->fn;
        inner->arg = w->arg;
        inner->total = w->total;
        inner->rfc822_depth = w->rfc822_depth + 1;
        int rc = walk_structure(inner, dec->s, dec->len);
        if (rc == OK) rc = walk_attached(inner, inner->pending);
        w->total = inner->total;
        if (rc != OK) return rc;
    }
    return OK;
}

/* walk_structure - one message: its own header is the first part, then
 * the parts of each multipart, depth first */
static int walk_structure(walker *w, const char *text, size_t len)
{
    w->p = text;
    w->end = text + len;
    int rc = take_part(w);
    while (rc == OK && w->depth > 0 && w->total < LIMIT_MIME_PARTS) {
        int b = seek_boundary(w, &w->stack[w->depth - 1]);
        if (b < 0) break;
        if (b == 0) { w->depth--; continue; }
        rc = take_part(w);
    }
    return rc;
}

int mime_walk(const char *text, size_t len, mime_visit_fn fn, void *arg, int *last_count)
{
    walker *w = store_get_zero(sizeof *w, GET_UNTAINTED);
    w->fn = fn;
    w->arg = arg;
    int rc = walk_structure(w, text, len);
    *last_count = w->count - 1;
    return rc == OK ? walk_attached(w, w->pending) : rc;
}

/* ---- decoders ---- */

/* b64_value - the 6-bit value of a base64 letter, -1 for others */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* b64_chunk - decode s[0..n) into out, carrying the quartet state and
 * the partly filled byte across calls. "=" only moves the state on;
 * other letters outside the alphabet are skipped and flagged. */
static gstring *b64_chunk(gstring *out, const char *s, size_t n, int *state, unsigned char *pend,
                          int *anomaly)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int v = b64_value(c);
        if (c == '=') { (*state)++; continue; }
        if (v < 0) { if (*anomaly < MIME_ANOMALY_BROKEN_BASE64) *anomaly = MIME_ANOMALY_BROKEN_BASE64; continue; }
        switch ((*state)++ & 3) {
        case 0: *pend = (unsigned char)(v << 2); break;
        case 1: out = string_catc(out, (char)(*pend | v >> 4)); *pend = (unsigned char)(v << 4); break;
        case 2: out = string_catc(out, (char)(*pend | v >> 2)); *pend = (unsigned char)(v << 6); break;
        default: out = string_catc(out, (char)(*pend | v)); break;
        }
    }
    return out;
}

/* line_len - a line's length up to its CR, LF or NUL (Exim reads part
 * content line by line as C strings, so a NUL ends what is seen of it) */
static size_t line_len(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] && p[i] != '\n' && p[i] != '\r') i++;
    return i;
}

static gstring *decode_base64(str_view in, gstring *out, int *anomaly)
{
    int state = 0;
    unsigned char pend = 0;
    for (const char *p = in.p, *end = in.p + in.len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
        out = b64_chunk(out, p, line_len(p, n), &state, &pend, anomaly);
        p += n;
    }
    /* a quartet cut short still gives its partly filled byte (Exim does) */
    if (state & 3) out = string_catc(out, (char)pend);
    return out;
}

/* qp_line - one line of quoted-printable (RFC 2045 section 6.7), its
 * LF included; "=" then white space to the line end is a soft break */
static gstring *qp_line(const char *s, size_t n, gstring *out, int *anomaly)
{
    for (size_t i = 0; i < n && s[i];) {
        if (s[i] != '=') { out = string_catc(out, s[i++]); continue; }
        if (i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            out = string_catc(out, (char)(hexval((unsigned char)s[i + 1]) << 4 | hexval((unsigned char)s[i + 2])));
            i += 3;
            continue;
        }
        size_t j = i + 1;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) j++;
        if (j < n && s[j] == '\n') return out;
        if (*anomaly < MIME_ANOMALY_BROKEN_QP) *anomaly = MIME_ANOMALY_BROKEN_QP;
        out = string_catc(out, '=');
        i++;
    }
    return out;
}

/* decode_lines - quoted-printable or a plain copy, line by line */
static gstring *decode_lines(str_view in, gstring *out, int *anomaly, bool qp)
{
    for (const char *p = in.p, *end = in.p + in.len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
        if (qp) out = qp_line(p, n, out, anomaly);
        else out = string_catn(out, p, strnlen(p, n));
        p += n;
    }
    return out;
}

gstring *mime_decode(const char *encoding, str_view body, gstring *out, int *anomaly)
{
    if (!out) out = string_get_tainted(body.len + 1, true);
    if (strcmp(encoding, "base64") == 0) return decode_base64(body, out, anomaly);
    return decode_lines(body, out, anomaly, strcmp(encoding, "quoted-printable") == 0);
}
