/* acl_mime.c - the MIME ACL (acl_smtp_mime, acl_not_smtp_mime) and the
 * content conditions that read the message: decode, mime_regex, regex.
 *
 * Runs in the receiving process (SMTP connection child, -bs, -bh or the
 * non-SMTP receiver) after the message data is read and before the DATA
 * (or non-SMTP) ACL. As Exim does, it copies the message into
 * <spool>/scan/<id>/<id>.eml ("From " line, X-Envelope-From/-To, header,
 * body), walks its MIME parts (mime.c) and runs the ACL once per part.
 * decode writes part content under the same directory, which
 * acl_mime_unspool removes when the message has been dealt with. It
 * never writes outside the spool unless the admin's decode path says so,
 * and never uses a tainted path that is more than one safe name. */

/* System */
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "lib/fileio.h"
#include "log.h"
#include "mime.h"
/* This module */
#include "acl_int.h"

#define MS (msg.acl.mime)

/* ---- the message copy ---- */

/* write_all - write(2) until done; false on error */
static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* eml_head - the mbox-style lines and the message header, as Exim's
 * copy for content scanning starts */
static gstring *eml_head(void)
{
    time_t now = time(NULL);
    char tod[64];
    struct tm tm;
    strftime(tod, sizeof tod, "%a %b %e %H:%M:%S %Y", localtime_r(&now, &tm));
    const char *s = msg.sender_address;
    gstring *g = string_fmt_append(NULL, "From %s %s\n", s && *s ? s : "MAILER-DAEMON", tod);
    if (s && *s) g = string_fmt_append(g, "X-Envelope-From: <%s>\n", s);
    if (msg.recipients_count) {
        g = string_cat(g, "X-Envelope-To: ");
        for (int i = 0; i < msg.recipients_count; i++)
            g = string_fmt_append(g, "%s%s", i ? ", " : "", msg.recipients[i].address);
        g = string_catc(g, '\n');
    }
    for (const header_line *h = msg.headers; h; h = h->next)
        if (h->type != HTYPE_OLD) g = string_catn(g, h->text, h->slen);
    return string_catc(g, '\n');
}

/* make_scan_dir - <spool>/scan/<id>, created once per message */
static bool make_scan_dir(void)
{
    if (MS.scan_dir) return true;
    char *top = string_sprintf("%s/scan", cfg.spool_directory);
    char *dir = string_sprintf("%s/%s", top, msg.id);
    if ((mkdir(top, 0750) < 0 && errno != EEXIST) || (mkdir(dir, 0750) < 0 && errno != EEXIST)) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to create %s: %s", dir, strerror(errno));
        return false;
    }
    MS.scan_dir = dir;
    return true;
}

/* map_eml - the copy of the message, written and mapped once per message */
static bool map_eml(void)
{
    if (MS.eml_path) return MS.eml != NULL || MS.eml_len == 0;
    if (!MS.write_body || !make_scan_dir()) return false;
    char *path = string_sprintf("%s/%s.eml", MS.scan_dir, msg.id);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to create %s: %s", path, strerror(errno));
        return false;
    }
    MS.eml_path = path;
    gstring *head = eml_head();
    struct stat st;
    bool ok = write_all(fd, head->s, head->len) && MS.write_body(MS.write_ctx, fd) && fstat(fd, &st) == 0;
    if (ok && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) ok = false;
        else { MS.eml = m; MS.eml_len = (size_t)st.st_size; }
    }
    if (!ok) log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to write %s: %s", path, strerror(errno));
    close(fd);
    return ok;
}

void acl_mime_source(bool (*write_body)(void *ctx, int fd), void *ctx)
{
    MS.write_body = write_body;
    MS.write_ctx = ctx;
}

/* remove_dir - the scan directory and the files decode put in it */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *f = string_sprintf("%s/%s", dir, e->d_name);
        if (acl_tracing() && MS.eml_path && strcmp(f, MS.eml_path) == 0)
            acl_trace("unspool_mbox(): unlinking '%s'", f);
        unlink(f);
    }
    closedir(d);
    rmdir(dir);
}

void acl_mime_unspool(void)
{
    if (MS.eml) munmap(MS.eml, MS.eml_len);
    if (MS.scan_dir && !msg.acl.no_mbox_unspool) remove_dir(MS.scan_dir);
    int count = MS.part_count;
    bool walked = MS.walked;
    memset(&MS, 0, sizeof MS);
    MS.part_count = count;
    MS.walked = walked;
}

/* ---- the MIME ACL ---- */

typedef struct mime_run {
    enum acl_where where;
    const char *acl;
    char **um, **lm;
} mime_run;

/* visit_part - set $mime_* for one part and run the ACL on it */
static int visit_part(const mime_part *p, void *arg)
{
    mime_run *r = arg;
    MS.part = p;
    MS.content_type = p->content_type;
    MS.boundary = p->boundary;
    MS.charset = p->charset;
    MS.description = p->description;
    MS.disposition = p->disposition;
    MS.content_id = p->content_id;
    MS.encoding = p->encoding;
    MS.filename = p->filename;
    MS.decoded_filename = NULL;
    MS.content_size = 0;
    MS.anomaly_level = p->anomaly_level;
    MS.anomaly_text = (char *)p->anomaly_text;
    MS.part_count = p->part_count;
    MS.is_coverletter = p->is_coverletter;
    MS.is_multipart = p->is_multipart;
    MS.is_rfc822 = p->is_rfc822;
    int rc = acl_check(r->where, NULL, r->acl, r->um, r->lm);
    MS.part = NULL;
    return rc;
}

/* has_content_type - Exim runs the MIME ACL only for such messages */
static bool has_content_type(void)
{
    for (const header_line *h = msg.headers; h; h = h->next)
        if (h->type != HTYPE_OLD && strncasecmp(h->text, "content-type:", 13) == 0) return true;
    return false;
}

int acl_mime_check(enum acl_where where, const char *acl, char **user_msg, char **log_msg)
{
    *user_msg = *log_msg = NULL;
    if (!acl || !has_content_type()) return OK;
    if (!map_eml()) {
        *log_msg = string_copy("MIME ACL: cannot make the scan copy of the message");
        return DEFER;
    }
    mime_run r = {where, acl, user_msg, log_msg};
    int last = -1;
    MS.walked = true;
    int rc = mime_walk(MS.eml ? MS.eml : "", MS.eml_len, visit_part, &r, &last);
    MS.part_count = last;
    return rc;
}

const char *acl_mime_part_count(void)
{
    return string_sprintf("%d", MS.walked ? MS.part_count : -1);
}

/* ---- decode ---- */

/* safe_name - a tainted file name may only be one plain path component
 * (DESIGN.md section 4) */
static bool safe_name(const char *s)
{
    if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return false;
    for (const char *p = s; *p; p++)
        if (*p == '/' || (unsigned char)*p < 32 || *p == 127) return false;
    return true;
}

/* decode_path - where decode = arg puts the part: "default" and a
 * directory get <id>-NNNNN; another absolute path is the file itself; a
 * relative name goes in the scan directory */
static char *decode_path(acl_ctx *x, const char *arg)
{
    struct stat st;
    if (!make_scan_dir()) { x->err_msg = string_copy("cannot create the MIME scan directory"); return NULL; }
    const char *dir = MS.scan_dir;
    if (*arg == '/' && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) dir = arg;
    else if (*arg == '/') return string_copy(arg);
    else if (strcmp(arg, "default") != 0) return string_sprintf("%s/%s", MS.scan_dir, arg);
    /* the next free name, as Exim picks it; at the limit the last one is
     * reused (the counter saves stat()ing every earlier name again) */
    int i = MS.file_nr;
    char *path = string_sprintf("%s/%s-%05d", dir, msg.id, i);
    while (i < LIMIT_MIME_DECODE_FILES - 1 && stat(path, &st) == 0)
        path = string_sprintf("%s/%s-%05d", dir, msg.id, ++i);
    MS.file_nr = i < LIMIT_MIME_DECODE_FILES - 1 ? i + 1 : i;
    return path;
}

/* decode_part - the current part decoded into path; false on error */
static bool decode_part(acl_ctx *x, const char *path)
{
    const mime_part *p = MS.part;
    int anomaly = 0;
    gstring *g = mime_decode(p->encoding, p->body, NULL, &anomaly);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    bool ok = fd >= 0 && write_all(fd, g->s, g->len);
    if (fd >= 0 && close(fd) != 0) ok = false;
    if (!ok) {
        x->err_msg = string_sprintf("MIME ACL: cannot write %s: %s", path, strerror(errno));
        return false;
    }
    if (anomaly) {
        MS.anomaly_level = anomaly;
        MS.anomaly_text = (char *)mime_anomaly_text(anomaly);
    }
    MS.decoded_filename = string_copy(path);
    MS.content_size = (int)((g->len + 1023) / 1024);
    return true;
}

int acl_mime_decode(acl_ctx *x, const char *arg)
{
    if (!MS.part) { x->err_msg = string_copy("decode used outside the MIME ACL"); return ERROR; }
    if (strcmp(arg, "0") == 0 || strcasecmp(arg, "false") == 0) return FAIL;
    if (!*arg) return FAIL;
    if (store_is_tainted(arg) && !safe_name(arg)) {
        x->err_msg = string_sprintf("tainted file name for decode: \"%s\"", string_printing(arg));
        return DEFER;
    }
    char *path = decode_path(x, arg);
    if (!path) return DEFER;
    return decode_part(x, path) ? OK : DEFER;
}

/* ---- regex, mime_regex ---- */

/* A compiled "regex"/"mime_regex" list. */
typedef struct re_list {
    pcre2_code **re;
    char **pat;
    pcre2_match_data *md;
    int n;
} re_list;

/* re_compile - the colon list; false (x->err_msg set) on a bad pattern */
static bool re_compile(acl_ctx *x, const char *list, re_list *l)
{
    int sep = 0, n = 0;
    const char *p = list;
    while (string_nextinlist(&p, &sep)) n++;
    l->re = store_get_zero(sizeof *l->re * (size_t)(n + 1), GET_UNTAINTED);
    l->pat = store_get_zero(sizeof *l->pat * (size_t)(n + 1), GET_UNTAINTED);
    l->md = pcre2_match_data_create(10, NULL);
    l->n = 0;
    sep = 0;
    for (char *pat; (pat = string_nextinlist(&list, &sep));) {
        int ecode;
        PCRE2_SIZE eoff;
        l->re[l->n] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ecode, &eoff, NULL);
        if (!l->re[l->n]) {
            x->err_msg = string_sprintf("regex: could not compile \"%s\"", pat);
            return false;
        }
        l->pat[l->n++] = pat;
    }
    return true;
}

static void re_free(re_list *l)
{
    for (int i = 0; i < l->n; i++) pcre2_code_free(l->re[i]);
    pcre2_match_data_free(l->md);
}

/* re_match - any pattern against subj; on a match $regex_match_string
 * and $regex1.. are set (Exim's content-scanning variables) */
static bool re_match(re_list *l, const char *subj, size_t n)
{
    for (int i = 0; i < l->n; i++) {
        int rc = pcre2_match(l->re[i], (PCRE2_SPTR)subj, n, 0, 0, l->md, NULL);
        if (rc <= 0) continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(l->md);
        msg.regex_match_string = l->pat[i];
        for (int k = 1; k <= 9; k++)
            msg.regex_vars[k - 1] = k < rc ? string_copyn_taint(subj + ov[2 * k], ov[2 * k + 1] - ov[2 * k], true)
                                           : NULL;
        return true;
    }
    return false;
}

int acl_mime_regex(acl_ctx *x, const char *arg)
{
    if (!MS.part) { x->err_msg = string_copy("mime_regex used outside the MIME ACL"); return ERROR; }
    if (!MS.decoded_filename && acl_mime_decode(x, "default") != OK) return DEFER;
    int fd = open(MS.decoded_filename, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { x->err_msg = string_sprintf("mime_regex: cannot open %s", MS.decoded_filename); return DEFER; }
    size_t got = 0;
    char *data = fileio_read_fd(fd, LIMIT_MIME_REGEX_SPAN, true, &got);
    close(fd);
    re_list l;
    if (!re_compile(x, arg, &l)) { re_free(&l); return ERROR; }
    bool m = re_match(&l, data ? data : "", data ? got : 0);
    re_free(&l);
    return m ? OK : FAIL;
}

/* acl_regex - regex: each line (at most LIMIT_MIME_REGEX_SPAN bytes) of
 * the raw part in the MIME ACL, of the whole message copy elsewhere */
int acl_regex(acl_ctx *x, const char *arg)
{
    str_view v;
    if (MS.part) v = ((const mime_part *)MS.part)->body;
    else if (map_eml()) v = sv(MS.eml ? MS.eml : "", MS.eml_len);
    else { x->err_msg = string_copy("regex: cannot make the scan copy of the message"); return DEFER; }
    re_list l;
    if (!re_compile(x, arg, &l)) { re_free(&l); return ERROR; }
    bool m = false;
    for (const char *p = v.p, *end = v.p + v.len; !m && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        m = re_match(&l, p, n < LIMIT_MIME_REGEX_SPAN ? n : LIMIT_MIME_REGEX_SPAN);
        p = nl ? nl + 1 : end;
    }
    re_free(&l);
    return m ? OK : FAIL;
}
