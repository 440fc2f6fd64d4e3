/* smtp_in.c - the SMTP server session: banner, command loop, error
 * counting, ACL failure replies, synchronization checks.
 *
 * Runs in the daemon's connection child (as exim_user, never root), or
 * in a -bs / -bh process as the caller. Everything the peer sends is
 * tainted and bounded by smtp_in_io.c; each command goes through the
 * table in smtp_cmds.c. A session must never write to the spool before
 * a whole message is received, and never reply 250 to DATA before the
 * spool files are on disk (receive.c). */

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
#include "smtp_in.h"
#include "tls.h"
#include "version.h"
#include "xp_all.h"
/* This module */
#include "smtp_in_int.h"

void smtp_conn_setup(const char *address, int port, int in_fd, int out_fd, bool is_socket)
{
    conn.sender_host_address = address ? string_copy_perm(address) : NULL;
    conn.sender_host_port = port;
    conn.in_fd = in_fd;
    conn.out_fd = out_fd;
    conn.is_socket = is_socket;
    conn.local = address == NULL;
}

/* helo_is_literal - the HELO name is the client's own address literal */
static bool helo_is_literal(void)
{
    const char *h = conn.sender_helo_name, *a = conn.sender_host_address;
    if (!h || !a || h[0] != '[') return false;
    const char *lit = strncasecmp(h + 1, "IPv6:", 5) == 0 ? h + 6 : h + 1;
    size_t n = strlen(a);
    return strncasecmp(lit, a, n) == 0 && strcmp(lit + n, "]") == 0;
}

bool smtp_helo_shown(bool rcvhost)
{
    if (!conn.sender_helo_name) return false;
    if (helo_is_literal()) return !rcvhost && !conn.sender_host_name;
    return !conn.sender_host_name || !string_eq_nocase(conn.sender_helo_name, conn.sender_host_name);
}

char *smtp_host_and_ident(bool with_h)
{
    if (!conn.sender_host_address)
        return string_sprintf("%s%s", with_h ? "U=" : "", conn.sender_ident ? conn.sender_ident : "unknown");
    gstring *g = string_cat(NULL, with_h ? "H=" : "");
    if (conn.sender_host_name) g = string_fmt_append(g, "%s ", conn.sender_host_name);
    if (smtp_helo_shown(false)) g = string_fmt_append(g, "(%s) ", conn.sender_helo_name);
    g = string_fmt_append(g, "[%s]", conn.sender_host_address);
    if (log_selected(L_incoming_port) && conn.sender_host_port)
        g = string_fmt_append(g, ":%d", conn.sender_host_port);
    return string_from_gstring(g);
}

/* smtp_host_in - is the client in this host list? A local (non-TCP)
 * session has no address: as in Exim, "*" and an empty item match it */
bool smtp_host_in(const char *list)
{
    if (!list) return false;
    const char *l = expand_cstring(list);
    if (!l) return false;
    match_host h = {.address = conn.sender_host_address, .name = conn.sender_host_name,
                    .aliases = conn.sender_host_aliases};
    return match_host_list(&h, l, NULL) == OK;
}

void smtp_respond(int code, const char *ecode, const char *text)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        bool last = !nl || !nl[1];
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        smtp_printf("%d%c%s%s%.*s\r\n", code, last ? ' ' : '-', ecode ? ecode : "",
                    ecode ? " " : "", len, p);
        if (last) break;
        p = nl + 1;
    }
}

void smtp_dropped_log(const char *why)
{
    log_write(L_always, LOG_MAIN, "SMTP call from %s dropped: %s", smtp_host_and_ident(false), why);
}

enum smtp_next smtp_synprot_error(int log_sel, int code, const char *data, const char *text)
{
    if (log_sel >= 0 && log_selected((enum log_sel)log_sel))
        log_write(log_sel, LOG_MAIN, "SMTP %s error in \"%s\" %s %s",
                  log_sel == L_smtp_syntax_error ? "syntax" : "protocol",
                  data ? string_printing(data) : "", smtp_host_and_ident(true), text);
    if (++conn.synprot_errors > cfg.smtp_max_synprot_errors) {
        smtp_printf("%d-%s\r\n%d Too many syntax or protocol errors\r\n", code, text, code);
        log_write(L_always, LOG_MAIN, "SMTP call from %s dropped: too many syntax or protocol "
                  "errors (last command was \"%s\", %s)", smtp_host_and_ident(false),
                  data ? string_printing(data) : "", conn.cmd_history ? conn.cmd_history : "");
        return NEXT_DROP;
    }
    smtp_printf("%d %s\r\n", code, text);
    return NEXT_CONTINUE;
}

/* acl_reject_text - the log wording for an ACL that said no */
static char *acl_reject_text(enum acl_where where, int rc, const char *subject)
{
    const char *what = rc == DEFER ? "temporarily rejected" : "rejected";
    switch (where) {
    case ACL_WHERE_CONNECT: return string_sprintf("%s connection in \"connect\" ACL", what);
    case ACL_WHERE_HELO: return string_sprintf("%s EHLO or HELO %s", what, subject);
    case ACL_WHERE_MAIL: return string_sprintf("%s MAIL <%s>", what, subject);
    case ACL_WHERE_RCPT: return string_sprintf("%s RCPT <%s>", what, subject);
    case ACL_WHERE_PREDATA: return string_sprintf("%s DATA", what);
    case ACL_WHERE_DATA: return string_sprintf("%s after DATA", what);
    case ACL_WHERE_MIME: return string_sprintf("%s during MIME ACL checks", what);
    default: return string_sprintf("%s %s %s", what, acl_where_name(where), subject ? subject : "");
    }
}

/* reject_log_headers - the envelope and headers of a message rejected
 * after DATA, below its rejectlog line (as Exim writes them) */
static void reject_log_headers(void)
{
    gstring *g = string_fmt_append(NULL, "Envelope-from: <%s>\n",
                                   msg.sender_address ? msg.sender_address : "");
    for (int i = 0; i < msg.recipients_count; i++)
        g = string_fmt_append(g, "Envelope-to: <%s>\n", msg.recipients[i].address);
    for (const header_line *h = msg.headers; h; h = h->next)
        if (h->type != HTYPE_OLD) g = string_fmt_append(g, "%c %s", h->type, h->text);
    log_reject_detail(g->s, g->len);
}

/* acl_reply_code - the default code for a failure at this checkpoint */
static int acl_reply_code(enum acl_where where, int rc)
{
    if (rc == DEFER) return where == ACL_WHERE_ETRN ? 458 : 451;
    if (where == ACL_WHERE_VRFY) return 252;
    if (where == ACL_WHERE_ETRN) return 458;
    if (where == ACL_WHERE_AUTH) return 503;
    return 550;
}

/* split_ecode - "d.d.d " (RFC 3463) after an explicit reply code: given
 * on every line of the reply */
static const char *split_ecode(const char *m, const char **ecode)
{
    size_t n = 0;
    for (int part = 0; part < 3; part++) {
        size_t d = 0;
        while (isdigit((unsigned char)m[n + d]) && d < 3) d++;
        if (!d || m[n + d] != (part < 2 ? '.' : ' ')) return m;
        n += d + 1;
    }
    *ecode = string_copyn(m, n - 1);
    return m + n;
}

/* split_code - a message starting "ddd d.d.d text" supplies its own codes
 * when the first digit agrees with the default (as Exim requires) */
static const char *split_code(const char *m, int *code, bool *bad)
{
    if (!(m[0] >= '2' && m[0] <= '5' && isdigit((unsigned char)m[1]) &&
          isdigit((unsigned char)m[2]) && (m[3] == ' ' || !m[3])))
        return m;
    if (m[0] != '0' + *code / 100) {
        /* Exim logs the (wrapped) message's first line and drops both codes */
        size_t n = strcspn(m, "\n");
        log_write(L_always, LOG_MAIN | LOG_PANIC, "configured error code starts with incorrect "
                  "digit (expected %d) in \"%.*s%s", *code / 100, (int)n, m, m[n] ? "" : "\"");
        const char *e = NULL;
        *bad = true;
        return split_ecode(m[3] ? m + 4 : m + 3, &e);
    }
    *code = (m[0] - '0') * 100 + (m[1] - '0') * 10 + (m[2] - '0');
    return m[3] ? m + 4 : m + 3;
}

/* wrap_cut - where to break a line too long for LIMIT_SMTP_REPLY_WRAP:
 * the last space that keeps it short enough, else the first space (a
 * longer word stays whole); NULL if the line has no space */
static char *wrap_cut(char *line, size_t len)
{
    char *cut = NULL;
    for (char *p = line; p < line + len; p++) {
        if (*p != ' ') continue;
        if ((size_t)(p - line) > LIMIT_SMTP_REPLY_WRAP) return cut ? cut : p;
        cut = p;
    }
    return cut;
}

/* smtp_wrap_reply - an ACL message for the client, in lines of at most
 * LIMIT_SMTP_REPLY_WRAP characters split at spaces, as Exim 4.96 sends
 * them (the log line keeps the message whole) */
const char *smtp_wrap_reply(const char *m)
{
    if (strlen(m) <= LIMIT_SMTP_REPLY_WRAP) return m;
    char *s = string_copy(m), *line = s;
    while (*line) {
        size_t len = strcspn(line, "\n");
        char *cut = len > LIMIT_SMTP_REPLY_WRAP ? wrap_cut(line, len) : NULL;
        if (cut) *cut = '\n';
        line = cut ? cut + 1 : line[len] ? line + len + 1 : line + len;
    }
    return s;
}

enum smtp_next smtp_acl_fail(enum acl_where where, int rc, const char *user_msg,
                             const char *log_msg, const char *subject)
{
    if (rc == ERROR) { /* the ACL broke: a temporary refusal with the default text, as Exim */
        rc = DEFER;
        if (!log_msg) log_msg = user_msg;
        user_msg = NULL;
    }
    const char *lm = log_msg ? log_msg : user_msg;
    char *head = smtp_host_and_ident(true);
    bool after_data = where == ACL_WHERE_DATA || where == ACL_WHERE_MIME;
    char *from = (where == ACL_WHERE_RCPT || after_data)
                     ? string_sprintf(" F=<%s>", msg.sender_address ? msg.sender_address : "")
                     : "";
    int code = acl_reply_code(where, rc);
    const char *text = user_msg, *ecode = NULL;
    if (text && rc != DISCARD) { /* first: a bad code is logged before the rejection */
        const char *wrapped = smtp_wrap_reply(text);
        bool bad = false;
        text = split_code(wrapped, &code, &bad);
        if (bad) {
            if (!log_msg) lm = string_sprintf("%d %s", code, text); /* as Exim logs it */
        } else if (text != wrapped) {
            text = split_ecode(text, &ecode);
        }
    } else text = rc == DEFER ? "Temporary local problem - please try later"
                            : "Administrative prohibition";
    if (conn.acl.log_reject_target) /* log_reject_target: where (if at all) */
        log_write(L_always, conn.acl.log_reject_target, "%s%s %s%s%s", head, from,
                  acl_reject_text(where, rc, subject), lm ? ": " : "", lm ? lm : "");
    if (after_data) reject_log_headers();
    if (rc == DISCARD) return NEXT_CONTINUE;
    if (where == ACL_WHERE_RCPT) {
        char *resp = string_copy_perm(text);
        msg.rcpt_response_same = !msg.rcpt_smtp_response || strcmp(msg.rcpt_smtp_response, resp) == 0;
        msg.rcpt_smtp_response = resp;
    }
    smtp_respond(code, ecode, text);
    if (rc == FAIL_DROP) {
        log_write(L_smtp_connection, LOG_MAIN, "SMTP connection from %s closed by DROP in ACL",
                  smtp_host_and_ident(false));
        return NEXT_DROP;
    }
    return NEXT_CONTINUE;
}

int smtp_run_acl(enum acl_where where, const char *recipient, const char *acl,
                 char **user_msg, char **log_msg)
{
    *user_msg = *log_msg = NULL;
    return acl_check(where, recipient, acl, user_msg, log_msg);
}

bool smtp_check_sync(const char *cmdline)
{
    if (!conn.is_socket || !cfg.smtp_enforce_sync || !smtp_input_pending()) return true;
    smtp_printf("554 SMTP synchronization error\r\n");
    log_write(L_always, LOG_MAIN | LOG_REJECT,
              "SMTP protocol synchronization error (next input sent too soon: pipelining was%s "
              "advertised): rejected \"%s\" %s next input=\"%s\"",
              conn.pipelining_advertised ? "" : " not", string_printing(cmdline),
              smtp_host_and_ident(true), smtp_pending_excerpt());
    return false;
}

void smtp_reset_message(void)
{
    expand_reset_message();
    store_reset_pool(POOL_MSG);
    memset(&msg, 0, sizeof msg);
}

char *smtp_protocol_name(void)
{
    /* Exim's names: "s" for TLS, "a" for AUTH (which needs EHLO) */
    static char *const names[2][6] = {
        {"smtp", "smtps", "esmtp", "esmtps", "esmtpa", "esmtpsa"},
        {"local-smtp", "local-smtps", "local-esmtp", "local-esmtps", "local-esmtpa", "local-esmtpsa"}};
    int i = (conn.esmtp ? 2 + (conn.sender_host_authenticated ? 2 : 0) : 0) + (conn.tls ? 1 : 0);
    return names[conn.local ? 1 : 0][i];
}

/* ---- the session ---- */

/* smtp_tod_full - now as RFC 5322 date-time, as $tod_full */
char *smtp_tod_full(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
    return string_copy(buf);
}

/* banner_text - smtp_banner, expanded; the default is built here so that
 * it needs no expansion ("$smtp_active_hostname ESMTP Exim ...") */
static char *banner_text(void)
{
    if (!cfg.smtp_banner || strcmp(cfg.smtp_banner, main_options_default.smtp_banner) == 0)
        return string_sprintf("%s ESMTP Exim %s %s", conn.active_hostname, TERN_EXIM_COMPAT,
                              smtp_tod_full());
    char *s = expand_string(cfg.smtp_banner);
    if (!s) {
        log_write(L_always, LOG_PANIC, "Expansion of \"%s\" (smtp_banner) failed: %s",
                  cfg.smtp_banner, expand_error());
        return string_sprintf("%s ESMTP", conn.active_hostname);
    }
    return s;
}

static void host_checking_header(void)
{
    printf("\n**** SMTP testing session as if from host %s\n"
           "**** but without any ident (RFC 1413) callback.\n"
           "**** This is not for real!\n\n", conn.sender_host_address);
    fflush(stdout);
}

/* session_start - connect ACL and banner; false if the connection is refused */
static bool session_start(void)
{
    const char *ah = cfg.smtp_active_hostname ? expand_cstring(cfg.smtp_active_hostname) : NULL;
    conn.active_hostname = string_copy_perm(ah && *ah ? ah : cfg.primary_hostname);
    if (conn.host_checking) host_checking_header();
    conn.received_protocol = smtp_protocol_name();
#ifdef EXPERIMENTAL_PROXY
    xp_proxy_smtp_start(&conn);
#endif
    if (conn.tls_on_connect && !smtp_tls_on_connect()) return false;
    conn.received_protocol = smtp_protocol_name();
    if (!conn.local) {
        conn.unqualified_sender_ok = smtp_host_in(cfg.sender_unqualified_hosts);
        conn.unqualified_recipient_ok = smtp_host_in(cfg.recipient_unqualified_hosts);
        conn.helo_accept_junk = smtp_host_in(cfg.helo_accept_junk_hosts);
        if (smtp_host_in(cfg.host_lookup)) smtp_host_lookup();
    } else {
        conn.unqualified_sender_ok = conn.unqualified_recipient_ok = true;
    }
    if (cfg.acl_smtp_connect) {
        char *um, *lm;
        int rc = smtp_run_acl(ACL_WHERE_CONNECT, NULL, cfg.acl_smtp_connect, &um, &lm);
        if (rc != OK) {
            smtp_acl_fail(ACL_WHERE_CONNECT, rc, um, lm, NULL);
            smtp_flush();
            return false;
        }
    }
    if (conn.is_socket && cfg.smtp_enforce_sync && smtp_input_pending() &&
        !smtp_host_in(cfg.pipelining_connect_advertise_hosts)) {
        smtp_printf("554 SMTP synchronization error\r\n");
        log_write(L_always, LOG_MAIN | LOG_REJECT, "SMTP protocol synchronization error (input "
                  "sent without waiting for greeting): rejected connection from %s input=\"%s\"",
                  smtp_host_and_ident(true), smtp_pending_excerpt());
        smtp_flush();
        return false;
    }
    smtp_respond(220, NULL, banner_text());
    return true;
}

/* history_add - remember a command name for "C=" in drop log lines */
static void history_add(enum smtp_cmd_id id)
{
    if (id >= CMD_UNKNOWN) return;
    enum store_pool old = store_set_pool(POOL_CONN);
    const char *h = conn.cmd_history ? conn.cmd_history + 3 : NULL; /* after " C=" */
    if (h && conn.cmd_history_count >= LIMIT_SMTP_CMD_HISTORY) {
        h = strchr(h, ',');
        h = h ? h + 1 : NULL;
        conn.cmd_history_count--;
    }
    conn.cmd_history = string_sprintf(" C=%s%s%s", h ? h : "", h ? "," : "", smtp_cmd_name(id));
    conn.cmd_history_count++;
    store_set_pool(old);
}

/* one_command - read and run one command */
static enum smtp_next one_command(void)
{
    char *line, *arg;
    enum smtp_cmd_id id = smtp_read_line(&line);
    if (id == CMD_EOF || id == CMD_TIMEOUT) return smtp_dispatch(id, line, NULL);
    if (id == CMD_BADCHAR)
        return smtp_synprot_error(L_smtp_syntax_error, 501, NULL,
                                  "NUL characters are not allowed in SMTP commands");
    char *copy = string_copy_taint(line, GET_TAINTED);
    id = smtp_parse_verb(line, &arg);
    history_add(id);
    return smtp_dispatch(id, copy, arg);
}

int smtp_session(void)
{
    smtp_io_init();
    conn.start_time = (long)time(NULL);
    conn.max_per_connection = 1000;
    if (!session_start()) return EXIT_SUCCESS;
    enum smtp_next next = NEXT_CONTINUE;
    while (next == NEXT_CONTINUE) {
        rmark m = store_mark();
        next = one_command();
        store_reset(m);
    }
    smtp_flush();
    if (conn.tls) tls_close(conn.tls, true);
    if (conn.host_checking) fflush(stdout);
    return EXIT_SUCCESS;
}

void smtp_refuse_connection(int fd, const char *text)
{
    char *line = string_sprintf("421 %s\r\n", text);
    ssize_t n = write(fd, line, strlen(line));
    (void)n; /* the peer may already be gone: nothing more to do */
}

char *smtp_rcvhost_bare(const char *helo)
{
    const char *id = conn.sender_ident;
    if (!helo && !id) return string_sprintf("[%s]", conn.sender_host_address);
    return string_sprintf("[%s] (%s%s%s%s%s)", conn.sender_host_address, helo ? "helo=" : "", helo ? helo : "",
                          helo && id ? " " : "", id ? "ident=" : "", id ? id : "");
}
