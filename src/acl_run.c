/* acl_run.c - running an ACL: statements in order, each verb's meaning,
 * nested "acl =" calls, the result and its message texts, and the -bh
 * trace lines.
 *
 * Runs in the SMTP connection child (or the non-SMTP receiver) as the
 * exim user. Arguments are expanded here, just before each condition
 * is tested; the condition functions live in acl_conds.c. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
/* This module */
#include "acl_int.h"

/* Exim's limit on "acl =" nesting: catches loops, not real designs. */
#define ACL_NEST_MAX 20

static FILE *trace_fp;   /* -bh: where the ">>> " lines go; NULL = off */

void acl_trace_enable(FILE *fp) { trace_fp = fp; }
FILE *acl_trace_pause(void)
{
    FILE *was = trace_fp;
    trace_fp = NULL;
    return was;
}
bool acl_tracing(void) { return trace_fp != NULL; }

static int trace_depth; /* nesting depth, for the indentation of trace lines */

/* acl_trace - one ">>> " line, indented one column per nesting level
 * with a dotted rule every fourth level, as Exim prints it */
void acl_trace(const char *fmt, ...)
{
    if (!trace_fp) return;
    gstring *g = string_get(128);
    g = string_cat(g, ">>> ");
    for (int i = 1; i <= trace_depth; i++) g = string_cat(g, i % 4 == 0 ? "\xe2\x95\x8e" : " ");
    va_list ap;
    va_start(ap, fmt);
    g = string_vfmt_append(g, fmt, ap);
    va_end(ap);
    g = string_catc(g, '\n');
    fwrite(g->s, 1, g->len, trace_fp);
    fflush(trace_fp);
}

static const char *const where_codes[ACL_WHERE_COUNT] = {
    "RCPT", "MAIL", "PREDATA", "MIME", "DKIM", "DATA", "PRDR", "non-SMTP", "AUTH", "connection",
    "ETRN", "EXPN", "EHLO or HELO", "MAILAUTH", "non-SMTP-start", "NOTQUIT", "QUIT", "STARTTLS",
    "VRFY", "delivery", "unknown",
};

const char *acl_where_name(enum acl_where where)
{
    return where < ACL_WHERE_COUNT ? where_codes[where] : "unknown";
}

/* acl_where_desc - the name used in "cannot test ... in X ACL" */
const char *acl_where_desc(enum acl_where where) { return acl_where_name(where); }

/* trace_check - "check [!]name = arg", and "= value" when expansion changed it */
static void trace_check(const acl_cond *c, const char *expanded)
{
    if (!trace_fp) return;
    char *head = string_sprintf("check %s%s%s%s ", c->negated ? "!" : "", c->def->name,
                                c->varname ? " " : "", c->varname ? c->varname : "");
    acl_trace("%s= %s", head, c->arg);
    if (expanded && strcmp(expanded, c->arg) != 0)
        acl_trace("%*s= %s", (int)strlen(head), "", expanded);
}

/* cond_forbidden - refuse a condition at a checkpoint where it means nothing */
static int cond_forbidden(acl_ctx *x, const acl_cond *c)
{
    const acl_cond_def *d = c->def;
    if (!(d->forbids & AW(x->where))) return OK;
    x->err_msg = string_sprintf("cannot %s %s condition in %s ACL", d->modifier ? "use" : "test", d->name,
                                acl_where_desc(x->where));
    return ERROR;
}

/* eval_cond - expand the argument and test one condition or modifier */
static int eval_cond(acl_ctx *x, const acl_cond *c)
{
    if (cond_forbidden(x, c) != OK) return ERROR;
    const char *arg = c->arg;
    if (c->def->expand) {
        char *e = expand_string(c->arg);
        if (!e) {
            if (expand_forced_fail()) { trace_check(c, NULL); acl_trace("failed to expand: forced failure: condition ignored"); return OK; }
            x->err_msg = string_sprintf("failed to expand ACL string \"%s\": %s", c->arg, expand_error());
            return ERROR;
        }
        arg = e;
    }
    if (c->def->expand) trace_check(c, arg); /* message texts trace themselves */
    int rc = c->def->fn(x, c, arg);
    if (c->negated && (rc == OK || rc == FAIL)) rc = rc == OK ? FAIL : OK;
    return rc;
}

/* expand_msg - expand a message/log_message at the end of a statement;
 * a failed or empty expansion means the modifier is ignored */
static char *expand_msg(const char *text)
{
    if (!text) return NULL;
    char *e = expand_string(text);
    if (!e || !*e) return NULL;
    return e;
}

typedef struct stmt_result {
    int cond;          /* OK, FAIL, DEFER, ERROR, DISCARD */
    bool endpass_seen; /* a failing condition came after endpass */
    bool drop;         /* a nested ACL said drop */
} stmt_result;

/* eval_stmt - the conditions and modifiers of one statement, in order,
 * stopping at the first that is not true */
static stmt_result eval_stmt(acl_ctx *x, const acl_stmt *s)
{
    stmt_result r = {OK, false, false};
    bool endpass = false;
    for (const acl_cond *c = s->conds; c; c = c->next) {
        if (c->def->no_arg) { endpass = true; continue; }
        int rc = eval_cond(x, c);
        if (rc == FAIL_DROP) { r.drop = true; rc = c->negated ? OK : FAIL; }
        if (rc == OK) continue;
        r.cond = rc;
        r.endpass_seen = endpass;
        break;
    }
    return r;
}

static const char *verb_upper(int rc)
{
    switch (rc) {
    case OK: return "ACCEPT";
    case DISCARD: return "DISCARD";
    case DEFER: return "DEFER";
    case FAIL_DROP: return "DROP";
    default: return "DENY";
    }
}

/* warn_log - a true "warn" with log_message: "Warning: text", once per message */
static void warn_log(acl_ctx *x)
{
    char *text = expand_msg(x->log_msg);
    if (!text) return;
    struct acl_msg_state *m = &msg.acl;
    for (size_t off = 0; off < m->warned_len; off += strlen(m->warned + off) + 1)
        if (strcmp(m->warned + off, text) == 0) return;
    size_t n = strlen(text) + 1;
    char *nw = store_get_in(POOL_MSG, m->warned_len + n, store_is_tainted(text));
    if (m->warned_len) memcpy(nw, m->warned, m->warned_len);
    memcpy(nw + m->warned_len, text, n);
    m->warned = nw;
    m->warned_len += n;
    log_write(L_always, LOG_MAIN, "%s Warning: %s", acl_host_ident(), text);
}

/* warn_deferred - a warn statement whose condition deferred is skipped */
static void warn_deferred(acl_ctx *x)
{
    if (!log_selected(L_acl_warn_skipped)) return;
    log_write(L_always, LOG_MAIN, "%s Warning: ACL \"warn\" statement skipped: condition test deferred%s%s",
              acl_host_ident(), x->err_msg ? ": " : "", x->err_msg ? x->err_msg : "");
}

/* verb_outcome - what the verb does with its statement's result; returns
 * -1 to go on to the next statement, or the ACL's result */
static int verb_outcome(acl_ctx *x, const acl_stmt *s, const stmt_result *r)
{
    switch (s->verb) {
    case ACLV_ACCEPT:
    case ACLV_DISCARD:
        if (r->cond == OK) return s->verb == ACLV_ACCEPT ? OK : DISCARD;
        if (r->endpass_seen) {
            acl_trace("%s: endpass encountered - denying access", acl_verb_names[s->verb]);
            x->endpass_hit = true;
            return FAIL;
        }
        return -1;
    case ACLV_DEFER: return r->cond == OK ? DEFER : -1;
    case ACLV_DENY: return r->cond == OK ? (r->drop ? FAIL_DROP : FAIL) : -1;
    case ACLV_DROP: return r->cond == OK ? FAIL_DROP : -1;
    case ACLV_REQUIRE: return r->cond == OK ? -1 : (r->drop ? FAIL_DROP : FAIL);
    case ACLV_WARN:
        if (r->cond == OK) warn_log(x);
        return -1;
    case ACLV_COUNT: break;
    }
    return -1;
}

static const char *const cond_words[] = {"succeeded", "deferred", "failed", "error"};

/* stmt_trace_result - "<verb>: condition test <result> in ACL "name"" */
static void stmt_trace_result(acl_ctx *x, const acl_stmt *s, int cond)
{
    int i = cond == OK || cond == DISCARD ? 0 : cond == DEFER ? 1 : cond == FAIL ? 2 : 3;
    acl_trace("%s: condition test %s in %s", acl_verb_names[s->verb], cond_words[i], x->acl_label);
}

/* run_stmt - evaluate one statement; -1 means continue with the next */
static int run_stmt(acl_ctx *x, const acl_stmt *s)
{
    x->verb = s->verb;
    x->user_msg = x->log_msg = x->nested_msg = NULL;
    x->err_msg = NULL;
    x->err_log_only = false;
    acl_trace("processing \"%s\" (%s %d)", acl_verb_names[s->verb], s->file, s->line);
    stmt_result r = eval_stmt(x, s);
    stmt_trace_result(x, s, r.cond);
    x->cond_deferred = r.cond == DEFER;
    if (r.cond == DEFER) {
        if (s->verb == ACLV_WARN) { warn_deferred(x); return -1; }
        return DEFER;
    }
    if (r.cond == ERROR) return ERROR;
    if (r.cond == DISCARD) {
        if (s->verb == ACLV_ACCEPT || s->verb == ACLV_DISCARD) return DISCARD;
        x->err_msg = string_sprintf("nested ACL returned \"discard\" for \"%s\" command", acl_verb_names[s->verb]);
        return ERROR;
    }
    return verb_outcome(x, s, &r);
}

/* acl_run_def - every statement until one ends the ACL */
static int acl_run_def(acl_ctx *x, const acl_def *d, char **user_msg, char **log_msg)
{
    for (const acl_stmt *s = d->stmts; s; s = s->next) {
        int rc = run_stmt(x, s);
        if (rc < 0) continue;
        if (rc == ERROR || (rc == DEFER && x->err_msg)) {
            *log_msg = x->err_msg;
            *user_msg = rc == DEFER ? x->nested_msg : NULL; /* smtp_return_error_details */
        } else {
            /* $acl_verify_message: the user-visible text while "message" is
             * expanded, the log text while "log_message" is; a log-only
             * verification text is also appended to log_message, as Exim does */
            conn.acl.verify_message = x->err_log_only ? NULL : x->err_msg;
            *user_msg = expand_msg(x->user_msg);
            conn.acl.verify_message = x->err_msg;
            if (!*user_msg) *user_msg = x->nested_msg;
            *log_msg = expand_msg(x->log_msg);
            conn.acl.verify_message = NULL;
            if (*log_msg && x->err_msg && x->err_log_only)
                *log_msg = string_sprintf("%s: %s", *log_msg, x->err_msg);
            if (!*log_msg && x->err_msg) *log_msg = x->err_msg;
        }
        if (rc == ERROR || x->endpass_hit || x->cond_deferred) return rc;
        acl_trace("end of %s: %s", x->acl_label,
                  (s->verb == ACLV_REQUIRE && rc != FAIL_DROP) || (rc == FAIL && s->verb != ACLV_DENY) ? "not OK" : verb_upper(rc));
        return rc;
    }
    acl_trace("end of %s: implicit DENY", x->acl_label);
    *user_msg = *log_msg = NULL;
    return FAIL;
}

/* acl_run_named - find (or load) the ACL text names and run it at depth */
int acl_run_named(acl_ctx *x, const char *text, int depth)
{
    if (depth > ACL_NEST_MAX) {
        x->err_msg = string_copy("ACL nested too deep: possible loop");
        return ERROR;
    }
    char *err = NULL;
    acl_def *d = acl_load(text, &err);
    if (!d) { x->err_msg = err; return ERROR; }
    acl_ctx inner = *x;
    inner.acl_name = d->name;
    inner.acl_label = d->is_inline ? "inline ACL" : string_sprintf("ACL \"%s\"", d->name);
    inner.endpass_hit = false;
    inner.depth = depth;
    int saved_depth = trace_depth;
    trace_depth = depth;
    if (!d->is_inline) acl_trace("using ACL \"%s\"", d->name);
    char *um = NULL, *lm = NULL;
    int rc = acl_run_def(&inner, d, &um, &lm);
    trace_depth = saved_depth;
    x->err_msg = lm;
    x->nested_msg = um;
    x->log_target = inner.log_target;
    return rc;
}
