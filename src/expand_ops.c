/* expand_ops.c - the ${op:string} operators and the operator table.
 *
 * An operator name may carry arguments after an underscore (substr_1_2,
 * sha3_512, quote_lsearch): a name in the table wins whole; otherwise the
 * part before the first underscore is looked up and the rest passed as
 * its argument (ignored by operators that take none, as in Exim). The
 * encoders and hashes live in expand_codec.c, addresses in expand_addr.c. */

/* System */
#include <ctype.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "globals.h"
#include "lookups.h"

typedef gstring *(*op_fn)(gstring *g, char *sub, const char *arg, const char *name);

typedef struct op_row {
    const char *name;
    op_fn fn;
} op_row;

static gstring *op_lc(gstring *g, char *sub, const char *arg, const char *name)
{
    for (char *p = sub; *p; p++) *p = (char)tolower((unsigned char)*p);
    return string_cat(g, sub);
}

static gstring *op_uc(gstring *g, char *sub, const char *arg, const char *name)
{
    for (char *p = sub; *p; p++) *p = (char)toupper((unsigned char)*p);
    return string_cat(g, sub);
}

static gstring *op_strlen(gstring *g, char *sub, const char *arg, const char *name)
{
    return string_fmt_append(g, "%zu", strlen(sub));
}

/* underscore_numbers - "1_2" or "-1_2" after substr_, length_, hash_... */
static bool underscore_numbers(const char *arg, const char *name, bool is_length, int *v1,
                               int *v2)
{
    int *pn = v1;
    *v1 = 0;
    *v2 = -1;
    if (is_length) { pn = v2; *v2 = 0; }
    int sign = 1;
    const char *p = arg;
    if (*p == '-' && name[0] == 's') { sign = -1; p++; }
    const char *start = p;
    while (*p) {
        if (p != start && *p == '_' && pn == v1) {
            pn = v2;
            *v2 = 0;
            if (p[1]) p++;
        } else if (!isdigit((unsigned char)*p)) {
            return exp_failf("non-digit after underscore in \"%s\"", name);
        } else {
            if (*pn < 100000000) *pn = *pn * 10 + (*p - '0');
            p++;
        }
    }
    *v1 *= sign;
    return true;
}

/* op_substr_family - length_n, substr_a_b, hash_a_b, nhash_a_b (and l_ s_ h_ nh_) */
static gstring *op_substr_family(gstring *g, char *sub, const char *arg, const char *name)
{
    char kind = name[0] == 'n' ? 'n' : name[0];
    if (!arg) {
        size_t n = strcspn(name, "_");
        return exp_failp("missing values after %.*s", (int)n, name);
    }
    int v1, v2;
    if (!underscore_numbers(arg, name, kind == 'l', &v1, &v2)) return NULL;
    size_t len;
    const char *r;
    if (kind == 'h') r = exp_hash(sub, v1, v2, &len);
    else if (kind == 'n') { r = exp_nhash(sub, v1, v2); len = r ? strlen(r) : 0; }
    else r = exp_substr(sub, v1, v2, &len);
    return r ? string_catn(g, r, len) : NULL;
}

static gstring *op_eval(gstring *g, char *sub, const char *arg, const char *name)
{
    long long v;
    char *err;
    if (!exp_eval(sub, strcmp(name, "eval10") == 0, &v, &err))
        return exp_failp("error in expression evaluation: %s", err);
    return string_fmt_append(g, "%lld", v);
}

static gstring *op_expand(gstring *g, char *sub, const char *arg, const char *name)
{
    const char *p = sub;
    if (exp_tainted_source(sub))
        return exp_failp("internal expansion of \"%s\" failed: %s", sub, xs.errmsg);
    gstring *r = exp_sub(&p, false, false);
    if (!r) return exp_failp("internal expansion of \"%s\" failed: %s", sub, xs.errmsg);
    return string_catn(g, r->s, r->len);
}

/* needs_quote - does ${quote:} (or quote_local_part) need to add quotes? */
static bool needs_quote(const char *s, bool local_part)
{
    if (!*s) return true;
    for (const char *t = s; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if (isalnum(c)) continue;
        if (!local_part) { if (!strchr("_-.", c)) return true; continue; }
        if (c == '.' ? (t == s || !t[1]) : !strchr("!#$%&'*+-/=?^_`{|}~", c)) return true;
    }
    return false;
}

static gstring *quote_lookup(gstring *g, char *sub, const char *arg)
{
    char *type = string_copy(arg);
    char *opt = strchr(type, '_');
    if (opt) *opt++ = 0;
    const lookup_info *li = lookup_find(type, strlen(type));
    if (!li) return exp_failp("unknown lookup type \"%s\"", type);
    char *r = li->quote ? li->quote(sub, opt) : opt ? NULL : sub;
    if (!r) return exp_failp("\"%s\" unrecognized after \"${quote_%s\"", opt, type);
    return string_cat(g, r);
}

static gstring *op_quote(gstring *g, char *sub, const char *arg, const char *name)
{
    bool lp = strcmp(name, "quote_local_part") == 0;
    if (arg && !lp) return quote_lookup(g, sub, arg);
    if (!needs_quote(sub, lp)) return string_cat(g, sub);
    g = string_catc(g, '"');
    for (const char *t = sub; *t; t++) {
        if (*t == '\n') g = string_catn(g, "\\n", 2);
        else if (*t == '\r') g = string_catn(g, "\\r", 2);
        else {
            if (*t == '\\' || *t == '"') g = string_catc(g, '\\');
            g = string_catn(g, t, 1);
        }
    }
    return string_catc(g, '"');
}

static gstring *op_rxquote(gstring *g, char *sub, const char *arg, const char *name)
{
    for (const char *t = sub; *t; t++) {
        if (!isalnum((unsigned char)*t)) g = string_catc(g, '\\');
        g = string_catn(g, t, 1);
    }
    return g;
}

static gstring *op_escape(gstring *g, char *sub, const char *arg, const char *name)
{
    for (const unsigned char *t = (unsigned char *)sub; *t; t++) {
        const char *e = NULL;
        switch (*t) {
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\b': e = "\\b"; break;
        case '\v': e = "\\v"; break;
        case '\f': e = "\\f"; break;
        case '\t': break;
        default:
            if (*t < 0x20 || *t >= 0x7f) { g = string_fmt_append(g, "\\%03o", *t); continue; }
        }
        g = e ? string_cat(g, e) : string_catn(g, (const char *)t, 1);
    }
    return g;
}

static gstring *op_escape8bit(gstring *g, char *sub, const char *arg, const char *name)
{
    for (const unsigned char *t = (unsigned char *)sub; *t; t++) {
        if (*t < 127 && *t != '\\') g = string_catn(g, (const char *)t, 1);
        else g = string_fmt_append(g, "\\%03o", *t);
    }
    return g;
}

static gstring *op_hexquote(gstring *g, char *sub, const char *arg, const char *name)
{
    for (const unsigned char *t = (unsigned char *)sub; *t; t++) {
        if (*t < 33 || *t > 126) g = string_fmt_append(g, "\\x%02x", *t);
        else g = string_catn(g, (const char *)t, 1);
    }
    return g;
}

static gstring *op_listcount(gstring *g, char *sub, const char *arg, const char *name)
{
    int sep = 0, n = 0;
    const char *l = sub;
    while (string_nextinlist(&l, &sep)) n++;
    return string_fmt_append(g, "%d", n);
}

static gstring *op_listnamed(gstring *g, char *sub, const char *arg, const char *name)
{
    static const char *const kinds[NL_KINDS] = {"domain", "host", "address", "local part"};
    static const char letters[NL_KINDS] = {'d', 'h', 'a', 'l'};
    int only = -1;
    if (arg) {
        for (int k = 0; k < NL_KINDS; k++) if (arg[0] == letters[k] && !arg[1]) only = k;
        if (only < 0) return exp_failp("bad suffix on \"list\" operator");
    }
    for (int k = 0; k < NL_KINDS; k++) {
        if (only >= 0 && k != only) continue;
        for (named_list *nl = cfg.sections.lists[k]; nl; nl = nl->next)
            if (strcmp(nl->name, sub) == 0) return string_cat(g, nl->value ? nl->value : "");
    }
    return exp_failp("\"%s\" is not a %snamed list", sub,
                     only < 0 ? "" : string_sprintf("%s ", kinds[only]));
}

static gstring *op_randint(gstring *g, char *sub, const char *arg, const char *name)
{
    long long max;
    if (!exp_check_integer(sub, &max, true, NULL)) return NULL;
    long long r = max <= 0 ? 0 : (long long)(random() % max);
    return string_fmt_append(g, "%lld", r);
}

static gstring *op_time_interval(gstring *g, char *sub, const char *arg, const char *name)
{
    char *end;
    errno = 0;
    long long n = strtoll(sub, &end, 10);
    if (!*sub || *end || n < 0 || errno)
        return exp_failp("string \"%s\" is not a positive number in \"%s\" operator", sub, name);
    return string_cat(g, exp_time_interval(n));
}

static gstring *op_time_eval(gstring *g, char *sub, const char *arg, const char *name)
{
    int n;
    if (!exp_time_eval(sub, &n))
        return exp_failp("string \"%s\" is not an Exim time interval in \"%s\" operator", sub, name);
    return string_fmt_append(g, "%d", n);
}

static const char *file_type(mode_t m)
{
    if (S_ISDIR(m)) return "d";
    if (S_ISCHR(m)) return "c";
    if (S_ISBLK(m)) return "b";
    if (S_ISFIFO(m)) return "p";
    if (S_ISLNK(m)) return "l";
    if (S_ISSOCK(m)) return "s";
    return "-";
}

static gstring *op_stat(gstring *g, char *sub, const char *arg, const char *name)
{
    struct stat st;
    if (stat(sub, &st) != 0) return exp_failp("stat(%s) failed: %s", sub, strerror(errno));
    static const char rwx[] = "rwxrwxrwx";
    char smode[11];
    smode[0] = file_type(st.st_mode)[0];
    for (int i = 0; i < 9; i++) smode[i + 1] = (st.st_mode & (0400 >> i)) ? rwx[i] : '-';
    smode[10] = 0;
    return string_fmt_append(g, "mode=%04lo smode=%s inode=%ld device=%ld links=%ld uid=%ld gid=%ld "
                             "size=%lld atime=%ld mtime=%ld ctime=%ld",
                             (long)(st.st_mode & 07777), smode, (long)st.st_ino, (long)st.st_dev,
                             (long)st.st_nlink, (long)st.st_uid, (long)st.st_gid,
                             (long long)st.st_size, (long)st.st_atime, (long)st.st_mtime,
                             (long)st.st_ctime);
}

/* Sorted by name. Names holding an underscore match whole first. */
static const op_row ops[] = {
    {"address", exp_op_address},
    {"addresses", exp_op_addresses},
    {"base32", exp_op_base32},
    {"base32d", exp_op_base32d},
    {"base62", exp_op_base62},
    {"base62d", exp_op_base62d},
    {"base64", exp_op_base64},
    {"base64d", exp_op_base64d},
    {"domain", exp_op_address},
    {"escape", op_escape},
    {"escape8bit", op_escape8bit},
    {"eval", op_eval},
    {"eval10", op_eval},
    {"expand", op_expand},
    {"from_utf8", exp_op_from_utf8},
    {"h", op_substr_family},
    {"hash", op_substr_family},
    {"headerwrap", exp_op_headerwrap},
    {"hex2b64", exp_op_hex2b64},
    {"hexquote", op_hexquote},
    {"ipv6denorm", exp_op_ipv6},
    {"ipv6norm", exp_op_ipv6},
    {"l", op_substr_family},
    {"lc", op_lc},
    {"length", op_substr_family},
    {"listcount", op_listcount},
    {"listnamed", op_listnamed},
    {"local_part", exp_op_address},
    {"mask", exp_op_mask},
    {"md5", exp_op_digest},
    {"nh", op_substr_family},
    {"nhash", op_substr_family},
    {"quote", op_quote},
    {"quote_local_part", op_quote},
    {"randint", op_randint},
    {"reverse_ip", exp_op_reverse_ip},
    {"rfc2047", exp_op_rfc2047},
    {"rfc2047d", exp_op_rfc2047d},
    {"rxquote", op_rxquote},
    {"s", op_substr_family},
    {"sha1", exp_op_digest},
    {"sha2", exp_op_digest},
    {"sha256", exp_op_digest},
    {"sha3", exp_op_digest},
    {"stat", op_stat},
    {"str2b64", exp_op_base64},
    {"strlen", op_strlen},
    {"substr", op_substr_family},
    {"time_eval", op_time_eval},
    {"time_interval", op_time_interval},
    {"uc", op_uc},
    {"utf8_domain_from_alabel", exp_op_idna},
    {"utf8_domain_to_alabel", exp_op_idna},
    {"utf8_localpart_from_alabel", exp_op_idna},
    {"utf8_localpart_to_alabel", exp_op_idna},
    {"utf8clean", exp_op_utf8clean},
    {"xtext", exp_op_xtext},
    {"xtextd", exp_op_xtextd},
};

bool expand_ops_sorted(void)
{
    for (size_t i = 1; i < NELEM(ops); i++)
        if (strcmp(ops[i - 1].name, ops[i].name) >= 0) return false;
    return true;
}

static const op_row *find_op(const char *name, size_t len)
{
    size_t lo = 0, hi = NELEM(ops);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(name, ops[mid].name, len);
        if (c == 0 && ops[mid].name[len]) c = -1;
        if (c == 0) return &ops[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

/* resolve - the row for a full operator name, and its argument part */
static const op_row *resolve(const char *name, const char **arg)
{
    *arg = NULL;
    const op_row *r = find_op(name, strlen(name));
    if (r) return r;
    const char *us = strchr(name, '_');
    if (!us) return NULL;
    r = find_op(name, (size_t)(us - name));
    if (r) *arg = us + 1;
    return r;
}

bool exp_is_operator(const char *name)
{
    const char *arg;
    return resolve(name, &arg) != NULL;
}

/* exp_operator - apply the named operator to the expanded argument */
gstring *exp_operator(const char *name, const char *sub, gstring *g)
{
    const char *arg;
    const op_row *r = resolve(name, &arg);
    if (!r) return exp_failp("unknown expansion operator \"%s\"", name);
    char *copy = string_copy(sub);
    return r->fn(g, copy, arg, name);
}
