/* string.h - growable strings, length views, formatting that keeps taint. */
#ifndef TERN_STRING_H
#define TERN_STRING_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* A growable string in the current pool. s is not NUL-terminated until
 * string_from_gstring() is called. Appends may move it: always write
 * g = string_cat(g, ...). The buffer is tainted if any appended piece was. */
typedef struct gstring {
    char *s;
    size_t len;
    size_t cap;
} gstring;

/* A view into bytes that may hold NULs and need not be terminated. */
typedef struct str_view {
    const char *p;
    size_t len;
} str_view;

#define WARN_UNUSED __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

gstring *string_get(size_t cap) WARN_UNUSED;
gstring *string_get_tainted(size_t cap, bool tainted) WARN_UNUSED;
gstring *string_catn(gstring *g, const char *s, size_t n) WARN_UNUSED;
gstring *string_cat(gstring *g, const char *s) WARN_UNUSED;
gstring *string_catc(gstring *g, char c) WARN_UNUSED;
gstring *string_fmt_append(gstring *g, const char *fmt, ...) PRINTF_LIKE(2, 3) WARN_UNUSED;
gstring *string_vfmt_append(gstring *g, const char *fmt, va_list ap) WARN_UNUSED;
char *string_from_gstring(gstring *g);
void gstring_reset(gstring *g);
bool gstring_is_tainted(const gstring *g);

char *string_sprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *string_vsprintf(const char *fmt, va_list ap);
char *string_copy(const char *s);
char *string_copyn(const char *s, size_t n);
char *string_copy_taint(const char *s, bool tainted);
char *string_copyn_taint(const char *s, size_t n, bool tainted);
char *string_copy_perm(const char *s);
char *string_printing(const char *s);
char *string_printing_n(const char *s, size_t n);
char *string_lc(const char *s);
char *string_uc(const char *s);
bool string_eq_nocase(const char *a, const char *b);
char *string_trim(char *s);
bool string_has_prefix(const char *s, const char *prefix);

/* string_nextinlist - next item of an Exim-style list.
 * A leading "<c" changes the separator; doubled separators stand for one.
 * The separator is kept in *sep between calls: start with *sep = 0 for ':'
 * default. Returns NULL at the end. */
char *string_nextinlist(const char **listptr, int *sep);

/* string_nextword - the next white-space separated word at *pp, or a
 * "double-quoted" one with backslash escapes; NULL at the end. Used by
 * the line formats of ACL arguments, retry and rewrite rules. */
char *string_nextword(const char **pp);

static inline str_view sv(const char *p, size_t len)
{
    str_view v = {p, len};
    return v;
}

#endif
