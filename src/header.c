/* header.c - the header section of an incoming message: joining
 * continuation lines (RFC 5322 section 2.2.3), limits, lookups.
 *
 * Runs in the receiving process on tainted message data. Header text is
 * kept in the current pool (POOL_MSG while receiving), tainted. Limits
 * header_maxsize and header_line_maxsize are checked at the byte that
 * crosses them, before the text is stored. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
/* This module */
#include "header.h"

void header_builder_init(header_builder *b, size_t total_max, size_t line_max)
{
    memset(b, 0, sizeof *b);
    b->total_max = total_max;
    b->line_max = line_max;
}

/* flush - turn the joined text into a header_line */
static void flush(header_builder *b)
{
    if (!b->cur) return;
    b->cur = string_catc(b->cur, '\n');
    header_line *h = store_get(sizeof *h, GET_UNTAINTED);
    h->next = NULL;
    h->slen = b->cur->len;
    h->text = string_from_gstring(b->cur);
    h->type = header_type_of(h->text);
    if (b->last) b->last->next = h;
    else b->first = h;
    b->last = h;
    b->cur = NULL;
    b->count++;
}

/* looks_like_header - "name:" with a name of printable non-space ASCII */
static bool looks_like_header(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && line[i] > ' ' && line[i] < 127 && line[i] != ':') i++;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    return i > 0 && i < len && line[i] == ':';
}

enum header_add_result header_add_line(header_builder *b, const char *line, size_t len)
{
    if (len == 0) {
        flush(b);
        b->done = true;
        return HDR_END;
    }
    b->total += len + 1;
    if (b->total_max && b->total > b->total_max) return HDR_TOO_BIG;
    bool cont = (line[0] == ' ' || line[0] == '\t') && b->cur;
    if (!cont && !looks_like_header(line, len)) {
        flush(b);
        b->done = true;
        return HDR_END_BODY;
    }
    if (!cont) flush(b);
    else b->cur = string_catc(b->cur, '\n');
    if (!b->cur) b->cur = string_get_tainted(len + 2, GET_TAINTED);
    b->cur = string_catn(b->cur, line, len);
    if (b->line_max && b->cur->len > b->line_max) return HDR_LINE_TOO_LONG;
    if (b->count >= LIMIT_HEADER_LINES) return HDR_TOO_BIG;
    return HDR_OK;
}

header_line *header_finish(header_builder *b)
{
    flush(b);
    return b->first;
}

/* name_is - does header text start with "name:" (case-blind, spaces allowed) */
static bool name_is(const char *text, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(text, name, n) != 0) return false;
    text += n;
    while (*text == ' ' || *text == '\t') text++;
    return *text == ':';
}

header_line *header_find(header_line *h, const char *name)
{
    for (; h; h = h->next)
        if (h->type != HTYPE_OLD && name_is(h->text, name)) return h;
    return NULL;
}

char *header_value(const header_line *h)
{
    const char *p = strchr(h->text, ':');
    if (!p) return string_copy("");
    p++;
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r')) n--;
    return string_copyn_taint(p, n, store_is_tainted(h->text));
}

static header_line *new_header(const char *text)
{
    header_line *h = store_get(sizeof *h, GET_UNTAINTED);
    h->next = NULL;
    h->text = string_copy_taint(text, store_is_tainted(text));
    h->slen = strlen(text);
    h->type = header_type_of(text);
    return h;
}

header_line *header_append(header_line **list, const char *text)
{
    header_line *h = new_header(text);
    while (*list) list = &(*list)->next;
    *list = h;
    return h;
}

header_line *header_prepend(header_line **list, const char *text)
{
    header_line *h = new_header(text);
    h->next = *list;
    *list = h;
    return h;
}

size_t header_size(const header_line *h)
{
    size_t n = 0;
    for (; h; h = h->next)
        if (h->type != HTYPE_OLD) n += h->slen;
    return n;
}

header_line *header_split(const char *text, const char **body)
{
    header_line *first = NULL, **tail = &first;
    const char *p = text;
    while (*p && *p != '\n') {
        const char *e = p;
        do { e = strchr(e, '\n'); e = e ? e + 1 : p + strlen(p); } while (*e == ' ' || *e == '\t');
        header_line *h = store_get_zero(sizeof *h, GET_UNTAINTED);
        h->text = string_copyn(p, (size_t)(e - p));
        h->slen = (size_t)(e - p);
        h->type = header_type_of(h->text);
        *tail = h;
        tail = &h->next;
        p = e;
    }
    if (body) *body = *p == '\n' ? p + 1 : p;
    return first;
}
