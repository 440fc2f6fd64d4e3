/* expand_addr.c - address and IP helpers of the expansion language:
 * ${address} ${addresses} ${domain} ${local_part} (RFC 5322 section 3.4
 * mailboxes, comments and route-addrs), ${mask} ${ipv6norm} ${ipv6denorm}
 * ${reverse_ip}, and the IP syntax test used by isip and match_ip. */

/* System */
#include <arpa/inet.h>
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"

static const char specials[] = "()<>@,;:\\\".[]";

/* skip_cfws - white space and (nested) comments */
static const char *skip_cfws(const char *s)
{
    for (;;) {
        s = exp_skip_ws(s);
        if (*s != '(') return s;
        int depth = 0;
        for (; *s; s++) {
            if (*s == '\\' && s[1]) { s++; continue; }
            if (*s == '(') depth++;
            else if (*s == ')' && --depth == 0) { s++; break; }
        }
    }
}

/* word - an atom or quoted string appended to g; NULL if none */
static const char *word(const char *s, gstring **g)
{
    s = skip_cfws(s);
    if (*s == '"') {
        const char *start = s++;
        for (; *s && *s != '"'; s++) if (*s == '\\' && s[1]) s++;
        if (*s != '"') return NULL;
        s++;
        *g = string_catn(*g, start, (size_t)(s - start));
        return s;
    }
    size_t n = 0;
    while (s[n] && (unsigned char)s[n] > ' ' && s[n] != 0x7f && !strchr(specials, s[n])) n++;
    if (!n) return NULL;
    *g = string_catn(*g, s, n);
    return s + n;
}

/* dotted - word *("." word): a local part (empty words allowed between
 * dots, as Exim tolerates) or a domain (strict) */
static const char *dotted(const char *s, gstring **g, bool domain)
{
    if (domain && *skip_cfws(s) == '[') {
        s = skip_cfws(s);
        const char *end = strchr(s, ']');
        if (!end) return NULL;
        *g = string_catn(*g, s, (size_t)(end - s) + 1);
        return end + 1;
    }
    if (!(s = word(s, g))) return NULL;
    for (;;) {
        const char *t = skip_cfws(s);
        if (*t != '.') return s;
        *g = string_catc(*g, '.');
        s = t + 1;
        while (!domain && *skip_cfws(s) == '.') { s = skip_cfws(s) + 1; *g = string_catc(*g, '.'); }
        if (!(s = word(s, g))) return NULL;
    }
}

/* addr_spec - local-part ["@" domain], after an optional source route */
static const char *addr_spec(const char *s, gstring **g, int *domain)
{
    s = skip_cfws(s);
    while (*s == '@') { /* obsolete route "@a,@b:" */
        const char *colon = strchr(s, ':');
        if (!colon) return NULL;
        s = skip_cfws(colon + 1);
    }
    if (!(s = dotted(s, g, false))) return NULL;
    s = skip_cfws(s);
    *domain = 0;
    if (*s == '@') {
        *g = string_catc(*g, '@');
        *domain = (int)(*g)->len;
        if (!(s = dotted(s + 1, g, true))) return NULL;
    }
    return skip_cfws(s);
}

/* find_angle - a top-level '<' outside quotes and comments, or NULL */
static const char *find_angle(const char *s)
{
    for (; *s; s++) {
        if (*s == '"') { for (s++; *s && *s != '"'; s++) if (*s == '\\' && s[1]) s++; if (!*s) return NULL; }
        else if (*s == '(') { s = skip_cfws(s) - 1; }
        else if (*s == '<') return s;
    }
    return NULL;
}

/* phrase_ok - the display name before a route-addr: words (atoms or
 * quoted strings), dots, white space and comments only */
static bool phrase_ok(const char *s, const char *angle)
{
    gstring *scratch = string_get(32);
    for (;;) {
        s = skip_cfws(s);
        if (s >= angle) return s == angle;
        if (*s == '.') { s++; continue; }
        if (!(s = word(s, &scratch))) return false;
    }
}

/* exp_parse_address - one mailbox to its bare address; NULL on error.
 * *domain is the offset of the domain in the result (0 if none). */
char *exp_parse_address(const char *s, char **err, int *start, int *end, int *domain,
                        bool allow_group)
{
    gstring *g = string_get_tainted(strlen(s) + 1, store_is_tainted(s));
    const char *angle = find_angle(s);
    *domain = 0;
    *err = NULL;
    (void)start; (void)end; (void)allow_group;
    if (angle) {
        if (!phrase_ok(s, angle)) { *err = "malformed address"; return NULL; }
        const char *p = skip_cfws(angle + 1);
        if (*p == '>') p++;
        else {
            if (!(p = addr_spec(p, &g, domain)) || *p != '>') { *err = "malformed address"; return NULL; }
            p++;
        }
        if (*skip_cfws(p)) { *err = "malformed address"; return NULL; }
        return string_from_gstring(g);
    }
    const char *p = addr_spec(s, &g, domain);
    if (!p || *p) { *err = "malformed address"; return NULL; }
    return string_from_gstring(g);
}

/* exp_op_address - address, domain and local_part */
gstring *exp_op_address(gstring *g, char *sub, const char *arg, const char *name)
{
    char *err;
    int start, end, domain;
    char *a = exp_parse_address(sub, &err, &start, &end, &domain, false);
    if (!a) return g;
    if (name[0] == 'a') return string_cat(g, a);
    if (name[0] == 'd') return domain ? string_cat(g, a + domain) : g;
    return string_catn(g, a, domain ? (size_t)domain - 1 : strlen(a));
}

/* next_mailbox - the end of one element of an address list */
static char *next_mailbox(char *s)
{
    for (; *s; s++) {
        if (*s == '"') { for (s++; *s && *s != '"'; s++) if (*s == '\\' && s[1]) s++; if (!*s) break; }
        else if (*s == '(') s = (char *)skip_cfws(s) - 1;
        else if (*s == '<') { while (*s && *s != '>') s++; if (!*s) break; }
        else if (*s == ',') break;
    }
    return s;
}

/* strip_group - "Group: a, b;" parts: drop the display name and the ';' */
static char *strip_group(char *s)
{
    char *colon = NULL;
    for (char *p = s; *p && *p != '<' && *p != '"' && *p != '@'; p++)
        if (*p == ':') { colon = p; break; }
    if (colon) s = colon + 1;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n && s[n - 1] == ';') s[n - 1] = 0;
    return s;
}

gstring *exp_op_addresses(gstring *g, char *sub, const char *arg, const char *name)
{
    char outsep = ':';
    char *s = (char *)exp_skip_ws(sub);
    if (*s == '>') {
        if (!s[1]) return exp_failp("output separator missing in expanding ${addresses:%s}", s);
        outsep = s[1];
        s += 2;
    }
    size_t start = g->len;
    for (;;) {
        char *p = next_mailbox(s);
        char save = *p;
        *p = 0;
        char *err;
        int st, en, dom;
        char *a = exp_parse_address(strip_group(s), &err, &st, &en, &dom, true);
        *p = save;
        if (a && *a) {
            bool first = g->len == start;
            if (!first) g = string_catc(g, outsep);
            if (!first && a[0] == outsep) g = string_catc(g, ' ');
            for (const char *t = a; *t; t++) {
                if (*t == outsep) g = string_catc(g, outsep);
                g = string_catn(g, t, 1);
            }
        }
        if (!save) break;
        s = p + 1;
    }
    return g;
}

/* exp_is_ip - 4, 6 or 0; with maskptr, a "/bits" suffix is allowed and
 * its offset stored (0 if none) */
int exp_is_ip(const char *s, int *maskptr)
{
    const char *slash = maskptr ? strchr(s, '/') : NULL;
    if (maskptr) *maskptr = 0;
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (slash) {
        const char *d = slash + 1;
        if (!*d) return 0;
        for (const char *q = d; *q; q++) if (!isdigit((unsigned char)*q)) return 0;
        *maskptr = (int)(d - s);
    }
    char buf[INET6_ADDRSTRLEN + 64];
    if (n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *pct = strchr(buf, '%');
    unsigned char bin[16];
    if (!pct && inet_pton(AF_INET, buf, bin) == 1) return 4;
    if (pct && !maskptr) *pct = 0;
    return inet_pton(AF_INET6, buf, bin) == 1 ? 6 : 0;
}

/* exp_host_aton - an address to 1 (v4) or 4 (v6) 32-bit words */
int exp_host_aton(const char *s, unsigned *bin)
{
    unsigned char b[16];
    char buf[INET6_ADDRSTRLEN + 64];
    size_t n = strcspn(s, "/%");
    if (n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (inet_pton(AF_INET, buf, b) == 1) {
        bin[0] = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
        return 1;
    }
    if (inet_pton(AF_INET6, buf, b) != 1) return 0;
    for (int i = 0; i < 4; i++)
        bin[i] = (unsigned)b[4 * i] << 24 | (unsigned)b[4 * i + 1] << 16 | (unsigned)b[4 * i + 2] << 8
                 | b[4 * i + 3];
    return 4;
}

/* v6_words - any IP as eight 16-bit groups (v4 as ::ffff:a.b.c.d) */
static bool v6_words(const char *s, unsigned *w)
{
    unsigned bin[4];
    int n = exp_host_aton(s, bin);
    if (n == 1) { bin[3] = bin[0]; bin[0] = 0; bin[1] = 0; bin[2] = 0xffff; }
    else if (n != 4) return false;
    for (int i = 0; i < 4; i++) { w[2 * i] = bin[i] >> 16; w[2 * i + 1] = bin[i] & 0xffff; }
    return true;
}

/* ipv6_compressed - longest zero run (even a single group) as "::" */
static gstring *ipv6_compressed(gstring *g, const unsigned *w)
{
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (w[i]) { i++; continue; }
        int j = i;
        while (j < 8 && !w[j]) j++;
        if (j - i > bestlen) { best = i; bestlen = j - i; }
        i = j;
    }
    if (bestlen == 8) return string_catc(g, ':');
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            g = string_catn(g, "::", i == 0 ? 2 : 1);
            i += bestlen - 1;
            if (i == 7) break;
            continue;
        }
        g = string_fmt_append(g, "%x", w[i]);
        if (i < 7) g = string_catc(g, ':');
    }
    return g;
}

gstring *exp_op_ipv6(gstring *g, char *sub, const char *arg, const char *name)
{
    unsigned w[8];
    if (!exp_is_ip(sub, NULL) || !v6_words(sub, w))
        return exp_failp("\"%s\" is not an IP address", sub);
    if (strcmp(name, "ipv6norm") == 0) return ipv6_compressed(g, w);
    for (int i = 0; i < 8; i++) g = string_fmt_append(g, i ? ":%04x" : "%04x", w[i]);
    return g;
}

gstring *exp_op_mask(gstring *g, char *sub, const char *arg, const char *name)
{
    int moff;
    int type = exp_is_ip(sub, &moff);
    if (!type) return exp_failp("\"%s\" is not an IP address", sub);
    if (!moff) return exp_failp("missing mask value in \"%s\"", sub);
    long mask = strtol(sub + moff, NULL, 10);
    if (mask > (type == 4 ? 32 : 128)) return exp_failp("mask value too big in \"%s\"", sub);
    unsigned bin[4];
    int n = exp_host_aton(sub, bin);
    for (int i = 0; i < n; i++) {
        long bits = mask - 32 * i;
        unsigned m = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 : ~(0xffffffffu >> bits);
        bin[i] &= m;
    }
    if (n == 1)
        return string_fmt_append(g, "%u.%u.%u.%u/%ld", bin[0] >> 24, (bin[0] >> 16) & 255,
                                 (bin[0] >> 8) & 255, bin[0] & 255, mask);
    for (int i = 0; i < 4; i++)
        g = string_fmt_append(g, "%s%04x.%04x", i ? "." : "", bin[i] >> 16, bin[i] & 0xffff);
    return string_fmt_append(g, "/%ld", mask);
}

gstring *exp_op_reverse_ip(gstring *g, char *sub, const char *arg, const char *name)
{
    unsigned bin[4];
    int type = exp_is_ip(sub, NULL);
    if (!type || !exp_host_aton(sub, bin))
        return exp_failp("reverse_ip() not given an IP address [%s]", sub);
    if (type == 4)
        return string_fmt_append(g, "%u.%u.%u.%u", bin[0] & 255, (bin[0] >> 8) & 255,
                                 (bin[0] >> 16) & 255, bin[0] >> 24);
    for (int i = 3; i >= 0; i--)
        for (int k = 0; k < 8; k++)
            g = string_fmt_append(g, "%s%x", i == 3 && k == 0 ? "" : ".", (bin[i] >> (4 * k)) & 15);
    return g;
}

/* expand_check_address_list - is every mailbox of an RFC 5322 address
 * list (a header value) syntactically valid? On failure *bad is the
 * failing item and *err the reason, worded as Exim words them. Groups
 * ("name: a, b;") and empty elements are allowed. */
bool expand_check_address_list(const char *value, char **bad, const char **err)
{
    char *s = string_copy(value);
    for (;;) {
        char *p = next_mailbox(s);
        char save = *p;
        *p = 0;
        char *item = strip_group(s);
        char *e;
        int st, en, dom;
        const char *t = exp_skip_ws(item);
        if (*t && !exp_parse_address(item, &e, &st, &en, &dom, true)) {
            *bad = string_trim(string_copy(item));
            const char *angle = find_angle(item);
            const char *at = strrchr(*bad, '@');
            *err = angle && !strchr(angle, '>') ? "'>' missing at end of address"
                 : at && !at[1] ? "domain missing or malformed"
                 : "missing or malformed local part (expected word or \"<\")";
            return false;
        }
        if (!save) return true;
        s = p + 1;
    }
}
