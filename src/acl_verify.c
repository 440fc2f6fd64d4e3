/* acl_verify.c - the "verify =" condition: helo, reverse_host_lookup,
 * certificate, the header checks, and sender/recipient (which need the
 * routers: deferred with a clear reason until routing is built). */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "csa.h"
#include "dns.h"
#include "expand.h"
#include "globals.h"
#include "message.h"
#include "rewrite.h"
#include "smtp_in.h"
/* This module */
#include "acl_int.h"
#include "verify.h"

/* Header checks make sense only once the message has been read. */
#define AFTER_HEADERS (AW(ACL_WHERE_DATA) | AW(ACL_WHERE_NOTSMTP) | AW(ACL_WHERE_MIME) | \
                       AW(ACL_WHERE_DKIM) | AW(ACL_WHERE_PRDR))

/* verify_helo - the HELO name is the host's name or resolves to its IP;
 * the same check (and remembered result) as helo_verify_hosts */
static int verify_helo(acl_ctx *x)
{
    const char *helo = conn.sender_helo_name;
    acl_trace("verifying EHLO/HELO argument \"%s\"", helo ? helo : "");
    return smtp_helo_verify();
}

/* reverse_failure - why no name was accepted, worded as Exim words it */
static char *reverse_failure(const char *ip)
{
    dns_answer ans;
    char *err, *rev = dns_reverse_name(ip), *last = NULL;
    if (!rev || dns_lookup(rev, DNS_T_PTR, &ans, &err) != OK)
        return string_copy(" (failed to find host name from IP address)");
    for (dns_record *r = ans.records; r; r = r->next) last = r->data;
    return string_sprintf(" (%s does not match any IP address for %s)", ip, last);
}

/* verify_reverse - the IP has a forward-confirmed name; "/defer_ok".
 * The lookup is the connection's (smtp_host_lookup): its result and its
 * "no host name found" log line are shared with host_lookup. */
static int verify_reverse(acl_ctx *x, const char *opts)
{
    if (!conn.sender_host_address) return OK;
    bool defer_ok = opts && strcmp(opts, "defer_ok") == 0;
    if (opts && !defer_ok) {
        x->err_msg = string_sprintf("unknown option \"%s\" in ACL condition \"verify reverse_host_lookup\"", opts);
        return ERROR;
    }
    if (!conn.sender_host_name && !conn.host_lookup_failed) {
        conn.host_lookup_deferred = 0; /* a deferred lookup is tried again, as Exim does */
        smtp_host_lookup();
    }
    if (conn.sender_host_name) return OK;
    if (conn.host_lookup_deferred) {
        if (defer_ok) return OK;
        x->err_msg = string_copy("host lookup deferred for reverse lookup check");
        return DEFER;
    }
    x->err_msg = string_sprintf("host lookup failed for reverse lookup check%s",
                                reverse_failure(conn.sender_host_address));
    return FAIL;
}

/* verify_csa - Client SMTP Authorization of the HELO name (or the given
 * domain; the client's address without HELO). Only a failure fails: a
 * defer or no record lets the condition succeed, as Exim does, with
 * $csa_status telling them apart. */
static int verify_csa(acl_ctx *x, const char *opts)
{
    const char *ip = conn.sender_host_address;
    enum csa_result r = CSA_UNKNOWN;
    if (ip) {
        const char *name = opts && *opts ? opts
                         : conn.sender_helo_name && *conn.sender_helo_name ? conn.sender_helo_name : ip;
        const char *domain = csa_domain(name, true);
        if (domain) r = csa_check(domain, ip);
    }
    enum store_pool old = store_set_pool(POOL_CONN);
    conn.csa_status = string_copy(csa_status(r));
    store_set_pool(old);
    x->err_msg = x->nested_msg = string_copy(csa_reason(r)); /* Exim shows it to the client too */
    acl_trace("CSA result %s", conn.csa_status);
    return strcmp(conn.csa_status, "fail") == 0 ? FAIL : OK;
}

static int verify_certificate(acl_ctx *x)
{
    char *v = expand_string("$tls_in_certificate_verified");
    return v && strcmp(v, "1") == 0 ? OK : FAIL;
}

/* verify_route - route the address in verify mode (verify.c); a failure
 * gives the router's message, as Exim does for "verify = recipient" */
static int verify_route(acl_ctx *x, const char *what, const char *address, enum router_verify how)
{
    if (!address || !*address) {
        if (how == V_SENDER) return OK; /* the null sender always verifies */
        x->err_msg = string_sprintf("no address to verify for %s verification", what);
        return FAIL;
    }
    char *why = NULL;
    char *lp = dlv.local_part, *dom = dlv.domain;
    int rc = verify_address(address, how, &why);
    dlv.local_part = lp; /* routing set them; after verification they are as before (as in Exim) */
    dlv.domain = dom;
    if (rc == OK) return OK;
    x->err_msg = why ? why : string_copy(rc == FAIL ? "Unrouteable address" : "could not verify address");
    conn.acl.verify_message = x->err_msg;
    if (rc == FAIL) x->nested_msg = x->err_msg; /* the SMTP reply when no "message" is set, as Exim's */
    if (how == V_SENDER) msg.sender_verify_failure = rc == FAIL ? "route" : "defer";
    else {
        msg.recipient_verify_failure = rc == FAIL ? "route" : "defer";
        /* the router's text goes to the client: always for a failure, for a
         * temporary error only with smtp_return_error_details (Exim) */
        if (rc == FAIL || cfg.smtp_return_error_details) x->nested_msg = x->err_msg;
    }
    return rc == FAIL ? FAIL : DEFER;
}

/* verify_no_callout - callouts need the smtp client side: refused clearly */
static int verify_no_callout(acl_ctx *x)
{
    x->err_msg = string_copy("callout verification is not available in this build");
    conn.acl.verify_message = x->err_msg;
    return DEFER;
}

/* header_value_of - the text after "Name:" */
static const char *header_value_of(const header_line *h)
{
    const char *c = memchr(h->text, ':', h->slen);
    return c ? c + 1 : "";
}

/* verify_header_syntax - the address headers parse (RFC 5322 section 3.4) */
static int verify_header_syntax(acl_ctx *x)
{
    static const char *const names[] = {"sender", "reply-to", "from", "to", "cc", "bcc",
                                        "resent-sender", "resent-from", "resent-to",
                                        "resent-cc", "resent-bcc"};
    for (const header_line *h = msg.headers; h; h = h->next) {
        if (h->type == HTYPE_OLD) continue;
        size_t n = strcspn(h->text, ":");
        for (size_t i = 0; i < NELEM(names); i++) {
            if (strlen(names[i]) != n || strncasecmp(h->text, names[i], n) != 0) continue;
            char *bad;
            const char *why;
            char *v = string_copyn(header_value_of(h), strcspn(header_value_of(h), "\0"));
            if (expand_check_address_list(v, &bad, &why)) break;
            x->err_msg = string_sprintf("%s: failing address in \"%.*s:\" header is: %s", why,
                                        (int)n, h->text, bad);
            x->err_log_only = true;
            conn.acl.verify_message = x->err_msg;
            return FAIL;
        }
    }
    return OK;
}

/* verify_header_names_ascii - header names are printable ASCII (RFC 5322 2.2) */
static int verify_header_names_ascii(acl_ctx *x)
{
    for (const header_line *h = msg.headers; h; h = h->next) {
        size_t n = strcspn(h->text, ":");
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)h->text[i];
            if (c >= 33 && c <= 126) continue;
            x->err_msg = string_sprintf("Invalid character in header \"%.*s\" found",
                                        (int)n, string_printing_n(h->text, n));
            conn.acl.verify_message = x->err_msg;
            return FAIL;
        }
    }
    return OK;
}

/* verify_not_blind - every envelope recipient is in To:, Cc: or Bcc: */
static int verify_not_blind(acl_ctx *x)
{
    gstring *g = NULL;
    for (const header_line *h = msg.headers; h; h = h->next) {
        size_t n = strcspn(h->text, ":");
        if (h->type == HTYPE_OLD) continue;
        if ((n == 2 && strncasecmp(h->text, "to", 2) == 0) || (n == 2 && strncasecmp(h->text, "cc", 2) == 0)
            || (n == 3 && strncasecmp(h->text, "bcc", 3) == 0))
            g = string_fmt_append(g, "%s,", header_value_of(h));
    }
    const char *all = g ? string_from_gstring(g) : "";
    for (int i = 0; i < msg.recipients_count; i++)
        if (!strcasestr(all, msg.recipients[i].address)) {
            x->err_msg = string_copy("bcc recipient detected");
            conn.acl.verify_message = x->err_msg;
            return FAIL;
        }
    return OK;
}

/* verify_headers - the checks that need the message's header lines */
static int verify_headers(acl_ctx *x, const char *what)
{
    if (!(AW(x->where) & AFTER_HEADERS)) {
        x->err_msg = string_sprintf("cannot verify %s in ACL for %s", what, acl_where_desc(x->where));
        return ERROR;
    }
    if (strcmp(what, "header_syntax") == 0) return verify_header_syntax(x);
    if (strcmp(what, "header_names_ascii") == 0) return verify_header_names_ascii(x);
    if (strcmp(what, "not_blind") == 0) return verify_not_blind(x);
    x->err_msg = string_copy("verify = header_sender: header addresses are not verified in this build");
    return DEFER;
}

int acl_verify(acl_ctx *x, const char *arg)
{
    size_t n = strcspn(arg, "/=");
    const char *opts = arg[n] ? arg + n + 1 : NULL;
    char *word = string_copyn(arg, n);
    if (strcmp(word, "helo") == 0) return verify_helo(x);
    if (strcmp(word, "reverse_host_lookup") == 0) return verify_reverse(x, opts);
    if (strcmp(word, "certificate") == 0) return verify_certificate(x);
    if (strcmp(word, "header_syntax") == 0 || strcmp(word, "header_sender") == 0 ||
        strcmp(word, "header_names_ascii") == 0 || strcmp(word, "not_blind") == 0)
        return verify_headers(x, word);
    if (strcmp(word, "csa") == 0) return verify_csa(x, opts);
    if (strcmp(word, "sender") == 0) {
        if (x->where != ACL_WHERE_MAIL && x->where != ACL_WHERE_RCPT && x->where != ACL_WHERE_PREDATA &&
            !(AW(x->where) & AFTER_HEADERS)) {
            x->err_msg = string_sprintf("cannot verify sender in ACL for %s", acl_where_desc(x->where));
            return ERROR;
        }
        if (opts && strstr(opts, "callout")) return verify_no_callout(x);
        bool given = opts && arg[n] == '=';
        if (!given) rewrite_sender_early(); /* Exim manual, "When does rewriting happen?" */
        const char *addr = given ? string_copyn(opts, strcspn(opts, "/")) : msg.sender_address;
        return verify_route(x, "sender", addr, V_SENDER);
    }
    if (strcmp(word, "recipient") == 0) {
        if (x->where != ACL_WHERE_RCPT && x->where != ACL_WHERE_VRFY && x->where != ACL_WHERE_PRDR) {
            x->err_msg = string_sprintf("cannot verify recipient in ACL for %s", acl_where_desc(x->where));
            return ERROR;
        }
        if (opts && strstr(opts, "callout")) return verify_no_callout(x);
        /* verified as rewritten; the rewrite is not kept until the header is in */
        const char *r = x->recipient ? rewrite_address(rewrite_rules_list(), x->recipient, RW_ENV_TO, NULL) : NULL;
        return verify_route(x, "recipient", r, V_RECIPIENT);
    }
    x->err_msg = string_sprintf("expected \"sender[=address]\", \"recipient\", \"helo\", \"header_syntax\", "
                                "\"header_sender\", \"header_names_ascii\" or \"reverse_host_lookup\" at start "
                                "of ACL condition \"verify %s\"", arg);
    return ERROR;
}
