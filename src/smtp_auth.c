/* smtp_auth.c - the server side of SMTP AUTH (RFC 4954): the AUTH line of
 * the EHLO reply, the AUTH command, the 334 challenge/response exchange
 * that authenticator drivers call, $auth1..$auth3, and the AUTH= parameter
 * of MAIL.
 *
 * Runs in the connection child. Everything the client sends is tainted
 * and bounded by the SMTP line limit (LIMIT_SMTP_CMD_LINE, which RFC 4954
 * section 4 sizes at 12288 bytes of base64 at least). Results live in the
 * connection pool: an authentication lasts for the whole connection. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "auth.h"
#include "expand.h"
#include "expand_int.h"
#include "globals.h"
#include "log.h"
#include "smtp_in.h"
/* This module */
#include "smtp_in_int.h"
#include "smtp_auth.h"

#define AUTH_VARS 3 /* $auth1..$auth3 (Exim's AUTH_VARS) */

static char *defer_msg;  /* why the last server function deferred */
static int nvars;        /* $authN set so far in this attempt */

/* ---- helpers for the drivers ---- */

int auth_defer(const char *why)
{
    defer_msg = why ? string_copy(why) : NULL;
    return DEFER;
}

int auth_var_count(void)
{
    return nvars;
}

void auth_set_var(const char *s, size_t len)
{
    char *v = store_get(len + 1, GET_TAINTED);
    memcpy(v, s, len);
    v[len] = 0;
    if (nvars < AUTH_VARS) conn.auth_vars[nvars] = v;
    nvars++;
    xs.nstr[nvars] = v;
    xs.nlen[nvars] = len;
    xs.nstr[0] = "";
    xs.nlen[0] = 0;
    xs.nmax = nvars;
}

long auth_decode(const char *b64, char **out)
{
    unsigned char *clear;
    /* RFC 4954 section 4: a lone "=" is an empty initial response */
    long len = exp_b64decode(strcmp(b64, "=") == 0 ? "" : b64, &clear);
    if (len >= 0) *out = (char *)clear;
    return len;
}

int auth_add_vars(const char *b64)
{
    char *clear;
    long len = auth_decode(b64, &clear);
    if (len < 0) return AUTH_BAD64;
    const char *p = (const char *)clear, *end = p + len;
    do {
        if (nvars >= LIMIT_EXPAND_NUMERIC) break;
        size_t n = strnlen(p, (size_t)(end - p));
        auth_set_var(p, n);
        p += n + 1;
    } while (p < end);
    return OK;
}

int auth_get_data(char **out, const unsigned char *challenge, size_t len)
{
    smtp_printf("334 %s\r\n", exp_b64encode(challenge, len));
    char *line;
    enum smtp_cmd_id id = smtp_read_line(&line);
    if (id == CMD_EOF || id == CMD_TIMEOUT) return FAIL;
    if (strcmp(line, "*") == 0) return AUTH_CANCELLED;
    *out = string_copy_taint(line, GET_TAINTED);
    return OK;
}

int auth_check_condition(const auth_instance *a)
{
    if (!a->server_condition) return OK;
    char *r = expand_string(a->server_condition);
    if (!r) return expand_forced_fail() ? FAIL : auth_defer(expand_error());
    if (!*r || strcmp(r, "0") == 0 || strcasecmp(r, "no") == 0 || strcasecmp(r, "false") == 0)
        return FAIL;
    if (strcmp(r, "1") == 0 || strcasecmp(r, "yes") == 0 || strcasecmp(r, "true") == 0)
        return OK;
    return auth_defer(r);
}

/* ---- advertising ---- */

static const auth_info *info_of(const auth_instance *a)
{
    return (const auth_info *)a->drinst.info;
}

/* server_capable - a server function and the options it needs */
static bool server_capable(const auth_instance *a)
{
    const auth_info *i = info_of(a);
    return i->server && (!i->is_server || i->is_server(a));
}

/* offered - server_advertise_condition for one instance (unset: yes) */
static bool offered(const auth_instance *a)
{
    if (!a->server_advertise_condition) return true;
    char *r = expand_string(a->server_advertise_condition);
    if (!r) {
        if (!expand_forced_fail())
            log_write(L_always, LOG_MAIN | LOG_PANIC, "Failed to expand server_advertise_condition "
                      "for %s authenticator: %s", a->drinst.name, expand_error());
        return false;
    }
    return *r && strcmp(r, "0") != 0 && strcasecmp(r, "no") != 0 && strcasecmp(r, "false") != 0;
}

/* is_advertised - was this instance's name in the last EHLO reply? */
static bool is_advertised(const auth_instance *a)
{
    for (size_t i = 0; i < conn.auth_offered_count; i++)
        if (conn.auth_offered[i] == a) return true;
    return false;
}

/* host_may_auth - auth_advertise_hosts (a local -bs caller: unless empty) */
static bool host_may_auth(void)
{
    if (conn.local) return cfg.auth_advertise_hosts && *cfg.auth_advertise_hosts;
    return smtp_host_in(cfg.auth_advertise_hosts);
}

void smtp_auth_advertise(gstring **g)
{
    conn.auth_advertised = false;
    conn.auth_offered_count = 0;
    if (conn.sender_host_authenticated || !host_may_auth()) return;
    bool first = true;
    for (driver_instance *d = cfg.sections.drivers[DRIVER_AUTH]; d; d = d->next) {
        auth_instance *a = (auth_instance *)d;
        if (!server_capable(a) || conn.auth_offered_count >= LIMIT_AUTH_INSTANCES) continue;
        if (!offered(a)) continue;
        bool dup = false;
        for (size_t i = 0; i < conn.auth_offered_count; i++)
            if (strcasecmp(conn.auth_offered[i]->public_name, a->public_name) == 0) dup = true;
        conn.auth_offered[conn.auth_offered_count++] = a;
        if (dup) continue;
        *g = string_fmt_append(*g, "%s%s", first ? "AUTH " : " ", a->public_name);
        first = false;
    }
    if (!first) {
        *g = string_catc(*g, '\n');
        conn.auth_advertised = true;
    }
}

/* ---- the AUTH command ---- */

const char *smtp_auth_protocol(const char *proto)
{
    if (!proto || !conn.sender_host_authenticated) return proto;
    size_t n = strlen(proto);
    if (n && proto[n - 1] == 'a') return proto;
    return string_sprintf("%sa", proto);
}

/* find_mech - an advertised instance with this public name */
static auth_instance *find_mech(const char *name, size_t len)
{
    for (driver_instance *d = cfg.sections.drivers[DRIVER_AUTH]; d; d = d->next) {
        auth_instance *a = (auth_instance *)d;
        if (strlen(a->public_name) != len || strncasecmp(a->public_name, name, len) != 0) continue;
        if (!server_capable(a)) continue;
        if (conn.auth_advertised ? is_advertised(a) : offered(a)) return a;
    }
    return NULL;
}

/* reset_vars - $auth1..$auth3 and $1..$3 cleared for a new attempt */
static void reset_vars(void)
{
    for (int i = 0; i < AUTH_VARS; i++) conn.auth_vars[i] = NULL;
    nvars = 0;
    xs.nmax = -1;
    defer_msg = NULL;
}

/* expand_set_id - server_set_id, kept in the connection pool */
static char *expand_set_id(const auth_instance *a)
{
    if (!a->server_set_id) return NULL;
    char *s = expand_string(a->server_set_id);
    if (!s) return NULL;
    enum store_pool old = store_set_pool(POOL_CONN);
    s = string_copy_taint(s, store_is_tainted(s));
    store_set_pool(old);
    return s;
}

/* succeeded - 235 and the connection's authenticated state */
static void succeeded(const auth_instance *a, char *set_id)
{
    enum store_pool old = store_set_pool(POOL_CONN);
    conn.sender_host_authenticated = string_copy(a->drinst.name);
    conn.authenticated_id = set_id;
    conn.auth_public_name = string_copy(a->public_name);
    conn.received_protocol = (char *)smtp_auth_protocol(conn.received_protocol);
    store_set_pool(old);
    smtp_printf("235 Authentication succeeded\r\n");
}

/* failed - Exim's reply and its "authenticator failed" log line */
static void failed(const auth_instance *a, int rc, const char *set_id)
{
    const char *reply;
    switch (rc) {
    case DEFER: reply = "435 Unable to authenticate at present"; break;
    case AUTH_CANCELLED: reply = "501 Authentication cancelled"; break;
    case AUTH_BAD64: reply = "501 Invalid base64 data"; break;
    case AUTH_UNEXPECTED: reply = "553 Initial data not expected"; break;
    case FAIL: reply = "535 Incorrect authentication data"; break;
    default: reply = "435 Internal error"; break;
    }
    smtp_printf("%s\r\n", reply);
    gstring *g = string_fmt_append(NULL, "%s authenticator failed for %s: %s", a->drinst.name,
                                   smtp_host_and_ident(false), reply);
    if (set_id && *set_id) g = string_fmt_append(g, " (set_id=%s)", set_id);
    if (rc == DEFER && defer_msg) g = string_fmt_append(g, ": %s", defer_msg);
    log_write(L_always, LOG_MAIN | LOG_REJECT, "%s", string_from_gstring(g));
    conn.authentication_failed = 1;
    if (set_id) conn.authenticated_fail_id = (char *)set_id;
}

/* run_mech - one authentication attempt with instance a */
static enum smtp_next run_mech(auth_instance *a, const char *data)
{
    reset_vars();
    int rc = info_of(a)->server(a, data);
    char *set_id = NULL;
    if (rc == OK || rc == FAIL || rc == DEFER) set_id = expand_set_id(a);
    if (rc == OK && a->server_set_id && !set_id && !expand_forced_fail())
        rc = auth_defer(expand_error());
    if (rc == OK) succeeded(a, set_id);
    else failed(a, rc, set_id);
    return NEXT_CONTINUE;
}

enum smtp_next smtp_auth_command(char *line, char *arg)
{
    if (!conn.auth_advertised && !conn.acl.allow_auth_unadvertised)
        return smtp_synprot_error(L_smtp_protocol_error, 503, line,
                                  "AUTH command used when not advertised");
    if (conn.sender_host_authenticated)
        return smtp_synprot_error(L_smtp_protocol_error, 503, line, "already authenticated");
    if (msg.sender_set)
        return smtp_synprot_error(L_smtp_protocol_error, 503, line,
                                  "not permitted in mail transaction");
    if (cfg.acl_smtp_auth) {
        char *um, *lm;
        int rc = smtp_run_acl(ACL_WHERE_AUTH, NULL, cfg.acl_smtp_auth, &um, &lm);
        /* the log names the mechanism, not the initial response */
        if (rc != OK) return smtp_acl_fail(ACL_WHERE_AUTH, rc, um, lm,
                                           string_copyn(arg, strcspn(arg, " \t")));
    }
    size_t n = 0;
    while (arg[n] && !isspace((unsigned char)arg[n])) n++;
    const char *data = arg + n;
    while (isspace((unsigned char)*data)) data++;
    auth_instance *a = find_mech(arg, n);
    if (!a)
        return smtp_synprot_error(L_smtp_protocol_error, 504, line,
                                  string_sprintf("%.*s authentication mechanism not supported",
                                                 (int)n, arg));
    return run_mech(a, data);
}

/* ---- AUTH= on MAIL ---- */

/* xtext_decode - RFC 3461 section 4: "+XX" is a byte in hex; NULL if
 * malformed */
static char *xtext_decode(const char *s)
{
    char *out = store_get(strlen(s) + 1, GET_TAINTED), *o = out;
    for (; *s; s++) {
        if (*s != '+') { *o++ = *s; continue; }
        if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]) ||
            islower((unsigned char)s[1]) || islower((unsigned char)s[2])) return NULL;
        char hex[3] = {s[1], s[2], 0};
        *o++ = (char)strtol(hex, NULL, 16);
        s += 2;
    }
    *o = 0;
    return out;
}

/* mail_auth_condition - the authenticator's server_mail_auth_condition */
static const char *mail_auth_condition(void)
{
    const auth_instance *a = NULL;
    for (driver_instance *d = cfg.sections.drivers[DRIVER_AUTH]; d; d = d->next)
        if (conn.sender_host_authenticated && strcmp(d->name, conn.sender_host_authenticated) == 0)
            a = (const auth_instance *)d;
    if (!a || !a->server_mail_auth_condition) return NULL;
    char *r = expand_string(a->server_mail_auth_condition);
    if (r && *r && strcmp(r, "0") != 0 && strcasecmp(r, "no") != 0 && strcasecmp(r, "false") != 0)
        return NULL;
    const char *why = "server_mail_auth_condition failed";
    if (conn.authenticated_id)
        why = string_sprintf("%s: authenticated ID=\"%s\"", why, conn.authenticated_id);
    return why;
}

int smtp_auth_mail_param(const char *value, char *line, enum smtp_next *next)
{
    char *sender = NULL;
    if (strcmp(value, "<>") != 0 && !(sender = xtext_decode(value))) {
        *next = smtp_synprot_error(L_smtp_syntax_error, 501, line, "invalid data for AUTH");
        return ERROR;
    }
    msg.authenticated_sender = sender;
    const char *ignore = "client not authenticated";
    int rc = conn.sender_host_authenticated ? OK : FAIL;
    if (cfg.acl_smtp_mailauth) {
        char *um, *lm;
        ignore = "rejected by ACL";
        rc = smtp_run_acl(ACL_WHERE_MAILAUTH, NULL, cfg.acl_smtp_mailauth, &um, &lm);
        if (rc != OK && rc != FAIL) {
            msg.authenticated_sender = NULL;
            *next = smtp_acl_fail(ACL_WHERE_MAILAUTH, rc, um, lm, NULL);
            return ERROR;
        }
    }
    if (rc == OK && (ignore = mail_auth_condition()) == NULL) return OK;
    msg.authenticated_sender = NULL;
    if (sender) log_write(L_always, LOG_MAIN, "ignoring AUTH=%s from %s (%s)", value,
              smtp_host_and_ident(true), ignore);
    return OK;
}
