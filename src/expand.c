/* expand.c - the ${...} expansion language: the parser.
 *
 * Runs in every process that expands option values. The parser walks the
 * string once, copying literal spans in one append each; "$name" and
 * "${...}" are resolved through expand_vars.c (variables), expand_ops.c
 * (${op:arg}), expand_items.c (${item{...}}) and expand_cond.c (${if}).
 * A tainted source string is refused: only the values substituted into
 * it may come from outside. Never writes files or logs by itself. */

/* System */
#include <ctype.h>
#include <limits.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "expand_int.h"
#include "log.h"
#include "globals.h"

struct expand_state xs = {.nmax = -1};

/* exp_failf - record the reason for a failure; returns false */
bool exp_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xs.errmsg = string_vsprintf(fmt, ap);
    va_end(ap);
    return false;
}

/* exp_failp - as exp_failf, returning NULL for pointer-returning callers */
void *exp_failp(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xs.errmsg = string_vsprintf(fmt, ap);
    va_end(ap);
    return NULL;
}

/* exp_curly - the generic message for a brace in the wrong place, unless
 * a more precise one was already given */
bool exp_curly(void)
{
    if (xs.malformed_header)
        xs.errmsg = "missing or misplaced { or } - could be header name not terminated by colon";
    else if (!xs.errmsg || !*xs.errmsg)
        xs.errmsg = "missing or misplaced { or }";
    return false;
}

const char *exp_skip_ws(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    return s;
}

/* exp_read_name - copy a name (letters, digits, and chars in extra) into
 * buf; returns the number of source bytes consumed (a name longer than
 * the buffer is truncated but still consumed) */
size_t exp_read_name(const char *s, char *buf, size_t bufsz, const char *extra)
{
    size_t i = 0, o = 0;
    while (s[i] && (isalnum((unsigned char)s[i]) || strchr(extra, s[i]))) {
        if (o + 1 < bufsz) buf[o++] = s[i];
        i++;
    }
    buf[o] = 0;
    return i;
}

/* exp_save / exp_restore - numeric variables and $value around a construct */
void exp_save(exp_saved *sv)
{
    sv->value = xs.value;
    sv->nmax = xs.nmax;
    for (int i = 0; i <= xs.nmax; i++) { sv->nstr[i] = xs.nstr[i]; sv->nlen[i] = xs.nlen[i]; }
}

void exp_restore(const exp_saved *sv)
{
    xs.value = sv->value;
    xs.nmax = sv->nmax;
    for (int i = 0; i <= sv->nmax; i++) { xs.nstr[i] = sv->nstr[i]; xs.nlen[i] = sv->nlen[i]; }
}

/* exp_set_numeric - $0..$n from a PCRE2 ovector of count pairs */
void exp_set_numeric(const char *subject, const size_t *ovec, int count)
{
    xs.nmax = -1;
    for (int i = 0; i < count && i <= LIMIT_EXPAND_NUMERIC; i++) {
        size_t a = ovec[2 * i], b = ovec[2 * i + 1];
        if (a == (size_t)-1 || b < a) { a = 0; b = 0; }
        xs.nstr[i] = subject + a;
        xs.nlen[i] = b - a;
        xs.nmax = i;
    }
}

void expand_set_numeric(const char *subject, const size_t *ovec, int count)
{
    exp_set_numeric(subject, ovec, count);
}

/* escape_char - one backslash escape at s (s points at the backslash);
 * sets *c and returns the position after the escape */
static const char *escape_char(const char *s, char *c)
{
    unsigned char ch = (unsigned char)*++s;
    if (!ch) { *c = '\\'; return s; }
    if (ch >= '0' && ch <= '7') {
        int v = ch - '0';
        for (int k = 0; k < 2 && s[1] >= '0' && s[1] <= '7'; k++) v = v * 8 + (*++s - '0');
        *c = (char)v;
        return s + 1;
    }
    switch (ch) {
    case 'b': *c = '\b'; break;
    case 'f': *c = '\f'; break;
    case 'n': *c = '\n'; break;
    case 'r': *c = '\r'; break;
    case 't': *c = '\t'; break;
    case 'v': *c = '\v'; break;
    case 'x': {
        int v = 0;
        for (int k = 0; k < 2 && isxdigit((unsigned char)s[1]); k++) {
            char h = (char)tolower((unsigned char)*++s);
            v = v * 16 + (isdigit((unsigned char)h) ? h - '0' : h - 'a' + 10);
        }
        *c = (char)v;
        break;
    }
    default: *c = (char)ch;
    }
    return s + 1;
}

/* exp_escape_char - escape_char for callers holding a moving pointer */
char exp_escape_char(const char **sp)
{
    char c;
    *sp = escape_char(*sp, &c);
    return c;
}

/* backslash - "\N...\N" literal text or one escape; s at the backslash */
static const char *backslash(const char *s, gstring **gp, bool skip)
{
    if (s[1] == 'N') {
        const char *start = s + 2, *end = strstr(start, "\\N");
        size_t n = end ? (size_t)(end - start) : strlen(start);
        if (!skip) *gp = string_catn(*gp, start, n);
        return end ? end + 2 : start + n;
    }
    char c;
    const char *next = escape_char(s, &c);
    if (!skip) *gp = string_catn(*gp, &c, 1);
    return next;
}

/* read_number - decimal digits to an int, saturating */
static const char *read_number(const char *s, int *n)
{
    long v = 0;
    while (isdigit((unsigned char)*s)) {
        if (v < 100000000) v = v * 10 + (*s - '0');
        s++;
    }
    *n = (int)v;
    return s;
}

static gstring *cat_numeric(gstring *g, int n, bool skip)
{
    if (!skip && n >= 0 && n <= xs.nmax) g = string_catn(g, xs.nstr[n], xs.nlen[n]);
    return g;
}

/* exp_header_name - the rest of a $h_NAME: reference; name already holds the
 * prefix part read as a word */
const char *exp_header_name(const char *s, char *name, size_t namesz)
{
    size_t o = strlen(name);
    while (isgraph((unsigned char)*s) && *s != ':') {
        if (o + 2 < namesz) name[o++] = *s;
        s++;
    }
    if (*s == ':') s++;
    else xs.malformed_header = true;
    name[o] = 0;
    return s;
}

/* plain_variable - "$name" (not braced) */
static const char *plain_variable(const char *s, gstring **gp, bool skip)
{
    char name[LIMIT_EXPAND_NAME];
    s += exp_read_name(s, name, sizeof name, "_");
    bool exists;
    const char *v;
    if (exp_var_is_header(name)) {
        s = exp_header_name(s, name, sizeof name);
        v = exp_header_value(name, &exists);
    } else {
        v = exp_find_var(name, &exists);
    }
    if (!exists) {
        if (strncmp(name, "acl_", 4) == 0)
            return exp_failp("unknown variable name \"%s\" (user-defined ACL variables must "
                             "start acl_c or acl_m)", name);
        return exp_failp("unknown variable name \"%s\"", name);
    }
    if (!skip && v) *gp = string_cat(*gp, v);
    return s;
}

/* operator_call - "${name:arg}" with s just after the colon */
static const char *operator_call(const char *name, const char *s, gstring **gp, bool skip)
{
    if (!exp_is_operator(name)) return exp_failp("unknown expansion operator \"%s\"", name);
    char *arg = exp_sub_str(&s, true, skip);
    if (!arg) return NULL;
    s++;
    if (skip) return s;
    gstring *r = exp_operator(name, arg, *gp);
    if (!r) return NULL;
    *gp = r;
    return s;
}

/* braced - "${...}" with s just after the "{" */
static const char *braced(const char *s, gstring **gp, bool skip)
{
    if (isdigit((unsigned char)*s)) {
        int n;
        s = read_number(s, &n);
        if (*s++ != '}') return exp_failp("} expected after number");
        *gp = cat_numeric(*gp, n, skip);
        return s;
    }
    if (!isalpha((unsigned char)*s)) return exp_failp("letter or digit expected after ${");
    char name[LIMIT_EXPAND_NAME];
    s += exp_read_name(s, name, sizeof name, "_-");
    exp_item_fn item = exp_find_item(name);
    if (!item && *s == '}') {
        bool exists;
        const char *v = exp_find_var(name, &exists);
        if (!exists) return exp_failp("unknown variable in \"${%s}\"", name);
        if (!skip && v) *gp = string_cat(*gp, v);
        return s + 1;
    }
    if (item) {
        gstring *r = item(&s, *gp, skip, name);
        if (!r) return NULL;
        *gp = r;
        return s;
    }
    if (*s == ':') return operator_call(name, s + 1, gp, skip);
    return exp_failp("\"${%s\" is not a known operator (or a } is missing in a variable "
                     "reference)", name);
}

/* dollar - a "$" reference; s just after the "$" */
static const char *dollar(const char *s, gstring **gp, bool skip)
{
    if (isdigit((unsigned char)*s)) {
        int n;
        s = read_number(s, &n);
        *gp = cat_numeric(*gp, n, skip);
        return s;
    }
    if (isalpha((unsigned char)*s)) return plain_variable(s, gp, skip);
    if (*s != '{') return exp_failp("$ not followed by letter, digit, or {");
    return braced(s + 1, gp, skip);
}

/* exp_sub - expand from *sp. With brace_ends, stop at an unescaped '}'
 * (left at *sp) and fail if the string ends first. When skip is set the
 * text is parsed (and syntax errors reported) but nothing is evaluated.
 * Returns the result, or NULL with xs.errmsg set. */
gstring *exp_sub(const char **sp, bool brace_ends, bool skip)
{
    const char *s = *sp;
    const char *stops = brace_ends ? "\\$}" : "\\$";
    if (xs.depth >= LIMIT_EXPAND_DEPTH) return exp_failp("expansion nested too deeply");
    xs.depth++;
    gstring *g = string_get(32);
    while (s && *s) {
        size_t n = strcspn(s, stops);
        if (n) {
            if (!skip) g = string_catn(g, s, n);
            s += n;
            continue;
        }
        if (*s == '}') break;
        s = *s == '\\' ? backslash(s, &g, skip) : dollar(s + 1, &g, skip);
    }
    xs.depth--;
    if (!s) return NULL;
    if (brace_ends && *s != '}')
        return exp_failp(xs.malformed_header ? "missing } at end of string - could be header name "
                                               "not terminated by colon" : "missing } at end of string");
    *sp = s;
    return g;
}

/* exp_sub_str - exp_sub as a terminated string */
char *exp_sub_str(const char **sp, bool brace_ends, bool skip)
{
    gstring *g = exp_sub(sp, brace_ends, skip);
    return g ? string_from_gstring(g) : NULL;
}

/* exp_read_subs - n braced arguments, at least m of them, then (with
 * check_end) the closing brace of the item. Returns 0, or 1 for a brace
 * problem (message may be generic), 2 or 3 with the message set. */
int exp_read_subs(const char **sp, char **sub, int n, int m, bool skip, bool check_end,
                  const char *name)
{
    const char *s = exp_skip_ws(*sp);
    for (int i = 0; i < n; i++) sub[i] = NULL;
    for (int i = 0; i < n; i++) {
        if (*s != '{') {
            if (i < m) {
                exp_failf("Not enough arguments for '%s' (min is %d)", name, m);
                return 2;
            }
            sub[i] = NULL;
            break;
        }
        s++;
        if (!(sub[i] = exp_sub_str(&s, true, skip))) return 3;
        if (*s++ != '}') return 1;
        s = exp_skip_ws(s);
    }
    if (check_end && *s++ != '}') {
        if (s[-1] == '{') {
            exp_failf("Too many arguments for '%s' (max is %d)", name, n);
            return 2;
        }
        exp_failf("missing '}' after '%s'", name);
        return 1;
    }
    *sp = s;
    return 0;
}

/* exp_read_braced - skip white space, then one "{...}" argument */
bool exp_read_braced(const char **sp, bool skip, char **out)
{
    const char *s = exp_skip_ws(*sp);
    if (*s != '{') return exp_curly();
    s++;
    if (!(*out = exp_sub_str(&s, true, skip))) return false;
    if (*s++ != '}') return exp_curly();
    *sp = s;
    return true;
}

/* yesno_fail - the message for a misplaced brace in the yes/no part */
static bool yesno_curly(const char *where, const char *rest)
{
    if (xs.malformed_header) return exp_curly();
    return exp_failf("curly-bracket problem in conditional yes/no parsing: %s\n"
                     " remaining string is '%s'", where, rest);
}

/* yesno_second - what follows the "yes" string: "{no}", "fail" or nothing */
static bool yesno_second(const char **sp, bool yes, bool skip, const char *type, gstring **g)
{
    const char *s = exp_skip_ws(*sp);
    if (*s == '{') {
        s++;
        gstring *sub2 = exp_sub(&s, true, yes || skip);
        if (!sub2 && (!yes || !xs.forced_fail)) return false;
        xs.forced_fail = false;
        if (*s++ != '}') return yesno_curly("'no' part did not start with '{'", s - 1);
        if (!yes && !skip) *g = string_catn(*g, sub2->s, sub2->len);
    } else if (*s != '}') {
        char name[LIMIT_EXPAND_NAME];
        s += exp_read_name(s, name, sizeof name, "_");
        if (strcmp(name, "fail") != 0)
            return exp_failf("syntax error in \"%s\" item - \"fail\" expected", type);
        if (!yes && !skip) {
            s = exp_skip_ws(s);
            if (*s++ != '}')
                return yesno_curly("did not close with '}' after forcing failure", s - 1);
            xs.forced_fail = true;
            return exp_failf("\"%s\" failed and \"fail\" requested", type);
        }
    }
    s = exp_skip_ws(s);
    if (*s++ != '}') return yesno_curly("did not close with '}'", s - 1);
    *sp = s;
    return true;
}

/* exp_yesno - the "{yes}{no}" tail of if, lookup, extract, run... */
bool exp_yesno(const char **sp, bool yes, const char *save_value, bool skip, const char *type,
               gstring **g)
{
    const char *s = exp_skip_ws(*sp);
    if (*s == '}') {
        if (type[0] == 'i') {
            if (yes && !skip) *g = string_catn(*g, "true", 4);
        } else {
            if (yes && xs.value && !skip) *g = string_cat(*g, xs.value);
            xs.value = save_value;
        }
        *sp = s + 1;
        return true;
    }
    if (*s++ != '{') return yesno_curly("'yes' part did not start with '{'", s - 1);
    gstring *sub1 = exp_sub(&s, true, !yes || skip);
    if (!sub1 && (yes || !xs.forced_fail)) return false;
    xs.forced_fail = false;
    if (*s++ != '}') return yesno_curly("'yes' part did not end with '}'", s - 1);
    if (yes && !skip) *g = string_catn(*g, sub1->s, sub1->len);
    xs.value = save_value;
    if (!yesno_second(&s, yes, skip, type, g)) return false;
    *sp = s;
    return true;
}

/* exp_check_integer - a whole-string decimal integer with optional K/M/G,
 * worded as Exim words its complaints; blank means 0 */
bool exp_check_integer(const char *s, long long *v, bool isplus, const char *what)
{
    (void)what;
    const char *msg = "invalid integer \"%s\"";
    s = exp_skip_ws(s);
    if (!*s) { *v = 0; return true; }
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (end == s) return exp_failf("integer expected but \"%s\" found", s);
    if (n < 0 && isplus) return exp_failf("negative integer \"%s\"", s);
    long long mult = 1;
    switch (tolower((unsigned char)*end)) {
    case 'k': mult = 1024; end++; break;
    case 'm': mult = 1024 * 1024; end++; break;
    case 'g': mult = 1024 * 1024 * 1024; end++; break;
    }
    if (mult > 1 && (n > LLONG_MAX / mult || n < LLONG_MIN / mult)) errno = ERANGE;
    else n *= mult;
    if (errno == ERANGE) msg = "absolute value of integer \"%s\" is too large (overflow)";
    else if (!*exp_skip_ws(end)) { *v = n; return true; }
    return exp_failf(msg, s);
}

bool exp_tainted_source(const char *s)
{
    if (!store_is_tainted(s)) return false;
    exp_failf("attempt to expand tainted string '%s'", s);
    return true;
}

/* expand_top - one public-API expansion */
static char *expand_top(const char *s)
{
    xs.errmsg = NULL;
    xs.forced_fail = false;
    xs.malformed_header = false;
    xs.search_defer = false;
    if (!s) return NULL;
    if (exp_tainted_source(s)) return NULL;
    const char *p = s, *item = xs.item;
    int depth = xs.depth;
    exp_saved sv; /* a failure skips the constructs' own restores */
    exp_save(&sv);
    gstring *g = exp_sub(&p, false, false);
    xs.depth = depth;
    if (!g) { exp_restore(&sv); xs.item = item; }
    return g ? string_from_gstring(g) : NULL;
}

char *expand_string(const char *s)
{
    char *r = expand_top(s);
    DEBUG(D_expand) {
        if (r) debug_printf("expanding: %s\n   result: %s\n", s, r);
        else debug_printf("expanding: %s\n   failed: %s%s\n", s, xs.errmsg ? xs.errmsg : "",
                          xs.forced_fail ? " (forced)" : "");
    }
    return r;
}

const char *expand_cstring(const char *s)
{
    if (s && !strpbrk(s, "$\\")) {
        xs.errmsg = NULL;
        xs.forced_fail = false;
        return s;
    }
    return expand_top(s);
}

bool expand_check_condition(const char *cond, const char *name, const char *type)
{
    char *r = expand_string(cond);
    if (!r) {
        if (!xs.forced_fail)
            xs.errmsg = string_sprintf("failed to expand \"%s\" in %s %s: %s", cond, name, type,
                                       xs.errmsg);
        return false;
    }
    return !(*r == 0 || strcmp(r, "0") == 0 || strcasecmp(r, "no") == 0
             || strcasecmp(r, "false") == 0);
}

long long expand_string_integer(const char *s, bool isplus)
{
    char *r = expand_string(s);
    if (!r) return -1;
    long long v;
    if (!exp_check_integer(r, &v, isplus, NULL)) return -1;
    return v;
}

const char *expand_error(void) { return xs.errmsg ? xs.errmsg : ""; }

bool expand_forced_fail(void) { return xs.forced_fail; }

void expand_reset_message(void)
{
    xs.srs_recipient = NULL;
    xs.prvscheck_address = xs.prvscheck_keynum = xs.prvscheck_result = NULL;
}
