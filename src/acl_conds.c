/* acl_conds.c - the table of ACL conditions and modifiers, and the
 * simple ones: list tests, message texts, logging, variables, headers.
 * Bigger ones have their own files: control (acl_controls.c), verify
 * (acl_verify.c), dnslists (acl_dnsbl.c), ratelimit and seen
 * (ratelimit.c), udpsend (acl_udpsend.c).
 *
 * A module adds its condition as one row inside its #ifdef, e.g.
 *   #ifdef EXPERIMENTAL_SPF
 *   {"spf", false, false, false, true, AW_SPF_FORBIDS, xp_spf_acl},
 *   #endif
 * keeping the table sorted by name (test_acl.c checks the order). */

/* System */
#include <ctype.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "match.h"
#include "options.h"
#include "ratelimit.h"
/* This module */
#include "acl_int.h"

/* next_arg - one word of "acl = name arg ..."; "double quotes" group words */
static char *next_arg(const char **pp) { return string_nextword(pp); }

/* cond_acl - "acl = name [args]": name and each arg expanded separately */
static int cond_acl(acl_ctx *x, const acl_cond *c, const char *arg)
{
    const char *p = arg;
    char *name = next_arg(&p), *args[ACL_ARGS_MAX];
    int n = 0;
    for (char *a; (a = next_arg(&p));) {
        if (n >= ACL_ARGS_MAX) { x->err_msg = string_sprintf("too many arguments to ACL \"%s\"", name); return ERROR; }
        args[n++] = a;
    }
    for (int i = 0; i < n; i++)
        if (!(args[i] = expand_string(args[i]))) {
            x->err_msg = string_sprintf("failed to expand ACL argument: %s", expand_error());
            return ERROR;
        }
    char *ename = name ? expand_string(name) : NULL;
    if (!ename) {
        x->err_msg = string_sprintf("failed to expand ACL name \"%s\": %s", name ? name : "", expand_error());
        return ERROR;
    }
    struct acl_conn_state saved = conn.acl;
    for (int i = 0; i < ACL_ARGS_MAX; i++) conn.acl.arg[i] = i < n ? args[i] : NULL;
    conn.acl.narg = n;
    int rc = acl_run_named(x, ename, x->depth + 1);
    memcpy(conn.acl.arg, saved.arg, sizeof conn.acl.arg);
    conn.acl.narg = saved.narg;
    if (rc == DEFER && x->verb == ACLV_WARN) return FAIL;
    return rc;
}

/* add_header_pos - optional ":at_start:" ... prefix */
static const char *add_header_pos(const char *s, int *where)
{
    static const struct { const char *word; int where; } pos[] = {
        {":at_start:", ACL_HDR_AT_START}, {":at_start_rfc:", ACL_HDR_AT_START_RECEIVED},
        {":after_received:", ACL_HDR_AFTER_RECEIVED}, {":at_end:", ACL_HDR_APPEND},
    };
    *where = ACL_HDR_APPEND;
    for (size_t i = 0; i < NELEM(pos); i++)
        if (string_has_prefix(s, pos[i].word)) { *where = pos[i].where; return s + strlen(pos[i].word); }
    return s;
}

/* header_fix - each line ends in newline; a line that is not a header
 * (no "name:") gets "X-ACL-Warn: " in front, as Exim does */
static char *header_fix(const char *s)
{
    gstring *g = string_get_tainted(strlen(s) + 16, store_is_tainted(s));
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        size_t n = 0;
        while (n < len && s[n] > ' ' && s[n] != ':') n++;
        bool is_cont = len && (s[0] == ' ' || s[0] == '\t');
        if (!is_cont && (n == 0 || n >= len || s[n] != ':')) g = string_cat(g, "X-ACL-Warn: ");
        g = string_catn(g, s, len);
        g = string_catc(g, '\n');
        s += len + (nl ? 1 : 0);
    }
    return string_from_gstring(g);
}

static int mod_add_header(acl_ctx *x, const acl_cond *c, const char *arg)
{
    int where;
    const char *text = add_header_pos(arg, &where);
    if (!*text) return OK;
    enum store_pool old = store_set_pool(POOL_MSG);
    acl_header *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    h->text = header_fix(text);
    h->where = where;
    acl_header **tail = &msg.acl.add_headers;
    while (*tail) tail = &(*tail)->next;
    *tail = h;
    store_set_pool(old);
    return OK;
}

static int mod_remove_header(acl_ctx *x, const acl_cond *c, const char *arg)
{
    if (!*arg) return OK;
    enum store_pool old = store_set_pool(POOL_MSG);
    msg.acl.remove_headers = msg.acl.remove_headers
        ? string_sprintf("%s:%s", msg.acl.remove_headers, arg) : string_copy(arg);
    store_set_pool(old);
    return OK;
}

/* cond_authenticated - the authenticator's name against the list */
static int cond_authenticated(acl_ctx *x, const acl_cond *c, const char *arg)
{
    char *name = expand_string("$sender_host_authenticated");
    if (!name || !*name) return FAIL;
    return match_isinlist(name, arg, MCL_STRING, false, NULL);
}

/* cond_condition - "", "0", "no", "false" are false; a non-zero number,
 * "yes", "true" are true; anything else defers */
static int cond_condition(acl_ctx *x, const acl_cond *c, const char *arg)
{
    if (!*arg || strcasecmp(arg, "no") == 0 || strcasecmp(arg, "false") == 0) return FAIL;
    if (strcasecmp(arg, "yes") == 0 || strcasecmp(arg, "true") == 0) return OK;
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (end != arg && !*end && errno == 0) return v ? OK : FAIL;
    x->err_msg = string_sprintf("invalid \"condition\" value \"%s\"", arg);
    return DEFER;
}

static int mod_continue(acl_ctx *x, const acl_cond *c, const char *arg) { return OK; }

static int mod_control(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_control(x, arg); }

/* mod_delay - wait; under -bh only say so */
static int mod_delay(acl_ctx *x, const acl_cond *c, const char *arg)
{
    int secs;
    if (!options_parse_time(arg, &secs)) {
        x->err_msg = string_sprintf("syntax error in argument for \"delay\" modifier: \"%s\" is not a time value", arg);
        return ERROR;
    }
    acl_trace("delay modifier requests %d-second delay", secs);
    if (acl_tracing()) { acl_trace("delay skipped in -bh checking mode"); return OK; }
    fflush(stdout);
    struct timespec ts = {secs, 0};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    return OK;
}

static int cond_dnslists(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_dnslists(x, arg); }

static int cond_domains(acl_ctx *x, const acl_cond *c, const char *arg)
{
    return match_isinlist(dlv.domain ? dlv.domain : "", arg, MCL_DOMAIN, true, NULL);
}

/* cond_encrypted - the TLS cipher against the list */
static int cond_encrypted(acl_ctx *x, const acl_cond *c, const char *arg)
{
    char *cipher = expand_string("$tls_in_cipher");
    if (!cipher || !*cipher) return FAIL;
    return match_isinlist(cipher, arg, MCL_STRING, false, NULL);
}

static int cond_hosts(acl_ctx *x, const acl_cond *c, const char *arg)
{
    match_host h = {conn.sender_host_address, conn.sender_host_name, conn.sender_host_aliases, true};
    return match_host_list(&h, arg, NULL);
}

static int cond_local_parts(acl_ctx *x, const acl_cond *c, const char *arg)
{
    /* caseless, as Exim matches the ACL condition (the local part is lowercased
     * anyway unless caseful_local_part is in force) */
    return match_isinlist(dlv.local_part ? dlv.local_part : "", arg, MCL_LOCALPART, true, NULL);
}

static int mod_log_message(acl_ctx *x, const acl_cond *c, const char *arg)
{
    acl_trace("l_message: %s", arg);
    x->log_msg = c->arg;
    return OK;
}

static int mod_message(acl_ctx *x, const acl_cond *c, const char *arg)
{
    acl_trace("  message: %s", arg);
    x->user_msg = c->arg;
    return OK;
}

/* log_names - "main", "reject", "panic" list to LOG_* bits; -1 if bad */
static int log_names(const char *list, int sep0, char **bad)
{
    int sep = sep0, bits = 0;
    for (char *w; (w = string_nextinlist(&list, &sep));) {
        if (strcmp(w, "main") == 0) bits |= LOG_MAIN;
        else if (strcmp(w, "reject") == 0) bits |= LOG_REJECT;
        else if (strcmp(w, "panic") == 0) bits |= LOG_PANIC;
        else { *bad = w; return -1; }
    }
    return bits;
}

static int mod_log_reject_target(acl_ctx *x, const acl_cond *c, const char *arg)
{
    char *bad;
    int bits = log_names(arg, 0, &bad);
    if (bits < 0) {
        x->err_msg = string_sprintf("unknown log name \"%s\" in \"log_reject_target\" in %s ACL", bad,
                                    acl_where_desc(x->where));
        return ERROR;
    }
    x->log_target = bits;
    conn.acl.log_reject_target = bits;
    return OK;
}

/* mod_logwrite - ":main,reject: text" chooses the logs; main by default */
static int mod_logwrite(acl_ctx *x, const acl_cond *c, const char *arg)
{
    int flags = LOG_MAIN;
    const char *text = arg;
    const char *close = *arg == ':' ? strchr(arg + 1, ':') : NULL;
    if (close) {
        char *bad;
        flags = log_names(string_copyn(arg + 1, (size_t)(close - arg - 1)), ',', &bad);
        if (flags < 0) {
            x->err_msg = string_sprintf("unknown log name \"%s\" in \"logwrite\" in %s ACL", bad, acl_where_desc(x->where));
            return ERROR;
        }
        for (text = close + 1; isspace((unsigned char)*text); text++) {}
    }
    if (flags) log_write(L_always, flags, "%s", text);
    return OK;
}

static int mod_queue(acl_ctx *x, const acl_cond *c, const char *arg)
{
    if (strchr(arg, '/')) {
        x->err_msg = string_sprintf("Queue names cannot contain a '/' character: \"%s\"", arg);
        return ERROR;
    }
    msg.acl.queue_name = *arg ? string_copy_taint(arg, store_is_tainted(arg)) : NULL;
    return OK;
}

static int cond_ratelimit(acl_ctx *x, const acl_cond *c, const char *arg)
{
    return ratelimit_check(arg, x->where, &x->err_msg);
}

static int cond_recipients(acl_ctx *x, const acl_cond *c, const char *arg)
{
    return match_address_list(x->recipient ? x->recipient : "", true, arg, NULL);
}

static int cond_seen(acl_ctx *x, const acl_cond *c, const char *arg)
{
    return ratelimit_seen(arg, &x->err_msg);
}

static int cond_sender_domains(acl_ctx *x, const acl_cond *c, const char *arg)
{
    const char *s = msg.sender_address ? msg.sender_address : "";
    const char *at = strrchr(s, '@');
    return match_isinlist(at ? at + 1 : "", arg, MCL_DOMAIN, true, NULL);
}

static int cond_senders(acl_ctx *x, const acl_cond *c, const char *arg)
{
    return match_address_list(msg.sender_address ? msg.sender_address : "", true, arg, NULL);
}

static int mod_set(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_var_set(c->varname, arg); }

static int cond_decode(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_mime_decode(x, arg); }
static int cond_mime_regex(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_mime_regex(x, arg); }
static int cond_regex(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_regex(x, arg); }

/* cond_not_built - malware and spam need scanner daemons Tern has no
 * interface to: a clear temporary error rather than a silent pass */
static int cond_not_built(acl_ctx *x, const acl_cond *c, const char *arg)
{
    x->err_msg = string_sprintf("the \"%s\" condition is not built into Tern (no virus or spam "
                                "scanner interface)", c->def->name);
    return DEFER;
}

static int cond_verify(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_verify(x, arg); }

int acl_udpsend(acl_ctx *x, const char *arg);
static int mod_udpsend(acl_ctx *x, const acl_cond *c, const char *arg) { return acl_udpsend(x, arg); }

#define NO_SENDER (AW(ACL_WHERE_AUTH) | AW(ACL_WHERE_CONNECT) | AW(ACL_WHERE_HELO) | AW(ACL_WHERE_MAILAUTH) | \
                   AW(ACL_WHERE_QUIT) | AW(ACL_WHERE_NOTQUIT) | AW(ACL_WHERE_ETRN) | AW(ACL_WHERE_EXPN) | \
                   AW(ACL_WHERE_STARTTLS) | AW(ACL_WHERE_VRFY))
#define RCPT_ONLY AW_ONLY(AW(ACL_WHERE_RCPT) | AW(ACL_WHERE_VRFY) | AW(ACL_WHERE_PRDR))
#define MIME_ONLY AW_ONLY(AW(ACL_WHERE_MIME))
#define CONTENT_ONLY AW_ONLY(AW(ACL_WHERE_MIME) | AW(ACL_WHERE_DATA) | AW(ACL_WHERE_NOTSMTP) | \
                             AW(ACL_WHERE_PRDR) | AW(ACL_WHERE_DKIM))
#define AFTER_DATA (AW(ACL_WHERE_DATA) | AW(ACL_WHERE_MIME) | AW(ACL_WHERE_DKIM) | AW(ACL_WHERE_PRDR) | \
                    AW(ACL_WHERE_NOTSMTP))

/* name, modifier, no_arg, no_negate, expand, forbids, fn -- sorted by name */
const acl_cond_def acl_cond_table[] = {
    {"acl", false, false, false, false, 0, cond_acl},
    {"add_header", true, false, true, true, AW_ONLY(AW_MSG), mod_add_header},
    {"authenticated", false, false, false, true, AW_NOTSMTP | AW(ACL_WHERE_CONNECT) | AW(ACL_WHERE_HELO), cond_authenticated},
    {"condition", false, false, false, true, 0, cond_condition},
    {"continue", true, false, true, true, 0, mod_continue},
    {"control", true, false, true, true, 0, mod_control},
    {"decode", false, false, false, true, MIME_ONLY, cond_decode},
    {"delay", true, false, true, true, AW(ACL_WHERE_NOTQUIT), mod_delay},
    {"dnslists", false, false, false, true, AW_NOTSMTP, cond_dnslists},
    {"domains", false, false, false, true, RCPT_ONLY, cond_domains},
    {"encrypted", false, false, false, true, AW_NOTSMTP | AW(ACL_WHERE_CONNECT), cond_encrypted},
    {"endpass", true, true, true, false, 0, NULL},
    {"hosts", false, false, false, true, AW_NOTSMTP, cond_hosts},
    {"local_parts", false, false, false, true, RCPT_ONLY, cond_local_parts},
    {"log_message", true, false, true, false, 0, mod_log_message},
    {"log_reject_target", true, false, true, true, 0, mod_log_reject_target},
    {"logwrite", true, false, true, true, 0, mod_logwrite},
    {"malware", false, false, false, true, 0, cond_not_built},
    {"message", true, false, true, false, 0, mod_message},
    {"mime_regex", false, false, false, true, MIME_ONLY, cond_mime_regex},
    {"queue", true, false, true, true, AFTER_DATA, mod_queue},
    {"ratelimit", false, false, false, true, 0, cond_ratelimit},
    {"recipients", false, false, false, true, RCPT_ONLY, cond_recipients},
    {"regex", false, false, false, true, CONTENT_ONLY, cond_regex},
    {"remove_header", true, false, true, true, AW_ONLY(AW_MSG), mod_remove_header},
    {"seen", false, false, false, true, 0, cond_seen},
    {"sender_domains", false, false, false, true, NO_SENDER, cond_sender_domains},
    {"senders", false, false, false, true, NO_SENDER, cond_senders},
    {"set", true, false, true, true, 0, mod_set},
    {"spam", false, false, false, true, 0, cond_not_built},
    {"udpsend", true, false, true, true, 0, mod_udpsend},
    {"verify", false, false, false, true, 0, cond_verify},
};
const size_t acl_cond_table_count = NELEM(acl_cond_table);
