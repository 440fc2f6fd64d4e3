/* string.c - growable strings, formatting and escaping.
 *
 * Runs in every process, allocates from the current pool. Formatting
 * produces a tainted result whenever any %s argument is tainted, so taint
 * is never laundered by string_sprintf. */

/* System */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>
/* lib */
#include "string.h"

#define GSTRING_MIN 64

gstring *string_get_tainted(size_t cap, bool tainted)
{
    if (cap < GSTRING_MIN) cap = GSTRING_MIN;
    gstring *g = store_get(sizeof *g, GET_UNTAINTED);
    g->s = store_get(cap, tainted);
    g->len = 0;
    g->cap = cap;
    return g;
}

gstring *string_get(size_t cap) { return string_get_tainted(cap, false); }

bool gstring_is_tainted(const gstring *g) { return g && store_is_tainted(g->s); }

/* grow - make room for n more bytes (+1 for the terminator), switching the
 * buffer to tainted memory if the new piece is tainted. */
static gstring *grow(gstring *g, size_t n, bool tainted)
{
    if (!g) g = string_get_tainted(n + 1, tainted);
    bool was = store_is_tainted(g->s);
    bool want = was || tainted;
    size_t need = g->len + n + 1;
    if (need <= g->cap && want == was) return g;
    size_t cap = g->cap;
    while (cap < need) cap = cap < 1024 ? cap * 2 : cap + cap / 2;
    if (want == was && store_extend(g->s, want, g->cap, cap)) {
        g->cap = cap;
        return g;
    }
    char *s = store_get(cap, want);
    memcpy(s, g->s, g->len);
    g->s = s;
    g->cap = cap;
    return g;
}

gstring *string_catn(gstring *g, const char *s, size_t n)
{
    g = grow(g, n, store_is_tainted(s));
    memcpy(g->s + g->len, s, n);
    g->len += n;
    return g;
}

gstring *string_cat(gstring *g, const char *s)
{
    return string_catn(g, s, strlen(s));
}

gstring *string_catc(gstring *g, char c)
{
    g = grow(g, 1, false);
    g->s[g->len++] = c;
    return g;
}

char *string_from_gstring(gstring *g)
{
    if (!g) return NULL;
    g = grow(g, 0, false);
    g->s[g->len] = 0;
    return g->s;
}

void gstring_reset(gstring *g)
{
    if (g) g->len = 0;
}

/* conv_spec - copy one conversion spec "%...X" into buf; returns its length */
static size_t conv_spec(const char *f, char *buf, size_t bufsize)
{
    size_t i = 1;
    while (f[i] && strchr("-+ #0123456789.*hlLqjzt", f[i])) i++;
    if (!f[i] || i + 2 > bufsize) return 0;
    memcpy(buf, f, i + 1);
    buf[i + 1] = 0;
    return i + 1;
}

/* fmt_string - append one %s conversion, honouring width and precision */
static gstring *fmt_string(gstring *g, const char *spec, size_t speclen, va_list *ap)
{
    int width = -1, prec = -1;
    bool left = false;
    const char *p = spec + 1;
    if (*p == '-') { left = true; p++; }
    if (*p == '*') { width = va_arg(*ap, int); p++; }
    else if (isdigit((unsigned char)*p)) width = (int)strtol(p, (char **)&p, 10);
    if (*p == '.') {
        p++;
        if (*p == '*') { prec = va_arg(*ap, int); p++; }
        else prec = (int)strtol(p, (char **)&p, 10);
    }
    (void)speclen;
    const char *s = va_arg(*ap, const char *);
    if (!s) s = "<NULL>";
    size_t n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
    size_t pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
    for (size_t i = 0; !left && i < pad; i++) g = string_catc(g, ' ');
    g = string_catn(g, s, n);
    for (size_t i = 0; left && i < pad; i++) g = string_catc(g, ' ');
    return g;
}

/* fmt_number - append one numeric or pointer conversion via snprintf */
static gstring *fmt_number(gstring *g, const char *spec, va_list *ap)
{
    char out[512];
    size_t sl = strlen(spec);
    char conv = spec[sl - 1];
    bool star = strchr(spec, '*') != NULL;
    int w = star ? va_arg(*ap, int) : 0;
    int n;
    bool ll = strstr(spec, "ll") != NULL, l = !ll && strchr(spec, 'l') != NULL;
    bool z = strchr(spec, 'z') != NULL;
    if (conv == 'p') n = snprintf(out, sizeof out, "%p", va_arg(*ap, void *));
    else if (strchr("eEfgG", conv)) n = star ? snprintf(out, sizeof out, spec, w, va_arg(*ap, double))
                                             : snprintf(out, sizeof out, spec, va_arg(*ap, double));
    else if (ll) n = star ? snprintf(out, sizeof out, spec, w, va_arg(*ap, long long))
                          : snprintf(out, sizeof out, spec, va_arg(*ap, long long));
    else if (l || z) n = star ? snprintf(out, sizeof out, spec, w, va_arg(*ap, long))
                              : snprintf(out, sizeof out, spec, va_arg(*ap, long));
    else n = star ? snprintf(out, sizeof out, spec, w, va_arg(*ap, int))
                  : snprintf(out, sizeof out, spec, va_arg(*ap, int));
    if (n < 0) return g;
    return string_catn(g, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
}

gstring *string_vfmt_append(gstring *g, const char *fmt, va_list ap0)
{
    va_list ap;
    va_copy(ap, ap0);
    if (!g) g = string_get(strlen(fmt) + 32);
    for (const char *f = fmt; *f;) {
        const char *pct = strchr(f, '%');
        if (!pct) { g = string_cat(g, f); break; }
        g = string_catn(g, f, (size_t)(pct - f));
        if (pct[1] == '%') { g = string_catc(g, '%'); f = pct + 2; continue; }
        char spec[32];
        size_t sl = conv_spec(pct, spec, sizeof spec);
        if (!sl) { g = string_cat(g, pct); break; }
        char conv = spec[sl - 1];
        if (conv == 's') g = fmt_string(g, spec, sl, &ap);
        else if (conv == 'c') g = string_catc(g, (char)va_arg(ap, int));
        else g = fmt_number(g, spec, &ap);
        f = pct + sl;
    }
    va_end(ap);
    return g;
}

gstring *string_fmt_append(gstring *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g = string_vfmt_append(g, fmt, ap);
    va_end(ap);
    return g;
}

char *string_vsprintf(const char *fmt, va_list ap)
{
    gstring *g = string_vfmt_append(NULL, fmt, ap);
    return string_from_gstring(g);
}

char *string_sprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = string_vsprintf(fmt, ap);
    va_end(ap);
    return s;
}

char *string_copyn_taint(const char *s, size_t n, bool tainted)
{
    char *d = store_get(n + 1, tainted);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *string_copy_taint(const char *s, bool tainted)
{
    return string_copyn_taint(s, strlen(s), tainted);
}

char *string_copyn(const char *s, size_t n)
{
    return string_copyn_taint(s, n, store_is_tainted(s));
}

char *string_copy(const char *s)
{
    return s ? string_copyn(s, strlen(s)) : NULL;
}

char *string_copy_perm(const char *s)
{
    enum store_pool old = store_set_pool(POOL_PERM);
    char *d = string_copy(s);
    store_set_pool(old);
    return d;
}

/* string_printing_n - escape non-printing bytes as C-style escapes so that
 * untrusted text cannot forge log lines or terminal output. */
char *string_printing_n(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f) break;
    }
    if (i == n) return s[n] == 0 ? (char *)s : string_copyn(s, n);
    gstring *g = string_get_tainted(n + 16, store_is_tainted(s));
    g = string_catn(g, s, i);
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) { g = string_catc(g, (char)c); continue; }
        switch (c) {
        case '\n': g = string_cat(g, "\\n"); break;
        case '\r': g = string_cat(g, "\\r"); break;
        case '\t': g = string_cat(g, "\\t"); break;
        case '\b': g = string_cat(g, "\\b"); break;
        case '\v': g = string_cat(g, "\\v"); break;
        case '\f': g = string_cat(g, "\\f"); break;
        default: g = string_fmt_append(g, "\\%03o", c); break;
        }
    }
    return string_from_gstring(g);
}

char *string_printing(const char *s)
{
    return s ? string_printing_n(s, strlen(s)) : NULL;
}

char *string_lc(const char *s)
{
    char *d = string_copy(s);
    for (char *p = d; *p; p++) *p = (char)tolower((unsigned char)*p);
    return d;
}

char *string_uc(const char *s)
{
    char *d = string_copy(s);
    for (char *p = d; *p; p++) *p = (char)toupper((unsigned char)*p);
    return d;
}

bool string_eq_nocase(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

bool string_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* string_trim - strip leading and trailing white space in place */
char *string_trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

/* list_separator - consume a leading "<c" separator change */
static int list_separator(const char **listptr)
{
    const char *p = *listptr;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '<' && (ispunct((unsigned char)p[1]) || iscntrl((unsigned char)p[1]))
        && p[1]) {
        *listptr = p + 2;
        return (unsigned char)p[1];
    }
    return ':';
}

char *string_nextinlist(const char **listptr, int *sep)
{
    if (!*listptr) return NULL;
    if (*sep <= 0) *sep = *sep < 0 ? -*sep : list_separator(listptr);
    const char *p = *listptr;
    while (isspace((unsigned char)*p) && *p != *sep) p++;
    if (!*p) { *listptr = p; return NULL; }
    gstring *g = string_get_tainted(32, store_is_tainted(p));
    for (; *p; p++) {
        if (*p == *sep) {
            if (p[1] != *sep || *sep == '\n') break;
            p++; /* doubled separator stands for one */
        }
        g = string_catc(g, *p);
    }
    if (*p) p++;
    *listptr = p;
    while (g->len && isspace((unsigned char)g->s[g->len - 1])) g->len--;
    return string_from_gstring(g);
}

char *string_nextword(const char **pp)
{
    const char *p = *pp;
    while (isspace((unsigned char)*p)) p++;
    if (!*p) return NULL;
    gstring *g = string_get_tainted(32, store_is_tainted(p));
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1]) p++;
            g = string_catc(g, *p);
        }
        if (*p) p++;
    } else {
        while (*p && !isspace((unsigned char)*p)) g = string_catc(g, *p++);
    }
    *pp = p;
    return string_from_gstring(g);
}
