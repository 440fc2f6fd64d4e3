/* expand_items.c - the ${name{arg}...} items: if, substr, length, hash,
 * nhash, sg, tr, hmac, env, readfile, run, acl, dlfunc, perl, certextract
 * and the item table itself. Lists, extract and lookup are in
 * expand_lists.c; readsocket, prvs and srs in expand_net.c.
 *
 * Each item function gets *sp just after its name, appends its result to
 * g (unless skipping) and leaves *sp after its closing brace. */

/* System */
#include <ctype.h>
#include <fcntl.h>
#include <sys/wait.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "acl.h"

/* subs_fail - map an exp_read_subs failure to NULL with the right message */
static gstring *subs_fail(int rc)
{
    if (rc == 1) exp_curly();
    return NULL;
}

static gstring *i_if(const char **sp, gstring *g, bool skip, const char *name)
{
    exp_saved sv;
    exp_save(&sv);
    bool cond = false;
    const char *s = exp_condition(exp_skip_ws(*sp), &cond, skip);
    if (!s) return NULL;
    /* the acl condition leaves its message in $value for both branches */
    if (!exp_yesno(&s, cond, xs.value, skip, "if", &g)) return NULL;
    exp_restore(&sv);
    *sp = s;
    return g;
}

/* exp_substr - Exim's substring rules, negative offsets counting from the
 * right; len < 0 means "not given" */
const char *exp_substr(const char *subject, int off, int len, size_t *outlen)
{
    int sublen = (int)strlen(subject);
    if (off < 0) {
        off += sublen;
        if (off < 0) {
            len += off;
            if (len < 0) len = 0;
            off = 0;
        } else if (len < 0) {
            len = off;
            off = 0;
        }
    } else if (off > sublen) {
        off = sublen;
        len = 0;
    } else if (len < 0) {
        len = sublen;
    }
    if (off + len > sublen) len = sublen - off;
    *outlen = (size_t)len;
    return subject + off;
}

static const char hashcodes[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* exp_hash - Exim's ${hash}: len characters chosen from the first n of
 * hashcodes by a rolling xor of the subject */
const char *exp_hash(const char *subject, int len, int n, size_t *outlen)
{
    int sublen = (int)strlen(subject);
    if (n < 0) n = 26;
    else if (n > (int)sizeof hashcodes - 1) return exp_failp("hash count \"%d\" too big", n);
    else if (n == 0) return exp_failp("hash count must be greater than zero"); /* Exim divides by it */
    if (len >= sublen || len <= 0) {
        *outlen = len <= 0 ? 0 : (size_t)sublen;
        return subject;
    }
    unsigned char *h = (unsigned char *)string_copy(subject);
    int i = 0;
    for (int j = len; h[j]; j++) {
        unsigned c = h[j];
        int shift = (int)((c + (unsigned)j) & 7);
        h[i] ^= (unsigned char)((c << shift) | (c >> (8 - shift)));
        if (++i >= len) i = 0;
    }
    for (i = 0; i < len; i++) h[i] = (unsigned char)hashcodes[h[i] % n];
    *outlen = (size_t)len;
    return (char *)h;
}

/* exp_nhash - Exim's numeric hash: a prime-weighted sum, then mod n or
 * div/mod n*m */
const char *exp_nhash(const char *subject, int n, int m)
{
    static const unsigned primes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23,  29,  31,  37,  41,  43,  47,
                                      53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113};
    unsigned long total = 0;
    int i = 0;
    for (const unsigned char *s = (const unsigned char *)subject; *s; s++) {
        if (i == 0) i = (int)NELEM(primes) - 1;
        total += primes[i--] * (unsigned)*s;
    }
    if (n <= 0 || m == 0) return exp_failp("nhash divisor must be greater than zero");
    if (m < 0) return string_sprintf("%lu", total % (unsigned long)n);
    total %= (unsigned long)n * (unsigned long)m;
    return string_sprintf("%lu/%lu", total / (unsigned long)m, total % (unsigned long)m);
}

/* i_substr_family - substr, length, hash, nhash in their braced forms */
static gstring *i_substr_family(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[3] = {NULL, NULL, NULL};
    bool is_length = strcmp(name, "length") == 0;
    int rc = exp_read_subs(sp, sub, is_length ? 2 : 3, 2, skip, true, name);
    if (rc) return subs_fail(rc);
    if (skip) return g;
    if (!sub[2]) {
        sub[2] = sub[1];
        sub[1] = NULL;
        if (is_length) { sub[1] = sub[0]; sub[0] = NULL; }
    }
    int val[2] = {0, -1};
    for (int i = 0; i < 2; i++) {
        if (!sub[i]) continue;
        char *end;
        val[i] = (int)strtol(sub[i], &end, 10);
        if (*end || (i != 0 && val[i] < 0))
            return exp_failp("\"%s\" is not a%s number (in \"%s\" expansion)", sub[i],
                             i != 0 ? " positive" : "", name);
    }
    size_t len;
    const char *r;
    if (name[0] == 'h') r = exp_hash(sub[2], val[0], val[1], &len);
    else if (name[0] == 'n') { r = exp_nhash(sub[2], val[0], val[1]); len = r ? strlen(r) : 0; }
    else r = exp_substr(sub[2], val[0], val[1], &len);
    return r ? string_catn(g, r, len) : NULL;
}

/* sg_replace - append the replacement with $0..$9 from this match */
static gstring *sg_replace(gstring *g, const char *subject, const char *repl, const size_t *ov,
                           int rc)
{
    exp_saved sv;
    exp_save(&sv);
    exp_set_numeric(subject, ov, rc);
    const char *p = repl;
    gstring *r = exp_sub(&p, false, false);
    exp_restore(&sv);
    return r ? string_catn(g, r->s, r->len) : NULL;
}

static pcre2_code *compile_or_fail(const char *pattern)
{
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ecode, &eoff,
                                   NULL);
    if (!re) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(ecode, buf, sizeof buf);
        exp_failf("regular expression error in \"%s\": %s at offset %zu", pattern, (char *)buf,
                  (size_t)eoff);
    }
    return re;
}

/* i_sg - ${sg{subject}{regex}{replacement}}: the replacement is expanded
 * per match with $1.. set (it was read unexpanded: \N or \$ protect it) */
static gstring *i_sg(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[3];
    int rc = exp_read_subs(sp, sub, 3, 3, skip, true, name);
    if (rc) return subs_fail(rc);
    if (skip) return g;
    pcre2_code *re = compile_or_fail(sub[1]);
    if (!re) return NULL;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    size_t len = strlen(sub[0]), off = 0;
    uint32_t flags = 0;
    while (off <= len) {
        int n = pcre2_match(re, (PCRE2_SPTR)sub[0], len, off, flags, md, NULL);
        if (n < 0) {
            if (flags == 0 || off >= len) break;
            g = string_catn(g, sub[0] + off, 1); /* empty match retried: step one char */
            off++;
            flags = 0;
            continue;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        g = string_catn(g, sub[0] + off, ov[0] - off);
        if (!(g = sg_replace(g, sub[0], sub[2], ov, n))) break;
        flags = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
        off = ov[1];
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (g && off < len) g = string_catn(g, sub[0] + off, len - off);
    return g;
}

static gstring *i_tr(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[3];
    int rc = exp_read_subs(sp, sub, 3, 3, skip, true, name);
    if (rc) return subs_fail(rc);
    if (skip) return g;
    size_t o2 = strlen(sub[2]);
    if (o2) {
        for (char *p = sub[0]; *p; p++) {
            char *m = strrchr(sub[1], *p);
            if (!m) continue;
            size_t k = (size_t)(m - sub[1]);
            *p = sub[2][k < o2 ? k : o2 - 1];
        }
    }
    return string_cat(g, sub[0]);
}

/* i_hmac - ${hmac{md5|sha1}{secret}{data}}: lowercase hex */
static gstring *i_hmac(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[3];
    int rc = exp_read_subs(sp, sub, 3, 3, skip, true, name);
    if (rc) return subs_fail(rc);
    if (skip) return g;
    const EVP_MD *md = strcmp(sub[0], "md5") == 0 ? EVP_md5()
                     : strcmp(sub[0], "sha1") == 0 ? EVP_sha1() : NULL;
    if (!md) return exp_failp("hmac algorithm \"%s\" is not recognised", sub[0]);
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    HMAC(md, sub[1], (int)strlen(sub[1]), (unsigned char *)sub[2], strlen(sub[2]), d, &dl);
    for (unsigned i = 0; i < dl; i++) g = string_fmt_append(g, "%02x", d[i]);
    return g;
}

static gstring *i_env(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[1];
    exp_saved sv;
    exp_save(&sv);
    const char *s = exp_skip_ws(*sp);
    if (*s != '{') return exp_failp("missing '{' for name arg of env");
    s++;
    if (!(sub[0] = exp_sub_str(&s, true, skip))) return NULL;
    if (*s++ != '}') return exp_failp("missing '}' for name arg of env");
    const char *v = skip ? NULL : getenv(sub[0]);
    xs.value = v ? string_copy_taint(v, true) : NULL;
    if (!exp_yesno(&s, v != NULL, sv.value, skip, "env", &g)) return NULL;
    exp_restore(&sv);
    *sp = s;
    return g;
}

/* read_fd - the whole of fd, optionally with newlines replaced by eol */
static gstring *read_fd(gstring *g, int fd, const char *eol, size_t *total)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        *total += (size_t)n;
        if (*total > LIMIT_EXPAND_READ_BYTES) break;
        if (!eol) { g = string_catn(g, buf, (size_t)n); continue; }
        const char *p = buf, *end = buf + n;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
            g = string_catn(g, p, k);
            if (nl) g = string_cat(g, eol);
            p += k + (nl ? 1 : 0);
        }
    }
    return g;
}

gstring *exp_item_readfile(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[2];
    int rc = exp_read_subs(sp, sub, 2, 1, skip, true, name);
    if (rc) return subs_fail(rc);
    if (skip) return g;
    if (store_is_tainted(sub[0]))
        return exp_failp("attempt to use tainted value '%s' for readfile", sub[0]);
    int fd = open(sub[0], O_RDONLY);
    if (fd < 0) return exp_failp("failed to open %s: %s", sub[0], strerror(errno));
    size_t total = 0;
    g = read_fd(g, fd, sub[1], &total);
    close(fd);
    return g;
}

/* split_argv - a command line into words (quotes group words) */
static char **split_argv(const char *cmd, int *argc)
{
    int cap = 8, n = 0;
    char **argv = store_get(sizeof(char *) * (size_t)cap, GET_UNTAINTED);
    const char *s = exp_skip_ws(cmd);
    while (*s) {
        if (n + 2 > cap) {
            char **nv = store_get(sizeof(char *) * (size_t)cap * 2, GET_UNTAINTED);
            memcpy(nv, argv, sizeof(char *) * (size_t)n);
            argv = nv;
            cap *= 2;
        }
        gstring *w = string_get_tainted(32, store_is_tainted(cmd));
        if (*s == '"' || *s == '\'') {
            char q = *s++;
            while (*s && *s != q) {
                if (q == '"' && *s == '\\' && s[1]) s++;
                w = string_catc(w, *s++);
            }
            if (*s) s++;
        } else {
            while (*s && !isspace((unsigned char)*s)) w = string_catc(w, *s++);
        }
        argv[n++] = string_from_gstring(w);
        s = exp_skip_ws(s);
    }
    argv[n] = NULL;
    *argc = n;
    return argv;
}

/* run_command - fork/exec argv without a shell, collecting stdout */
static bool run_command(char **argv, gstring **out, int *status)
{
    int pfd[2];
    if (pipe(pfd) != 0) return exp_failf("couldn't create pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return exp_failf("couldn't create child process: %s", strerror(errno));
    if (pid == 0) {
        int nullfd = open("/dev/null", O_RDWR);
        if (nullfd >= 0) dup2(nullfd, 0);
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t total = 0;
    *out = read_fd(*out, pfd[0], NULL, &total);
    close(pfd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
}

/* exp_item_run - ${run{command args}{yes}{no}}: $value is the output */
gstring *exp_item_run(const char **sp, gstring *g, bool skip, const char *name)
{
    exp_saved sv;
    exp_save(&sv);
    const char *s = exp_skip_ws(*sp);
    while (*s == ',') { /* options such as ",preexpand" */
        char opt[LIMIT_EXPAND_NAME];
        s += 1 + exp_read_name(s + 1, opt, sizeof opt, "_");
        if (strcmp(opt, "preexpand") != 0) return exp_failp("bad option '%s' for run", opt);
    }
    s = exp_skip_ws(s);
    if (*s != '{') return exp_failp("missing '{' for command arg of run");
    s++;
    char *cmd = exp_sub_str(&s, true, skip);
    if (!cmd) return NULL;
    if (*s++ != '}') return exp_failp("missing '}' closing command arg of run");
    bool ok = false;
    if (!skip) {
        int argc, status = 0;
        char **argv = split_argv(cmd, &argc);
        gstring *out = string_get(128);
        if (argc == 0) { xs.value = ""; ok = true; xs.runrc = 0; }
        else {
            if (!run_command(argv, &out, &status)) return NULL;
            xs.runrc = status;
            xs.value = string_from_gstring(out);
            ok = status == 0;
        }
    }
    if (!exp_yesno(&s, ok, xs.value, skip, "run", &g)) return NULL;
    exp_restore(&sv);
    *sp = s;
    return g;
}

/* exp_run_acl - run a named ACL for ${acl} and the acl condition:
 * sub[0] is the name, the rest its arguments. Returns OK (accept) or FAIL
 * (deny) with *msg the ACL's message, or NULL after setting the error
 * ("DEFER from acl ..." / "ERROR from acl ...", as Exim words them). */
const char *exp_run_acl(char **sub, int nsub, int *rc, char **msg)
{
    int argc = 0;
    while (argc + 1 < nsub && sub[argc + 1]) argc++;
    *msg = NULL;
    *rc = acl_eval(sub[0], argc, sub + 1, msg);
    if (*rc == OK || *rc == FAIL) return *msg ? *msg : "";
    return exp_failp("%s from acl \"%s\"", *rc == FAIL_FORCED ? "DEFER" : "ERROR", sub[0]);
}

static gstring *i_acl(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[10], *msg;
    int rc = exp_read_subs(sp, sub, 10, 1, skip, true, name);
    if (rc) return subs_fail(rc);
    if (skip) return g;
    const char *r = exp_run_acl(sub, 10, &rc, &msg);
    return r ? string_cat(g, r) : NULL;
}

static gstring *i_refused(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[10];
    int rc = exp_read_subs(sp, sub, 10, 1, skip, false, name);
    if (rc) return subs_fail(rc);
    if (strcmp(name, "certextract") == 0) {
        if (!exp_yesno(sp, false, xs.value, skip, name, &g)) return NULL;
        if (skip) return g;
        return exp_failp("certextract: TLS certificate variables are not yet available in this "
                         "build of Tern");
    }
    const char *s = exp_skip_ws(*sp);
    if (*s++ != '}') return exp_failp("missing '}' after '%s'", name);
    *sp = s;
    if (skip) return g;
    if (strcmp(name, "perl") == 0)
        return exp_failp("Tern has no embedded Perl interpreter: ${perl} is not supported");
    return exp_failp("Tern does not load code into itself: ${dlfunc} is not supported");
}

/* i_imapfolder - ${imapfolder{name}{sep}{specials}}: UTF-8 to IMAP's
 * modified UTF-7 (RFC 3501 section 5.1.3) */
static gstring *i_imapfolder(const char **sp, gstring *g, bool skip, const char *name)
{
    char *sub[3];
    int rc = exp_read_subs(sp, sub, 3, 1, skip, true, name);
    if (rc) return subs_fail(rc);
    if (skip) return g;
    char *r = exp_imap_utf7(sub[0], sub[1] ? sub[1][0] : '/', sub[2] ? sub[2] : "");
    return r ? string_cat(g, r) : NULL;
}

/* Sorted by name. */
static const struct item_row {
    const char *name;
    exp_item_fn fn;
} items[] = {
    {"acl", i_acl},
    {"authresults", exp_item_authresults},
    {"certextract", i_refused},
    {"dlfunc", i_refused},
    {"env", i_env},
    {"extract", exp_item_extract},
    {"filter", exp_item_filter},
    {"hash", i_substr_family},
    {"hmac", i_hmac},
    {"if", i_if},
    {"imapfolder", i_imapfolder},
    {"length", i_substr_family},
    {"listextract", exp_item_listextract},
    {"listquote", exp_item_listquote},
    {"lookup", exp_item_lookup},
    {"map", exp_item_map},
    {"nhash", i_substr_family},
    {"perl", i_refused},
    {"prvs", exp_item_prvs},
    {"prvscheck", exp_item_prvscheck},
    {"readfile", exp_item_readfile},
    {"readsocket", exp_item_readsocket},
    {"reduce", exp_item_reduce},
    {"run", exp_item_run},
    {"sg", i_sg},
    {"sort", exp_item_sort},
    {"srs_encode", exp_item_srs_encode},
    {"substr", i_substr_family},
    {"tr", i_tr},
};

bool expand_items_sorted(void)
{
    for (size_t i = 1; i < NELEM(items); i++)
        if (strcmp(items[i - 1].name, items[i].name) >= 0) return false;
    return true;
}

exp_item_fn exp_find_item(const char *name)
{
    size_t lo = 0, hi = NELEM(items);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, items[mid].name);
        if (c == 0) return items[mid].fn;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}
