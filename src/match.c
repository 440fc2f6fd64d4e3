/* match.c - matching subjects against domain, host, address and
 * local-part lists: negation, "*" suffixes, regexes, CIDR networks,
 * "@", "@[]", "@mx_*", named lists ("+name", cached per message),
 * lookups ("lsearch;/file", "net24-cdb;...", "@@dbm;..."), files of
 * items, "+caseful" and the "+ignore/include_unknown/defer" switches.
 *
 * Runs in any process that checks lists (SMTP child, router, -be).
 * Lists arrive already expanded by the caller; named lists are expanded
 * here when they contain '$'. Regex patterns must come from the config:
 * a tainted regex is refused (STYLE.md section 6). Never writes files. */

/* System */
#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "dns.h"
#include "lookups.h"
/* This module */
#include "match.h"

/* Bound by expand.c when linked: named lists holding '$' need it. */
extern char *expand_string(const char *s) __attribute__((weak));

/* Outcome of one item: OK, FAIL, DEFER, or UNKNOWN (a host name or
 * address needed by the item could not be found). */
#define UNKNOWN ERROR

/* The subject and state of one list check. */
typedef struct mctx {
    enum match_list_type type;
    const char *subject;   /* as given (domain, local part, address) */
    const char *caseful_subject; /* addresses: local part in original case */
    bool caseless;
    int depth;             /* named list nesting */
    /* host lists */
    const char *host_addr; /* NULL or "" for a local (non-TCP) caller */
    const char *host_name;
    char *const *host_aliases; /* the known name's aliases (match_host) */
    char **host_names;     /* all names, once looked up */
    bool name_lookup;      /* may do a reverse lookup */
    bool name_tried;
    int name_rc;
    bool ip_only;          /* match_ip: names never match */
} mctx;

typedef struct list_cache {
    struct list_cache *next;
    int kind;
    char *name, *subject;
    int rc;
    char *value;
} list_cache;

static struct {
    char error[512];
    list_cache *cache;
    int cache_count;
    char *local_ifaces; /* configured "@[]" addresses, or NULL */
    /* captures of the last matching regex or "*" item, for $1.. */
    const char *cap_subject;
    size_t cap_ovec[2 * (LIMIT_EXPAND_NUMERIC + 1)];
    int cap_count;
} ms;

int match_captures(const char **subject, const size_t **ovec)
{
    *subject = ms.cap_subject;
    *ovec = ms.cap_ovec;
    return ms.cap_count;
}

/* set_captures - remember count offset pairs of s */
static void set_captures(const char *s, const size_t *ov, int count)
{
    if (count > LIMIT_EXPAND_NUMERIC + 1) count = LIMIT_EXPAND_NUMERIC + 1;
    ms.cap_subject = s;
    memcpy(ms.cap_ovec, ov, sizeof ov[0] * 2 * (size_t)count);
    ms.cap_count = count;
}

static int match_list(mctx *c, const char *list, const char **valueptr);

const char *match_error(void) { return ms.error; }

/* set_error - remember why we deferred */
static int set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ms.error, sizeof ms.error, fmt, ap); /* truncation is acceptable for a message */
    va_end(ap);
    return DEFER;
}

/* ---- IP addresses ---- */

/* parse_ip - address bytes (16, v4 as mapped) and family; mask if allowed */
static int parse_ip(const char *s, unsigned char *a, int *maskptr)
{
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = maskptr ? strchr(s, '/') : NULL;
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    int fam = 0;
    memset(a, 0, 16);
    if (inet_pton(AF_INET, buf, a + 12) == 1) { fam = 4; a[10] = a[11] = 0xff; }
    else if (inet_pton(AF_INET6, buf, a) == 1) fam = 6;
    if (!fam) return 0;
    if (maskptr) {
        *maskptr = -1;
        if (slash) {
            char *end;
            long m = strtol(slash + 1, &end, 10);
            if (*end || end == slash + 1 || m < 0 || m > (fam == 4 ? 32 : 128)) return 0;
            *maskptr = (int)m;
        }
    }
    return fam;
}

int match_is_ip(const char *s, int *maskptr)
{
    unsigned char a[16];
    return s ? parse_ip(s, a, maskptr) : 0;
}

static bool is_v4mapped(const unsigned char *a)
{
    static const unsigned char pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a, pfx, 12) == 0;
}

/* match_ip_in_net - compare under the net's mask (all bits if none) */
bool match_ip_in_net(const char *ip, const char *net)
{
    unsigned char a[16], b[16];
    int mask, fa = parse_ip(ip, a, NULL), fb = parse_ip(net, b, &mask);
    if (fa == 6 && is_v4mapped(a)) fa = 4; /* ::ffff:a.b.c.d counts as IPv4 */
    if (!fa || fa != fb) return false;     /* families never match each other */
    if (fb == 4) mask = mask < 0 ? 128 : mask + 96;
    else if (mask < 0) mask = 128;
    for (int i = 0; i < 16 && mask > 0; i++, mask -= 8) {
        unsigned char m = mask >= 8 ? 0xff : (unsigned char)(0xff << (8 - mask));
        if ((a[i] & m) != (b[i] & m)) return false;
    }
    return true;
}

/* match_ip_key - the key for net- and netN- lookups */
char *match_ip_key(const char *ip, int mask, bool colons)
{
    unsigned char a[16];
    int fam = parse_ip(ip, a, NULL);
    if (!fam) return NULL;
    int bits = fam == 4 || is_v4mapped(a) ? 32 : 128;
    unsigned char *p = bits == 32 ? a + 12 : a;
    if (mask >= 0)
        for (int i = 0, m = mask; i < bits / 8; i++, m -= 8)
            p[i] &= m >= 8 ? 0xff : m <= 0 ? 0 : (unsigned char)(0xff << (8 - m));
    gstring *g = string_get_tainted(64, store_is_tainted(ip));
    if (bits == 32) g = string_fmt_append(g, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    else
        for (int i = 0; i < 16; i += 2)
            g = string_fmt_append(g, "%s%04x", i ? (colons ? ":" : ".") : "", p[i] << 8 | p[i + 1]);
    if (mask >= 0) g = string_fmt_append(g, "/%d", mask);
    return string_from_gstring(g);
}

/* ---- local host ---- */

void match_set_local_interfaces(const char *list)
{
    ms.local_ifaces = list ? string_copy_perm(list) : NULL;
}

/* iface_has - is ip an address of one of the host's interfaces? */
static bool iface_has(const char *ip)
{
    struct ifaddrs *ifs, *i;
    bool found = false;
    if (getifaddrs(&ifs) != 0) return false;
    for (i = ifs; i && !found; i = i->ifa_next) {
        char buf[INET6_ADDRSTRLEN];
        if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)) continue;
        const void *p = i->ifa_addr->sa_family == AF_INET ? (void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                                                          : (void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        if (inet_ntop(i->ifa_addr->sa_family, p, buf, sizeof buf)) found = match_ip_in_net(ip, buf);
    }
    freeifaddrs(ifs);
    return found;
}

/* is_wildcard_iface - "0.0.0.0", "::0", "::" listen on every interface */
static bool is_wildcard_iface(const char *item)
{
    return strcmp(item, "0.0.0.0") == 0 || strcmp(item, "::0") == 0 || strcmp(item, "::") == 0;
}

/* is_local_ip - is ip one of this host's interface addresses? A wildcard
 * in local_interfaces stands for every interface of its family, as Exim
 * reads them from the system. */
static bool is_local_ip(const char *ip)
{
    if (!ms.local_ifaces) return iface_has(ip);
    int sep = 0;
    const char *l = ms.local_ifaces;
    char *item;
    while ((item = string_nextinlist(&l, &sep))) {
        char *dot = strrchr(item, '.'); /* "addr.port" items of local_interfaces */
        if (dot && match_is_ip(item, NULL) != 4 && match_is_ip(string_copyn(item, (size_t)(dot - item)), NULL))
            *dot = 0;
        if (is_wildcard_iface(item)) {
            if (match_is_ip(ip, NULL) == (item[0] == '0' ? 4 : 6) && iface_has(ip)) return true;
        } else if (match_ip_in_net(ip, item)) return true;
    }
    return false;
}

/* primary_hostname - the configured name, else the system's */
static const char *primary_hostname(void)
{
    static char name[256];
    if (cfg.primary_hostname && *cfg.primary_hostname) return cfg.primary_hostname;
    if (!*name && gethostname(name, sizeof name - 1) != 0) return "localhost";
    return name;
}

/* ---- simple patterns ---- */

/* regex_match - pattern (starting "^") against s */
static int regex_match(const char *s, const char *pattern, bool caseless)
{
    if (store_is_tainted(pattern)) return set_error("Tainted regex '%s' not permitted", pattern);
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   caseless ? PCRE2_CASELESS : 0, &ecode, &eoff, NULL);
    if (!re) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(ecode, msg, sizeof msg);
        return set_error("regular expression error in \"%s\": %s at offset %zu", pattern, msg, (size_t)eoff);
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
    if (rc > 0) set_captures(s, pcre2_get_ovector_pointer(md), rc);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0 ? OK : FAIL;
}

/* suffix_match - "*tail" patterns */
static bool suffix_match(const char *s, const char *tail, bool caseless)
{
    size_t sl = strlen(s), tl = strlen(tail);
    if (tl > sl) return false;
    bool ok = caseless ? strcasecmp(s + sl - tl, tail) == 0 : strcmp(s + sl - tl, tail) == 0;
    /* $1 is the part the "*" stood for */
    size_t ov[4] = {0, sl, 0, sl - tl};
    if (ok) set_captures(s, ov, 2);
    return ok;
}

static bool str_eq(const char *a, const char *b, bool caseless)
{
    return caseless ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* lookup_split - if pattern is "type;data", the parsed lookup type */
typedef struct lookup_item {
    const lookup_info *li;
    int partial, affixlen, starflags;
    const char *affix, *opts, *data;
} lookup_item;

static int lookup_split(const char *pattern, lookup_item *it, bool quiet)
{
    const char *semi = strchr(pattern, ';');
    if (!semi || semi == pattern) return FAIL;
    for (const char *p = pattern; p < semi; p++)
        if (isspace((unsigned char)*p)) return FAIL;
    char *err = NULL, *tname = string_copyn(pattern, (size_t)(semi - pattern));
    it->li = search_findtype_partial(tname, &it->partial, &it->affix, &it->affixlen, &it->starflags,
                                     &it->opts, &err);
    if (!it->li) return quiet ? FAIL : set_error("%s", err);
    for (it->data = semi + 1; isspace((unsigned char)*it->data); it->data++) {}
    return OK;
}

/* do_lookup - run a list-item lookup with key (NULL: query style) */
static int do_lookup(const lookup_item *it, const char *key, bool allow_partial, const char **valueptr)
{
    char *err = NULL, *r;
    bool query = (it->li->type & LOOKUP_QUERY) != 0;
    if (query) r = search_find(it->li, NULL, it->data, -1, NULL, 0, 0, it->opts, NULL, &err);
    else if (!key || !*key) return FAIL;
    else r = search_find(it->li, it->data, key, allow_partial ? it->partial : -1, it->affix, it->affixlen,
                         it->starflags, it->opts, NULL, &err);
    if (!r) return err ? set_error("%s", err) : FAIL;
    if (valueptr) *valueptr = r;
    return OK;
}

/* ---- domain / local part / string items ---- */

static int mx_check(const char *domain, const char *pattern);

/* check_string - one pattern against a domain, local part or string */
static int check_string(mctx *c, const char *s, const char *pattern, const char **valueptr)
{
    lookup_item it;
    const char *v = pattern;
    int rc;
    if (c->type == MCL_DOMAIN && strcmp(pattern, "@") == 0) {
        v = primary_hostname();
        rc = strcasecmp(s, v) == 0 ? OK : FAIL;
    } else if (c->type == MCL_DOMAIN && strcmp(pattern, "@[]") == 0) {
        size_t n = strlen(s);
        rc = n > 2 && s[0] == '[' && s[n - 1] == ']' && is_local_ip(string_copyn(s + 1, n - 2)) ? OK : FAIL;
    } else if (c->type == MCL_DOMAIN && strncmp(pattern, "@mx_", 4) == 0) {
        rc = mx_check(s, pattern);
    } else if (*pattern == '^') {
        rc = regex_match(s, pattern, c->caseless);
    } else if (*pattern == '*' && !strchr(pattern, ';')) {
        rc = suffix_match(s, pattern + 1, c->caseless) ? OK : FAIL;
    } else if ((rc = lookup_split(pattern, &it, false)) != FAIL) {
        if (rc == OK) rc = do_lookup(&it, s, true, &v);
    } else {
        rc = str_eq(s, pattern, c->caseless) ? OK : FAIL;
    }
    if (rc == OK && valueptr) *valueptr = v;
    return rc;
}

/* mx_targets_local - for @mx_*: is any target of these MX records local? */
static int mx_targets_local(const dns_record *r, int pref, bool only_pref, bool skip_pref,
                            const char *ignore)
{
    for (; r; r = r->next) {
        if ((only_pref && r->pref != pref) || (skip_pref && r->pref == pref)) continue;
        char **addrs;
        if (dns_host_addresses(r->data, &addrs) != OK) continue;
        for (char **a = addrs; *a; a++) {
            if (ignore && match_ip(*a, ignore) == OK) continue;
            if (is_local_ip(*a)) return OK;
        }
    }
    return FAIL;
}

/* mx_check - "@mx_any", "@mx_primary", "@mx_secondary" [/ignore=list] */
static int mx_check(const char *domain, const char *pattern)
{
    const char *ignore = NULL, *slash = strchr(pattern, '/');
    size_t n = slash ? (size_t)(slash - pattern) : strlen(pattern);
    if (slash && strncmp(slash, "/ignore=", 8) == 0) ignore = slash + 8;
    char *kind = string_copyn(pattern + 4, n - 4), *err;
    if (strcmp(kind, "any") != 0 && strcmp(kind, "primary") != 0 && strcmp(kind, "secondary") != 0)
        return set_error("unknown item \"%s\" in domain list", pattern);
    dns_answer ans;
    int rc = dns_lookup(domain, DNS_T_MX, &ans, &err);
    if (rc == DEFER) return set_error("%s", err);
    if (rc != OK) return FAIL;
    int low = INT32_MAX;
    for (dns_record *r = ans.records; r; r = r->next) low = r->pref < low ? r->pref : low;
    if (strcmp(kind, "any") == 0) return mx_targets_local(ans.records, low, false, false, ignore);
    int prim = mx_targets_local(ans.records, low, true, false, ignore);
    if (strcmp(kind, "primary") == 0) return prim;
    return prim == OK ? FAIL : mx_targets_local(ans.records, low, false, true, ignore);
}

/* ---- address items ---- */

/* split_address - local part and (lowercased) domain of an address */
static void split_address(const char *a, char **lp, char **dom)
{
    const char *at = strrchr(a, '@');
    *lp = at ? string_copyn(a, (size_t)(at - a)) : string_copy(a);
    *dom = at ? string_lc(at + 1) : string_copy("");
}

/* atat_check - "@@lookup;file": the domain's data is a list of local
 * part patterns; a last item ">key" chains to another key */
static int atat_check(mctx *c, const char *pattern, const char **valueptr)
{
    lookup_item it;
    char *lp, *dom;
    if (!*c->subject) return FAIL;
    int rc = lookup_split(pattern + 2, &it, false);
    if (rc != OK) return rc == FAIL ? set_error("bad @@ item \"%s\"", pattern) : rc;
    split_address(c->subject, &lp, &dom);
    const char *key = dom;
    for (int chain = 0; chain < LIMIT_LIST_CHAIN; chain++) {
        const char *data;
        if ((rc = do_lookup(&it, key, true, &data)) != OK) return rc;
        int sep = 0;
        char *item, *next = NULL;
        const char *l = data;
        while ((item = string_nextinlist(&l, &sep))) {
            if (*item == '>' && !*l) { next = item + 1; break; }
            bool neg = *item == '!';
            mctx sub = *c;
            sub.type = MCL_LOCALPART;
            rc = check_string(&sub, lp, neg ? item + 1 : item, NULL);
            if (rc == DEFER) return rc;
            if (rc == OK) return neg ? FAIL : OK;
        }
        if (!next || (it.li->type & LOOKUP_QUERY)) return FAIL;
        key = next;
    }
    return set_error("too many chained @@ lookups for %s", c->subject);
}

static int named_list_check(mctx *c, const char *name, const char **valueptr);

/* check_address - one pattern against an address */
static int check_address(mctx *c, const char *pattern, const char **valueptr)
{
    lookup_item it;
    const char *s = c->subject;
    int rc;
    if (*pattern == '^') return regex_match(s, pattern, c->caseless);
    if (strncmp(pattern, "@@", 2) == 0) return atat_check(c, pattern, valueptr);
    const char *at = strchr(pattern, '@');
    if ((rc = lookup_split(pattern, &it, true)) != FAIL)
        return rc == OK ? do_lookup(&it, s, false, valueptr) : rc;
    if (!*pattern) return *s ? FAIL : OK;
    if (!*s) return FAIL;
    char *lp, *dom;
    split_address(s, &lp, &dom);
    mctx dc = *c;
    dc.type = MCL_DOMAIN;
    dc.caseless = true;
    if (!at) {
        if (*pattern == '*') return suffix_match(dom, pattern + 1, true) ? OK : FAIL;
        return strcasecmp(dom, pattern) == 0 ? OK : FAIL;
    }
    const char *plp = string_copyn(pattern, (size_t)(at - pattern));
    if (*plp == '*' ? !suffix_match(lp, plp + 1, c->caseless) : !str_eq(lp, plp, c->caseless)) return FAIL;
    if (at[1] == '+') {
        dc.subject = dom;
        return named_list_check(&dc, at + 2, valueptr);
    }
    return check_string(&dc, dom, at + 1, valueptr);
}

/* ---- host items ---- */

/* host_names - the subject host's names (reverse lookup if allowed) */
static int host_names(mctx *c)
{
    if (c->name_tried) return c->name_rc;
    c->name_tried = true;
    if (c->host_name && *c->host_name) {
        size_t n = 0;
        while (c->host_aliases && c->host_aliases[n]) n++;
        c->host_names = store_get((n + 2) * sizeof(char *), GET_UNTAINTED);
        c->host_names[0] = (char *)c->host_name;
        for (size_t i = 0; i < n; i++) c->host_names[i + 1] = c->host_aliases[i];
        c->host_names[n + 1] = NULL;
        return c->name_rc = OK;
    }
    if (!c->name_lookup || !c->host_addr || !*c->host_addr) return c->name_rc = UNKNOWN;
    int rc = dns_host_names(c->host_addr, &c->host_names);
    if (rc == DEFER) set_error("temporary error looking up the name of %s", c->host_addr);
    return c->name_rc = rc == OK ? OK : rc == DEFER ? DEFER : UNKNOWN;
}

/* name_pattern - "*tail", "^regex" or a name lookup against every name */
static int name_pattern(mctx *c, const char *pattern, const lookup_item *it, const char **valueptr)
{
    int rc = host_names(c);
    if (rc != OK) return rc;
    for (char **n = c->host_names; *n; n++) {
        if (it) rc = do_lookup(it, *n, true, valueptr);
        else if (*pattern == '^') rc = regex_match(*n, pattern, true);
        else rc = suffix_match(*n, pattern + 1, true) ? OK : FAIL;
        if (rc != FAIL) return rc;
    }
    return FAIL;
}

/* host_by_name - forward lookup of a plain name, compared with the address */
static int host_by_name(mctx *c, const char *name)
{
    char **addrs;
    int rc = dns_host_addresses(name, &addrs);
    if (rc == DEFER) return set_error("temporary error looking up %s", name);
    if (rc != OK) return UNKNOWN;
    for (char **a = addrs; *a; a++)
        if (match_ip_in_net(c->host_addr, *a)) return OK;
    return FAIL;
}

/* net_lookup - "net-type;data" and "netN-type;data" */
static int net_lookup(mctx *c, const char *pattern, const char **valueptr)
{
    const char *p = pattern + 3;
    int mask = -1;
    if (isdigit((unsigned char)*p)) {
        char *end;
        mask = (int)strtol(p, &end, 10);
        p = end;
    }
    if (*p != '-') return FAIL;
    lookup_item it;
    int rc = lookup_split(p + 1, &it, false);
    if (rc != OK) return rc;
    if (it.li->type & LOOKUP_QUERY) return do_lookup(&it, NULL, false, valueptr);
    char *key = match_ip_key(c->host_addr, mask, strcmp(it.li->name, "iplsearch") == 0);
    return key ? do_lookup(&it, key, true, valueptr) : FAIL;
}

/* check_host - one pattern against the subject host */
static int check_host(mctx *c, const char *pattern, const char **valueptr)
{
    bool local = !c->host_addr || !*c->host_addr;
    lookup_item it;
    int rc;
    if (!*pattern) return local ? OK : FAIL;
    if (strcmp(pattern, "*") == 0) return OK;
    if (local) return FAIL;
    if (match_is_ip(pattern, &(int){0})) return match_ip_in_net(c->host_addr, pattern) ? OK : FAIL;
    if (strcmp(pattern, "@[]") == 0) return is_local_ip(c->host_addr) ? OK : FAIL;
    if (strncmp(pattern, "net", 3) == 0 && strchr(pattern, ';') && (isdigit((unsigned char)pattern[3]) || pattern[3] == '-'))
        return net_lookup(c, pattern, valueptr);
    if ((rc = lookup_split(pattern, &it, false)) != FAIL) {
        if (rc != OK) return rc;
        if (it.li->type & LOOKUP_QUERY) return do_lookup(&it, NULL, false, valueptr);
        if (c->ip_only) /* match_ip: single-key lookups are net- style */
            return do_lookup(&it, match_ip_key(c->host_addr, -1, strcmp(it.li->name, "iplsearch") == 0),
                             true, valueptr);
        return name_pattern(c, pattern, &it, valueptr);
    }
    if (c->ip_only) return UNKNOWN; /* names are never looked up */
    if (*pattern == '*' || *pattern == '^') return name_pattern(c, pattern, NULL, valueptr);
    return host_by_name(c, strcmp(pattern, "@") == 0 ? primary_hostname() : pattern);
}

/* ---- lists ---- */

/* check_item - dispatch one (non-negated, non-file) item by list type */
static int check_item(mctx *c, const char *item, const char **valueptr)
{
    if (*item == '+' && c->type != MCL_STRING) return named_list_check(c, item + 1, valueptr);
    switch (c->type) {
    case MCL_HOST: return check_host(c, item, valueptr);
    case MCL_ADDRESS: return check_address(c, item, valueptr);
    default: return check_string(c, c->subject, item, valueptr);
    }
}

/* file_items - the items of a list file, as one list (negation inside
 * the file is relative to the item that named it) */
static int file_items(mctx *c, const char *path, const char **valueptr, bool *lastneg)
{
    FILE *f = fopen(path, "r");
    if (!f) return set_error("failed to open %s when checking list: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    int rc = FAIL;
    bool hash_anywhere = c->type == MCL_DOMAIN || c->type == MCL_HOST;
    while (getline(&buf, &cap, f) >= 0) {
        for (char *p = buf; *p; p++)
            if (*p == '#' && (hash_anywhere || p == buf || isspace((unsigned char)p[-1]))) { *p = 0; break; }
        char *item = string_trim(buf);
        if (!*item) continue;
        bool neg = *item == '!';
        if (neg) for (item++; isspace((unsigned char)*item); item++) {}
        *lastneg = neg;
        if ((rc = check_item(c, string_copy(item), valueptr)) == FAIL) continue;
        if (rc == OK && neg) rc = FAIL + 100; /* matched a negative item */
        break;
    }
    free(buf);
    fclose(f);
    return rc;
}

/* flags set by "+include_unknown" etc. */
typedef struct list_flags { bool inc_unknown, ign_unknown, inc_defer, ign_defer; } list_flags;

static bool list_switch(mctx *c, const char *item, list_flags *fl)
{
    if (strcmp(item, "+caseful") == 0 && (c->type == MCL_ADDRESS || c->type == MCL_LOCALPART)) {
        c->caseless = false;
        if (c->caseful_subject) c->subject = c->caseful_subject;
        return true;
    }
    if (strcmp(item, "+include_unknown") == 0) { fl->inc_unknown = true; fl->ign_unknown = false; }
    else if (strcmp(item, "+ignore_unknown") == 0) { fl->ign_unknown = true; fl->inc_unknown = false; }
    else if (strcmp(item, "+include_defer") == 0) { fl->inc_defer = true; fl->ign_defer = false; }
    else if (strcmp(item, "+ignore_defer") == 0) { fl->ign_defer = true; fl->inc_defer = false; }
    else return false;
    return true;
}

/* item_result - apply negation and the unknown/defer switches; returns
 * -1 to go on with the next item, else the list's answer */
static int item_result(int rc, bool neg, const list_flags *fl)
{
    if (rc == FAIL + 100) return FAIL;
    if (rc == UNKNOWN) {
        if (fl->ign_unknown) return -1;
        if (!fl->inc_unknown) return FAIL;
        rc = OK;
    } else if (rc == DEFER) {
        if (fl->ign_defer) return -1;
        if (!fl->inc_defer) return DEFER;
        rc = OK;
    }
    if (rc == FAIL) return -1;
    return neg ? FAIL : OK;
}

/* match_list - scan a list left to right */
static int match_list(mctx *c, const char *list, const char **valueptr)
{
    int sep = 0;
    char *item;
    bool lastneg = false;
    list_flags fl = {0};
    if (!list) return FAIL;
    while ((item = string_nextinlist(&list, &sep))) {
        if (list_switch(c, item, &fl)) continue;
        bool neg = false;
        for (; *item == '!'; item++) neg = !neg;
        while (isspace((unsigned char)*item)) item++;
        lastneg = neg;
        const char *v = NULL;
        int rc;
        if (*item == '/' && !(c->type == MCL_STRING)) {
            bool fneg = false;
            rc = file_items(c, item, &v, &fneg);
            if (rc == FAIL) { lastneg = neg != fneg; continue; }
            if (rc == FAIL + 100) { rc = OK; neg = !neg; }
        } else {
            rc = check_item(c, item, &v);
        }
        int r = item_result(rc, neg, &fl);
        if (r < 0) continue;
        if (r == OK && valueptr) *valueptr = v;
        return r;
    }
    return lastneg ? OK : FAIL;
}

/* ---- named lists and their per-message cache ---- */

static const enum named_list_kind kind_of[] = {
    [MCL_STRING] = NL_DOMAIN, [MCL_DOMAIN] = NL_DOMAIN, [MCL_HOST] = NL_HOST,
    [MCL_ADDRESS] = NL_ADDRESS, [MCL_LOCALPART] = NL_LOCALPART,
};
static const char *const kind_word[] = {"domain", "host", "address", "local part"};

void match_reset_cache(void)
{
    while (ms.cache) {
        list_cache *e = ms.cache;
        ms.cache = e->next;
        store_free(e);
    }
    ms.cache_count = 0;
}

/* cache_subject - what a cached result depends on */
static char *cache_subject(const mctx *c)
{
    if (c->type == MCL_HOST)
        return string_sprintf("%s|%s", c->host_addr ? c->host_addr : "", c->host_name ? c->host_name : "");
    return string_sprintf("%d|%s", c->caseless, c->subject);
}

/* cache_find / cache_add - entries are one malloc block each */
static list_cache *cache_find(int kind, const char *name, const char *subj)
{
    for (list_cache *e = ms.cache; e; e = e->next)
        if (e->kind == kind && strcmp(e->name, name) == 0 && strcmp(e->subject, subj) == 0) return e;
    return NULL;
}

static void cache_add(int kind, const char *name, const char *subj, int rc, const char *value)
{
    if (ms.cache_count >= LIMIT_LIST_CACHE) match_reset_cache();
    size_t nl = strlen(name) + 1, sl = strlen(subj) + 1, vl = value ? strlen(value) + 1 : 0;
    list_cache *e = store_malloc(sizeof *e + nl + sl + vl);
    e->kind = kind;
    e->name = (char *)(e + 1);
    memcpy(e->name, name, nl);
    e->subject = e->name + nl;
    memcpy(e->subject, subj, sl);
    e->value = value ? e->subject + sl : NULL;
    if (value) memcpy(e->value, value, vl);
    e->rc = rc;
    e->next = ms.cache;
    ms.cache = e;
    ms.cache_count++;
}

/* named_list - "+name": look it up, expand if needed, match, cache */
static int named_list_check(mctx *c, const char *name, const char **valueptr)
{
    int kind = kind_of[c->type];
    const named_list *nl = cfg.sections.lists[kind];
    while (nl && strcmp(nl->name, name) != 0) nl = nl->next;
    if (!nl) return set_error("unknown named %s list \"+%s\"", kind_word[kind], name);
    if (c->depth >= LIMIT_LIST_NESTING) return set_error("named list \"+%s\" nested too deeply", name);
    /* expanded when used: "$" substitutions, and "\\N" regex quoting */
    bool has_dollar = strpbrk(nl->value, "$\\") != NULL;
    bool cacheable = !has_dollar || (nl->cache && (kind == NL_ADDRESS || kind == NL_LOCALPART));
    char *subj = cacheable ? cache_subject(c) : NULL;
    list_cache *e = subj ? cache_find(kind, name, subj) : NULL;
    if (e) {
        if (e->rc == OK && valueptr) *valueptr = e->value ? string_copy(e->value) : NULL;
        return e->rc;
    }
    const char *value = nl->value;
    if (has_dollar) {
        if (!expand_string) return set_error("named list \"+%s\" needs string expansion", name);
        if (!(value = expand_string(value))) return FAIL;
    }
    mctx sub = *c;
    sub.depth++;
    const char *v = NULL;
    int rc = match_list(&sub, value, &v);
    if (subj && rc != DEFER) cache_add(kind, name, subj, rc, v);
    if (rc == OK && valueptr) *valueptr = v;
    return rc;
}

/* ---- public entry points ---- */

int match_isinlist(const char *s, const char *list, enum match_list_type type, bool caseless,
                   const char **valueptr)
{
    mctx c = {.type = type, .subject = s ? s : "", .caseless = caseless};
    ms.error[0] = 0;
    ms.cap_count = 0;
    if (type == MCL_HOST) {
        c.host_addr = s;
        c.name_lookup = true;
    }
    if (type == MCL_ADDRESS) return match_address_list(s, caseless, list, valueptr);
    return match_list(&c, list, valueptr);
}

/* v4_unmapped - "::ffff:1.2.3.4" -> "1.2.3.4" */
static const char *v4_unmapped(const char *a)
{
    if (a && strncasecmp(a, "::ffff:", 7) == 0 && match_is_ip(a + 7, NULL) == 4) return a + 7;
    return a;
}

int match_host_list(const match_host *h, const char *list, const char **valueptr)
{
    mctx c = {.type = MCL_HOST, .subject = "", .caseless = true};
    ms.error[0] = 0;
    c.host_addr = v4_unmapped(h->address);
    c.host_name = h->name;
    c.host_aliases = h->aliases;
    c.name_lookup = h->lookup_allowed;
    return match_list(&c, list, valueptr);
}

int match_address_list(const char *address, bool caseless, const char *list, const char **valueptr)
{
    ms.error[0] = 0;
    char *lp, *dom;
    split_address(address ? address : "", &lp, &dom);
    /* the domain is always lowercased; the local part only when caseless */
    char *subject = !address || !*address ? string_copy("")
                    : strrchr(address, '@') ? string_sprintf("%s@%s", caseless ? string_lc(lp) : lp, dom)
                                            : (caseless ? string_lc(lp) : lp);
    mctx c = {.type = MCL_ADDRESS, .subject = subject, .caseless = caseless};
    if (address && *address)
        c.caseful_subject = strrchr(address, '@') ? string_sprintf("%s@%s", lp, dom) : lp;
    return match_list(&c, list, valueptr);
}

int match_check_string(const char *s, const char *pattern, int expand_setup, bool caseless,
                       enum match_list_type type, const char **valueptr)
{
    mctx c = {.type = type, .subject = s, .caseless = caseless};
    ms.error[0] = 0;
    return check_string(&c, s, pattern, valueptr);
}

int match_ip(const char *ip, const char *list)
{
    mctx c = {.type = MCL_HOST, .subject = "", .caseless = true, .ip_only = true};
    ms.error[0] = 0;
    c.host_addr = v4_unmapped(ip ? ip : "");
    if (*c.host_addr && !match_is_ip(c.host_addr, NULL)) return set_error("\"%s\" is not an IP address", ip);
    return match_list(&c, list, NULL);
}
