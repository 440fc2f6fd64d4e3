/* acl.c - the ACL engine's entry points: acl_check at each checkpoint,
 * ${acl} from the expansion language, and the reject log lines.
 *
 * Runs in the SMTP connection child or the non-SMTP receiver. Parsing is
 * in acl_parse.c, statement evaluation in acl_run.c, conditions in
 * acl_conds.c. It never sends SMTP replies: smtp_in.c formats those from
 * the result and the texts returned here. */

/* MTA core */
#include "tern.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
/* This module */
#include "acl_int.h"

/* acl_default_accepts - unset acl_smtp_etrn/expn/rcpt/vrfy deny, the rest accept */
bool acl_default_accepts(enum acl_where where)
{
    return where != ACL_WHERE_ETRN && where != ACL_WHERE_EXPN && where != ACL_WHERE_RCPT &&
           where != ACL_WHERE_VRFY;
}

void acl_message_reset(void)
{
    msg.acl_m = NULL;
    memset(&msg.acl, 0, sizeof msg.acl);
    msg.acl.utf8_downconvert = -1;
}

/* set_rcpt_vars - $local_part, $domain from the RCPT address */
static void set_rcpt_vars(const char *recipient)
{
    const char *at = strrchr(recipient, '@');
    dlv.address = string_copy(recipient);
    dlv.local_part = at ? string_copyn(recipient, (size_t)(at - recipient)) : string_copy(recipient);
    dlv.domain = string_lc(at ? at + 1 : "");
    if (!conn.acl.rcpt_caseful) dlv.local_part = string_lc(dlv.local_part);
}

/* discard_allowed - "discard" makes sense only where a message is received */
static bool discard_allowed(enum acl_where where)
{
    return where == ACL_WHERE_MAIL || where == ACL_WHERE_RCPT || where == ACL_WHERE_DATA ||
           where == ACL_WHERE_NOTSMTP || where == ACL_WHERE_MIME || where == ACL_WHERE_PRDR ||
           where == ACL_WHERE_DKIM;
}

int acl_check(enum acl_where where, const char *recipient, const char *acl_text, char **user_msg,
              char **log_msg)
{
    *user_msg = *log_msg = NULL;
    conn.acl.log_reject_target = LOG_MAIN | LOG_REJECT;
    conn.acl.rcpt_caseful = 0;
    if (!acl_text || !*acl_text) {
        if (acl_default_accepts(where)) return OK;
        acl_trace("ACL is NULL: implicit DENY");
        return FAIL;
    }
    char *text = expand_string(acl_text);
    if (!text) {
        *log_msg = string_sprintf("failed to expand ACL string \"%s\": %s", acl_text, expand_error());
        return ERROR;
    }
    if (where == ACL_WHERE_RCPT && recipient) set_rcpt_vars(recipient);
    acl_ctx x = {.where = where, .recipient = recipient, .log_target = LOG_MAIN | LOG_REJECT};
    int rc = acl_run_named(&x, text, 0);
    conn.acl.log_reject_target = x.log_target;
    *user_msg = rc == ERROR ? NULL : x.nested_msg;
    *log_msg = x.err_msg;
    if (rc == DISCARD && !discard_allowed(where)) {
        *log_msg = string_sprintf("\"discard\" verb not allowed in %s ACL", acl_where_desc(where));
        return ERROR;
    }
    return rc;
}

/* set_args - $acl_arg1.. from argv; returns the old values for restoring */
static struct acl_conn_state set_args(int argc, char **argv)
{
    struct acl_conn_state saved = conn.acl;
    for (int i = 0; i < ACL_ARGS_MAX; i++) conn.acl.arg[i] = i < argc ? argv[i] : NULL;
    conn.acl.narg = argc < ACL_ARGS_MAX ? argc : ACL_ARGS_MAX;
    return saved;
}

static void restore_args(const struct acl_conn_state *saved)
{
    memcpy(conn.acl.arg, saved->arg, sizeof conn.acl.arg);
    conn.acl.narg = saved->narg;
}

int acl_eval(const char *name, int argc, char **argv, char **result)
{
    if (argc > ACL_ARGS_MAX) {
        *result = string_sprintf("too many arguments (%d) to ACL \"%s\"", argc, name);
        return ERROR;
    }
    struct acl_conn_state saved = set_args(argc, argv);
    acl_ctx x = {.where = ACL_WHERE_UNKNOWN, .acl_name = name, .log_target = LOG_MAIN | LOG_REJECT};
    int rc = acl_run_named(&x, name, 0);
    restore_args(&saved);
    switch (rc) {
    case OK:
    case FAIL:
        *result = x.nested_msg ? x.nested_msg : string_copy("");
        return rc; /* accept: OK, deny: FAIL; both carry the message */
    case DEFER:
        return FAIL_FORCED;
    default:
        *result = x.err_msg ? x.err_msg : string_sprintf("ACL \"%s\" returned an unexpected result", name);
        return ERROR;
    }
}

/* acl_host_ident - "H=name (helo) [ip]" for log lines, as Exim builds it */
char *acl_host_ident(void)
{
    if (!conn.sender_host_address) {
        if (!conn.sender_helo_name) return string_copy("");
        return string_sprintf("H=(%s)", conn.sender_helo_name);
    }
    gstring *g = string_cat(string_get(64), "H=");
    const char *name = conn.sender_host_name, *helo = conn.sender_helo_name;
    if (name) g = string_fmt_append(g, "%s ", name);
    if (helo && (!name || strcasecmp(name, helo) != 0)) g = string_fmt_append(g, "(%s) ", helo);
    g = string_fmt_append(g, "[%s]", conn.sender_host_address);
    if (log_selected(L_incoming_port) && conn.sender_host_port)
        g = string_fmt_append(g, ":%d", conn.sender_host_port);
    return string_from_gstring(g);
}

/* reject_what - "RCPT <x@y>", "MAIL <s>", "EHLO or HELO name", ... */
static char *reject_what(enum acl_where where, const char *arg)
{
    const char *a = arg ? arg : "";
    switch (where) {
    case ACL_WHERE_RCPT: return string_sprintf("RCPT <%s>", a);
    case ACL_WHERE_MAIL: return string_sprintf("MAIL <%s>", a);
    case ACL_WHERE_HELO: return string_sprintf("EHLO or HELO %s", a);
    case ACL_WHERE_VRFY: return string_sprintf("VRFY %s", a);
    case ACL_WHERE_EXPN: return string_sprintf("EXPN %s", a);
    case ACL_WHERE_ETRN: return string_sprintf("ETRN %s", a);
    case ACL_WHERE_AUTH: return string_sprintf("AUTH %s", a);
    case ACL_WHERE_MAILAUTH: return string_sprintf("MAIL AUTH=%s", a);
    case ACL_WHERE_CONNECT: return string_copy("connection in \"connect\" ACL");
    case ACL_WHERE_PREDATA: return string_copy("DATA");
    case ACL_WHERE_DATA: return string_copy("after DATA");
    case ACL_WHERE_STARTTLS: return string_copy("STARTTLS");
    default: return string_sprintf("%s", acl_where_name(where));
    }
}

static bool where_has_sender(enum acl_where where)
{
    return where == ACL_WHERE_RCPT || where == ACL_WHERE_DATA ||
           where == ACL_WHERE_MIME || where == ACL_WHERE_DKIM || where == ACL_WHERE_PRDR;
}

/* log_text - the log_message, or else the first line of the message */
static const char *log_text(const char *user_msg, const char *log_msg)
{
    if (log_msg && *log_msg) return log_msg;
    if (!user_msg || !*user_msg) return NULL;
    const char *nl = strchr(user_msg, '\n');
    return nl ? string_copyn(user_msg, (size_t)(nl - user_msg)) : user_msg;
}

void acl_log_reject(enum acl_where where, int rc, const char *arg, const char *user_msg, const char *log_msg)
{
    int target = conn.acl.log_reject_target;
    if (!target || rc == OK) return;
    const char *text = log_text(user_msg, log_msg);
    gstring *g = string_cat(string_get(128), acl_host_ident());
    if (where == ACL_WHERE_NOTSMTP || where == ACL_WHERE_NOTSMTP_START) {
        g = string_fmt_append(g, "%sF=<%s> %s by non-SMTP ACL", g->len ? " " : "",
                              msg.sender_address ? msg.sender_address : "",
                              rc == DISCARD ? "discarded" : "rejected");
    } else {
        if (where_has_sender(where) && msg.sender_address) g = string_fmt_append(g, " F=<%s>", msg.sender_address);
        if (rc == DISCARD)
            g = string_fmt_append(g, " %s: discarded by %s ACL", reject_what(where, arg), acl_where_name(where));
        else
            g = string_fmt_append(g, " %s %s", rc == DEFER || rc == ERROR ? "temporarily rejected" : "rejected",
                                  reject_what(where, arg));
    }
    if (text) g = string_fmt_append(g, ": %s", text);
    char *line = string_from_gstring(g);
    log_write(L_always, target, "%s", *line == ' ' ? line + 1 : line);
}
