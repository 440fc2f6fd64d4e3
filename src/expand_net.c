/* expand_net.c - items that talk to sockets or sign addresses:
 * ${readsocket} (unix or inet stream, bounded in time and size),
 * ${prvs} / ${prvscheck} (BATV signing with HMAC-SHA1), ${srs_encode} and
 * the inbound_srs condition (SRS0 with HMAC-MD5), ${authresults}. */

/* System */
#include <ctype.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "globals.h"

static const char base32_chars[] = "abcdefghijklmnopqrstuvwxyz234567";

/* hmac_hex - lower-case hex HMAC of data */
static char *hmac_hex(const EVP_MD *md, const char *key, const char *data)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    HMAC(md, key, (int)strlen(key), (const unsigned char *)data, strlen(data), d, &dl);
    gstring *g = string_get(2 * dl + 1);
    for (unsigned i = 0; i < dl; i++) g = string_fmt_append(g, "%02x", d[i]);
    return string_from_gstring(g);
}

/* daystamp - last three digits of (days since the epoch + offset) */
static char *daystamp(int offset)
{
    char *s = string_sprintf("%ld", (long)(time(NULL) / 86400) + offset);
    return s + strlen(s) - 3;
}

static char *prvs_hash(const char *addr, const char *key, const char *keynum, const char *day)
{
    if (strlen(key) > 64) return NULL;
    return hmac_hex(EVP_sha1(), key, string_sprintf("%s%s%s", keynum ? keynum : "0", day, addr));
}

gstring *exp_item_prvs(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[3];
    int rc = exp_read_subs(sp, sub, 3, 2, skip, true, name);
    if (rc) { if (rc == 1) exp_curly(); return NULL; }
    if (skip) return g;
    char *at = strrchr(sub[0], '@');
    if (!at || at == sub[0] || !at[1])
        return exp_failp("prvs first argument must be a qualified email address");
    if (sub[2] && (!isdigit((unsigned char)sub[2][0]) || sub[2][1]))
        return exp_failp("prvs third argument must be a single digit");
    char *day = daystamp(7), *h = prvs_hash(sub[0], sub[1], sub[2], day);
    if (!h) return exp_failp("prvs hmac-sha1 conversion failed");
    return string_fmt_append(g, "prvs=%c%s%.6s=%.*s@%s", sub[2] ? sub[2][0] : '0', day, h,
                             (int)(at - sub[0]), sub[0], at + 1);
}

/* prvs_split - "prvs=KDDDHHHHHH=local@domain" into its parts */
static bool prvs_split(const char *a, char *keynum, char *day, char *hash, char **addr)
{
    if (strncasecmp(a, "prvs=", 5) != 0) return false;
    const char *p = a + 5;
    if (!isdigit((unsigned char)p[0])) return false;
    for (int i = 1; i < 4; i++) if (!isdigit((unsigned char)p[i])) return false;
    for (int i = 4; i < 10; i++) if (!isxdigit((unsigned char)p[i])) return false;
    if (p[10] != '=') return false;
    const char *at = strrchr(p + 11, '@');
    if (!at || at == p + 11 || !at[1]) return false;
    keynum[0] = p[0], keynum[1] = 0;
    memcpy(day, p + 1, 3), day[3] = 0;
    memcpy(hash, p + 4, 6), hash[6] = 0;
    *addr = string_copy(p + 11);
    return true;
}

/* prvs_valid - does the hash match and has the stamp not expired? */
static bool prvs_valid(const char *addr, const char *key, const char *keynum, const char *day,
                       const char *hash)
{
    char *h = prvs_hash(addr, key, keynum, day);
    if (!h || strncasecmp(h, hash, 6) != 0) return false;
    unsigned now = (unsigned)strtoul(daystamp(0), NULL, 10), exp = (unsigned)strtoul(day, NULL, 10);
    if (exp < 7 && now >= 993) now = 0;
    return exp >= now;
}

gstring *exp_item_prvscheck(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[2];
    char keynum[2], day[4], hash[7], *addr;
    xs.prvscheck_result = xs.prvscheck_address = xs.prvscheck_keynum = NULL;
    int rc = exp_read_subs(sp, sub, 1, 1, skip, false, name);
    if (rc) { if (rc == 1) exp_curly(); return NULL; }
    if (skip || !prvs_split(sub[0], keynum, day, hash, &addr)) {
        rc = exp_read_subs(sp, sub, 2, 1, true, true, name);
        if (rc) { if (rc == 1) exp_curly(); return NULL; }
        return g;
    }
    xs.prvscheck_address = addr;
    xs.prvscheck_keynum = string_copy(keynum);
    if (!(rc = exp_read_subs(sp, sub, 1, 1, false, false, name))) {
        xs.prvscheck_result = prvs_valid(addr, sub[0], keynum, day, hash) ? "1" : NULL;
        rc = exp_read_subs(sp, sub, 1, 0, false, true, name);
    }
    /* only the third argument sees these; never leave them to dangle */
    xs.prvscheck_address = xs.prvscheck_keynum = NULL;
    if (rc) { if (rc == 1) exp_curly(); return NULL; }
    return string_cat(g, sub[0] && *sub[0] ? sub[0] : addr);
}

/* srs_stamp - base32 of the day number modulo 1024 */
static gstring *srs_stamp(gstring *g)
{
    unsigned long d = ((unsigned long)time(NULL) / 86400) & 0x3ff;
    char buf[4];
    int i = 4;
    for (; d; d >>= 5) buf[--i] = base32_chars[d & 0x1f];
    return string_catn(g, buf + i, (size_t)(4 - i));
}

/* unquote_local - strip the double quotes out of a quoted local part */
static char *unquote_local(const char *s)
{
    gstring *h = string_get(strlen(s) + 1);
    for (; *s; s++) if (*s != '"') h = string_catn(h, s, 1);
    return string_from_gstring(h);
}

gstring *exp_item_srs_encode(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[3];
    int rc = exp_read_subs(sp, sub, 3, 3, skip, true, name);
    if (rc) { if (rc == 1) exp_curly(); return NULL; }
    if (skip) return g;
    if (!*sub[1]) return g;
    char *err;
    int st, en, dom;
    char *a = exp_parse_address(sub[1], &err, &st, &en, &dom, false);
    if (!a) return exp_failp("%s", err);
    char *lc = string_copy(sub[1]);
    for (char *p = lc; *p; p++) *p = (char)tolower((unsigned char)*p);
    g = string_fmt_append(g, "SRS0=%.4s=", hmac_hex(EVP_md5(), sub[0], lc));
    g = srs_stamp(g);
    g = string_catc(g, '=');
    if (dom > 0) g = string_cat(g, a + dom);
    g = string_catc(g, '=');
    char *local = dom > 0 ? string_copyn(a, (size_t)dom - 1) : a;
    bool quoted = strchr(local, '"') != NULL;
    if (quoted) local = unquote_local(local);
    g = string_cat(g, local);
    if (quoted) g = string_catc(g, '"');
    return string_fmt_append(g, "@%s", sub[2]);
}

/* srs_stamp_ok - the two base32 stamp characters are at most ten days old */
static bool srs_stamp_ok(const char *stamp)
{
    unsigned long now = ((unsigned long)time(NULL) / 86400) & 0x3ff, then = 0;
    for (int i = 0; i < 2; i++) {
        const char *p = strchr(base32_chars, tolower((unsigned char)stamp[i]));
        if (!p) return false;
        then = (then << 5) | (unsigned long)(p - base32_chars);
    }
    if (now < then) now += 0x400;
    return now - then <= 10;
}

/* exp_srs_check - inbound_srs: is local_part a valid SRS0 address? Sets
 * $srs_recipient when it has the SRS0 shape. */
bool exp_srs_check(const char *local_part, const char *secret, bool *yield)
{
    const char *p = local_part;
    *yield = false;
    if (*p == '"') p++;
    if (strncasecmp(p, "SRS0=", 5) != 0) return true;
    const char *hash = p + 5, *e1 = strchr(hash, '=');
    if (!e1 || e1 == hash || strlen(e1) < 4 || e1[3] != '=') return true;
    const char *stamp = e1 + 1, *dom = e1 + 4, *e3 = strchr(dom, '=');
    if (!e3) return true;
    for (int i = 0; i < 2; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz", stamp[i])) return true;
    const char *local = e3 + 1;
    size_t ll = strlen(local);
    if (*local_part == '"' && ll && local[ll - 1] == '"') ll--;
    /* $srs_recipient lives as long as the message (scratch memory of the
     * expansion is reset under it); expand_reset_message() forgets it */
    enum store_pool old = store_set_pool(POOL_MSG);
    xs.srs_recipient = *local_part == '"'
        ? string_sprintf("\"%.*s\"@%.*s", (int)ll, local, (int)(e3 - dom), dom)
        : string_sprintf("%.*s@%.*s", (int)ll, local, (int)(e3 - dom), dom);
    store_set_pool(old);
    if (!*secret) { *yield = true; return true; }
    if (!srs_stamp_ok(stamp)) return true;
    char *h = hmac_hex(EVP_md5(), secret, xs.srs_recipient);
    *yield = strncmp(h, hash, 4) == 0;
    return true;
}

gstring *exp_item_authresults(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[1];
    int rc = exp_read_subs(sp, sub, 1, 1, skip, true, name);
    if (rc) { if (rc == 1) exp_curly(); return NULL; }
    if (skip) return g;
    g = string_fmt_append(g, "Authentication-Results: %s", sub[0]);
    if (conn.sender_host_authenticated)
        g = string_fmt_append(g, ";\n\tauth=pass (%s)%s%s", conn.sender_host_authenticated,
                              conn.authenticated_id ? " smtp.auth=" : "",
                              conn.authenticated_id ? conn.authenticated_id : "");
    return g;
}

/* sock_connect - "inet:host:port" or a unix path; -1 with message set */
static int sock_connect(const char *spec, int timeout)
{
    int fd = -1;
    if (strncmp(spec, "inet:", 5) == 0) {
        const char *hp = spec + 5, *colon = strrchr(hp, ':');
        if (!colon) { exp_failf("missing port for readsocket %s", spec); return -1; }
        char *host = string_copyn(hp, (size_t)(colon - hp));
        if (*host == '[' && host[strlen(host) - 1] == ']') { host++; host[strlen(host) - 1] = 0; }
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
        int rc = getaddrinfo(host, colon + 1, &hints, &res);
        if (rc) { exp_failf("no IP address found for host %s", host); return -1; }
        int err = 0;
        for (ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, SOCK_STREAM, 0);
            if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
            err = errno;
            if (fd >= 0) close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) exp_failf("failed to connect to any address for %s: %s", host, strerror(err));
        return fd;
    }
    struct sockaddr_un su = {.sun_family = AF_UNIX};
    if (strlen(spec) >= sizeof su.sun_path) { exp_failf("unix socket path too long"); return -1; }
    memcpy(su.sun_path, spec, strlen(spec) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&su, sizeof su) != 0) {
        exp_failf("failed to connect to socket %s: %s", spec, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    (void)timeout;
    return fd;
}

/* sock_talk - send the request, read the reply within the timeout */
static gstring *sock_talk(int fd, const char *req, int timeout, bool do_shutdown, const char *eol)
{
    size_t n = strlen(req);
    if (n && write(fd, req, n) != (ssize_t)n) return exp_failp("request write to socket failed: %s", strerror(errno));
    if (do_shutdown) shutdown(fd, SHUT_WR);
    gstring *g = string_get_tainted(256, true);
    char buf[4096];
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    for (;;) {
        int pr = poll(&pfd, 1, timeout * 1000);
        if (pr == 0) return exp_failp("socket read timed out");
        if (pr < 0) return exp_failp("socket read failed: %s", strerror(errno));
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) break;
        if (g->len + (size_t)r > LIMIT_READSOCK_BYTES) return exp_failp("socket reply too long");
        for (ssize_t i = 0; i < r; i++) {
            if (eol && buf[i] == '\n') g = string_cat(g, eol);
            else g = string_catn(g, buf + i, 1);
        }
    }
    return g;
}

/* parse_opts - "tmo=5s,shutdown=no" or a bare time */
static void parse_opts(const char *o, int *timeout, bool *do_shutdown)
{
    int sep = ',';
    char *item;
    while (o && (item = string_nextinlist(&o, &sep))) {
        int t;
        if (strncmp(item, "shutdown=", 9) == 0) *do_shutdown = strcmp(item + 9, "no") != 0;
        else if (strncmp(item, "tmo=", 4) == 0 && exp_time_eval(item + 4, &t)) *timeout = t;
        else if (exp_time_eval(item, &t)) *timeout = t;
    }
}

gstring *exp_item_readsocket(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[5] = {NULL, NULL, NULL, NULL, NULL};
    int rc = exp_read_subs(sp, sub, 4, 2, skip, false, name);
    if (rc) { if (rc == 1) exp_curly(); return NULL; }
    const char *s = exp_skip_ws(*sp);
    char *failstr = NULL;
    if (*s == '{') {
        s++;
        if (!(failstr = exp_sub_str(&s, true, true))) return NULL;
        if (*s++ != '}') return exp_failp("missing '}' closing failstring for readsocket");
        s = exp_skip_ws(s);
    }
    if (*s++ != '}') return exp_failp("missing '}' closing readsocket");
    const char *fail_src = failstr ? exp_skip_ws(*sp) + 1 : NULL;
    *sp = s;
    if (skip) return g;
    int timeout = LIMIT_READSOCK_TIMEOUT;
    bool do_shutdown = true;
    parse_opts(sub[2], &timeout, &do_shutdown);
    int fd = sock_connect(sub[0], timeout);
    gstring *r = fd >= 0 ? sock_talk(fd, sub[1], timeout, do_shutdown, sub[3]) : NULL;
    if (fd >= 0) close(fd);
    if (r) return string_catn(g, r->s, r->len);
    if (!fail_src) return NULL;
    const char *f = fail_src;
    char *fs = exp_sub_str(&f, true, false);
    return fs ? string_cat(g, fs) : NULL;
}
