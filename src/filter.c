/* filter.c - the Exim filter language for .forward-style files: if /
 * elif / else / endif with string tests (is, contains, begins, ends,
 * matches, and their "does not" forms, and/or/not, parentheses,
 * error_message, first_delivery), and the commands deliver, save, pipe,
 * mail, vacation, seen, unseen, finish, fail, defer, freeze, logwrite,
 * headers add, headers remove, testprint.
 *
 * Runs in the delivery process while the redirect router routes the
 * address (allow_filter). It only produces addresses, files, pipes and
 * replies (mail/vacation, for the router's reply_transport); transports
 * deliver them later with the user's identity. */

/* System */
#include <ctype.h>
#include <regex.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "filter.h"
#include "globals.h"
#include "log.h"
#include "route.h"

typedef struct ftok {
    char *text;
    bool quoted;
    int line;
} ftok;

typedef struct fstate {
    ftok *t;
    int n, pos;
    filter_result *res;
    const address_item *addr;
    unsigned forbid;
    bool finished;
    int rc;
    int replies; /* mail/vacation commands obeyed: each reply is separate */
} fstate;

bool filter_is_exim(const char *text)
{
    while (isspace((unsigned char)*text)) text++;
    return strncasecmp(text, "# exim filter", 13) == 0;
}

/* ---- tokens ---- */

/* quoted - a "..." string with \n, \t and \-newline (continuation: the
 * newline and the next line's leading white space go); NULL when it
 * reaches LIMIT_FILTER_STRING */
static char *quoted(const char **pp, int *line)
{
    const char *p = *pp + 1;
    gstring *g = string_get(32);
    for (; *p && *p != '"'; p++) {
        if (*p == '\n') ++*line;
        if (*p == '\\' && p[1] == '\n') {
            ++*line;
            for (p += 2; *p == ' ' || *p == '\t'; p++) {}
            p--;
        } else if (*p == '\\' && p[1]) {
            p++;
            g = string_catc(g, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
        } else g = string_catc(g, *p);
        if (g->len >= LIMIT_FILTER_STRING) return NULL;
    }
    *pp = *p ? p + 1 : p;
    return string_from_gstring(g);
}

/* tokenize - the words of text; -1 with *err for a string too long */
static int tokenize(const char *text, ftok **out, char **err)
{
    int cap = 64, n = 0, line = 2;
    ftok *t = store_get(sizeof *t * (size_t)cap, GET_UNTAINTED);
    const char *p = strchr(text, '\n'); /* the first line is "# Exim filter" */
    p = p ? p + 1 : text + strlen(text);
    while (*p) {
        if (*p == '\n') line++;
        if (isspace((unsigned char)*p)) { p++; continue; }
        if (*p == '#') { while (*p && *p != '\n') p++; continue; }
        if (n == cap) {
            ftok *nt = store_get(sizeof *t * (size_t)cap * 2, GET_UNTAINTED);
            memcpy(nt, t, sizeof *t * (size_t)cap);
            t = nt;
            cap *= 2;
        }
        t[n].line = line;
        if (*p == '"') {
            t[n].quoted = true;
            if (!(t[n++].text = quoted(&p, &line))) {
                *err = string_sprintf("string is too long in line %d of filter file (max = %d chars)", line,
                                      LIMIT_FILTER_STRING);
                return -1;
            }
            continue;
        }
        if (*p == '(' || *p == ')') { t[n].quoted = false; t[n++].text = string_copyn(p++, 1); continue; }
        const char *s = p;
        while (*p && !isspace((unsigned char)*p) && *p != '(' && *p != ')') p++;
        t[n].quoted = false;
        t[n++].text = string_copyn(s, (size_t)(p - s));
    }
    *out = t;
    return n;
}

static bool is(const fstate *f, const char *w)
{
    return f->pos < f->n && !f->t[f->pos].quoted && strcasecmp(f->t[f->pos].text, w) == 0;
}

static bool syntax(fstate *f, const char *fmt, const char *arg)
{
    if (!f->res->error) f->res->error = string_sprintf(fmt, arg ? arg : "end of file");
    f->rc = ERROR;
    return false;
}

/* word - the next token, expanded; NULL on a syntax or expansion error */
static char *word(fstate *f)
{
    if (f->pos >= f->n) { syntax(f, "unexpected %s", NULL); return NULL; }
    char *raw = f->t[f->pos++].text;
    char *v = expand_string(raw);
    if (!v) { f->res->error = string_sprintf("failed to expand \"%s\": %s", raw, expand_error()); f->rc = ERROR; }
    return v;
}

/* ---- conditions ---- */

static bool compare(const char *op, const char *l, const char *r)
{
    if (strcasecmp(op, "is") == 0) return strcasecmp(l, r) == 0;
    if (strcasecmp(op, "contains") == 0) return strcasestr(l, r) != NULL;
    if (strcasecmp(op, "begins") == 0) return strncasecmp(l, r, strlen(r)) == 0;
    if (strcasecmp(op, "ends") == 0) {
        size_t a = strlen(l), b = strlen(r);
        return a >= b && strcasecmp(l + a - b, r) == 0;
    }
    regex_t re;
    if (regcomp(&re, r, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) return false;
    bool m = regexec(&re, l, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
}

static bool cond_or(fstate *f, bool *ok);

/* cond_simple - one test, or a parenthesised condition, or "not" */
static bool cond_simple(fstate *f, bool *ok)
{
    if (is(f, "not")) { f->pos++; bool v = cond_simple(f, ok); return !v; }
    if (is(f, "(")) {
        f->pos++;
        bool v = cond_or(f, ok);
        if (!is(f, ")")) { *ok = syntax(f, "missing ) in filter condition near %s", f->pos < f->n ? f->t[f->pos].text : NULL); return false; }
        f->pos++;
        return v;
    }
    if (is(f, "error_message")) { f->pos++; return msg.sender_address && !*msg.sender_address; }
    if (is(f, "first_delivery")) { f->pos++; return true; }
    if (is(f, "delivered")) { f->pos++; return f->res->seen; }
    char *l = word(f);
    if (!l) { *ok = false; return false; }
    bool neg = false;
    if (is(f, "does") && f->pos + 1 < f->n && strcasecmp(f->t[f->pos + 1].text, "not") == 0) { f->pos += 2; neg = true; }
    if (f->pos >= f->n) { *ok = syntax(f, "condition operator expected after %s", l); return false; }
    char *op = f->t[f->pos++].text;
    if (strcasecmp(op, "is") == 0 && is(f, "not")) { f->pos++; neg = true; }
    if (!strcasestr(" is contains contain begins begin ends end matches match ", string_sprintf(" %s ", op))) {
        *ok = syntax(f, "unknown condition operator \"%s\"", op);
        return false;
    }
    if (op[strlen(op) - 1] != 's' && strcasecmp(op, "is") != 0) op = string_sprintf("%ss", op);
    if (strcasecmp(op, "matchs") == 0) op = "matches";
    char *r = word(f);
    if (!r) { *ok = false; return false; }
    return compare(op, l, r) != neg;
}

static bool cond_and(fstate *f, bool *ok)
{
    bool v = cond_simple(f, ok);
    while (*ok && is(f, "and")) { f->pos++; bool w = cond_simple(f, ok); v = v && w; }
    return v;
}

static bool cond_or(fstate *f, bool *ok)
{
    bool v = cond_and(f, ok);
    while (*ok && is(f, "or")) { f->pos++; bool w = cond_and(f, ok); v = v || w; }
    return v;
}

/* ---- commands ---- */

static bool commands(fstate *f, bool run, const char *const *ends);

/* generate - deliver / save / pipe */
static bool generate(fstate *f, bool run, const char *cmd, bool unseen)
{
    char *arg = word(f);
    if (!arg) return false;
    if (!run) return true;
    unsigned flags = 0;
    if (strcasecmp(cmd, "save") == 0) {
        if (f->forbid & FILTER_FORBID_FILE) return syntax(f, "filter: save to \"%s\" is not permitted", arg);
        if (*arg != '/' && f->addr->home_dir) arg = string_sprintf("%s/%s", f->addr->home_dir, arg);
        flags = AFL_PFR | AFL_FILE;
    } else if (strcasecmp(cmd, "pipe") == 0) {
        if (f->forbid & FILTER_FORBID_PIPE) return syntax(f, "filter: pipe to \"%s\" is not permitted", arg);
        arg = string_sprintf("|%s", arg);
        flags = AFL_PFR | AFL_PIPE;
    }
    address_item *a = route_new_address(arg, flags);
    if (a->transport_return == FAIL) return syntax(f, "filter: bad address \"%s\"", arg);
    a->next = f->res->generated;
    f->res->generated = a;
    if (!unseen) f->res->seen = true;
    return true;
}

/* if_block - if ... then ... [elif ... then ...] [else ...] endif */
static bool if_block(fstate *f, bool run)
{
    static const char *const ends[] = {"elif", "else", "endif", NULL};
    bool done = false;
    for (;;) {
        bool ok = true;
        bool c = cond_or(f, &ok);
        if (!ok) return false;
        if (!is(f, "then")) return syntax(f, "\"then\" expected near %s", f->pos < f->n ? f->t[f->pos].text : NULL);
        f->pos++;
        if (!commands(f, run && !done && c, ends)) return false;
        done = done || c;
        if (is(f, "elif")) { f->pos++; continue; }
        break;
    }
    if (is(f, "else")) {
        f->pos++;
        static const char *const endif[] = {"endif", NULL};
        if (!commands(f, run && !done, endif)) return false;
    }
    if (!is(f, "endif")) return syntax(f, "\"endif\" expected near %s", f->pos < f->n ? f->t[f->pos].text : NULL);
    f->pos++;
    return true;
}

/* fail_or_defer - fail/defer/freeze [text "..."] */
static bool fail_or_defer(fstate *f, bool run, const char *cmd)
{
    char *text = NULL;
    if (is(f, "text")) { f->pos++; if (!(text = word(f))) return false; }
    if (!run) return true;
    f->res->fail_text = text;
    f->finished = true;
    if (strcasecmp(cmd, "freeze") == 0) f->res->freeze = true;
    else f->rc = strcasecmp(cmd, "fail") == 0 ? FAIL : DEFER;
    return true;
}

/* headers_cmd - headers add "X: y" / headers remove "X" */
static bool headers_cmd(fstate *f, bool run)
{
    bool add = is(f, "add");
    if (!add && !is(f, "remove")) return syntax(f, "\"add\" or \"remove\" expected after headers near %s", NULL);
    f->pos++;
    char *arg = word(f);
    if (!arg || !run) return arg != NULL;
    address_item *a = (address_item *)f->addr;
    if (!add) { a->remove_headers = a->remove_headers ? string_sprintf("%s:%s", a->remove_headers, arg) : arg; return true; }
    header_line *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    h->text = string_sprintf("%s\n", arg);
    h->slen = strlen(h->text);
    h->next = a->extra_headers;
    a->extra_headers = h;
    return true;
}

/* ---- mail and vacation ---- */

/* The keywords of mail and vacation, in reply_item field order. */
static const char *const mail_keys[] = {"to", "cc", "bcc", "from", "reply_to", "subject", "extra_headers",
                                        "text", "file", "log", "once", "once_repeat"};
enum { MK_TO, MK_CC, MK_BCC, MK_FROM, MK_REPLY_TO, MK_SUBJECT, MK_HEADERS, MK_TEXT, MK_FILE, MK_LOG,
       MK_ONCE, MK_ONCE_REPEAT, MK_COUNT };

static int mail_key(const fstate *f)
{
    for (int k = 0; k < MK_COUNT; k++) if (is(f, mail_keys[k])) return k;
    return -1;
}

/* mail_args - the keyword/value pairs, in any order; values expanded
 * only when the command is obeyed */
static bool mail_args(fstate *f, bool run, char **v, bool *expand_file, bool *return_message)
{
    for (;;) {
        int line = f->t[f->pos < f->n ? f->pos : f->n - 1].line;
        if (is(f, "expand")) {
            f->pos++;
            if (!is(f, "file"))
                return syntax(f, "%s", string_sprintf("\"expand\" not followed by \"file\"  near line %d of filter file", line));
            *expand_file = true;
            continue;
        }
        if (is(f, "return")) {
            f->pos++;
            if (!is(f, "message"))
                return syntax(f, "%s", string_sprintf("\"return\" not followed by \"message\"  near line %d of filter file", line));
            f->pos++;
            *return_message = true;
            continue;
        }
        int k = mail_key(f);
        if (k < 0) return true;
        f->pos++;
        if (f->pos >= f->n)
            return syntax(f, "%s", string_sprintf("\"%s\" requires an argument near line %d of filter file",
                                                  mail_keys[k], line));
        if (!run) { f->pos++; continue; }
        if (!(v[k] = word(f))) return false;
    }
}

/* in_home - a relative file name is taken from the home directory */
static char *in_home(const fstate *f, char *path)
{
    if (!path || *path == '/' || !f->addr->home_dir) return path;
    return string_sprintf("%s/%s", f->addr->home_dir, path);
}

/* vacation_defaults - what vacation sets unless told otherwise */
static void vacation_defaults(char **v, bool *expand_file)
{
    if (!v[MK_SUBJECT]) v[MK_SUBJECT] = string_copy("On vacation");
    if (!v[MK_FILE]) { v[MK_FILE] = string_copy(".vacation.msg"); *expand_file = true; }
    if (!v[MK_LOG]) v[MK_LOG] = string_copy(".vacation.log");
    if (!v[MK_ONCE]) v[MK_ONCE] = string_copy(".vacation");
    if (!v[MK_ONCE_REPEAT]) v[MK_ONCE_REPEAT] = string_copy("7d");
}

/* reply_to_address - $reply_address: Reply-To:, else From:, else the
 * sender (Exim's definition: header text, leading white space removed) */
static char *reply_to_address(void)
{
    char *r = expand_string("$reply_address");
    r = r ? string_trim(r) : NULL;
    return r && *r ? r : string_copy(msg.sender_address ? msg.sender_address : "");
}

/* mail_address - the generated ">to" address carrying the reply */
static void mail_address(fstate *f, char **v, bool expand_file, bool return_message, bool seen)
{
    reply_item *r = store_get_zero(sizeof *r, GET_UNTAINTED);
    char **field[MK_COUNT] = {&r->to, &r->cc, &r->bcc, &r->from, &r->reply_to, &r->subject, &r->headers,
                              &r->text, &r->file, &r->log, &r->once, &r->once_repeat};
    for (int k = 0; k < MK_COUNT; k++) *field[k] = v[k];
    if (!r->to) r->to = reply_to_address();
    r->file = in_home(f, r->file);
    r->log = in_home(f, r->log);
    r->once = in_home(f, r->once);
    r->file_expand = expand_file;
    r->return_message = return_message;
    char *shown = string_sprintf(">%.*s", LIMIT_FILTER_REPLY_SHOWN, r->to);
    address_item *a = route_new_address(shown, AFL_PFR | AFL_REPLY);
    a->unique = string_sprintf("%s:%d", shown, ++f->replies); /* every command is honoured */
    a->reply = r;
    a->next = f->res->generated;
    f->res->generated = a;
    if (seen) f->res->seen = true;
}

/* mail_cmd - mail / vacation [keyword value]... Not significant unless
 * "seen"; no effect when the message is a bounce (no reply loops) */
static bool mail_cmd(fstate *f, bool run, const char *cmd, bool seen)
{
    bool vacation = strcasecmp(cmd, "vacation") == 0, expand_file = false, return_message = false;
    if (f->forbid & FILTER_FORBID_REPLY)
        return syntax(f, "%s", string_sprintf("filtering command \"%s\" is disabled: near line %d of filter file",
                                              cmd, f->t[f->pos - 1].line));
    char *v[MK_COUNT] = {0};
    if (!mail_args(f, run, v, &expand_file, &return_message)) return false;
    if (!run || !msg.sender_address || !*msg.sender_address) return true;
    if (vacation) vacation_defaults(v, &expand_file);
    mail_address(f, v, expand_file, return_message, seen);
    return true;
}

/* one_command - one command; false on error */
static bool one_command(fstate *f, bool run)
{
    char *cmd = f->t[f->pos++].text;
    bool unseen = false, seen = false;
    if (strcasecmp(cmd, "seen") == 0 && (is(f, "mail") || is(f, "vacation"))) {
        seen = true; /* "seen mail": a significant delivery */
        cmd = f->t[f->pos++].text;
    }
    if (strcasecmp(cmd, "unseen") == 0 || strcasecmp(cmd, "significant") == 0) {
        unseen = strcasecmp(cmd, "unseen") == 0;
        if (f->pos >= f->n) return syntax(f, "command expected after \"%s\"", cmd);
        cmd = f->t[f->pos++].text;
    }
    if (strcasecmp(cmd, "if") == 0) return if_block(f, run);
    if (!strcasecmp(cmd, "deliver") || !strcasecmp(cmd, "save") || !strcasecmp(cmd, "pipe"))
        return generate(f, run, cmd, unseen);
    if (!strcasecmp(cmd, "mail") || !strcasecmp(cmd, "vacation")) return mail_cmd(f, run, cmd, seen);
    if (strcasecmp(cmd, "seen") == 0) { if (run) f->res->seen = true; return true; }
    if (strcasecmp(cmd, "finish") == 0) { if (run) f->finished = true; return true; }
    if (!strcasecmp(cmd, "fail") || !strcasecmp(cmd, "defer") || !strcasecmp(cmd, "freeze"))
        return fail_or_defer(f, run, cmd);
    if (strcasecmp(cmd, "headers") == 0) return headers_cmd(f, run);
    if (strcasecmp(cmd, "logwrite") == 0 || strcasecmp(cmd, "testprint") == 0) {
        char *text = word(f);
        if (!text) return false;
        if (run && *cmd == 'l' && (f->forbid & FILTER_FORBID_LOGWRITE)) return syntax(f, "logwrite is not permitted%s", "");
        if (run && *cmd == 'l') log_write(L_always, LOG_MAIN, "%s", text);
        return true;
    }
    return syntax(f, "unknown filtering command \"%s\"", cmd);
}

/* commands - run commands until one of ends (or the end of the file) */
static bool commands(fstate *f, bool run, const char *const *ends)
{
    while (f->pos < f->n) {
        for (const char *const *e = ends; e && *e; e++) if (is(f, *e)) return true;
        if (!one_command(f, run && !f->finished)) return false;
    }
    if (ends) return syntax(f, "\"endif\" missing at %s", NULL);
    return true;
}

int filter_run(const char *text, const address_item *addr, unsigned forbid, filter_result *res)
{
    fstate f = {.res = res, .addr = addr, .forbid = forbid, .rc = OK};
    if ((f.n = tokenize(text, &f.t, &res->error)) < 0) return ERROR;
    if (!commands(&f, true, NULL)) return ERROR;
    /* generated items in the order written */
    address_item *r = NULL;
    for (address_item *n, *a = res->generated; a; a = n) { n = a->next; a->next = r; r = a; }
    res->generated = r;
    return f.rc;
}
