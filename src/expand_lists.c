/* expand_lists.c - the items that work on lists and records: map, filter,
 * reduce, sort, listextract, listquote, extract (fields, keys, JSON) and
 * lookup (which calls the lookups.h API).
 *
 * Output lists use the input list's separator, doubling it inside items,
 * as Exim does, so the result is itself a valid list. */

/* System */
#include <ctype.h>
#include <limits.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "lookups.h"

/* curly_msg - a brace complaint with a precise message */
static gstring *curly_msg(const char *fmt, const char *name)
{
    exp_failf(fmt, name);
    return NULL;
}

/* list_append - add one item to an output list, doubling the separator
 * and protecting an empty or separator-led item with a leading space */
static gstring *list_append(gstring *g, size_t *count, const char *item, char sep)
{
    bool first = (*count)++ == 0;
    if (!first) g = string_catc(g, sep);
    if (!first && (item[0] == sep || item[0] == 0)) g = string_catc(g, ' ');
    for (;;) {
        const char *p = strchr(item, sep);
        if (!p || !sep) { g = string_cat(g, item); break; }
        g = string_catn(g, item, (size_t)(p - item) + 1);
        g = string_catc(g, sep);
        item = p + 1;
    }
    return g;
}

/* braced_arg - "{...}" with precise messages for a missing brace */
static char *braced_arg(const char **sp, bool skip, const char *open_msg, const char *close_msg,
                        const char *name)
{
    const char *s = exp_skip_ws(*sp);
    if (*s++ != '{') return exp_failp(open_msg, name);
    char *r = exp_sub_str(&s, true, skip);
    if (!r) return NULL;
    if (*s++ != '}') return exp_failp(close_msg, name);
    *sp = s;
    return r;
}

/* iterate_tail - parse the expression/condition of map, filter or reduce
 * once (skipping) to find its end and check the closing braces */
static const char *iterate_tail(const char *s, const char *name, bool is_filter)
{
    const char *t;
    if (is_filter) {
        bool dummy;
        t = exp_condition(s, &dummy, true);
    } else {
        t = s;
        if (!exp_sub(&t, true, true)) t = NULL;
    }
    if (!t) return exp_failp("%s inside \"%s\" item", xs.errmsg, name);
    t = exp_skip_ws(t);
    if (*t++ != '}')
        return exp_failp("missing } at end of condition or expression inside \"%s\"; could be an "
                         "unquoted } in the content", name);
    t = exp_skip_ws(t);
    if (*t++ != '}') return exp_failp("missing } at end of \"%s\"", name);
    return t;
}

/* iterate - the shared body of map, filter and reduce */
static gstring *iterate(const char **sp, gstring *g, bool skip, const char *name)
{
    bool is_filter = name[0] == 'f', is_reduce = name[0] == 'r';
    const char *save_item = xs.item, *save_value = xs.value, *s = *sp;
    char *list = braced_arg(&s, skip, "missing '{' for first arg of %s",
                            "missing '}' closing first arg of %s", name);
    if (!list) return NULL;
    if (is_reduce) {
        char *init = braced_arg(&s, skip, "missing '{' for second arg of reduce",
                                "missing '}' closing second arg of reduce", name);
        if (!init) return NULL;
        xs.value = init;
    }
    s = exp_skip_ws(s);
    if (*s++ != '{') return curly_msg("missing '{' for last arg of %s", name);
    const char *expr = s;
    if (!(s = iterate_tail(expr, name, is_filter))) return NULL;
    *sp = s;
    if (skip) { xs.value = save_value; return g; }
    size_t count = 0;
    int sep = 0;
    char *item;
    while ((item = string_nextinlist((const char **)&list, &sep))) {
        xs.item = item;
        const char *out = item;
        if (is_filter) {
            bool yes = false;
            if (!exp_condition(expr, &yes, false)) {
                xs.item = save_item;
                xs.value = save_value;
                return exp_failp("%s inside \"%s\" condition", xs.errmsg, name);
            }
            if (!yes) continue;
        } else {
            const char *e = expr;
            if (!(out = exp_sub_str(&e, true, false))) {
                xs.item = save_item;
                return exp_failp("%s inside \"%s\" item", xs.errmsg, name);
            }
            if (is_reduce) { xs.value = out; continue; }
        }
        g = list_append(g, &count, out, (char)sep);
    }
    if (is_reduce && xs.value) g = string_cat(g, xs.value);
    xs.value = save_value;
    xs.item = save_item;
    return g;
}

gstring *exp_item_map(const char **sp, gstring *g, bool skip, const char *name)
{
    return iterate(sp, g, skip, name);
}

gstring *exp_item_filter(const char **sp, gstring *g, bool skip, const char *name)
{
    return iterate(sp, g, skip, name);
}

gstring *exp_item_reduce(const char **sp, gstring *g, bool skip, const char *name)
{
    return iterate(sp, g, skip, name);
}

/* sorts_before - the sort comparator applied to two keys */
static bool sorts_before(const char *op, const char *a, const char *b)
{
    if (!isalpha((unsigned char)op[0])) {
        long long x = 0, y = 0;
        exp_check_integer(a, &x, false, NULL);
        exp_check_integer(b, &y, false, NULL);
        if (op[0] == '<') return op[1] ? x <= y : x < y;
        return op[1] ? x >= y : x > y;
    }
    bool ci = op[strlen(op) - 1] == 'i';
    int c = ci ? strcasecmp(a, b) : strcmp(a, b);
    if (op[0] == 'l') return op[1] == 't' ? c < 0 : c <= 0;
    return op[1] == 't' ? c > 0 : c >= 0;
}

static bool sort_op_ok(const char *op)
{
    static const char *const ok[] = {"<", "<=", ">", ">=", "ge", "gei", "gt", "gti",
                                     "le", "lei", "lt", "lti"};
    for (size_t i = 0; i < NELEM(ok); i++) if (strcmp(op, ok[i]) == 0) return true;
    return false;
}

/* sort_run - insertion sort of the list by extracted keys (stable) */
static gstring *sort_run(gstring *g, const char *list, const char *op, const char *xtract)
{
    size_t n = 0, cap = 16;
    char **items = store_get(cap * sizeof(char *), GET_UNTAINTED);
    char **keys = store_get(cap * sizeof(char *), GET_UNTAINTED);
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        xs.item = item;
        const char *x = xtract;
        char *key = exp_sub_str(&x, false, false);
        if (!key) return NULL;
        if (n == cap) {
            char **ni = store_get(2 * cap * sizeof(char *), GET_UNTAINTED);
            char **nk = store_get(2 * cap * sizeof(char *), GET_UNTAINTED);
            memcpy(ni, items, n * sizeof(char *));
            memcpy(nk, keys, n * sizeof(char *));
            items = ni, keys = nk, cap *= 2;
        }
        size_t pos = n;
        for (size_t i = 0; i < n; i++) if (sorts_before(op, key, keys[i])) { pos = i; break; }
        memmove(items + pos + 1, items + pos, (n - pos) * sizeof(char *));
        memmove(keys + pos + 1, keys + pos, (n - pos) * sizeof(char *));
        items[pos] = item, keys[pos] = key, n++;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) g = list_append(g, &count, items[i], (char)sep);
    return g;
}

gstring *exp_item_sort(const char **sp, gstring *g, bool skip, const char *name)
{
    const char *s = *sp, *save_item = xs.item;
    char *list = braced_arg(&s, skip, "missing '{' for list arg of sort",
                            "missing '}' closing list arg of sort", name);
    if (!list) return NULL;
    char *cmp = braced_arg(&s, skip, "missing '{' for comparator arg of sort",
                           "missing '}' closing comparator arg of sort", name);
    if (!cmp) return NULL;
    char *op = string_trim(cmp);
    if (!skip && !sort_op_ok(op)) {
        if (!*op) return exp_failp("condition name expected, but found \"\"");
        if (exp_is_condition(op)) return exp_failp("comparator not handled for sort");
        return exp_failp("%s", "");
    }
    s = exp_skip_ws(s);
    if (*s++ != '{') return exp_failp("missing '{' for extractor arg of sort");
    const char *xstart = s;
    if (!exp_sub(&s, true, true)) return NULL;
    char *xtract = string_copyn(xstart, (size_t)(s - xstart));
    if (*s++ != '}') return exp_failp("missing '}' closing extractor arg of sort");
    if (*s++ != '}') return exp_failp("missing } at end of \"sort\"");
    *sp = s;
    if (skip) return g;
    g = sort_run(g, list, op, xtract);
    xs.item = save_item;
    return g;
}

/* list_element - the nth element (negative from the end) or NULL */
static char *list_element(int field, const char *list)
{
    int sep = 0;
    if (field < 0) {
        const char *t = list;
        for (field++; string_nextinlist(&t, &sep); ) field++;
        sep = 0;
    }
    if (field <= 0) return NULL;
    char *item = NULL;
    while (field-- > 0 && (item = string_nextinlist(&list, &sep))) {}
    return field >= 0 ? NULL : item;
}

/* field_number - a trimmed, optionally negative decimal; false if not */
static bool field_number(char **p, int *out)
{
    char *t = string_trim(*p);
    *p = t;
    int sign = 1, x = 0;
    if (*t == '-') { sign = -1; t++; }
    while (isdigit((unsigned char)*t)) { if (x < 100000000) x = x * 10 + (*t - '0'); t++; }
    *out = sign * x;
    return *t == 0;
}

gstring *exp_item_listextract(const char **sp, gstring *g, bool skip, const char *name)
{
    exp_saved sv;
    exp_save(&sv);
    const char *s = *sp;
    char *sub[2];
    for (int i = 0; i < 2; i++) {
        s = exp_skip_ws(s);
        if (*s++ != '{') { exp_failf("missing '{' for arg %d of listextract", i + 1); return NULL; }
        if (!(sub[i] = exp_sub_str(&s, true, skip))) return NULL;
        if (*s++ != '}') { exp_failf("missing '}' closing arg %d of listextract", i + 1); return NULL; }
    }
    int field = 0;
    bool numeric = field_number(&sub[0], &field);
    if (!*sub[0] && !skip) return exp_failp("first argument of \"listextract\" must not be empty");
    if (!numeric) return exp_failp("first argument of \"listextract\" must be numeric");
    xs.value = skip ? NULL : list_element(field, sub[1]);
    if (!exp_yesno(&s, xs.value != NULL, sv.value, skip, "listextract", &g)) return NULL;
    exp_restore(&sv);
    *sp = s;
    return g;
}

gstring *exp_item_listquote(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[2];
    int rc = exp_read_subs(sp, sub, 2, 2, skip, true, name);
    if (rc) { if (rc == 1) exp_curly(); return NULL; }
    if (skip) return g;
    if (!*sub[1]) return string_catc(g, ' ');
    char sep = sub[0][0];
    for (const char *p = sub[1]; *p; p++) {
        if (*p == sep) g = string_catc(g, sep);
        g = string_catn(g, p, 1);
    }
    return g;
}

/* tokened - field n of s split at any of seps; 0 is the whole string */
static char *tokened(int field, const char *seps, char *s)
{
    if (field == 0) return s;
    int count = 1;
    for (const char *p = s; *p; p++) if (strchr(seps, *p)) count++;
    if (field < 0) field += count + 1;
    if (field <= 0 || field > count) return NULL;
    char *start = s;
    for (int i = 1; i < field; i++) start += strcspn(start, seps) + 1;
    return string_copyn(start, strcspn(start, seps));
}

/* dequote - a value of a key=value record: quoted with escapes, or a word */
static char *dequote(const char **sp)
{
    const char *s = *sp;
    gstring *g = string_get_tainted(32, store_is_tainted(s));
    if (*s != '"') {
        size_t n = 0;
        while (s[n] && !isspace((unsigned char)s[n])) n++;
        g = string_catn(g, s, n);
        *sp = s + n;
        return string_from_gstring(g);
    }
    for (s++; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1]) {
            const char *t = s;
            char c = exp_escape_char(&t);
            g = string_catc(g, c);
            s = t - 1;
        } else {
            g = string_catc(g, *s);
        }
    }
    if (*s) s++;
    *sp = s;
    return string_from_gstring(g);
}

/* keyed - the value for key in "k1=v1 k2="v 2" ..." (keys caseless) */
static char *keyed(const char *key, const char *s)
{
    size_t klen = strlen(key);
    s = exp_skip_ws(s);
    while (*s) {
        const char *dkey = s;
        while (*s && *s != '=' && !isspace((unsigned char)*s)) s++;
        size_t dlen = (size_t)(s - dkey);
        s = exp_skip_ws(s);
        if (*s == '=') s = exp_skip_ws(s + 1);
        char *data = dequote(&s);
        if (dlen == klen && strncasecmp(key, dkey, klen) == 0) return data;
        s = exp_skip_ws(s);
    }
    return NULL;
}

/* exp_json_next - the next element of a JSON array body (already
 * dewrapped), or false at the end */
bool exp_json_next(const char **list, char **item, bool strings)
{
    const char *s = exp_skip_ws(*list);
    if (!*s) return false;
    const char *start = s;
    int depth = 0;
    bool quoted = false;
    for (; *s; s++) {
        if (quoted) {
            if (*s == '\\' && s[1]) s++;
            else if (*s == '"') quoted = false;
            continue;
        }
        if (*s == '"') quoted = true;
        else if (*s == '[' || *s == '{') depth++;
        else if (*s == ']' || *s == '}') depth--;
        else if (*s == ',' && depth == 0) break;
    }
    size_t n = (size_t)(s - start);
    while (n && isspace((unsigned char)start[n - 1])) n--;
    *item = string_copyn(start, n);
    *list = *s ? s + 1 : s;
    (void)strings;
    return true;
}

/* json_unwrap - strip the outer pair of brackets (or quotes) */
static char *json_unwrap(const char *s, char open, char close)
{
    s = exp_skip_ws(s);
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n < 2 || s[0] != open || s[n - 1] != close) return NULL;
    return string_copyn(s + 1, n - 2);
}

/* json_field - by index (array) or by key (object) */
static char *json_field(bool numbered, int field, const char *key, const char *json)
{
    char *body, *item;
    if (numbered) {
        if (!(body = json_unwrap(json, '[', ']'))) return NULL;
        const char *l = body;
        int count = 0;
        while (exp_json_next(&l, &item, false)) count++;
        if (field < 0) field += count + 1;
        if (field <= 0 || field > count) return NULL;
        l = body;
        for (int i = 0; i < field; i++) exp_json_next(&l, &item, false);
        return item;
    }
    if (!(body = json_unwrap(json, '{', '}'))) return NULL;
    const char *l = body;
    while (exp_json_next(&l, &item, false)) {
        const char *colon = NULL, *p = exp_skip_ws(item);
        if (*p != '"') continue;
        for (const char *q = p + 1; *q; q++) {
            if (*q == '\\' && q[1]) { q++; continue; }
            if (*q == '"') { colon = q; break; }
        }
        if (!colon) continue;
        char *k = string_copyn(p + 1, (size_t)(colon - p - 1));
        const char *v = exp_skip_ws(colon + 1);
        if (*v != ':') continue;
        if (strcmp(k, key) == 0) return string_copy(exp_skip_ws(v + 1));
    }
    return NULL;
}

/* extract_args - the field and the record (and separators) of extract */
static bool extract_args(const char **sp, bool skip, int fmt, char **sub, int *field,
                         bool *numbered)
{
    const char *s = *sp;
    int want = 2;
    for (int i = 0; i < want; i++) {
        s = exp_skip_ws(s);
        if (*s != '{') return exp_failf("missing '{' for arg %d of extract", i + 1);
        s++;
        if (!(sub[i] = exp_sub_str(&s, true, skip))) return false;
        if (*s++ != '}') return exp_failf("missing '}' closing arg %d of extract", i + 1);
        if (i == 0 && !skip) {
            char *p = sub[0];
            *numbered = field_number(&p, field) && *p;
            sub[0] = p;
            if (!*p) return exp_failf("first argument of \"extract\" must not be empty");
            if (*numbered && fmt == 0) want = 3;
        }
    }
    *sp = s;
    return true;
}

/* extract_skip - while skipping, read up to five braced arguments */
static bool extract_skip(const char **sp)
{
    const char *s = exp_skip_ws(*sp);
    for (int j = 5; j > 0 && *s == '{'; j--) {
        s++;
        if (!exp_sub(&s, true, true)) return false;
        if (*s++ != '}') { exp_failf("missing '{' for arg of extract"); return exp_curly(); }
        s = exp_skip_ws(s);
    }
    if (strncmp(s, "fail", 4) == 0 && (s[4] == '}' || s[4] == ' ' || s[4] == '\t' || !s[4]))
        s = exp_skip_ws(s + 4);
    if (*s != '}') { exp_failf("missing '}' closing extract"); return exp_curly(); }
    *sp = s;
    return true;
}

gstring *exp_item_extract(const char **sp, gstring *g, bool skip, const char *name)
{
    exp_saved sv;
    exp_save(&sv);
    const char *s = exp_skip_ws(*sp);
    int fmt = 0;
    if (*s != '{' && strncmp(s, "json", 4) == 0) {
        s += 4;
        fmt = 1;
        if (*s == 's') { fmt = 2; s++; }
    }
    char *sub[3] = {NULL, NULL, NULL};
    int field = 0;
    bool numbered = false;
    if (skip) {
        if (!extract_skip(&s)) return NULL;
        xs.value = NULL;
    } else {
        if (!extract_args(&s, skip, fmt, sub, &field, &numbered)) return NULL;
        if (fmt != 0 && numbered && field <= 0)
            return exp_failp("first argument of \"extract\" must be greater than zero");
        if (fmt == 0) xs.value = numbered ? tokened(field, sub[1], sub[2]) : keyed(sub[0], sub[1]);
        else xs.value = json_field(numbered, field, sub[0], sub[1]);
        if (fmt == 2 && xs.value && !(xs.value = json_unwrap(xs.value, '"', '"')))
            return exp_failp("missing '\"' for wrap");
    }
    if (!exp_yesno(&s, xs.value != NULL, sv.value, skip, "extract", &g)) return NULL;
    exp_restore(&sv);
    *sp = s;
    return g;
}

/* lookup_key - the optional "{key}" of a single-key lookup */
static bool lookup_key(const char **sp, bool skip, char **key)
{
    const char *s = exp_skip_ws(*sp);
    *key = NULL;
    if (*s == '{') {
        s++;
        if (!(*key = exp_sub_str(&s, true, skip))) return false;
        if (*s++ != '}') { exp_failf("missing '}' after lookup key"); return exp_curly(); }
        s = exp_skip_ws(s);
    }
    *sp = s;
    return true;
}

/* lookup_do - run the lookup; false only on a deferral */
static bool lookup_do(const lookup_info *li, const char *type, char *key, char *query, int partial,
                      const char *affix, int affixlen, int starflags, const char *opts)
{
    char *err = NULL;
    bool setup = false;
    const char *filename = key ? query : NULL;
    const char *k = key ? key : query;
    xs.value = search_find(li, filename, k, partial, affix, affixlen, starflags, opts, &setup, &err);
    if (!xs.value && err) {
        xs.search_defer = true;
        return exp_failf("lookup of \"%s\" gave DEFER: %s", string_printing(k), err);
    }
    (void)type;
    return true;
}

gstring *exp_item_lookup(const char **sp, gstring *g, bool skip, const char *name)
{
    exp_saved sv;
    exp_save(&sv);
    const char *s = *sp;
    char *key, *query, *err = NULL;
    if (!lookup_key(&s, skip, &key)) return NULL;
    if (!isalpha((unsigned char)*s)) return exp_failp("missing lookup type");
    size_t tl = strcspn(s, "{ \t\n\r\f\v");
    char *type = string_copyn(s, tl < LIMIT_EXPAND_NAME ? tl : LIMIT_EXPAND_NAME - 1);
    s = exp_skip_ws(s + tl);
    int partial = -1, affixlen = 0, starflags = 0;
    const char *affix = NULL, *opts = NULL;
    const lookup_info *li = search_findtype_partial(type, &partial, &affix, &affixlen, &starflags,
                                                    &opts, &err);
    if (!li) return exp_failp("%s", err ? err : "unknown lookup type");
    bool query_style = (li->type & LOOKUP_QUERY) != 0;
    if (!query_style && !key)
        return exp_failp("missing {key} for single-key \"%s\" lookup", type);
    if (query_style && key)
        return exp_failp("a single key was given for lookup type \"%s\", which is not a "
                         "single-key lookup type", type);
    if (*s != '{') { exp_failf("missing '{' for lookup file-or-query arg"); exp_curly(); return NULL; }
    s++;
    if (!(query = exp_sub_str(&s, true, skip))) return NULL;
    if (*s++ != '}') { exp_failf("missing '}' closing lookup file-or-query arg"); exp_curly(); return NULL; }
    if (skip) xs.value = NULL;
    else if (!lookup_do(li, type, key, query, partial, affix, affixlen, starflags, opts)) return NULL;
    if (!exp_yesno(&s, xs.value != NULL, sv.value, skip, "lookup", &g)) return NULL;
    exp_restore(&sv);
    *sp = s;
    return g;
}
