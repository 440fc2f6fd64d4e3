/* expand_vars.c - the one table of expansion variables.
 *
 * Each row names a variable, its type and where its value lives: a field
 * of cfg/proc/conn/msg/dlv (globals.h) or a function computing it. The
 * table is sorted by name for binary search (a unit test checks the
 * order). Families that are not single names ($acl_c*, $acl_m*, $h_NAME:,
 * $auth1, $regex1...) are handled before the table. Unset string fields
 * read as empty, as in Exim. Nothing here changes state. */

/* System */
#include <ctype.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "globals.h"
#include "header.h"
#include "smtp_in.h"
#include "xp_all.h"
#include "acl.h"
#include "version.h"

enum vtype {
    VT_STR,    /* char ** */
    VT_INT,    /* int * */
    VT_LL,     /* long long * */
    VT_BOOL,   /* bool *: "yes" or "no" */
    VT_CONST,  /* const char * literal */
    VT_FN,     /* const char *(*)(void) */
    VT_NFN,    /* const char *(*)(const char *name): a module's family of variables */
};

typedef const char *(*var_fn)(void);

typedef const char *(*var_nfn)(const char *name);

typedef struct var_row {
    const char *name;
    enum vtype type;
    const void *where;
    var_fn fn;
    var_nfn nfn;
} var_row;

#define S(n, p) {n, VT_STR, p, NULL}
#define I(n, p) {n, VT_INT, p, NULL}
#define L(n, p) {n, VT_LL, p, NULL}
#define B(n, p) {n, VT_BOOL, p, NULL}
#define C(n, v) {n, VT_CONST, v, NULL}
#define F(n, f) {n, VT_FN, NULL, f}
#define NF(n, f) {n, VT_NFN, NULL, NULL, f}

static const char *fmt_ll(long long v) { return string_sprintf("%lld", v); }

static const char *v_tod_bsdinbox(void) { return exp_tod("bsdinbox"); }
static const char *v_tod_epoch(void) { return exp_tod("epoch"); }
static const char *v_tod_epoch_l(void) { return exp_tod("epoch_l"); }
static const char *v_tod_full(void) { return exp_tod("full"); }
static const char *v_tod_log(void) { return exp_tod("log"); }
static const char *v_tod_logfile(void) { return exp_tod("logfile"); }
static const char *v_tod_zone(void) { return exp_tod("zone"); }
static const char *v_tod_zulu(void) { return exp_tod("zulu"); }
static const char *v_pid(void) { return fmt_ll((long long)getpid()); }
static const char *v_caller_uid(void) { return fmt_ll((long long)proc.real_uid); }
static const char *v_caller_gid(void) { return fmt_ll((long long)proc.real_gid); }
static const char *v_exim_uid(void) { return fmt_ll(cfg.exim_user.set ? cfg.exim_user.id : (long long)geteuid()); }
static const char *v_exim_gid(void) { return fmt_ll(cfg.exim_group.set ? cfg.exim_group.id : (long long)getegid()); }
static const char *v_primary_hostname(void) { return cfg.primary_hostname; }
static const char *v_qualify_domain(void) { return cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname; }
static const char *v_spool_directory(void) { return cfg.spool_directory; }
static const char *v_config_file(void) { return proc.config_file; }
static const char *v_value(void) { return xs.value; }
static const char *v_item(void) { return xs.item; }
static const char *v_runrc(void) { return fmt_ll(xs.runrc); }
static const char *v_prvscheck_address(void) { return xs.prvscheck_address; }
static const char *v_prvscheck_keynum(void) { return xs.prvscheck_keynum; }
static const char *v_prvscheck_result(void) { return xs.prvscheck_result; }
static const char *v_srs_recipient(void) { return xs.srs_recipient; }
static const char *v_home(void) { return dlv.home; }
static const char *v_message_exim_id(void) { return msg.id; }
static const char *v_message_size(void) { return fmt_ll(msg.size < 0 ? 0 : msg.size); }
/* $reply_address: Reply-To: if present and not empty, else From:, with
 * only leading white space taken off (Exim does no decoding either) */
static const char *v_reply_address(void)
{
    const header_line *h = header_find(msg.headers, "Reply-To");
    char *v = h ? header_value(h) : NULL;
    if (!v || !*string_trim(string_copy(v))) v = (h = header_find(msg.headers, "From")) ? header_value(h) : NULL;
    return v;
}

/* $message_age: seconds since reception (0 before the message has a time) */
static const char *v_message_age(void)
{
    long long age = msg.received_sec ? (long long)time(NULL) - msg.received_sec : 0;
    return fmt_ll(age < 0 ? 0 : age);
}

static const char *v_exim_path(void)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return BIN_DIRECTORY "/tern";
    return string_copyn(buf, (size_t)n);
}

static const char *v_config_dir(void)
{
    const char *f = proc.config_file;
    if (!f) return NULL;
    const char *slash = strrchr(f, '/');
    const char *dir = slash ? string_copyn(f, (size_t)(slash - f)) : "";
    if (f[0] == '/') return dir;
    /* a relative path is taken from the starting directory, as Exim does */
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return dir[0] ? dir : ".";
    return string_sprintf("%s/%s", cwd, dir);
}

static const char *v_initial_cwd(void)
{
    char buf[4096];
    return getcwd(buf, sizeof buf) ? string_copy(buf) : NULL;
}

static const char *v_originator_uid(void) { return fmt_ll((long long)proc.real_uid); }
static const char *v_originator_gid(void) { return fmt_ll((long long)proc.real_gid); }

static const char *addr_part(const char *a, bool domain)
{
    if (!a) return NULL;
    const char *at = strrchr(a, '@');
    if (!at) return domain ? NULL : a;
    return domain ? at + 1 : string_copyn(a, (size_t)(at - a));
}

static const char *v_sender_domain(void) { return addr_part(msg.sender_address, true); }
static const char *v_sender_local(void) { return addr_part(msg.sender_address, false); }

/* v_sender_fullhost - "name (helo) [ip]", the parts known; as H= */
static const char *v_sender_fullhost(void)
{
    if (!conn.sender_host_address) return NULL;
    return string_sprintf("%s%s%s%s%s[%s]", conn.sender_host_name ? conn.sender_host_name : "",
                          conn.sender_host_name ? " " : "", smtp_helo_shown(false) ? "(" : "",
                          smtp_helo_shown(false) ? conn.sender_helo_name : "",
                          smtp_helo_shown(false) ? ") " : "", conn.sender_host_address);
}

/* v_sender_host_aliases - the other confirmed names, space separated */
static const char *v_sender_host_aliases(void)
{
    gstring *g = string_get(64);
    for (char **a = conn.sender_host_aliases; a && *a; a++) {
        if (g->len) g = string_catc(g, ' ');
        g = string_cat(g, *a);
    }
    return string_from_gstring(g);
}

/* v_sender_host_name - as Exim, a reference during an SMTP session looks
 * the name up if host_lookup did not (once: a failure is remembered) */
static const char *v_sender_host_name(void)
{
    bool receiving = conn.is_socket || conn.host_checking;
    if (!conn.sender_host_name && receiving && !conn.host_lookup_failed && !conn.host_lookup_deferred)
        smtp_host_lookup();
    return conn.sender_host_name;
}

/* v_sender_rcvhost - "name ([ip] helo=h)" or "[ip] (helo=h)" */
static const char *v_sender_rcvhost(void)
{
    if (!conn.sender_host_address) return NULL;
    const char *helo = smtp_helo_shown(true) ? conn.sender_helo_name : NULL;
    if (conn.sender_host_name)
        return string_sprintf("%s ([%s]%s%s)", conn.sender_host_name, conn.sender_host_address,
                              helo ? " helo=" : "", helo ? helo : "");
    return smtp_rcvhost_bare(helo);
}

static const char *v_load_average(void)
{
    double la[1];
    if (getloadavg(la, 1) < 1) return "-1";
    return fmt_ll((long long)(la[0] * 1000.0));
}

static const char *fs_space(const char *path, bool inodes)
{
    struct statvfs sv;
    if (!path || !*path || statvfs(path, &sv) != 0) return "-1";
    if (inodes) return fmt_ll((long long)sv.f_favail);
    return fmt_ll((long long)((unsigned long long)sv.f_bavail * sv.f_frsize / 1024));
}

static const char *v_spool_space(void) { return fs_space(cfg.spool_directory, false); }
static const char *v_spool_inodes(void) { return fs_space(cfg.spool_directory, true); }
static const char *v_log_space(void)
{
    const char *p = cfg.log_file_path;
    if (!p || !*p || strcmp(p, "syslog") == 0) p = cfg.spool_directory;
    return fs_space(string_sprintf("%.*s", (int)(strchr(p, '%') ? strcspn(p, "%") : strlen(p)), p),
                    false);
}
static const char *v_log_inodes(void) { return fs_space(cfg.spool_directory, true); }

/* headers_joined - all headers, for $message_headers (raw: unchanged) */
static const char *headers_joined(bool raw)
{
    gstring *g = string_get(256);
    for (header_line *h = msg.headers; h; h = h->next) {
        if (h->type == '*') continue;
        size_t n = h->slen;
        if (!raw && n && h->text[n - 1] == '\n') n--;
        g = string_catn(g, h->text, n);
        if (!raw && h->next) g = string_catc(g, '\n');
    }
    char *s = string_from_gstring(g);
    if (!raw) for (char *p = s; *p; p++) if (*p == '\n' && p[1] == ' ') *p = ' ';
    return s;
}

static const char *v_message_headers(void) { return headers_joined(false); }
static const char *v_message_headers_raw(void) { return headers_joined(true); }

/* body_visible - $message_body: newlines turned into spaces, as Exim does */
static const char *body_visible(const char *b)
{
    if (!b) return NULL;
    char *s = string_copy(b);
    for (char *p = s; *p; p++) if (*p == '\n') *p = ' ';
    return s;
}

static const char *v_message_body(void) { return body_visible(msg.body); }
static const char *v_message_body_end(void) { return body_visible(msg.body_end); }

/* The table. Keep it sorted by name (strcmp order). */
static const var_row vars[] = {
    I("acl_narg", &conn.acl.narg),
    S("acl_verify_message", &conn.acl.verify_message),
    S("address_data", &dlv.address_data),
    S("address_file", &dlv.address_file),
    S("address_pipe", &dlv.address_pipe),
    S("authenticated_fail_id", &conn.authenticated_fail_id),
    S("authenticated_id", &conn.authenticated_id),
    S("authenticated_sender", &msg.authenticated_sender),
    I("authentication_failed", &conn.authentication_failed),
    I("av_failed", &msg.av_failed),
    I("body_linecount", &msg.body_linecount),
    I("body_zerocount", &msg.body_zerocount),
    S("bounce_recipient", &dlv.bounce_recipient),
    C("bounce_return_size_limit", "102400"),
    F("caller_gid", v_caller_gid),
    F("caller_uid", v_caller_uid),
    S("callout_address", &dlv.callout_address),
    C("compile_date", __DATE__ " " __TIME__),
    C("compile_number", "1"),
    F("config_dir", v_config_dir),
    F("config_file", v_config_file),
    S("csa_status", &conn.csa_status),
    S("dkim_algo", &msg.dkim_algo),
    S("dkim_cur_signer", &msg.dkim_cur_signer),
    S("dkim_domain", &msg.dkim_domain),
    S("dkim_identity", &msg.dkim_identity),
    S("dkim_selector", &msg.dkim_selector),
    S("dkim_signers", &msg.dkim_signers),
    S("dkim_verify_reason", &msg.dkim_verify_reason),
    S("dkim_verify_status", &msg.dkim_verify_status),
    S("dnslist_domain", &conn.acl.dnslist_domain),
    S("dnslist_matched", &conn.acl.dnslist_matched),
    S("dnslist_text", &conn.acl.dnslist_text),
    S("dnslist_value", &conn.acl.dnslist_value),
    S("domain", &dlv.domain),
    S("domain_data", &dlv.domain_data),
    S("event_data", &dlv.event_data),
    I("event_defer_errno", &dlv.event_defer_errno),
    S("event_name", &dlv.event_name),
    F("exim_gid", v_exim_gid),
    F("exim_path", v_exim_path),
    F("exim_uid", v_exim_uid),
    C("exim_version", TERN_EXIM_COMPAT),
    S("headers_added", &msg.headers_added),
    F("home", v_home),
    S("host", &dlv.host),
    S("host_address", &dlv.host_address),
    S("host_data", &dlv.host_data),
    I("host_lookup_deferred", &conn.host_lookup_deferred),
    I("host_lookup_failed", &conn.host_lookup_failed),
    I("host_port", &dlv.host_port),
    F("initial_cwd", v_initial_cwd),
    C("inode", "0"),
    S("interface_address", &conn.interface_address),
    I("interface_port", &conn.interface_port),
    F("item", v_item),
    S("ldap_dn", &dlv.ldap_dn),
    F("load_average", v_load_average),
    S("local_part", &dlv.local_part),
    S("local_part_data", &dlv.local_part_data),
    S("local_part_prefix", &dlv.local_part_prefix),
    S("local_part_prefix_v", &dlv.local_part_prefix_v),
    S("local_part_suffix", &dlv.local_part_suffix),
    S("local_part_suffix_v", &dlv.local_part_suffix_v),
    S("local_scan_data", &msg.local_scan_data),
    L("local_user_gid", &dlv.local_user_gid),
    L("local_user_uid", &dlv.local_user_uid),
    C("localhost_number", "0"),
    F("log_inodes", v_log_inodes),
    F("log_space", v_log_space),
    S("lookup_dnssec_authenticated", &dlv.lookup_dnssec_authenticated),
    S("mailstore_basename", &dlv.mailstore_basename),
    S("malware_name", &msg.malware_name),
    I("max_received_linelength", &msg.max_received_linelength),
    F("message_age", v_message_age),
    F("message_body", v_message_body),
    F("message_body_end", v_message_body_end),
    L("message_body_size", &msg.body_size),
    F("message_exim_id", v_message_exim_id),
    F("message_headers", v_message_headers),
    F("message_headers_raw", v_message_headers_raw),
    S("message_id", &msg.id),
    I("message_linecount", &msg.linecount),
    F("message_size", v_message_size),
    I("mime_anomaly_level", &msg.acl.mime.anomaly_level),
    S("mime_anomaly_text", &msg.acl.mime.anomaly_text),
    S("mime_boundary", &msg.acl.mime.boundary),
    S("mime_charset", &msg.acl.mime.charset),
    S("mime_content_description", &msg.acl.mime.description),
    S("mime_content_disposition", &msg.acl.mime.disposition),
    S("mime_content_id", &msg.acl.mime.content_id),
    I("mime_content_size", &msg.acl.mime.content_size),
    S("mime_content_transfer_encoding", &msg.acl.mime.encoding),
    S("mime_content_type", &msg.acl.mime.content_type),
    S("mime_decoded_filename", &msg.acl.mime.decoded_filename),
    S("mime_filename", &msg.acl.mime.filename),
    I("mime_is_coverletter", &msg.acl.mime.is_coverletter),
    I("mime_is_multipart", &msg.acl.mime.is_multipart),
    I("mime_is_rfc822", &msg.acl.mime.is_rfc822),
    F("mime_part_count", acl_mime_part_count),
    S("original_domain", &dlv.original_domain),
    S("original_local_part", &dlv.original_local_part),
    F("originator_gid", v_originator_gid),
    F("originator_uid", v_originator_uid),
    S("parent_domain", &dlv.parent_domain),
    S("parent_local_part", &dlv.parent_local_part),
    F("pid", v_pid),
    B("prdr_requested", &msg.prdr_requested),
    F("primary_hostname", v_primary_hostname),
#ifdef EXPERIMENTAL_PROXY
    XP_PROXY_VAR_ROWS,
#endif
    F("prvscheck_address", v_prvscheck_address),
    F("prvscheck_keynum", v_prvscheck_keynum),
    F("prvscheck_result", v_prvscheck_result),
    F("qualify_domain", v_qualify_domain),
    F("qualify_recipient", v_qualify_domain),
    C("queue_name", ""),
    C("queue_size", ""),
    I("rcpt_count", &msg.rcpt_count),
    I("rcpt_defer_count", &msg.rcpt_defer_count),
    I("rcpt_fail_count", &msg.rcpt_fail_count),
    I("received_count", &msg.received_count),
    S("received_for", &msg.received_for),
    S("received_ip_address", &conn.interface_address),
    I("received_port", &conn.interface_port),
    S("received_protocol", &conn.received_protocol),
    L("received_time", &msg.received_time),
    S("recipient_data", &dlv.recipient_data),
    S("recipient_verify_failure", &msg.recipient_verify_failure),
    S("recipients", &msg.recipients_str),
    I("recipients_count", &msg.recipients_count),
    S("regex_match_string", &msg.regex_match_string),
    F("reply_address", v_reply_address),
    S("return_path", &msg.return_path),
    C("return_size_limit", "102400"),
    S("router_name", &dlv.router_name),
    F("runrc", v_runrc),
    S("self_hostname", &dlv.self_hostname),
    S("sender_address", &msg.sender_address),
    S("sender_address_data", &dlv.sender_address_data),
    F("sender_address_domain", v_sender_domain),
    F("sender_address_local_part", v_sender_local),
    S("sender_data", &dlv.sender_data),
    F("sender_fullhost", v_sender_fullhost),
    B("sender_helo_dnssec", &conn.sender_helo_dnssec),
    S("sender_helo_name", &conn.sender_helo_name),
    S("sender_host_address", &conn.sender_host_address),
    F("sender_host_aliases", v_sender_host_aliases),
    S("sender_host_authenticated", &conn.sender_host_authenticated),
    B("sender_host_dnssec", &conn.sender_host_dnssec),
    F("sender_host_name", v_sender_host_name),
    I("sender_host_port", &conn.sender_host_port),
    S("sender_ident", &conn.sender_ident),
    S("sender_rate", &conn.acl.sender_rate),
    S("sender_rate_limit", &conn.acl.sender_rate_limit),
    S("sender_rate_period", &conn.acl.sender_rate_period),
    F("sender_rcvhost", v_sender_rcvhost),
    S("sender_verify_failure", &msg.sender_verify_failure),
    S("sending_ip_address", &dlv.sending_ip_address),
    I("sending_port", &dlv.sending_port),
    S("smtp_active_hostname", &conn.smtp_active_hostname),
    S("smtp_command", &conn.smtp_command),
    S("smtp_command_argument", &conn.smtp_command_argument),
    S("smtp_command_history", &conn.smtp_command_history),
    I("smtp_count_at_connection_start", &conn.smtp_count_at_connection_start),
    S("smtp_notquit_reason", &conn.smtp_notquit_reason),
    S("spam_action", &msg.spam_action),
    S("spam_bar", &msg.spam_bar),
    S("spam_report", &msg.spam_report),
    S("spam_score", &msg.spam_score),
    S("spam_score_int", &msg.spam_score_int),
    F("spool_directory", v_spool_directory),
    F("spool_inodes", v_spool_inodes),
    F("spool_space", v_spool_space),
    F("srs_recipient", v_srs_recipient),
    S("thisaddress", &dlv.thisaddress),
    I("tls_bits", &conn.tls_in_bits),
    I("tls_certificate_verified", &conn.tls_in_certificate_verified),
    S("tls_cipher", &conn.tls_in_cipher),
    I("tls_in_bits", &conn.tls_in_bits),
    I("tls_in_certificate_verified", &conn.tls_in_certificate_verified),
    S("tls_in_cipher", &conn.tls_in_cipher),
    S("tls_in_cipher_std", &conn.tls_in_cipher_std),
    I("tls_in_ocsp", &conn.tls_in_ocsp),
    S("tls_in_ourcert", &conn.tls_in_ourcert),
    S("tls_in_peercert", &conn.tls_in_peercert),
    S("tls_in_peerdn", &conn.tls_in_peerdn),
    I("tls_in_resumption", &conn.tls_in_resumption),
    S("tls_in_sni", &conn.tls_in_sni),
    S("tls_in_ver", &conn.tls_in_ver),
    I("tls_out_bits", &dlv.tls_out_bits),
    I("tls_out_certificate_verified", &dlv.tls_out_certificate_verified),
    S("tls_out_cipher", &dlv.tls_out_cipher),
    S("tls_out_cipher_std", &dlv.tls_out_cipher_std),
    B("tls_out_dane", &dlv.tls_out_dane),
    I("tls_out_ocsp", &dlv.tls_out_ocsp),
    S("tls_out_ourcert", &dlv.tls_out_ourcert),
    S("tls_out_peercert", &dlv.tls_out_peercert),
    S("tls_out_peerdn", &dlv.tls_out_peerdn),
    I("tls_out_resumption", &dlv.tls_out_resumption),
    S("tls_out_sni", &dlv.tls_out_sni),
    I("tls_out_tlsa_usage", &dlv.tls_out_tlsa_usage),
    S("tls_out_ver", &dlv.tls_out_ver),
    S("tls_peerdn", &conn.tls_in_peerdn),
    S("tls_sni", &conn.tls_in_sni),
    F("tod_bsdinbox", v_tod_bsdinbox),
    F("tod_epoch", v_tod_epoch),
    F("tod_epoch_l", v_tod_epoch_l),
    F("tod_full", v_tod_full),
    F("tod_log", v_tod_log),
    F("tod_logfile", v_tod_logfile),
    F("tod_zone", v_tod_zone),
    F("tod_zulu", v_tod_zulu),
    S("transport_name", &dlv.transport_name),
    F("value", v_value),
    S("verify_mode", &dlv.verify_mode),
    C("version_number", TERN_EXIM_COMPAT),
    S("warn_message_delay", &dlv.warn_message_delay),
    S("warn_message_recipients", &dlv.warn_message_recipients),
    S("warnmsg_delay", &dlv.warn_message_delay),
    S("warnmsg_recipients", &dlv.warn_message_recipients),
};

/* expand_vars_sorted - for the unit test: is the table in strcmp order? */
bool expand_vars_sorted(void)
{
    for (size_t i = 1; i < NELEM(vars); i++)
        if (strcmp(vars[i - 1].name, vars[i].name) >= 0) return false;
    return true;
}

static const var_row *find_row(const char *name)
{
    size_t lo = 0, hi = NELEM(vars);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, vars[mid].name);
        if (c == 0) return &vars[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

static const char *row_value(const var_row *r)
{
    switch (r->type) {
    case VT_STR: return *(char *const *)r->where;
    case VT_INT: return fmt_ll(*(const int *)r->where);
    case VT_LL: return fmt_ll(*(const long long *)r->where);
    case VT_BOOL: return *(const bool *)r->where ? "yes" : "no";
    case VT_CONST: return r->where;
    case VT_FN: return r->fn();
    case VT_NFN: return r->nfn(r->name);
    }
    return NULL;
}

/* Header variable prefixes: $h_ $header_ $rh_ $rheader_ $bh_ $bheader_
 * $lh_ $lheader_ (Exim's forms; only the first four pairs plus lh). */
static const char *const header_prefixes[] = {
    "bh_", "bheader_", "h_", "header_", "lh_", "lheader_", "rh_", "rheader_",
};

bool exp_var_is_header(const char *name)
{
    for (size_t i = 0; i < NELEM(header_prefixes); i++)
        if (string_has_prefix(name, header_prefixes[i])) return true;
    return false;
}

/* acl_value - $acl_c... / $acl_m...: unset ones are empty */
static const char *acl_value(const char *name)
{
    return acl_var_get(name);
}

/* exp_set_acl_var - set (or replace) an $acl_c / $acl_m variable */
void exp_set_acl_var(const char *name, const char *value)
{
    acl_var_set(name, value);
}

/* indexed - $auth1..3, $regex1..9, $acl_arg1..9: name with a 1-based
 * number suffix; returns true when the family matched */
static bool indexed(const char *name, const char *prefix, char **arr, int n, const char **out)
{
    size_t pl = strlen(prefix);
    if (strncmp(name, prefix, pl) != 0 || !isdigit((unsigned char)name[pl]) || name[pl + 1])
        return false;
    int i = name[pl] - '0';
    if (i < 1 || i > n) return false;
    *out = arr[i - 1];
    return true;
}

/* exp_find_var - the value of a variable; *exists is false for an
 * unknown name. NULL with *exists true means "set but empty/unset". */
const char *exp_find_var(const char *name, bool *exists)
{
    const char *out = NULL;
    *exists = true;
    const var_row *r = find_row(name);
    if (r) return row_value(r);
    if (string_has_prefix(name, "acl_c") || string_has_prefix(name, "acl_m"))
        return acl_value(name);
    if (indexed(name, "auth", conn.auth_vars, 3, &out)) return out;
    if (indexed(name, "regex", msg.regex_vars, 9, &out)) return out;
    if (indexed(name, "acl_arg", conn.acl.arg, 9, &out)) return out;
    if (string_has_prefix(name, "r_")) return NULL;
    *exists = false;
    return NULL;
}
