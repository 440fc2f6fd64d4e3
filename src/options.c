/* options.c - parse and print typed option values.
 *
 * Used by readconf.c for the main section and every driver, and by -bP.
 * Runs at config load in every process; allocates in the current pool
 * (POOL_CONFIG while loading). Never touches global state: the block a
 * value goes into is always passed in. */

/* System */
#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
/* MTA core */
#include "tern.h"
#include "options.h"

const optionlist *options_find(const optionlist *table, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, table[mid].name);
        if (c == 0) return &table[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

bool options_table_sorted(const optionlist *table, size_t n, const char **bad)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp(table[i - 1].name, table[i].name) >= 0) {
            *bad = table[i].name;
            return false;
        }
    return true;
}

/* options_parse_int - decimal, 0x hex or 0 octal, optional K/M/G suffix */
bool options_parse_int(const char *s, long long *out, bool allow_suffix)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (end == s || errno == ERANGE) return false;
    if (allow_suffix) {
        long long mult = 1;
        switch (*end) {
        case 'k': case 'K': mult = 1024; end++; break;
        case 'm': case 'M': mult = 1024 * 1024; end++; break;
        case 'g': case 'G': mult = 1024LL * 1024 * 1024; end++; break;
        }
        if (v > LLONG_MAX / mult || v < LLONG_MIN / mult) return false;
        v *= mult;
    }
    while (isspace((unsigned char)*end)) end++;
    if (*end) return false;
    *out = v;
    return true;
}

/* options_parse_time - "1w2d3h4m5s" or plain seconds; returns seconds */
bool options_parse_time(const char *s, int *out)
{
    long long total = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) {
        long long v = 0;
        while (isdigit((unsigned char)*p)) {
            v = v * 10 + (*p++ - '0');
            if (v > INT_MAX) return false;
        }
        switch (*p) {
        case 'w': v *= 7 * 86400; p++; break;
        case 'd': v *= 86400; p++; break;
        case 'h': v *= 3600; p++; break;
        case 'm': v *= 60; p++; break;
        case 's': p++; break;
        default: if (*p) return false;
        }
        total += v;
        if (total > INT_MAX) return false;
    }
    if (*p) return false;
    *out = (int)total;
    return true;
}

/* options_parse_fixed - "2.5" into 2500; up to three decimals */
bool options_parse_fixed(const char *s, int *out)
{
    const char *p = s;
    long long v = 0;
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > INT_MAX / 1000) return false;
    }
    v *= 1000;
    if (*p == '.') {
        int scale = 100;
        for (p++; isdigit((unsigned char)*p); p++) {
            v += (*p - '0') * scale;
            scale /= 10;
        }
    }
    while (isspace((unsigned char)*p)) p++;
    if (*p) return false;
    *out = (int)v;
    return true;
}

char *options_time_string(int t)
{
    static const struct { int secs; char unit; } units[] = {
        {7 * 86400, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    if (t < 0) return string_copy("-1");
    if (t == 0) return string_copy("0s");
    gstring *g = string_get(16);
    for (size_t i = 0; i < NELEM(units); i++)
        if (t >= units[i].secs) {
            g = string_fmt_append(g, "%d%c", t / units[i].secs, units[i].unit);
            t %= units[i].secs;
        }
    return string_from_gstring(g);
}

char *options_mkint_string(long long v)
{
    if (v != 0 && v % (1024 * 1024) == 0) return string_sprintf("%lldM", v / (1024 * 1024));
    if (v != 0 && v % 1024 == 0) return string_sprintf("%lldK", v / 1024);
    return string_sprintf("%lld", v);
}

static void *field(void *block, const optionlist *ol)
{
    return (char *)(ol->base ? ol->base : block) + ol->offset;
}
static const void *cfield(const void *block, const optionlist *ol)
{
    return (const char *)(ol->base ? ol->base : block) + ol->offset;
}

static const char *set_bool(const optionlist *ol, void *block, const char *value,
                            bool negated, bool has_value)
{
    bool v = !negated;
    if (has_value) {
        if (negated) return string_sprintf("extra characters follow boolean option no_%s", ol->name);
        if (strcasecmp(value, "true") == 0 || strcasecmp(value, "yes") == 0) v = true;
        else if (strcasecmp(value, "false") == 0 || strcasecmp(value, "no") == 0) v = false;
        else return string_sprintf("\"%s\" is not a valid value for the \"%s\" option", value, ol->name);
    }
    *(bool *)field(block, ol) = v;
    if ((ol->type & OPT_TYPE_MASK) == opt_bool_verify)
        *((bool *)field(block, ol) + 1) = v; /* verify_recipient follows verify_sender */
    return NULL;
}

/* parse_kint - an opt_Kint value is held in K: a bare number or K means
 * K, M means 1024K, G means 1024M (as Exim reads check_spool_space) */
static bool parse_kint(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0), mult = 1;
    if (end == s || errno == ERANGE) return false;
    switch (*end) {
    case 'k': case 'K': end++; break;
    case 'm': case 'M': mult = 1024; end++; break;
    case 'g': case 'G': mult = 1024 * 1024; end++; break;
    }
    if (v > LLONG_MAX / mult || v < LLONG_MIN / mult) return false;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return false;
    *out = v * mult;
    return true;
}

/* set_xbool - a plain boolean, or an expression kept for use time */
static const char *set_xbool(const optionlist *ol, void *block, const char *value,
                             bool negated, bool has_value)
{
    opt_xbool *x = field(block, ol);
    if (has_value && !negated && strchr(value, '$')) {
        x->expr = string_copy(value);
        return NULL;
    }
    bool v = false;
    optionlist plain = *ol;
    plain.type = opt_bool;
    plain.base = NULL;
    plain.offset = 0;
    const char *err = set_bool(&plain, &v, value, negated, has_value);
    if (err) return err;
    x->value = v;
    x->expr = NULL;
    return NULL;
}

static const char *set_int(const optionlist *ol, void *block, const char *value)
{
    long long v;
    unsigned t = ol->type & OPT_TYPE_MASK;
    if (t == opt_octint) {
        char *end;
        errno = 0;
        v = strtoll(value, &end, 8);
        if (end == value || *end || errno) return string_sprintf("extra characters follow integer value for %s", ol->name);
    } else if (t == opt_Kint ? !parse_kint(value, &v) : !options_parse_int(value, &v, true)) {
        char *end;
        errno = 0;
        (void)strtoll(value, &end, 0);
        if (errno == ERANGE || (end != value && !isdigit((unsigned char)*value) && *value != '-'))
            return string_sprintf("absolute value of integer \"%s\" is too large (overflow)", value);
        if (end == value) return string_sprintf("integer expected for %s", ol->name);
        return string_sprintf("extra characters follow integer value for %s", ol->name);
    }
    if (v > INT_MAX || v < INT_MIN)
        return string_sprintf("absolute value of integer \"%s\" is too large (overflow)", value);
    *(int *)field(block, ol) = (int)v;
    return NULL;
}

/* set_ugid - a user or group option: a number, or a name looked up now */
static const char *set_ugid(const optionlist *ol, void *block, const char *value, bool user)
{
    opt_ugid *u = field(block, ol);
    char *end;
    long id = strtol(value, &end, 10);
    if (end == value || *end) {
        struct passwd *pw = user ? getpwnam(value) : NULL;
        struct group *gr = user ? NULL : getgrnam(value);
        if (user && !pw) return string_sprintf("user %s was not found", value);
        if (!user && !gr) return string_sprintf("group %s was not found", value);
        id = user ? (long)pw->pw_uid : (long)gr->gr_gid;
    }
    u->set = true;
    u->id = id;
    return NULL;
}

/* set_ugid_list - check every name, keep the list normalised with ':' */
static const char *set_ugid_list(const optionlist *ol, void *block, const char *value, bool users)
{
    gstring *g = string_get(strlen(value) + 1);
    int sep = 0;
    const char *list = value;
    char *item;
    bool first = true;
    while ((item = string_nextinlist(&list, &sep))) {
        char *end;
        (void)strtol(item, &end, 10);
        bool numeric = end != item && !*end;
        if (!numeric && users && !getpwnam(item)) return string_sprintf("user %s was not found", item);
        if (!numeric && !users && !getgrnam(item)) return string_sprintf("group %s was not found", item);
        if (!first) g = string_catc(g, ':');
        g = string_cat(g, item);
        first = false;
    }
    *(char **)field(block, ol) = string_from_gstring(g);
    return NULL;
}

/* parse_option_time - as options_parse_time, but an option value needs a
 * unit on its last number ("30" alone is refused, as Exim does) */
static bool parse_option_time(const char *s, int *out)
{
    size_t n = strlen(s);
    return n && strchr("wdhms", s[n - 1]) && options_parse_time(s, out);
}

static const char *set_timelist(const optionlist *ol, void *block, const char *value)
{
    int sep = 0, n = 0, vals[LIMIT_TIMELIST_VALUES];
    const char *list = value;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        if (n >= (int)NELEM(vals)) return string_sprintf("too many time values for %s", ol->name);
        if (!parse_option_time(item, &vals[n])) return string_sprintf("invalid time value for %s", ol->name);
        if (n > 0 && vals[n] <= vals[n - 1])
            return string_sprintf("time value out of order for %s", ol->name);
        n++;
    }
    int *arr = store_get((size_t)(n + 1) * sizeof(int), GET_UNTAINTED);
    arr[0] = n;
    memcpy(arr + 1, vals, (size_t)n * sizeof(int));
    *(int **)field(block, ol) = arr;
    return NULL;
}

static const char *set_scalar(const optionlist *ol, void *block, const char *value)
{
    switch (ol->type & OPT_TYPE_MASK) {
    case opt_time:
        if (!parse_option_time(value, (int *)field(block, ol)))
            return string_sprintf("invalid time value for %s", ol->name);
        return NULL;
    case opt_fixed:
        if (!options_parse_fixed(value, (int *)field(block, ol)))
            return string_sprintf(isdigit((unsigned char)*value)
                                      ? "extra characters follow fixed-point value for %s"
                                      : "fixed-point number expected for %s", ol->name);
        return NULL;
    case opt_uid: return set_ugid(ol, block, value, true);
    case opt_gid: return set_ugid(ol, block, value, false);
    case opt_uidlist: return set_ugid_list(ol, block, value, true);
    case opt_gidlist: return set_ugid_list(ol, block, value, false);
    case opt_timelist: return set_timelist(ol, block, value);
    default: return set_int(ol, block, value);
    }
}

/* check_plain_user - a user/group option without '$' must name a real one */
static const char *check_plain_ugid(const optionlist *ol, const char *value)
{
    if (strchr(value, '$')) return NULL;
    char *end;
    (void)strtol(value, &end, 10);
    if (end != value && !*end) return NULL;
    if ((ol->type & OPT_TYPE_MASK) == opt_expand_uid && !getpwnam(value))
        return string_sprintf("user %s was not found", value);
    if ((ol->type & OPT_TYPE_MASK) == opt_expand_gid && !getgrnam(value))
        return string_sprintf("group %s was not found", value);
    return NULL;
}

const char *options_set(const optionlist *ol, void *block, const char *value,
                        bool negated, bool has_value)
{
    unsigned t = ol->type & OPT_TYPE_MASK;
    if (t == opt_missing)
        return string_sprintf("option \"%s\" is not available: this binary was built without %s",
                              ol->name, ol->aux);
    if (t == opt_bool || t == opt_bool_verify) return set_bool(ol, block, value, negated, has_value);
    if (t == opt_expand_bool) return set_xbool(ol, block, value, negated, has_value);
    if (negated) return string_copy("negation prefix applied to a non-boolean option");
    if (!has_value) return string_sprintf("unexpected end of line (data missing) after %s", ol->name);
    switch (t) {
    case opt_string:
    case opt_stringptr:
    case opt_rewrite: {
        int secs;
        if (ol->type & OPT_TIMESTR && !strchr(value, '$') && !options_parse_time(value, &secs))
            return string_sprintf("invalid time value for %s", ol->name);
        *(char **)field(block, ol) = string_copy(value);
        return NULL;
    }
    case opt_expand_uid:
    case opt_expand_gid: {
        const char *err = check_plain_ugid(ol, value);
        if (err) return err;
        *(char **)field(block, ol) = string_copy(value);
        return NULL;
    }
    default:
        return set_scalar(ol, block, value);
    }
}

static char *format_ugid(const optionlist *ol, const opt_ugid *u, bool user)
{
    if (!u->set) return string_sprintf("%s = ", ol->name);
    if (user) {
        struct passwd *pw = getpwuid((uid_t)u->id);
        if (pw) return string_sprintf("%s = %s", ol->name, pw->pw_name);
    } else {
        struct group *gr = getgrgid((gid_t)u->id);
        if (gr) return string_sprintf("%s = %s", ol->name, gr->gr_name);
    }
    return string_sprintf("%s = %ld", ol->name, u->id);
}

/* kint_string - a value held in K, shown as Exim does: 0, 5K, 10M, 3G */
static char *kint_string(int v)
{
    if (v == 0) return string_copy("0");
    if (v % (1024 * 1024) == 0) return string_sprintf("%dG", v / (1024 * 1024));
    if (v % 1024 == 0) return string_sprintf("%dM", v / 1024);
    return string_sprintf("%dK", v);
}

/* ugid_list_names - a stored user/group list shown with names where the
 * id has one, as Exim shows the ids it resolved ("1000" -> "alice") */
static char *ugid_list_names(const char *list, bool users)
{
    gstring *g = string_get(strlen(list) + 1);
    int sep = 0;
    char *item;
    for (bool first = true; (item = string_nextinlist(&list, &sep)); first = false) {
        char *end;
        long id = strtol(item, &end, 10);
        const char *name = item;
        if (users) {
            struct passwd *pw = end != item && !*end ? getpwuid((uid_t)id) : getpwnam(item);
            if (pw && (pw = getpwuid(pw->pw_uid))) name = pw->pw_name;
        } else {
            struct group *gr = end != item && !*end ? getgrgid((gid_t)id) : getgrnam(item);
            if (gr && (gr = getgrgid(gr->gr_gid))) name = gr->gr_name;
        }
        if (!first) g = string_catc(g, ':');
        g = string_cat(g, name);
    }
    return string_from_gstring(g);
}

static char *format_fixed(const optionlist *ol, int v)
{
    if (v < 0) return string_sprintf("%s =", ol->name);
    char *s = string_sprintf("%s = %d.%03d", ol->name, v / 1000, v % 1000);
    size_t n = strlen(s);
    while (s[n - 1] == '0' && s[n - 2] != '.') s[--n] = 0;
    return s;
}

static char *format_timelist(const optionlist *ol, const int *arr)
{
    if (!arr) return string_sprintf("%s =", ol->name);
    gstring *g = string_fmt_append(NULL, "%s = ", ol->name);
    /* a leading 0 switches the list off, and -bP then shows it empty */
    for (int i = 1; i <= arr[0] && arr[i] > 0; i++)
        g = string_fmt_append(g, "%s%s", i == 1 ? "" : ":", options_time_string(arr[i]));
    return string_from_gstring(g);
}

static char *format_string(const optionlist *ol, const char *s)
{
    if (ol->type & OPT_SECURE && s) return string_sprintf("%s = <value not displayable>", ol->name);
    return string_sprintf("%s = %s", ol->name, s ? string_printing(s) : "");
}

char *options_format(const optionlist *ol, const void *block)
{
    const void *f = cfield(block, ol);
    switch (ol->type & OPT_TYPE_MASK) {
    case opt_bool:
    case opt_bool_verify:
        return string_sprintf("%s%s", *(const bool *)f ? "" : "no_", ol->name);
    case opt_expand_bool: {
        const opt_xbool *x = f;
        if (x->expr) return string_sprintf("%s = %s", ol->name, string_printing(x->expr));
        return string_sprintf("%s%s", x->value ? "" : "no_", ol->name);
    }
    case opt_int: return string_sprintf("%s = %d", ol->name, *(const int *)f);
    case opt_mkint: return string_sprintf("%s = %s", ol->name, options_mkint_string(*(const int *)f));
    case opt_Kint: return string_sprintf("%s = %s", ol->name, kint_string(*(const int *)f));
    case opt_octint: return string_sprintf("%s = %#o", ol->name, *(const int *)f);
    case opt_fixed: return format_fixed(ol, *(const int *)f);
    case opt_time:
        if (*(const int *)f < 0) return string_sprintf("%s =", ol->name);
        return string_sprintf("%s = %s", ol->name, options_time_string(*(const int *)f));
    case opt_timelist: return format_timelist(ol, *(int *const *)f);
    case opt_uid: return format_ugid(ol, f, true);
    case opt_gid: return format_ugid(ol, f, false);
    case opt_uidlist:
    case opt_gidlist: {
        const char *s = *(char *const *)f;
        if (!s || !*s) return string_sprintf("%s =", ol->name);
        return string_sprintf("%s = %s", ol->name,
                              ugid_list_names(s, (ol->type & OPT_TYPE_MASK) == opt_uidlist));
    }
    case opt_missing: return NULL;
    case opt_alias: return NULL;
    default: return format_string(ol, *(char *const *)f);
    }
}
