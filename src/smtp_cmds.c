/* smtp_cmds.c - the SMTP command handlers (RFC 5321 section 4.1.1).
 *
 * Runs in the connection child. Each command has smtp_check_<cmd>
 * (state and syntax, sends any error reply) and smtp_do_<cmd> (acts and
 * sends the success reply); the table maps verbs to them. Arguments are
 * tainted network text, already bounded and NUL-free. */

/* System */
#include <ctype.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "acl.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "match.h"
#include "message.h"
#include "rewrite.h"
#include "smtp_in.h"
#include "xp_all.h"
/* This module */
#include "smtp_in_int.h"
#include "smtp_auth.h"

typedef enum smtp_next (*cmd_handler)(char *line, char *arg);

/* What an smtp_check_<cmd> returns when the command may go ahead; any
 * other value is the enum smtp_next after it sent an error reply. */
#define CHECK_PASS (-1)

#define CF_NONMAIL   0x1 /* counts towards smtp_accept_max_nonmail */
#define CF_SYNC      0x2 /* must be the last of a pipelined group (RFC 2920 3.1) */
#define CF_SYNC_NOPL 0x4 /* must wait for a reply unless PIPELINING was advertised */

typedef struct cmd_row {
    enum smtp_cmd_id id;
    cmd_handler handler;
    unsigned flags;
} cmd_row;

/* ---- HELO / EHLO ---- */

/* helo_valid - RFC 5321 4.1.1.1: a domain or an address literal */
static bool helo_valid(const char *s)
{
    if (!*s) return false;
    if (*s == '[') return s[strlen(s) - 1] == ']';
    for (const char *p = s; *p; p++) {
        if (isalnum((unsigned char)*p) || *p == '-' || *p == '.') continue;
        if (cfg.helo_allow_chars && strchr(cfg.helo_allow_chars, *p)) continue;
        return false;
    }
    return true;
}

/* helo_lookup - a HELO name in helo_lookup_domains (by default our own
 * name or a literal of one of our addresses: a client that cannot know
 * its name) makes Exim find the client's name by a reverse lookup, so the
 * reply and the log show that instead */
static void helo_lookup(const char *arg)
{
    if (!conn.sender_host_address || conn.sender_host_name || conn.host_lookup_failed) return;
    const char *list = expand_cstring(cfg.helo_lookup_domains);
    if (list && *list && match_isinlist(arg, list, MCL_DOMAIN, true, NULL) == OK) smtp_host_lookup();
}

static int smtp_check_helo(char *line, const char *verb, char *arg)
{
    if (!*arg || (!conn.helo_accept_junk && !helo_valid(arg))) {
        log_write(L_always, LOG_MAIN | LOG_REJECT, "rejected %s from %s: syntactically invalid "
                  "argument(s): %s", verb, smtp_host_and_ident(false),
                  *arg ? string_printing(arg) : "(no argument given)");
        return smtp_synprot_error(-1, 501, line,
                                  string_sprintf("Syntactically invalid %s argument(s)", verb));
    }
    helo_lookup(arg);
    bool hard = smtp_host_in(cfg.helo_verify_hosts);
    if (!hard && !smtp_host_in(cfg.helo_try_verify_hosts)) return CHECK_PASS;
    char *prev = conn.sender_helo_name;
    conn.sender_helo_name = arg;
    if (smtp_helo_verify() == OK || !hard) {
        conn.sender_helo_name = prev;
        return CHECK_PASS;
    }
    log_write(L_always, LOG_MAIN | LOG_REJECT, "rejected \"%s\" from %s", string_printing(line),
              smtp_host_and_ident(false));
    conn.sender_helo_name = prev;
    smtp_printf("550 %s argument does not match calling host\r\n", verb);
    return NEXT_CONTINUE;
    return CHECK_PASS;
}

/* ehlo_lines - the ESMTP extensions (RFC 1870, 6152, 2920, 3030, 3461, 6531) */
static void ehlo_lines(gstring **g)
{
    long limit = expand_string_integer(cfg.message_size_limit, true);
    if (limit > 0) *g = string_fmt_append(*g, "SIZE %ld\n", limit);
    else *g = string_cat(*g, "SIZE\n");
    if (cfg.accept_8bitmime) *g = string_cat(*g, "8BITMIME\n");
    if (conn.dsn_advertised) *g = string_cat(*g, "DSN\n");
    if (cfg.acl_smtp_etrn || cfg.smtp_etrn_command) *g = string_cat(*g, "ETRN\n");
    if (cfg.acl_smtp_vrfy) *g = string_cat(*g, "VRFY\n");
    if (cfg.acl_smtp_expn) *g = string_cat(*g, "EXPN\n");
    if (conn.pipelining_advertised) *g = string_cat(*g, "PIPELINING\n");
    if (conn.pipelining_advertised && !conn.local &&
        smtp_host_in(cfg.pipelining_connect_advertise_hosts))
        *g = string_cat(*g, "PIPECONNECT\n");
    smtp_auth_advertise(g);
    if (conn.chunking_advertised) *g = string_cat(*g, "CHUNKING\n");
    smtp_tls_advertise(g);
    if (conn.smtputf8_advertised) *g = string_cat(*g, "SMTPUTF8\n");
    *g = string_cat(*g, "HELP");
}

/* advertise_flags - which extensions this host is offered */
static void advertise_flags(bool esmtp)
{
    bool any = conn.local;
    conn.pipelining_advertised = esmtp && (any || smtp_host_in(cfg.pipelining_advertise_hosts));
    conn.chunking_advertised = esmtp && (any || smtp_host_in(cfg.chunking_advertise_hosts));
    conn.smtputf8_advertised = esmtp && (any || smtp_host_in(cfg.smtputf8_advertise_hosts));
    conn.dsn_advertised = false;
#ifdef EXPERIMENTAL_DSN
    conn.dsn_advertised = esmtp && xp_dsn_advertise(conn.local, smtp_host_in);
#endif
}

static enum smtp_next smtp_do_helo(char *line, const char *verb, char *arg)
{
    bool esmtp = verb[0] == 'E';
    if (cfg.acl_smtp_helo) {
        enum store_pool old = store_set_pool(POOL_CONN);
        conn.sender_helo_name = string_copy_taint(arg, GET_TAINTED);
        store_set_pool(old);
        char *um, *lm;
        int rc = smtp_run_acl(ACL_WHERE_HELO, NULL, cfg.acl_smtp_helo, &um, &lm);
        if (rc != OK) {
            enum smtp_next n = smtp_acl_fail(ACL_WHERE_HELO, rc, um, lm, arg);
            conn.sender_helo_name = NULL;
            return n;
        }
    }
    enum store_pool old = store_set_pool(POOL_CONN);
    conn.sender_helo_name = string_copy_taint(arg, GET_TAINTED);
    conn.helo_verb = esmtp ? "EHLO" : "HELO";
    store_set_pool(old);
    conn.esmtp = esmtp;
    conn.received_protocol = smtp_protocol_name();
    advertise_flags(esmtp);
    const char *mpc = expand_cstring(cfg.smtp_accept_max_per_connection);
    conn.max_per_connection = mpc && *mpc ? strtol(mpc, NULL, 10) : 0;
    smtp_reset_message();
    /* "Hello [ident at] name-or-helo [[ip]]", as Exim words it */
    char *hello = string_sprintf("Hello %s%s%s%s%s%s", conn.sender_ident ? conn.sender_ident : "",
                                 conn.sender_ident ? " at " : "",
                                 conn.sender_host_name ? conn.sender_host_name : arg,
                                 conn.sender_host_address ? " [" : "",
                                 conn.sender_host_address ? conn.sender_host_address : "",
                                 conn.sender_host_address ? "]" : "");
    gstring *g = string_fmt_append(NULL, "%s %s", conn.active_hostname, hello);
    if (esmtp) {
        g = string_catc(g, '\n');
        ehlo_lines(&g);
    }
    smtp_respond(250, NULL, string_from_gstring(g));
    return NEXT_CONTINUE;
}

static enum smtp_next cmd_helo(char *line, char *arg)
{
    int rc = smtp_check_helo(line, "HELO", arg);
    return rc == CHECK_PASS ? smtp_do_helo(line, "HELO", arg) : (enum smtp_next)rc;
}

static enum smtp_next cmd_ehlo(char *line, char *arg)
{
    int rc = smtp_check_helo(line, "EHLO", arg);
    return rc == CHECK_PASS ? smtp_do_helo(line, "EHLO", arg) : (enum smtp_next)rc;
}

/* ---- MAIL ---- */

/* mail_param - one ESMTP parameter of MAIL; OK, FAIL (not ours: leave it
 * in the address text) or ERROR (reply sent) */
static int mail_param(char *name, char *value, char *line, enum smtp_next *next)
{
    if (!conn.esmtp) return FAIL;
    if (strcasecmp(name, "SIZE") == 0 && value) {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (*end || errno || v < 0) v = 2147483647;
        msg.declared_size = v > 2147483647 ? 2147483647 : (long)v;
        return OK;
    }
    if (strcasecmp(name, "BODY") == 0 && value) {
        if (strcasecmp(value, "8BITMIME") == 0 && cfg.accept_8bitmime) msg.body_8bitmime = true;
        else if (strcasecmp(value, "7BIT") != 0) {
            *next = smtp_synprot_error(L_smtp_syntax_error, 501, line, "invalid data for BODY");
            return ERROR;
        }
        return OK;
    }
    if (strcasecmp(name, "SMTPUTF8") == 0 && !value && conn.smtputf8_advertised) {
        msg.smtputf8 = true;
        return OK;
    }
    if (strcasecmp(name, "AUTH") == 0 && value && conn.auth_advertised)
        return smtp_auth_mail_param(value, line, next);
    int rc = FAIL;
    const char *err = NULL;
#ifdef EXPERIMENTAL_DSN
    if (conn.dsn_advertised) rc = xp_dsn_mail_param(name, value, &err);
#endif
    if (rc == ERROR) *next = smtp_synprot_error(L_smtp_syntax_error, 501, line, err);
    return rc;
}

/* mail_params - strip recognised parameters from the end, as Exim does */
static int mail_params(char *rest, char *line, enum smtp_next *next)
{
    char *name, *value;
    for (;;) {
        char *orig = string_copy(rest);
        if (!smtp_split_param(rest, &name, &value)) return OK;
        int rc = mail_param(name, value, line, next);
        if (rc == ERROR) return ERROR;
        if (rc == FAIL) {
            memcpy(rest, orig, strlen(orig) + 1);
            return FAIL;
        }
    }
}

/* malformed - "malformed address: X may not follow Y" */
static enum smtp_next malformed(char *line, char *arg, char *rest)
{
    char *err = string_sprintf("%s: malformed address: %s may not follow %.*s", arg, rest,
                               (int)(rest - arg), arg);
    return smtp_synprot_error(L_smtp_syntax_error, 501, line, err);
}

/* size_check - message_size_limit against SIZE= (RFC 1870 section 6) */
static bool size_check(char *addr_text)
{
    long limit = expand_string_integer(cfg.message_size_limit, true);
    if (limit <= 0 || msg.declared_size <= limit) return true;
    smtp_printf("552 Message size exceeds maximum permitted\r\n");
    log_write(L_size_reject, LOG_MAIN | LOG_REJECT, "rejected MAIL FROM:%s %s: message too big: "
              "size%s%ld max=%ld", addr_text, smtp_host_and_ident(true),
              msg.declared_size >= 2147483647 ? ">=" : "=", msg.declared_size, limit);
    return false;
}

/* qualify - add the qualify domain to a local address, if allowed */
static char *qualify(char *addr, bool recipient)
{
    if (!*addr || strchr(addr, '@')) return addr;
    if (!(recipient ? conn.unqualified_recipient_ok : conn.unqualified_sender_ok)) return NULL;
    const char *dom = recipient && cfg.qualify_recipient ? cfg.qualify_recipient : cfg.qualify_domain;
    dom = dom ? expand_cstring(dom) : NULL;
    return string_sprintf("%s@%s", addr, dom && *dom ? dom : cfg.primary_hostname);
}

/* rewrite_arg - S rewrite rules on the address part of MAIL/RCPT data,
 * before anything else looks at it (Exim manual, "The SMTP-time
 * rewriting flag"); ESMTP parameters are kept as they were */
static char *rewrite_arg(char *arg)
{
    char *a = string_copy_taint(arg, GET_TAINTED), *addr, *rest = NULL;
    size_t n = smtp_parse_address(a, &addr, &rest) || !rest ? strlen(arg) : (size_t)(rest - a);
    while (n && arg[n - 1] == ' ') n--;
    char *data = string_copyn_taint(arg, n, GET_TAINTED);
    char *new = rewrite_smtp(data, true); /* Exim's log says "smtp recipient" for MAIL too */
    if (new == data) return arg;
    return string_sprintf("%s%s", new, arg + n);
}

static int smtp_check_mail(char *line, char *arg)
{
    /* helo_verb, not the name: tls_remember_esmtp keeps the one, not the other */
    bool need = !conn.helo_verb && smtp_host_in(cfg.hosts_require_helo);
    if (need || (!conn.sender_helo_name && smtp_host_in(cfg.helo_verify_hosts))) {
        /* Exim names the last (rejected) HELO in this log line */
        char *saved = conn.sender_helo_name;
        conn.sender_helo_name = conn.helo_verify_name;
        log_write(L_always, LOG_MAIN | LOG_REJECT, "rejected MAIL from %s: no HELO/EHLO given",
                  smtp_host_and_ident(false));
        conn.sender_helo_name = saved;
        return smtp_synprot_error(L_smtp_protocol_error, 503, line, "HELO or EHLO required");
    }
    if (msg.sender_set) return smtp_synprot_error(L_smtp_protocol_error, 503, line,
                                                  "sender already given");
    if (!*arg) return smtp_synprot_error(L_smtp_syntax_error, 501, line,
                                         "MAIL must have an address operand");
    if (conn.max_per_connection > 0 && conn.mail_commands >= conn.max_per_connection) {
        smtp_printf("421 too many messages in this connection\r\n");
        log_write(L_always, LOG_MAIN, "SMTP call from %s dropped: too many messages in one "
                  "connection", smtp_host_and_ident(false));
        return NEXT_DROP;
    }
    return CHECK_PASS;
}

/* parse_mail_arg - address and parameters; NULL after sending an error */
static char *parse_mail_arg(char *line, char *arg, enum smtp_next *next)
{
    char *a = string_copy_taint(arg, GET_TAINTED);
    char *addr, *rest;
    const char *err;
    *next = NEXT_CONTINUE;
    if (strncmp(a, "<>", 2) == 0) { addr = ""; rest = a + 2; while (*rest == ' ') rest++; }
    else if ((err = smtp_parse_address(a, &addr, &rest))) {
        *next = smtp_synprot_error(L_smtp_syntax_error, 501, line, string_sprintf("%s: %s", arg, err));
        return NULL;
    }
    if (*rest) {
        int rc = mail_params(rest, line, next);
        if (rc == ERROR) return NULL;
        if (rc == FAIL) { *next = malformed(line, a, rest); return NULL; }
    }
    return addr;
}

static enum smtp_next smtp_do_mail(char *line, char *arg)
{
    enum smtp_next next;
    smtp_reset_message();
    conn.mail_commands++;
    arg = rewrite_arg(arg);
    char *addr = parse_mail_arg(line, arg, &next);
    if (!addr) return next;
    char *q = qualify(addr, false);
    if (!q) {
        log_write(L_smtp_syntax_error, LOG_MAIN | LOG_REJECT, "unqualified sender rejected: <%s> %s",
                  addr, smtp_host_and_ident(true));
        smtp_printf("501 %s: sender address must contain a domain\r\n", arg);
        return NEXT_CONTINUE;
    }
    if (!size_check(string_sprintf("<%s>", addr))) return NEXT_CONTINUE;
    enum store_pool old = store_set_pool(POOL_MSG);
    msg.sender_address = string_copy_taint(q, GET_TAINTED);
    store_set_pool(old);
    if (cfg.acl_smtp_mail) {
        char *um, *lm;
        int rc = smtp_run_acl(ACL_WHERE_MAIL, NULL, cfg.acl_smtp_mail, &um, &lm);
        if (rc != OK && rc != DISCARD) {
            char *s = msg.sender_address;
            msg.sender_address = NULL;
            return smtp_acl_fail(ACL_WHERE_MAIL, rc, um, lm, s);
        }
    }
    msg.sender_set = true;
    smtp_printf("250 OK\r\n");
    return NEXT_CONTINUE;
}

static enum smtp_next cmd_mail(char *line, char *arg)
{
    int rc = smtp_check_mail(line, arg);
    return rc == CHECK_PASS ? smtp_do_mail(line, arg) : (enum smtp_next)rc;
}

/* ---- RCPT ---- */

static int smtp_check_rcpt(char *line, char *arg)
{
    if (!msg.sender_set) {
        enum smtp_next n = smtp_synprot_error(L_smtp_protocol_error, 503, line,
                                              "sender not yet given");
        msg.rcpt_response_same = !msg.rcpt_smtp_response ||
                                 strcmp(msg.rcpt_smtp_response, "503 sender not yet given") == 0;
        msg.rcpt_smtp_response = "503 sender not yet given";
        return n;
    }
    if (!*arg) return smtp_synprot_error(L_smtp_syntax_error, 501, line,
                                         "RCPT must have an address operand");
    return CHECK_PASS;
}

/* add_recipient - append to msg.recipients (POOL_MSG) */
static recipient_item *add_recipient(const char *addr)
{
    if (msg.recipients_count >= msg.recipients_cap) {
        int cap = msg.recipients_cap ? msg.recipients_cap * 2 : 16;
        recipient_item *n = store_get_in(POOL_MSG, sizeof *n * (size_t)cap, GET_UNTAINTED);
        if (msg.recipients_count) memcpy(n, msg.recipients, sizeof *n * (size_t)msg.recipients_count);
        msg.recipients = n;
        msg.recipients_cap = cap;
    }
    recipient_item *r = &msg.recipients[msg.recipients_count++];
    memset(r, 0, sizeof *r);
    r->address = string_copy_taint(addr, GET_TAINTED);
    r->pno = -1;
    return r;
}

/* rcpt_params - RCPT parameters: only DSN's (RFC 3461 section 4) exist */
static int rcpt_params(char *rest, char *line, recipient_item *r, enum smtp_next *next)
{
    char *name, *value;
    while (*rest) {
        char *orig = string_copy(rest);
        if (!smtp_split_param(rest, &name, &value)) break;
        int rc = FAIL;
        const char *err = NULL;
#ifdef EXPERIMENTAL_DSN
        if (conn.dsn_advertised) rc = xp_dsn_rcpt_param(name, value, r, &err);
#endif
        if (rc == ERROR) { *next = smtp_synprot_error(L_smtp_syntax_error, 501, line, err); return ERROR; }
        if (rc == FAIL) {
            memcpy(rest, orig, strlen(orig) + 1);
            return FAIL;
        }
    }
    return OK;
}

/* too_many_rcpts - recipients_max (Exim counts every RCPT command) */
static bool too_many_rcpts(void)
{
    int n = msg.recipients_count + msg.rcpt_fail_count + msg.rcpt_defer_count;
    if (cfg.recipients_max <= 0 || n < cfg.recipients_max) return false;
    smtp_printf("%s too many recipients\r\n", cfg.recipients_max_reject ? "552" : "452");
    if (!msg.rcpt_defer_count++ || cfg.recipients_max_reject)
        log_write(L_always, LOG_MAIN | LOG_REJECT, "too many recipients: %s: sender=<%s> %s",
                  cfg.recipients_max_reject ? "message rejected" : "excess temporarily rejected",
                  msg.sender_address, smtp_host_and_ident(true));
    return true;
}

static enum smtp_next rcpt_acl(recipient_item *r, const char *as_given)
{
    char *um, *lm;
    int rc = smtp_run_acl(ACL_WHERE_RCPT, r->address, cfg.acl_smtp_rcpt, &um, &lm);
    if (rc == OK || rc == DISCARD) {
        if (rc == DISCARD) msg.recipients_count--;
        smtp_printf("250 Accepted\r\n");
        return NEXT_CONTINUE;
    }
    char *a = string_copy(as_given);
    msg.recipients_count--;
    if (rc == DEFER) msg.rcpt_defer_count++;
    else msg.rcpt_fail_count++;
    return smtp_acl_fail(ACL_WHERE_RCPT, rc, um, lm, a);
}

static enum smtp_next smtp_do_rcpt(char *line, char *arg)
{
    arg = rewrite_arg(arg);
    char *a = string_copy_taint(arg, GET_TAINTED), *addr, *rest;
    enum smtp_next next = NEXT_CONTINUE;
    const char *err = smtp_parse_address(a, &addr, &rest);
    if (err) return smtp_synprot_error(L_smtp_syntax_error, 501, line,
                                       string_sprintf("%s: %s", arg, err));
    if (too_many_rcpts()) return NEXT_CONTINUE;
    recipient_item tmp = {.pno = -1};
    if (*rest) {
        int rc = rcpt_params(rest, line, &tmp, &next);
        if (rc == ERROR) { msg.rcpt_fail_count++; return next; }
        if (rc == FAIL) return malformed(line, a, rest);
    }
    char *q = qualify(addr, true);
    if (!q) {
        log_write(L_smtp_syntax_error, LOG_MAIN | LOG_REJECT, "unqualified recipient rejected: "
                  "<%s> %s", addr, smtp_host_and_ident(true));
        smtp_printf("501 %s: recipient address must contain a domain\r\n", arg);
        return NEXT_CONTINUE;
    }
    enum store_pool old = store_set_pool(POOL_MSG);
    recipient_item *r = add_recipient(q);
    r->orcpt = tmp.orcpt;
    r->dsn_flags = tmp.dsn_flags;
    store_set_pool(old);
    return rcpt_acl(r, addr);
}

static enum smtp_next cmd_rcpt(char *line, char *arg)
{
    int rc = smtp_check_rcpt(line, arg);
    return rc == CHECK_PASS ? smtp_do_rcpt(line, arg) : (enum smtp_next)rc;
}

/* ---- DATA / BDAT ---- */

/* smtp_check_data - RFC 5321 4.1.1.4: needs a sender and a recipient */
static int smtp_check_data(char *line, const char *verb)
{
    if (msg.recipients_count > 0) return CHECK_PASS;
    if (msg.rcpt_smtp_response && msg.rcpt_response_same) {
        smtp_printf("503-All RCPT commands were rejected with this error:\r\n");
        gstring *g = string_fmt_append(NULL, "%s", msg.rcpt_smtp_response);
        for (char *p = string_from_gstring(g), *nl; p; p = nl) {
            nl = strchr(p, '\n');
            if (nl) *nl++ = 0;
            smtp_printf("503-%s\r\n", p);
        }
    }
    if (conn.pipelining_advertised && conn.prev_cmd == CMD_RCPT) {
        smtp_printf("503 Valid RCPT command must precede %s\r\n", verb);
        return NEXT_CONTINUE;
    }
    return smtp_synprot_error(L_smtp_protocol_error, 503, line,
                              string_sprintf("valid RCPT command must precede %s", verb));
}

/* predata - acl_smtp_predata */
static enum smtp_next predata(bool *ok)
{
    *ok = true;
    if (!cfg.acl_smtp_predata) return NEXT_CONTINUE;
    char *um, *lm;
    int rc = smtp_run_acl(ACL_WHERE_PREDATA, NULL, cfg.acl_smtp_predata, &um, &lm);
    if (rc == OK) return NEXT_CONTINUE;
    *ok = false;
    return smtp_acl_fail(ACL_WHERE_PREDATA, rc, um, lm, NULL);
}

static enum smtp_next cmd_data(char *line, char *arg)
{
    int rc = smtp_check_data(line, "DATA");
    if (rc != CHECK_PASS) return (enum smtp_next)rc;
    bool ok;
    enum smtp_next n = predata(&ok);
    if (!ok) return n;
    smtp_printf("354 Enter message, ending with \".\" on a line by itself\r\n");
    return receive_smtp_data(false, 0, false);
}

/* parse_bdat - "BDAT size [LAST]" (RFC 3030 section 2) */
static bool parse_bdat(const char *arg, long *size, bool *last)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (end == arg || errno || v < 0 || v > 0x7fffffffLL) return false;
    while (*end == ' ') end++;
    *last = strcasecmp(end, "LAST") == 0;
    *size = (long)v;
    return *last || !*end;
}

static enum smtp_next cmd_bdat(char *line, char *arg)
{
    long size;
    bool last;
    if (!conn.chunking_advertised)
        return smtp_synprot_error(L_smtp_protocol_error, 503, line, "BDAT command used when "
                                  "CHUNKING not advertised");
    if (!parse_bdat(arg, &size, &last))
        return smtp_synprot_error(L_smtp_syntax_error, 501, line, "missing size for BDAT command");
    int rc = smtp_check_data(line, "BDAT");
    if (rc != CHECK_PASS) return (enum smtp_next)rc;
    bool ok;
    enum smtp_next n = predata(&ok);
    if (!ok) return n;
    return receive_smtp_data(true, size, last);
}

/* ---- the rest ---- */

static enum smtp_next cmd_rset(char *line, char *arg)
{
    if (*arg) return smtp_synprot_error(L_smtp_syntax_error, 501, line, "RSET must not have "
                                        "arguments");
    smtp_reset_message();
    smtp_printf("250 Reset OK\r\n");
    return NEXT_CONTINUE;
}

static enum smtp_next cmd_noop(char *line, char *arg)
{
    smtp_printf("250 OK\r\n");
    return NEXT_CONTINUE;
}

static enum smtp_next cmd_quit(char *line, char *arg)
{
    char *um = NULL, *lm = NULL;
    if (cfg.acl_smtp_quit) (void)smtp_run_acl(ACL_WHERE_QUIT, NULL, cfg.acl_smtp_quit, &um, &lm);
    if (um) smtp_respond(221, NULL, um); /* the quit ACL's message replaces the text */
    else smtp_printf("221 %s closing connection\r\n", conn.active_hostname);
    log_write(L_smtp_connection, LOG_MAIN, "SMTP connection from %s closed by QUIT",
              smtp_host_and_ident(false));
    return NEXT_QUIT;
}

static enum smtp_next cmd_help(char *line, char *arg)
{
    smtp_printf("214-Commands supported:\r\n214 AUTH STARTTLS HELO EHLO MAIL RCPT DATA BDAT NOOP "
                "QUIT RSET HELP%s%s%s\r\n", cfg.acl_smtp_etrn ? " ETRN" : "",
                cfg.acl_smtp_expn ? " EXPN" : "", cfg.acl_smtp_vrfy ? " VRFY" : "");
    return NEXT_CONTINUE;
}

/* cmd_vrfy - RFC 5321 3.5.3. With no routers in this build an accepted
 * VRFY gets the answer Exim gives for an address no router handles. */
static enum smtp_next cmd_vrfy(char *line, char *arg)
{
    char *a = string_copy_taint(arg, GET_TAINTED), *addr, *rest;
    const char *err = *a ? smtp_parse_address(a, &addr, &rest) : "empty address";
    if (err) return smtp_synprot_error(L_smtp_syntax_error, 501, line, err);
    char *um, *lm;
    int rc = smtp_run_acl(ACL_WHERE_VRFY, addr, cfg.acl_smtp_vrfy, &um, &lm);
    if (rc != OK) return smtp_acl_fail(ACL_WHERE_VRFY, rc, um, lm, arg);
    log_write(L_always, LOG_MAIN, "VRFY failed for %s %s", addr, smtp_host_and_ident(true));
    smtp_printf("550 <%s> Unrouteable address\r\n", addr);
    return NEXT_CONTINUE;
}

static enum smtp_next cmd_expn(char *line, char *arg)
{
    char *um, *lm;
    int rc = smtp_run_acl(ACL_WHERE_EXPN, NULL, cfg.acl_smtp_expn, &um, &lm);
    if (rc != OK) return smtp_acl_fail(ACL_WHERE_EXPN, rc, um, lm, arg);
    const char *qd = cfg.qualify_recipient ? cfg.qualify_recipient
                   : cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname;
    smtp_printf("553 %s%s%s is undeliverable\r\n", arg, strchr(arg, '@') ? "" : "@",
                strchr(arg, '@') ? "" : qd);
    return NEXT_CONTINUE;
}

static enum smtp_next cmd_etrn(char *line, char *arg)
{
    log_write(L_etrn, LOG_MAIN, "ETRN %s received from %s", arg, smtp_host_and_ident(false));
    char *um, *lm;
    int rc = smtp_run_acl(ACL_WHERE_ETRN, NULL, cfg.acl_smtp_etrn, &um, &lm);
    if (rc != OK) return smtp_acl_fail(ACL_WHERE_ETRN, rc, um, lm, arg);
    if (!cfg.smtp_etrn_command && *arg != '#')
        return smtp_synprot_error(L_smtp_syntax_error, 501, line, "argument must begin with #");
    if (cfg.smtp_etrn_command) {
        smtp_printf("458 Unable to start queue run\r\n");
        log_write(L_always, LOG_MAIN, "smtp_etrn_command is not supported by this build: ETRN "
                  "%s not acted on", arg);
        return NEXT_CONTINUE;
    }
    smtp_printf("250 OK\r\n");
    return NEXT_CONTINUE;
}

static enum smtp_next cmd_starttls(char *line, char *arg)
{
    return smtp_tls_command(line, arg);
}

static enum smtp_next cmd_auth(char *line, char *arg)
{
    return smtp_auth_command(line, arg);
}

static const cmd_row cmd_table[] = {
    {CMD_HELO, cmd_helo, CF_NONMAIL | CF_SYNC},
    {CMD_EHLO, cmd_ehlo, CF_NONMAIL | CF_SYNC},
    {CMD_MAIL, cmd_mail, CF_SYNC_NOPL},
    {CMD_RCPT, cmd_rcpt, CF_SYNC_NOPL},
    {CMD_DATA, cmd_data, CF_SYNC},
    {CMD_BDAT, cmd_bdat, 0},
    {CMD_RSET, cmd_rset, CF_NONMAIL | CF_SYNC_NOPL},
    {CMD_NOOP, cmd_noop, CF_NONMAIL | CF_SYNC_NOPL},
    {CMD_QUIT, cmd_quit, 0},
    {CMD_VRFY, cmd_vrfy, CF_NONMAIL | CF_SYNC},
    {CMD_EXPN, cmd_expn, CF_NONMAIL | CF_SYNC},
    {CMD_ETRN, cmd_etrn, CF_NONMAIL | CF_SYNC},
    {CMD_HELP, cmd_help, CF_NONMAIL | CF_SYNC_NOPL},
    {CMD_STARTTLS, cmd_starttls, CF_NONMAIL | CF_SYNC_NOPL},
    {CMD_AUTH, cmd_auth, CF_SYNC_NOPL},
};

/* nonmail_exceeded - smtp_accept_max_nonmail */
static bool nonmail_exceeded(char *line)
{
    if (cfg.smtp_accept_max_nonmail <= 0 || conn.local) return false;
    if (++conn.nonmail_commands <= cfg.smtp_accept_max_nonmail) return false;
    if (!smtp_host_in(cfg.smtp_accept_max_nonmail_hosts)) return false;
    smtp_printf("421 too many nonmail commands\r\n");
    log_write(L_always, LOG_MAIN, "SMTP call from %s dropped: too many nonmail commands (last "
              "was \"%s\")", smtp_host_and_ident(false), string_printing(line));
    return true;
}

static enum smtp_next unknown_command(char *line)
{
    if (++conn.unknown_commands > cfg.smtp_max_unknown_commands) {
        smtp_printf("500 Too many unrecognized commands\r\n");
        log_write(L_always, LOG_MAIN, "SMTP call from %s dropped: too many unrecognized commands "
                  "(last was \"%s\")", smtp_host_and_ident(false), string_printing(line));
        return NEXT_DROP;
    }
    return smtp_synprot_error(L_smtp_syntax_error, 500, line, "unrecognized command");
}

/* lost_connection - EOF or timeout instead of a command */
static enum smtp_next lost_connection(enum smtp_cmd_id id)
{
    conn.smtp_notquit_reason = id == CMD_TIMEOUT ? "command-timeout" : "connection-lost";
    if (cfg.acl_smtp_notquit) { /* before the log line, as in Exim */
        char *um, *lm;
        (void)smtp_run_acl(ACL_WHERE_NOTQUIT, NULL, cfg.acl_smtp_notquit, &um, &lm);
    }
    if (id == CMD_TIMEOUT) {
        log_write(L_always, LOG_MAIN, "SMTP command timeout on connection from %s",
                  smtp_host_and_ident(false));
        smtp_printf("421 %s: SMTP command timeout - closing connection\r\n", conn.active_hostname);
    } else {
        /* -bs/-bh log it only inside a transaction, as Exim does */
        if (conn.is_socket || msg.sender_set)
            log_write(L_lost_incoming_connection, LOG_MAIN, "unexpected disconnection while "
                      "reading SMTP command from %s D=%lds", smtp_host_and_ident(false),
                      (long)time(NULL) - conn.start_time);
        smtp_printf("421 %s lost input connection\r\n", conn.active_hostname);
    }
    return NEXT_DROP;
}

enum smtp_next smtp_dispatch(enum smtp_cmd_id id, char *line, char *arg)
{
    if (id == CMD_EOF || id == CMD_TIMEOUT) return lost_connection(id);
#ifdef EXPERIMENTAL_PROXY
    if (id != CMD_QUIT && xp_proxy_failed(&conn))
        return smtp_synprot_error(-1, 503, line, XP_PROXY_REFUSAL_TEXT);
#endif
    if (id == CMD_UNKNOWN) {
        conn.prev_cmd = conn.this_cmd;
        conn.this_cmd = id;
        return unknown_command(line);
    }
    const cmd_row *row = NULL;
    for (size_t i = 0; i < NELEM(cmd_table); i++)
        if (cmd_table[i].id == id) row = &cmd_table[i];
    ASSERT(row);
    bool must_sync = (row->flags & CF_SYNC) ||
                     ((row->flags & CF_SYNC_NOPL) && !conn.pipelining_advertised);
    if (must_sync && !smtp_check_sync(line)) return NEXT_DROP;
    if ((row->flags & CF_NONMAIL) && nonmail_exceeded(line)) return NEXT_DROP;
    conn.prev_cmd = conn.this_cmd;
    conn.this_cmd = id;
    conn.smtp_command = line; /* $smtp_command, $smtp_command_argument: this command's */
    conn.smtp_command_argument = arg;
    return row->handler(line, arg);
}
