/* expand_cond.c - the conditions of ${if ...}: eq, match, def, and, or,
 * forall, crypteq, inlist, the list matchers (via match.h) and the rest.
 *
 * exp_condition parses one condition, evaluates it unless skipping, and
 * returns the position after it (NULL with xs.errmsg set on error). The
 * authentication conditions (pam, radius, ldapauth, saslauthd) and acl
 * are parsed, then refused with a clear message: this build has neither. */

/* System */
#include <crypt.h>
#include <ctype.h>
#include <sys/stat.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <openssl/evp.h>
/* MTA core */
#include "tern.h"
#include "acl.h"
#include "expand_int.h"
#include "match.h"

typedef const char *(*cond_fn)(const char *s, const char *name, bool *yield, bool skip);

typedef struct cond_row {
    const char *name;
    cond_fn fn;
} cond_row;

/* curly_start / curly_end - Exim's two complaints about condition braces */
static const char *curly_start(const char *name)
{
    return exp_failp("missing { after \"%s\"", name);
}

static const char *curly_end(const char *name)
{
    return exp_failp("missing } at end of \"%s\" condition", name);
}

/* one_arg - a single "{arg}" */
static const char *one_arg(const char *s, const char *name, bool skip, char **arg)
{
    s = exp_skip_ws(s);
    if (*s != '{') return curly_start(name);
    s++;
    if (!(*arg = exp_sub_str(&s, true, skip))) return NULL;
    if (*s++ != '}') return curly_end(name);
    return s;
}

/* two_args - "{a}{b}"; numeric comparisons convert both to integers */
static const char *two_args(const char *s, const char *name, bool skip, char **sub, long long *num)
{
    for (int i = 0; i < 2; i++) {
        s = exp_skip_ws(s);
        if (*s != '{') {
            if (i == 0) return curly_start(name);
            return exp_failp("missing 2nd string in {} after \"%s\"", name);
        }
        s++;
        if (!(sub[i] = exp_sub_str(&s, true, skip))) return NULL;
        if (*s++ != '}') return curly_end(name);
        if (num && !skip && !exp_check_integer(sub[i], &num[i], false, NULL)) return NULL;
    }
    return s;
}

static const char *c_numeric(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[2];
    long long n[2];
    if (!(s = two_args(s, name, skip, sub, n))) return NULL;
    if (skip) return s;
    if (name[0] == '=') *yield = n[0] == n[1];
    else if (name[0] == '<') *yield = name[1] ? n[0] <= n[1] : n[0] < n[1];
    else *yield = name[1] ? n[0] >= n[1] : n[0] > n[1];
    return s;
}

/* c_string - eq eqi lt lti le lei gt gti ge gei */
static const char *c_string(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[2];
    if (!(s = two_args(s, name, skip, sub, NULL))) return NULL;
    if (skip) return s;
    bool ci = name[strlen(name) - 1] == 'i';
    int c = ci ? strcasecmp(sub[0], sub[1]) : strcmp(sub[0], sub[1]);
    switch (name[0]) {
    case 'e': *yield = c == 0; break;
    case 'l': *yield = name[1] == 't' ? c < 0 : c <= 0; break;
    default: *yield = name[1] == 't' ? c > 0 : c >= 0; break;
    }
    return s;
}

/* A small cache of compiled patterns: configs match the same few
 * regexes over and over, and compiling dominates the cost of a match. */
#define REGEX_CACHE 16
static struct { char *pattern; pcre2_code *re; pcre2_match_data *md; } rcache[REGEX_CACHE];
static unsigned rcache_next;

/* exp_regex_compile - a compiled pattern (cached), or NULL with message */
pcre2_code *exp_regex_compile(const char *pattern, pcre2_match_data **md)
{
    for (int i = 0; i < REGEX_CACHE; i++)
        if (rcache[i].pattern && strcmp(rcache[i].pattern, pattern) == 0) {
            *md = rcache[i].md;
            return rcache[i].re;
        }
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ecode, &eoff,
                                   NULL);
    if (!re) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(ecode, buf, sizeof buf);
        return exp_failp("regular expression error in \"%s\": %s at offset %zu", pattern,
                         (char *)buf, (size_t)eoff);
    }
    unsigned slot = rcache_next++ % REGEX_CACHE;
    if (rcache[slot].re) {
        pcre2_match_data_free(rcache[slot].md);
        pcre2_code_free(rcache[slot].re);
        store_free(rcache[slot].pattern);
    }
    size_t n = strlen(pattern);
    rcache[slot].pattern = memcpy(store_malloc(n + 1), pattern, n + 1);
    rcache[slot].re = re;
    rcache[slot].md = pcre2_match_data_create_from_pattern(re, NULL);
    *md = rcache[slot].md;
    return re;
}

/* exp_regex_match - compile and match; sets $0..$n on a match. Returns
 * 1 match, 0 no match, -1 error (message set). */
int exp_regex_match(const char *subject, const char *pattern, bool setup)
{
    pcre2_match_data *md;
    pcre2_code *re = exp_regex_compile(pattern, &md);
    if (!re) return -1;
    int rc = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    if (rc > 0 && setup) exp_set_numeric(subject, pcre2_get_ovector_pointer(md), rc);
    return rc > 0 ? 1 : 0;
}

static const char *c_match(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[2];
    if (!(s = two_args(s, name, skip, sub, NULL))) return NULL;
    if (skip) return s;
    int rc = exp_regex_match(sub[0], sub[1], true);
    if (rc < 0) return NULL;
    *yield = rc == 1;
    return s;
}

/* match_result - OK/FAIL/DEFER from match.h into a yield */
static const char *match_result(int rc, const char *list, bool *yield, const char *s)
{
    if (rc == DEFER)
        return exp_failp("unable to complete match against \"%s\": %s", list, expand_error());
    *yield = rc == OK;
    return s;
}

static const char *c_match_list(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[2];
    if (!(s = two_args(s, name, skip, sub, NULL))) return NULL;
    if (skip) return s;
    xs.errmsg = NULL;
    int rc;
    if (strcmp(name, "match_ip") == 0) {
        if (!exp_is_ip(sub[0], NULL)) return exp_failp("\"%s\" is not an IP address", sub[0]);
        rc = match_ip(sub[0], sub[1]);
    } else if (strcmp(name, "match_address") == 0) {
        rc = match_address_list(sub[0], true, sub[1], NULL);
    } else if (strcmp(name, "match_domain") == 0) {
        rc = match_isinlist(sub[0], sub[1], MCL_DOMAIN, true, NULL);
    } else {
        rc = match_isinlist(sub[0], sub[1], MCL_LOCALPART, false, NULL);
    }
    if (rc == DEFER && xs.errmsg) return NULL;
    return match_result(rc, sub[1], yield, s);
}

static const char *c_def(const char *s, const char *name, bool *yield, bool skip)
{
    if (*s != ':') return exp_failp("\":\" expected after \"def\"");
    s++;
    char vname[LIMIT_EXPAND_NAME];
    s += exp_read_name(s, vname, sizeof vname, "_");
    bool exists;
    const char *v;
    if (exp_var_is_header(vname)) {
        s = exp_header_name(s, vname, sizeof vname);
        v = exp_header_value(vname, &exists);
    } else {
        v = exp_find_var(vname, &exists);
        if (!exists) {
            if (!vname[0]) return exp_failp("variable name omitted after \"def:\"");
            return exp_failp("unknown variable \"%s\" after \"def:\"", vname);
        }
    }
    if (!skip) *yield = v && *v;
    return s;
}

static const char *c_exists(const char *s, const char *name, bool *yield, bool skip)
{
    char *a;
    if (!(s = one_arg(s, name, skip, &a))) return NULL;
    if (skip) return s;
    struct stat st;
    *yield = stat(a, &st) == 0;
    return s;
}

static const char *c_isip(const char *s, const char *name, bool *yield, bool skip)
{
    char *a;
    if (!(s = one_arg(s, name, skip, &a))) return NULL;
    if (skip) return s;
    int v = exp_is_ip(a, NULL);
    *yield = name[4] == '4' ? v == 4 : name[4] == '6' ? v == 6 : v != 0;
    return s;
}

/* all_digits - an optionally signed decimal integer, nothing else */
static bool all_digits(const char *t, size_t len)
{
    size_t i = *t == '-' ? 1 : 0;
    if (i == len) return false;
    for (; i < len; i++) if (!isdigit((unsigned char)t[i])) return false;
    return true;
}

static const char *c_bool(const char *s, const char *name, bool *yield, bool skip)
{
    char *a;
    if (!(s = one_arg(s, name, skip, &a))) return NULL;
    if (skip) return s;
    char *t = (char *)exp_skip_ws(a);
    size_t len = strlen(t);
    while (len && isspace((unsigned char)t[len - 1])) len--;
    t[len] = 0;
    if (!len) *yield = false;
    else if (all_digits(t, len)) *yield = strtoll(t, NULL, 10) != 0;
    else if (!strcasecmp(t, "true") || !strcasecmp(t, "yes")) *yield = true;
    else if (!strcasecmp(t, "false") || !strcasecmp(t, "no")) *yield = false;
    else if (strcmp(name, "bool_lax") == 0) *yield = true;
    else return exp_failp("unrecognised boolean value \"%s\"", t);
    return s;
}

static const char *c_inlist(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[2];
    if (!(s = two_args(s, name, skip, sub, NULL))) return NULL;
    if (skip) return s;
    bool ci = strcmp(name, "inlisti") == 0;
    const char *list = sub[1];
    int sep = 0;
    char *item;
    *yield = false;
    while ((item = string_nextinlist(&list, &sep)))
        if (ci ? strcasecmp(item, sub[0]) == 0 : strcmp(item, sub[0]) == 0) { *yield = true; break; }
    return s;
}

/* digest_cmp - crypteq's {md5} and {sha1}: base64 or hex of the digest */
static bool digest_cmp(const char *clear, const char *coded, const EVP_MD *md, size_t b64len)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    EVP_Digest(clear, strlen(clear), d, &dl, md, NULL);
    size_t n = strlen(coded);
    if (n == b64len) {
        unsigned char out[EVP_MAX_MD_SIZE * 2];
        EVP_EncodeBlock(out, d, (int)dl);
        return strcmp((char *)out, coded) == 0;
    }
    if (n == 2 * dl) {
        char hex[EVP_MAX_MD_SIZE * 2 + 1];
        for (unsigned i = 0; i < dl; i++) snprintf(hex + 2 * i, 3, "%02X", d[i]);
        return strcasecmp(hex, coded) == 0;
    }
    return false;
}

/* crypt16 - DES crypt over up to 16 password characters: the second half
 * is salted with the first two characters of the first half's result */
static char *crypt16_str(const char *key, const char *salt)
{
    char k1[9] = {0};
    size_t kl = strlen(key);
    memcpy(k1, key, kl < 8 ? kl : 8);
    const char *p = crypt(k1, salt);
    if (!p) return NULL;
    gstring *g = string_catn(NULL, p, strlen(p) < 13 ? strlen(p) : 13);
    if (kl > 8) {
        char s2[3] = {g->s[2], g->s[3], 0};
        const char *q = crypt(key + 8, s2);
        if (!q || strlen(q) < 13) return NULL;
        g = string_catn(g, q + 2, 11);
    }
    return string_from_gstring(g);
}

static const char *c_crypteq(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[2];
    if (!(s = two_args(s, name, skip, sub, NULL))) return NULL;
    if (skip) return s;
    const char *c = sub[1];
    if (!strncasecmp(c, "{md5}", 5)) { *yield = digest_cmp(sub[0], c + 5, EVP_md5(), 24); return s; }
    if (!strncasecmp(c, "{sha1}", 6)) { *yield = digest_cmp(sub[0], c + 6, EVP_sha1(), 28); return s; }
    int which = 0;
    if (!strncasecmp(c, "{crypt}", 7)) { c += 7; which = 1; }
    else if (!strncasecmp(c, "{crypt16}", 9)) { c += 9; which = 2; }
    else if (*c == '{') return exp_failp("unknown encryption mechanism in \"%s\"", c);
    errno = 0;
    const char *coded = which == 2 ? crypt16_str(sub[0], c) : crypt(sub[0], c);
    if (coded && coded[0] == '*') coded = NULL, errno = EINVAL;
    if (coded) *yield = strlen(c) >= 2 && strcmp(coded, c) == 0;
    else if (errno == EINVAL || errno == 0) *yield = false;
    else return exp_failp("crypt error: %s\n", strerror(errno));
    return s;
}

/* group - and{{c1}{c2}...} / or{...}, short-circuiting evaluation */
static const char *c_group(const char *s, const char *name, bool *yield, bool skip)
{
    bool is_and = name[0] == 'a', combined = is_and, sub_skip = skip;
    s = exp_skip_ws(s);
    if (*s++ != '{') return curly_start(name);
    for (;;) {
        s = exp_skip_ws(s);
        if (*s == '}') break;
        if (*s != '{')
            return exp_failp("each subcondition inside an \"%s{...}\" condition must be in its "
                             "own {}", name);
        bool sub = false;
        if (!(s = exp_condition(s + 1, &sub, sub_skip)))
            return exp_failp("%s inside \"%s{...}\" condition", xs.errmsg, name);
        s = exp_skip_ws(s);
        if (*s++ != '}')
            return exp_failp("missing } at end of condition inside \"%s\" group", name);
        if (sub_skip) continue;
        if (is_and) { combined = combined && sub; if (!combined) sub_skip = true; }
        else { combined = combined || sub; if (combined) sub_skip = true; }
    }
    if (!skip) *yield = combined;
    return s + 1;
}

/* dewrap - strip one pair of wrapping characters (JSON [] or "") */
static char *dewrap(char *s, const char *pair)
{
    char *p = (char *)exp_skip_ws(s);
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1])) n--;
    if (n >= 2 && p[0] == pair[0] && p[n - 1] == pair[1]) {
        p[n - 1] = 0;
        return p + 1;
    }
    return exp_failp("missing '%c' for wrap", pair[0]);
}

/* c_forall - forall / forany, plain lists or JSON arrays */
static const char *c_forall(const char *s, const char *name, bool *yield, bool skip)
{
    bool any = name[4] == 'n', json = strstr(name, "_json") != NULL;
    bool jsons = json && name[strlen(name) - 1] == 's';
    char *list;
    s = exp_skip_ws(s);
    if (*s++ != '{') return curly_start(name);
    if (!(list = exp_sub_str(&s, true, skip))) return NULL;
    if (*s++ != '}') return curly_end(name);
    s = exp_skip_ws(s);
    if (*s++ != '{') return curly_start(name);
    const char *cond = s;
    bool dummy;
    if (!(s = exp_condition(cond, &dummy, true)))
        return exp_failp("%s inside \"%s\" condition", xs.errmsg, name);
    s = exp_skip_ws(s);
    if (*s++ != '}') return exp_failp("missing } at end of condition inside \"%s\"", name);
    if (skip) return s;
    *yield = false; /* an empty list makes forall false too, as in Exim */
    const char *save = xs.item, *lp = list;
    if (json && !(lp = dewrap(string_copy(list), "[]"))) return NULL;
    int sep = 0;
    char *item;
    while (json ? exp_json_next(&lp, &item, false) : (item = string_nextinlist(&lp, &sep)) != NULL) {
        if (jsons && !(item = dewrap(item, "\"\""))) { xs.item = save; return NULL; }
        xs.item = item;
        bool t = false;
        if (!exp_condition(cond, &t, false)) {
            xs.item = save;
            return exp_failp("%s inside \"%s\" condition", xs.errmsg, name);
        }
        if (t == any) { *yield = any; break; }
        if (!any) *yield = true;
    }
    xs.item = save;
    return s;
}

static const char *c_flag(const char *s, const char *name, bool *yield, bool skip)
{
    if (!skip) *yield = false; /* first_delivery, queue_running: not in a delivery here */
    return s;
}

/* c_refused - authentication conditions this build does not have */
static const char *c_refused(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[4];
    int n = strcmp(name, "saslauthd") == 0 ? 4 : 1;
    s = exp_skip_ws(s);
    if (*s != '{') return curly_start(name);
    if (n == 4) {
        s++;
        if (exp_read_subs(&s, sub, 4, 2, skip, true, name)) return NULL;
    } else if (!(s = one_arg(s, name, skip, &sub[0]))) {
        return NULL;
    }
    return exp_failp("support for \"%s\" not compiled", name);
}

static const char *c_acl(const char *s, const char *name, bool *yield, bool skip)
{
    s = exp_skip_ws(s);
    if (*s++ != '{') return curly_start(name);
    char *sub[10];
    if (exp_read_subs(&s, sub, 10, 1, skip, true, name)) return NULL;
    if (skip) return s;
    int argc = 0;
    while (argc < 9 && sub[argc + 1]) argc++;
    char *result = NULL;
    int rc = acl_eval(sub[0], argc, sub + 1, &result);
    if (rc == FAIL_FORCED) {
        xs.forced_fail = true;
        return exp_failp("DEFER from acl \"%s\"", sub[0]);
    }
    if (rc != OK && rc != FAIL) return exp_failp("ERROR from acl \"%s\"", sub[0]);
    xs.value = result; /* the ACL's message becomes $value */
    *yield = rc == OK;
    return s;
}

static const char *c_inbound_srs(const char *s, const char *name, bool *yield, bool skip)
{
    char *sub[2];
    if (!(s = two_args(s, name, skip, sub, NULL))) return NULL;
    if (skip) return s;
    return exp_srs_check(sub[0], sub[1], yield) ? s : NULL;
}

/* Sorted by name. */
static const cond_row conds[] = {
    {"<", c_numeric}, {"<=", c_numeric}, {"=", c_numeric}, {"==", c_numeric},
    {">", c_numeric}, {">=", c_numeric}, {"acl", c_acl}, {"and", c_group},
    {"bool", c_bool}, {"bool_lax", c_bool}, {"crypteq", c_crypteq}, {"def", c_def},
    {"eq", c_string}, {"eqi", c_string}, {"exists", c_exists}, {"first_delivery", c_flag},
    {"forall", c_forall}, {"forall_json", c_forall}, {"forall_jsons", c_forall},
    {"forany", c_forall}, {"forany_json", c_forall}, {"forany_jsons", c_forall},
    {"ge", c_string}, {"gei", c_string}, {"gt", c_string}, {"gti", c_string},
    {"inbound_srs", c_inbound_srs}, {"inlist", c_inlist}, {"inlisti", c_inlist},
    {"isip", c_isip}, {"isip4", c_isip}, {"isip6", c_isip}, {"ldapauth", c_refused},
    {"le", c_string}, {"lei", c_string}, {"lt", c_string}, {"lti", c_string},
    {"match", c_match}, {"match_address", c_match_list}, {"match_domain", c_match_list},
    {"match_ip", c_match_list}, {"match_local_part", c_match_list}, {"or", c_group},
    {"pam", c_refused}, {"queue_running", c_flag}, {"radius", c_refused},
    {"saslauthd", c_refused},
};

/* expand_conds_sorted - for the unit test */
bool expand_conds_sorted(void)
{
    for (size_t i = 1; i < NELEM(conds); i++)
        if (strcmp(conds[i - 1].name, conds[i].name) >= 0) return false;
    return true;
}

static const cond_row *find_cond(const char *name)
{
    size_t lo = 0, hi = NELEM(conds);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, conds[mid].name);
        if (c == 0) return &conds[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

/* exp_is_condition - is name one of the condition names? */
bool exp_is_condition(const char *name)
{
    return find_cond(name) != NULL;
}

/* exp_condition - parse (and unless skip, evaluate) one condition with
 * any leading "!"s; returns the position after it */
const char *exp_condition(const char *s, bool *yield, bool skip)
{
    bool testfor = true;
    char name[LIMIT_EXPAND_NAME];
    for (;;) {
        s = exp_skip_ws(s);
        if (*s != '!') break;
        testfor = !testfor;
        s++;
    }
    if (*s == '=' || *s == '<' || *s == '>') {
        size_t p = 0;
        name[p++] = *s++;
        if (*s == '=') { name[p++] = '='; s++; }
        name[p] = 0;
    } else {
        s += exp_read_name(s, name, sizeof name, "_");
    }
    if (!name[0]) return exp_failp("condition name expected, but found \"%.16s\"", s);
    const cond_row *c = find_cond(name);
    if (!c) return exp_failp("unknown condition \"%s\"", name);
    bool y = false;
    s = c->fn(s, name, &y, skip);
    if (s && !skip) *yield = y == testfor;
    return s;
}
