/* addr_parse.c - reading one mailbox of an address-list header the way
 * Exim 4.96 reads it (RFC 5322 section 3.4 with its obsolete forms:
 * source routes, comments anywhere, group syntax).
 *
 * Pure parsing over a NUL-terminated string; runs in whatever process
 * rewrites addresses (reception, transports, -brw). The result keeps the
 * input's taint. The span [start, end) it reports is what header
 * rewriting replaces, so phrase and trailing comments survive a rewrite;
 * Exim's error texts are reproduced because -brw prints them. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "addr_parse.h"

typedef struct pstate {
    const char *in;   /* the whole input, for error excerpts */
    const char *s;    /* next byte */
    const char *mark; /* where the last white space/comment skip began */
    gstring *out;     /* the working address being built */
    const char *err;
} pstate;

static const char specials[] = "()<>@,;:\\\".[]";

static bool atext(char c)
{
    /* bytes above 126 count as atom text: UTF-8 names pass, as in Exim */
    unsigned char u = (unsigned char)c;
    return u > ' ' && u != 0x7f && !strchr(specials, c);
}

/* skip_cfws - white space and (nested) comments; an unclosed comment
 * runs to the end of the input */
static void skip_cfws(pstate *p)
{
    p->mark = p->s;
    for (;;) {
        while (isspace((unsigned char)*p->s)) p->s++;
        if (*p->s != '(') return;
        int depth = 0;
        for (; *p->s; p->s++) {
            if (*p->s == '\\' && p->s[1]) { p->s++; continue; }
            if (*p->s == '(') depth++;
            else if (*p->s == ')' && --depth == 0) { p->s++; break; }
        }
    }
}

static void put(pstate *p, const char *from, size_t n) { p->out = string_catn(p->out, from, n); }

/* quoted - a quoted string copied with its quotes and escapes */
static bool quoted(pstate *p)
{
    const char *q = p->s++;
    while (*p->s && *p->s != '"') p->s += *p->s == '\\' && p->s[1] ? 2 : 1;
    if (!*p->s) { p->err = "unmatched doublequote in local part"; return false; }
    p->s++;
    put(p, q, (size_t)(p->s - q));
    return true;
}

/* read_local - dot-separated words (atoms or quoted strings); an empty
 * result is an error unless allow_empty */
static bool read_local(pstate *p, bool allow_empty)
{
    size_t begin = p->out->len;
    for (;;) {
        skip_cfws(p);
        if (*p->s == '"') {
            if (!quoted(p)) return false;
        } else {
            const char *a = p->s;
            while (atext(*p->s)) p->s++;
            put(p, a, (size_t)(p->s - a));
        }
        skip_cfws(p);
        if (*p->s != '.') break;
        put(p, p->s++, 1);
    }
    if (p->out->len == begin && !allow_empty) { p->err = "missing or malformed local part"; return false; }
    return true;
}

/* domain_literal - "[" digits, dots, colons "]", with an optional
 * IPv4:/IPv6: tag (RFC 5321 section 4.1.3) */
static bool domain_literal(pstate *p)
{
    put(p, p->s++, 1);
    if (strncasecmp(p->s, "IPv6:", 5) == 0 || strncasecmp(p->s, "IPv4:", 5) == 0) {
        put(p, p->s, 5);
        p->s += 5;
    }
    const char *a = p->s;
    while (*p->s == '.' || *p->s == ':' || isxdigit((unsigned char)*p->s)) p->s++;
    put(p, a, (size_t)(p->s - a));
    if (*p->s != ']') { p->err = "malformed domain literal"; return false; }
    put(p, p->s++, 1);
    skip_cfws(p);
    return true;
}

/* read_domain - dot-atoms (no empty label, no trailing dot) or a literal */
static bool read_domain(pstate *p)
{
    skip_cfws(p);
    if (*p->s == '[') return domain_literal(p);
    for (;;) {
        skip_cfws(p);
        const char *a = p->s;
        while (atext(*p->s)) p->s++;
        if (p->s == a) { p->err = "domain missing or malformed"; return false; }
        put(p, a, (size_t)(p->s - a));
        skip_cfws(p);
        if (*p->s != '.') return true;
        put(p, p->s++, 1);
    }
}

/* read_route - "@a,@b:" before an addr-spec; read and thrown away */
static bool read_route(pstate *p)
{
    size_t keep = p->out->len;
    bool commas = false;
    while (*p->s == '@') {
        p->s++;
        if (!read_domain(p)) return false;
        if (*p->s != ',') break;
        p->s++;
        commas = true;
        skip_cfws(p);
    }
    p->out->len = keep;
    if (*p->s == ':') { p->s++; return true; }
    /* without commas the likelier mistake is a missing local part */
    p->err = commas ? "colon expected after route list" : "no local part";
    return false;
}

/* read_addr_spec - local-part ["@" domain] up to term; *domain set */
static bool read_addr_spec(pstate *p, char term, size_t *domain)
{
    if (!read_local(p, false)) return false;
    if (*p->s == term) return true;
    if (*p->s != '@') {
        p->err = string_sprintf("\"@\" or \".\" expected after \"%s\": %s", string_from_gstring(p->out), p->s);
        return false;
    }
    put(p, p->s++, 1);
    *domain = p->out->len;
    return read_domain(p);
}

static const char *may_not_follow(const pstate *p, const char *at)
{
    return string_sprintf("malformed address: %.32s may not follow %.*s", at, (int)(at - p->in), p->in);
}

/* angle_addr - "<" [route] addr-spec ">"; p->s is just after the "<" */
static bool angle_addr(pstate *p, bool allow_null, const char **start, const char **end, size_t *domain)
{
    p->out->len = 0;
    *start = p->s;
    skip_cfws(p);
    bool routed = *p->s == '@';
    if (routed && !read_route(p)) return false;
    if (allow_null && !routed && *p->s == '>') *domain = 0;
    else if (!read_addr_spec(p, '>', domain)) return false;
    else if (routed && !*domain) { p->err = "domain missing in source-routed address"; return false; }
    *end = p->s;
    if (*p->s != '>') {
        p->err = *p->s ? may_not_follow(p, p->s) : "'>' missing at end of address";
        return false;
    }
    p->s++;
    skip_cfws(p);
    return true;
}

/* bare_tail - the rest of an addr-spec not in angle brackets, after its
 * first local-part words (or a leading source route when there were none) */
static bool bare_tail(pstate *p, size_t *domain)
{
    if (!p->out->len) {
        if (!read_route(p) || !read_addr_spec(p, 0, domain)) return false;
        if (!*domain) { p->err = "domain missing in source-routed address"; return false; }
        return true;
    }
    put(p, p->s++, 1);
    *domain = p->out->len;
    return read_domain(p);
}

/* phrase - display name words up to "<" (or ":" opening a group) */
static bool phrase(pstate *p, bool group_ok)
{
    while (*p->s != '<' && !(group_ok && *p->s == ':'))
        if (!read_local(p, false)) {
            p->err = string_sprintf("%s (expected word or \"<\")", p->err);
            return false;
        }
    return true;
}

/* finish - what may follow the address: nothing, or a group's ';' */
static const char *finish(pstate *p, enum addr_group *group, const char *start, const char *end,
                          addr_parsed *out)
{
    if (*p->s) {
        if (!group || *group != GROUP_OPEN || *p->s != ';') return may_not_follow(p, p->s);
        *group = GROUP_ALLOWED;
    }
    while (end > start && isspace((unsigned char)end[-1])) end--;
    out->address = string_from_gstring(p->out);
    out->start = (size_t)(start - p->in);
    out->end = (size_t)(end - p->in);
    if (out->end - out->start > LIMIT_ADDRESS_LENGTH)
        return string_sprintf("address is ridiculously long: %.64s...", out->address);
    return NULL;
}

/* parse - the grammar; false with p->err set on error */
static bool parse(pstate *p, bool allow_null, enum addr_group *group, const char **start,
                  const char **end, size_t *domain)
{
    for (;;) {
        skip_cfws(p);
        *start = p->s;
        p->out->len = 0;
        if (!read_local(p, true)) return false;
        if (*p->s == '@' || *p->s == '<') break;
        if (!*p->s || *p->s == ';') { /* a bare local part */
            if (!p->out->len) { p->err = "empty address"; return false; }
            *end = p->mark;
            return true;
        }
        bool group_ok = group && *group == GROUP_ALLOWED;
        if (!phrase(p, group_ok)) return false;
        if (*p->s == '<') break;
        *group = GROUP_OPEN; /* "name:" opens a group; read its first member */
        p->s++;
    }
    if (*p->s == '<') {
        p->s++;
        return angle_addr(p, allow_null, start, end, domain);
    }
    if (!bare_tail(p, domain)) return false;
    *end = p->mark;
    return true;
}

const char *addr_parse_extract(const char *in, bool allow_null, enum addr_group *group, addr_parsed *out)
{
    pstate p = {.in = in, .s = in, .mark = in, .out = string_get_tainted(strlen(in) + 1, store_is_tainted(in))};
    const char *start = in, *end = in;
    size_t domain = 0;
    memset(out, 0, sizeof *out);
    if (parse(&p, allow_null, group, &start, &end, &domain)) {
        const char *err = finish(&p, group, start, end, out);
        out->domain = domain;
        return err;
    }
    if (group && *group == GROUP_OPEN && *p.s == ';') *group = GROUP_ALLOWED;
    return p.err;
}

const char *addr_parse_item_end(const char *s)
{
    for (; *s && *s != ','; s++) {
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++) if (*s == '\\' && s[1]) s++;
        } else if (*s == '(') {
            int depth = 0;
            for (; *s; s++) {
                if (*s == '\\' && s[1]) { s++; continue; }
                if (*s == '(') depth++;
                else if (*s == ')' && --depth == 0) break;
            }
        } else if (*s == '<') {
            while (*s && *s != '>') s++;
        }
        if (!*s) break;
    }
    return s;
}

bool addr_parse_has_at(const char *s)
{
    /* a closed quoted string is skipped; comments are not (as in Exim) */
    for (; *s; s++) {
        if (*s == '@') return true;
        if (*s != '"') continue;
        const char *q = s + 1;
        while (*q && *q != '"') q += *q == '\\' && q[1] ? 2 : 1;
        if (*q) s = q;
    }
    return false;
}
