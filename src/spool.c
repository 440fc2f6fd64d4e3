/* spool.c - message ids and spool files in Exim 4.96's format.
 *
 * Used by the receiving process (writes -D then -H, fsyncs both and the
 * directory before the 250 reply), the delivery process and the queue
 * tools (read). Never trusts a -H file beyond its length: each line is
 * checked, unknown '-' lines are skipped as Exim does, and any
 * inconsistency is an error, so a corrupt file is frozen, not misread. */

/* System */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "spool.h"
#include "lib/fileio.h"

#define SPOOL_HEADER_LIMIT (64 * 1024 * 1024) /* largest -H file we read */
#define SPOOL_MAX_RECIPIENTS (1024 * 1024)
#define SPOOL_ID_USEC_RESOLUTION 500 /* 2 base-62 digits hold 0..1999 */

static const char base62_chars[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void spool_base62(unsigned long n, int width, char *out)
{
    out[width] = 0;
    for (int i = width - 1; i >= 0; i--) {
        out[i] = base62_chars[n % 62];
        n /= 62;
    }
}

void spool_new_message_id(char out[MESSAGE_ID_LENGTH + 1])
{
    static struct timeval last;
    struct timeval tv;
    do {
        gettimeofday(&tv, NULL);
        tv.tv_usec -= tv.tv_usec % SPOOL_ID_USEC_RESOLUTION;
    } while (tv.tv_sec == last.tv_sec && tv.tv_usec == last.tv_usec);
    last = tv;
    spool_base62((unsigned long)tv.tv_sec, 6, out);
    out[6] = '-';
    spool_base62((unsigned long)getpid(), 6, out + 7);
    out[13] = '-';
    spool_base62((unsigned long)(tv.tv_usec / SPOOL_ID_USEC_RESOLUTION), 2, out + 14);
}

bool spool_message_id_valid(const char *id)
{
    if (strlen(id) != MESSAGE_ID_LENGTH || id[6] != '-' || id[13] != '-') return false;
    for (int i = 0; i < MESSAGE_ID_LENGTH; i++)
        if (i != 6 && i != 13 && !isalnum((unsigned char)id[i])) return false;
    return true;
}

char header_type_of(const char *text)
{
    static const struct { const char *name; char type; } types[] = {
        {"bcc:", HTYPE_BCC}, {"cc:", HTYPE_CC}, {"from:", HTYPE_FROM},
        {"message-id:", HTYPE_ID}, {"received:", HTYPE_RECEIVED},
        {"reply-to:", HTYPE_REPLY_TO}, {"sender:", HTYPE_SENDER}, {"to:", HTYPE_TO}};
    /* Resent- forms share the type (RFC 5322 section 3.6.6), as in Exim;
     * Reply-To and Received have none */
    bool resent = strncasecmp(text, "resent-", 7) == 0;
    if (resent) text += 7;
    for (size_t i = 0; i < NELEM(types); i++) {
        if (resent && (types[i].type == HTYPE_REPLY_TO || types[i].type == HTYPE_RECEIVED)) continue;
        size_t n = strlen(types[i].name) - 1;
        if (strncasecmp(text, types[i].name, n) != 0) continue;
        const char *p = text + n;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == ':') return types[i].type;
    }
    return HTYPE_OTHER;
}

/* ---- writing ---- */

/* put_str - "-name value", with "--" when the value is tainted */
static gstring *put_str(gstring *g, const char *name, const char *v)
{
    if (!v) return g;
    return string_fmt_append(g, "-%s%s %s\n", store_is_tainted(v) ? "-" : "", name, v);
}

static gstring *put_flag(gstring *g, const char *name, bool on)
{
    return on ? string_fmt_append(g, "-%s\n", name) : g;
}

static gstring *put_addr(gstring *g, const char *name, const char *addr, int port)
{
    if (!addr) return g;
    return string_fmt_append(g, "-%s%s [%s]:%d\n", store_is_tainted(addr) ? "-" : "", name, addr, port);
}

static gstring *put_acl_vars(gstring *g, const acl_var *v)
{
    for (; v; v = v->next)
        g = string_fmt_append(g, "-%sacl%c %s %zu\n%s\n", store_is_tainted(v->value) ? "-" : "",
                              v->conn ? 'c' : 'm', v->name, strlen(v->value), v->value);
    return g;
}

static gstring *put_options(gstring *g, const spool_header *h)
{
    g = string_fmt_append(g, "-received_time_usec .%06d\n", h->received_usec);
    g = put_str(g, "active_hostname", h->active_hostname);
    g = put_str(g, "helo_name", h->helo_name);
    g = put_addr(g, "host_address", h->host_address, h->host_port);
    g = put_str(g, "host_name", h->host_name);
    g = put_flag(g, "host_lookup_failed", h->host_lookup_failed);
    g = put_addr(g, "interface_address", h->interface_address, h->interface_port);
    g = put_str(g, "ident", h->ident);
    g = put_str(g, "received_protocol", h->received_protocol);
    g = put_acl_vars(g, h->acl_vars);
    g = string_fmt_append(g, "-body_linecount %d\n", h->body_linecount);
    if (h->body_zerocount) g = string_fmt_append(g, "-body_zerocount %d\n", h->body_zerocount);
    g = string_fmt_append(g, "-max_received_linelength %d\n", h->max_received_linelength);
    g = put_str(g, "host_auth", h->host_auth);
    g = put_str(g, "auth_id", h->auth_id);
    g = put_str(g, "auth_sender", h->auth_sender);
    if (h->frozen_at) g = string_fmt_append(g, "-frozen %ld\n", h->frozen_at);
    g = put_flag(g, "allow_unqualified_recipient", h->allow_unqualified_recipient);
    g = put_flag(g, "allow_unqualified_sender", h->allow_unqualified_sender);
    g = put_flag(g, "deliver_firsttime", h->deliver_firsttime);
    g = put_flag(g, "local", h->local);
    g = put_flag(g, "localerror", h->localerror);
    g = put_str(g, "local_scan", h->local_scan);
    g = put_flag(g, "manual_thaw", h->manual_thaw);
    g = put_flag(g, "N", h->dont_deliver);
    g = put_flag(g, "sender_set_untrusted", h->sender_set_untrusted);
    g = put_flag(g, "spool_file_wireformat", h->spool_file_wireformat);
    g = put_flag(g, "tls_certificate_verified", h->tls_certificate_verified);
    g = put_str(g, "tls_cipher", h->tls_cipher);
    g = put_str(g, "tls_peerdn", h->tls_peerdn);
    g = put_str(g, "tls_sni", h->tls_sni);
    g = put_str(g, "tls_ver", h->tls_ver);
    g = put_str(g, "dsn_envid", h->dsn_envid);
    if (h->dsn_ret) g = string_fmt_append(g, "-dsn_ret %d\n", h->dsn_ret);
    return g;
}

/* put_tree - the non-recipients set as Exim's balanced-tree listing:
 * "YN addr" = has left / right subtree; an empty set is "XX". */
static gstring *put_tree(gstring *g, char *const *a, int lo, int hi)
{
    if (lo > hi) return g;
    int mid = (lo + hi + 1) / 2;
    g = string_fmt_append(g, "%c%c %s\n", mid > lo ? 'Y' : 'N', mid < hi ? 'Y' : 'N', a[mid]);
    g = put_tree(g, a, lo, mid - 1);
    return put_tree(g, a, mid + 1, hi);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static gstring *put_recipients(gstring *g, const spool_header *h)
{
    if (!h->nonrecipients_count) g = string_cat(g, "XX\n");
    else {
        char **sorted = store_get((size_t)h->nonrecipients_count * sizeof(char *), GET_UNTAINTED);
        memcpy(sorted, h->nonrecipients, (size_t)h->nonrecipients_count * sizeof(char *));
        qsort(sorted, (size_t)h->nonrecipients_count, sizeof(char *), cmp_str);
        g = put_tree(g, sorted, 0, h->nonrecipients_count - 1);
    }
    g = string_fmt_append(g, "%d\n", h->recipients_count);
    for (int i = 0; i < h->recipients_count; i++) {
        const recipient_item *r = &h->recipients[i];
        bool plain = r->pno < 0 && !r->errors_to && !r->orcpt && !r->dsn_flags;
        if (plain && !strchr(r->address, '#')) { /* '#' would look like flag bits */
            g = string_fmt_append(g, "%s\n", r->address);
            continue;
        }
        const char *o = r->orcpt ? r->orcpt : "", *e = r->errors_to ? r->errors_to : "";
        g = string_fmt_append(g, "%s %s %zu,%d %s %zu,%d#3\n", r->address, o, strlen(o),
                              r->dsn_flags, e, strlen(e), r->pno);
    }
    return string_catc(g, '\n');
}

gstring *spool_format_header(const spool_header *h)
{
    gstring *g = string_fmt_append(NULL, "%s-H\n%s %ld %ld\n<%s>\n%ld %d\n", h->id,
                                   h->caller_login, h->caller_uid, h->caller_gid, h->sender,
                                   h->received_time, h->warning_count);
    g = put_options(g, h);
    g = put_recipients(g, h);
    for (const header_line *hl = h->headers; hl; hl = hl->next)
        g = string_fmt_append(g, "%03zu%c %.*s", hl->slen, hl->type, (int)hl->slen, hl->text);
    return g;
}

/* ---- reading ---- */

typedef struct reader {
    const char *p, *end;
    bool tainted; /* whole file: the spool holds outside data */
} reader;

/* next_line - the next line without its newline, or NULL at the end */
static char *next_line(reader *r, bool tainted)
{
    if (r->p >= r->end) return NULL;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (!nl) return NULL;
    char *s = string_copyn_taint(r->p, (size_t)(nl - r->p), tainted);
    r->p = nl + 1;
    return s;
}

static bool parse_long(const char *s, long *out, const char **rest)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno) return false;
    *out = v;
    if (rest) *rest = end;
    else if (*end) return false;
    return true;
}

static bool parse_int(const char *s, int *out)
{
    long v;
    if (!parse_long(s, &v, NULL) || v < INT32_MIN || v > INT32_MAX) return false;
    *out = (int)v;
    return true;
}

/* parse_hostport - "[addr]:port" */
static bool parse_hostport(char *v, char **addr, int *port)
{
    if (*v != '[') return false;
    char *close = strchr(v, ']');
    if (!close || close[1] != ':') return false;
    *close = 0;
    *addr = v + 1;
    return parse_int(close + 2, port);
}

static const char *parse_acl_var(reader *r, char *rest, bool conn, bool tainted, spool_header *h)
{
    char *sp = strrchr(rest, ' ');
    long len;
    if (!sp || !parse_long(sp + 1, &len, NULL) || len < 0 || len > r->end - r->p)
        return "bad ACL variable line";
    *sp = 0;
    acl_var *v = store_get_zero(sizeof *v, GET_UNTAINTED);
    v->name = string_copy(rest);
    v->value = string_copyn_taint(r->p, (size_t)len, tainted);
    v->conn = conn;
    r->p += len;
    if (r->p >= r->end || *r->p != '\n') return "ACL variable value not followed by newline";
    r->p++;
    v->next = h->acl_vars;
    h->acl_vars = v;
    return NULL;
}

typedef struct str_field { const char *name; size_t off; } str_field;
#define SF(n) {#n, offsetof(spool_header, n)}
static const str_field str_fields[] = {
    SF(active_hostname), SF(auth_id), SF(auth_sender), SF(dsn_envid), SF(helo_name),
    SF(host_auth), SF(host_name), SF(ident), SF(local_scan), SF(received_protocol),
    SF(tls_cipher), SF(tls_peerdn), SF(tls_sni), SF(tls_ver),
};
typedef struct flag_field { const char *name; size_t off; } flag_field;
static const flag_field flag_fields[] = {
    SF(allow_unqualified_recipient), SF(allow_unqualified_sender), SF(deliver_firsttime),
    SF(host_lookup_failed), SF(local), SF(localerror), SF(manual_thaw),
    {"N", offsetof(spool_header, dont_deliver)}, SF(sender_set_untrusted),
    SF(spool_file_wireformat), SF(tls_certificate_verified),
};
static const str_field int_fields[] = {
    SF(body_linecount), SF(body_zerocount), SF(dsn_ret), SF(max_received_linelength),
};

/* parse_known - a "-name value" line of a field we keep; unknown names
 * are skipped as Exim skips them (forward compatibility) */
static const char *parse_known(const char *name, char *val, bool tainted, spool_header *h)
{
    char *base = (char *)h;
    for (size_t i = 0; i < NELEM(str_fields); i++)
        if (strcmp(name, str_fields[i].name) == 0) {
            if (!val) return "missing value";
            *(char **)(base + str_fields[i].off) = string_copy_taint(val, tainted);
            return NULL;
        }
    for (size_t i = 0; i < NELEM(flag_fields); i++)
        if (strcmp(name, flag_fields[i].name) == 0) {
            *(bool *)(base + flag_fields[i].off) = true;
            return NULL;
        }
    for (size_t i = 0; i < NELEM(int_fields); i++)
        if (strcmp(name, int_fields[i].name) == 0)
            return val && parse_int(val, (int *)(base + int_fields[i].off)) ? NULL : "bad number";
    if (strcmp(name, "frozen") == 0) return val && parse_long(val, &h->frozen_at, NULL) ? NULL : "bad time";
    if (strcmp(name, "received_time_usec") == 0)
        return val && *val == '.' && parse_int(val + 1, &h->received_usec) ? NULL : "bad usec";
    if (strcmp(name, "host_address") == 0 || strcmp(name, "interface_address") == 0) {
        bool host = name[0] == 'h';
        char *v = val ? string_copy_taint(val, tainted) : NULL;
        if (!v || !parse_hostport(v, host ? &h->host_address : &h->interface_address,
                                  host ? &h->host_port : &h->interface_port))
            return "bad address";
        return NULL;
    }
    return NULL;
}

static const char *parse_option_line(reader *r, char *line, spool_header *h)
{
    bool tainted = line[1] == '-';
    char *name = line + (tainted ? 2 : 1);
    char *val = strchr(name, ' ');
    if (val) *val++ = 0;
    if ((strcmp(name, "aclc") == 0 || strcmp(name, "aclm") == 0) && val)
        return parse_acl_var(r, val, name[3] == 'c', tainted, h);
    return parse_known(name, val, tainted, h);
}

/* grow_ptrs - room for element n, doubling at powers of two */
static char **grow_ptrs(char **old, int n)
{
    if (n & (n - 1) || n == 0) {
        if (n) return old;
    }
    size_t cap = n ? (size_t)n * 2 : 4;
    char **a = store_get(cap * sizeof(char *), GET_UNTAINTED);
    if (n) memcpy(a, old, (size_t)n * sizeof(char *));
    return a;
}

/* parse_tree - the non-recipients listing, recursively (depth bounded by
 * the file: each node consumes a line) */
static const char *parse_tree(reader *r, char *line, spool_header *h, int depth)
{
    if (depth > 64) return "non-recipients tree too deep";
    if (strlen(line) < 4 || (line[0] != 'Y' && line[0] != 'N') || (line[1] != 'Y' && line[1] != 'N')
        || line[2] != ' ')
        return "bad non-recipients tree line";
    if (h->nonrecipients_count >= SPOOL_MAX_RECIPIENTS) return "too many non-recipients";
    int n = h->nonrecipients_count++;
    h->nonrecipients = grow_ptrs(h->nonrecipients, n);
    h->nonrecipients[n] = string_copy(line + 3);
    for (int side = 0; side < 2; side++) {
        if (line[side] != 'Y') continue;
        char *sub = next_line(r, true);
        if (!sub) return "truncated non-recipients tree";
        const char *err = parse_tree(r, sub, h, depth + 1);
        if (err) return err;
    }
    return NULL;
}

/* take_field - the len bytes before *endp, which must be preceded by a
 * space; moves *endp to that space */
static char *take_field(char *start, char **endp, long len)
{
    if (len < 0 || *endp - start < len + 1) return NULL;
    char *f = *endp - len;
    if (f[-1] != ' ') return NULL;
    f[len] = 0;
    *endp = f - 1;
    return f;
}

/* take_pair - "a,b" just before *endp, preceded by a space */
static bool take_pair(char *start, char **endp, long *a, long *b)
{
    char *sp = *endp;
    while (sp > start && sp[-1] != ' ') sp--;
    if (sp == start) return false;
    char *field = string_copyn(sp, (size_t)(*endp - sp));
    const char *rest;
    if (!parse_long(field, a, &rest) || *rest != ',' || !parse_long(rest + 1, b, NULL)) return false;
    *endp = sp - 1;
    **endp = 0;
    return true;
}

/* parse_recipient - plain "addr", or "addr [orcpt len,flags] errors_to len,pno#bits" */
static const char *parse_recipient(char *line, recipient_item *r)
{
    memset(r, 0, sizeof *r);
    r->pno = -1;
    size_t n = strlen(line);
    char *hash = strrchr(line, '#');
    long bits;
    if (!n || !hash || !parse_long(hash + 1, &bits, NULL) || !(bits & 1)) {
        r->address = line;
        return n ? NULL : "empty recipient";
    }
    char *end = hash;
    *end = 0;
    long len, pno, flags;
    if (!take_pair(line, &end, &len, &pno)) return "bad recipient line";
    char *e = take_field(line, &end, len);
    if (!e) return "bad errors_to field";
    if (*e) r->errors_to = e;
    r->pno = (int)pno;
    if (bits & 2) {
        *end = 0;
        if (!take_pair(line, &end, &len, &flags)) return "bad DSN field";
        char *o = take_field(line, &end, len);
        if (!o) return "bad ORCPT field";
        if (*o) r->orcpt = o;
        r->dsn_flags = (int)flags;
    }
    *end = 0;
    r->address = line;
    return *line ? NULL : "empty recipient";
}

static const char *parse_recipients(reader *r, spool_header *h)
{
    char *line = next_line(r, true);
    if (!line) return "missing non-recipients";
    if (strcmp(line, "XX") != 0) {
        const char *err = parse_tree(r, line, h, 0);
        if (err) return err;
    }
    line = next_line(r, false);
    int count;
    if (!line || !parse_int(line, &count) || count < 0 || count > SPOOL_MAX_RECIPIENTS)
        return "bad recipient count";
    h->recipients = store_get_zero((size_t)(count ? count : 1) * sizeof(recipient_item), GET_UNTAINTED);
    for (int i = 0; i < count; i++) {
        line = next_line(r, true);
        if (!line) return "truncated recipient list";
        const char *err = parse_recipient(line, &h->recipients[i]);
        if (err) return err;
    }
    h->recipients_count = count;
    line = next_line(r, false);
    return line && !*line ? NULL : "missing blank line after recipients";
}

static const char *parse_headers(reader *r, spool_header *h)
{
    header_line **tail = &h->headers;
    while (r->p < r->end) {
        if (r->end - r->p < 5) return "truncated header";
        /* at least three digits; lengths over 999 use more */
        const char *q = r->p;
        long llen = 0;
        while (q < r->end && isdigit((unsigned char)*q)) llen = llen * 10 + (*q++ - '0');
        if (q + 2 > r->end || q[1] != ' ' || llen <= 0 || llen > r->end - (q + 2)) return "bad header line";
        header_line *hl = store_get_zero(sizeof *hl, GET_UNTAINTED);
        hl->type = q[0];
        hl->text = string_copyn_taint(q + 2, (size_t)llen, true);
        hl->slen = (size_t)llen;
        r->p = q + 2 + llen;
        *tail = hl;
        tail = &hl->next;
    }
    return NULL;
}

static const char *parse_preamble(reader *r, spool_header *h)
{
    char *line = next_line(r, false);
    if (!line || strlen(line) != MESSAGE_ID_LENGTH + 2 || strcmp(line + MESSAGE_ID_LENGTH, "-H") != 0)
        return "first line is not the file's name";
    memcpy(h->id, line, MESSAGE_ID_LENGTH);
    h->id[MESSAGE_ID_LENGTH] = 0;
    line = next_line(r, false);
    const char *rest;
    char *sp = line ? strchr(line, ' ') : NULL;
    if (!sp) return "bad caller line";
    *sp = 0;
    h->caller_login = line;
    if (!parse_long(sp + 1, &h->caller_uid, &rest) || *rest != ' ' || !parse_long(rest + 1, &h->caller_gid, NULL))
        return "bad caller line";
    line = next_line(r, true);
    size_t n = line ? strlen(line) : 0;
    if (n < 2 || line[0] != '<' || line[n - 1] != '>') return "bad sender line";
    line[n - 1] = 0;
    h->sender = line + 1;
    line = next_line(r, false);
    long wc;
    if (!line || !parse_long(line, &h->received_time, &rest) || *rest != ' ' || !parse_long(rest + 1, &wc, NULL))
        return "bad time line";
    h->warning_count = (int)wc;
    return NULL;
}

const char *spool_parse_header(const char *data, size_t len, spool_header *h)
{
    memset(h, 0, sizeof *h);
    reader r = {data, data + len, true};
    const char *err = parse_preamble(&r, h);
    if (err) return err;
    while (r.p < r.end && *r.p == '-') {
        char *line = next_line(&r, false);
        if (!line) return "truncated option line";
        err = parse_option_line(&r, line, h);
        if (err) return string_sprintf("%s in line \"%s\"", err, string_printing(line));
    }
    err = parse_recipients(&r, h);
    if (err) return err;
    return parse_headers(&r, h);
}

/* ---- files ---- */

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int spool_write_temp(const char *dir, const char *name, const char *data, size_t len,
                     char **tmpp, const char **err)
{
    return spool_write_temp_sync(dir, name, data, len, true, tmpp, err);
}

int spool_write_temp_sync(const char *dir, const char *name, const char *data, size_t len,
                          bool sync, char **tmpp, const char **err)
{
    char *tmp = string_sprintf("%s/hdr.%s.%d", dir, name, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        *err = string_sprintf("failed to create %s: %s", tmp, strerror(errno));
        return ERROR;
    }
    if (write_all(fd, data, len) != 0 || (sync && fsync(fd) != 0)) {
        *err = string_sprintf("failed to write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return ERROR;
    }
    close(fd);
    *tmpp = tmp;
    return OK;
}

char *spool_input_dir(const char *spool, const char *id, bool split)
{
    char *dir = string_sprintf("%s/input", spool);
    (void)mkdir(spool, 0750);
    (void)mkdir(dir, 0750);
    if (!split) return dir;
    dir = string_sprintf("%s/%c", dir, id[5]);
    (void)mkdir(dir, 0750);
    return dir;
}

/* tidy_dir - spool_tidy_dead_writer for one directory */
static int tidy_dir(const char *dir, const char *pidpart, const char *tmpsuffix)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        size_t len = strlen(name), sl = strlen(tmpsuffix);
        bool tmp = strncmp(name, "hdr.", 4) == 0 && len > sl && strcmp(name + len - sl, tmpsuffix) == 0;
        bool orphan = len == MESSAGE_ID_LENGTH + 2 && strcmp(name + MESSAGE_ID_LENGTH, "-D") == 0 &&
                      strncmp(name + 7, pidpart, 6) == 0;
        if (orphan) {
            char *h = string_sprintf("%s/%.*s-H", dir, MESSAGE_ID_LENGTH, name);
            if (access(h, F_OK) == 0 || errno != ENOENT) orphan = false;
        }
        if ((tmp || orphan) && unlink(string_sprintf("%s/%s", dir, name)) == 0 && orphan) n++;
    }
    closedir(d);
    return n;
}

int spool_tidy_dead_writer(const char *spool, bool split, pid_t pid)
{
    char pidpart[7];
    spool_base62((unsigned long)pid, 6, pidpart);
    char *suffix = string_sprintf(".%d", (int)pid);
    char *input = string_sprintf("%s/input", spool);
    int n = tidy_dir(input, pidpart, suffix);
    if (!split) return n;
    for (const char *c = base62_chars; *c; c++)
        n += tidy_dir(string_sprintf("%s/%c", input, *c), pidpart, suffix);
    return n;
}

int spool_write_file(const char *dir, const char *name, const char *data, size_t len,
                     const char **err)
{
    char *tmp;
    char *final = string_sprintf("%s/%s", dir, name);
    if (spool_write_temp(dir, name, data, len, &tmp, err) != OK) return ERROR;
    if (rename(tmp, final) != 0) {
        *err = string_sprintf("failed to rename %s as %s: %s", tmp, final, strerror(errno));
        unlink(tmp);
        return ERROR;
    }
    return OK;
}

/* spool_syncfs - make everything written on dir's file system durable
 * with one syncfs(2): the -D and -H data and both renames, where an
 * fsync of each file plus the directory would cost three. */
int spool_syncfs(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ERROR;
    int rc = syncfs(fd);
    close(fd);
    return rc == 0 ? OK : ERROR;
}

int spool_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ERROR;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? OK : ERROR;
}

char *spool_read_file(const char *path, size_t *len, size_t limit, const char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = string_sprintf("failed to open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size > (limit ? limit : SPOOL_HEADER_LIMIT)) {
        *err = string_sprintf("%s is too large or unreadable", path);
        close(fd);
        return NULL;
    }
    char *buf = fileio_read_fd(fd, (size_t)st.st_size, GET_TAINTED, len);
    close(fd);
    return buf;
}
