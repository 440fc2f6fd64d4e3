/* acl_verify.c - the "verify =" condition: helo, reverse_host_lookup,
 * certificate, the header checks, and sender/recipient (which need the
 * routers: deferred with a clear reason until routing is built). */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "expand.h"
#include "globals.h"
/* This module */
#include "acl_int.h"
#include "verify.h"

/* Header checks make sense only once the message has been read. */
#define AFTER_HEADERS (AW(ACL_WHERE_DATA) | AW(ACL_WHERE_NOTSMTP) | AW(ACL_WHERE_MIME) | \
                       AW(ACL_WHERE_DKIM) | AW(ACL_WHERE_PRDR))

/* verify_helo - the HELO name is the host's name or resolves to its IP */
static int verify_helo(acl_ctx *x)
{
    const char *helo = conn.sender_helo_name, *ip = conn.sender_host_address;
    acl_trace("verifying EHLO/HELO argument \"%s\"", helo ? helo : "");
    if (!helo || !ip) return helo ? OK : FAIL;
    size_t n = strlen(helo);
    if (helo[0] == '[' && helo[n - 1] == ']') {
        const char *lit = helo + 1;
        if (string_has_prefix(lit, "IPv6:") || string_has_prefix(lit, "ipv6:")) lit += 5;
        return strncasecmp(lit, ip, strlen(ip)) == 0 && lit[strlen(ip)] == ']' ? OK : FAIL;
    }
    if (conn.sender_host_name && strcasecmp(conn.sender_host_name, helo) == 0) return OK;
    acl_trace("getting IP address for %s", helo);
    char **addrs;
    int rc = dns_host_addresses(helo, &addrs);
    if (rc != OK) return rc;
    for (char **a = addrs; *a; a++)
        if (strcasecmp(*a, ip) == 0) return OK;
    return FAIL;
}

/* verify_reverse - the IP has a forward-confirmed name; "/defer_ok" */
static int verify_reverse(acl_ctx *x, const char *opts)
{
    if (!conn.sender_host_address) return OK;
    bool defer_ok = opts && strcmp(opts, "defer_ok") == 0;
    if (opts && !defer_ok) {
        x->err_msg = string_sprintf("unknown option \"%s\" in ACL condition \"verify reverse_host_lookup\"", opts);
        return ERROR;
    }
    char **names;
    int rc = dns_host_names(conn.sender_host_address, &names);
    if (rc == OK) {
        if (!conn.sender_host_name) conn.sender_host_name = names[0];
        return OK;
    }
    if (rc == DEFER && defer_ok) return OK;
    x->err_msg = string_sprintf("host lookup %s for reverse lookup check%s",
                                rc == DEFER ? "deferred" : "failed", "");
    return rc;
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
    int rc = verify_address(address, how, &why);
    if (rc == OK) return OK;
    x->err_msg = why ? why : string_copy(rc == FAIL ? "Unrouteable address" : "could not verify address");
    conn.acl.verify_message = x->err_msg;
    if (how == V_SENDER) msg.sender_verify_failure = rc == FAIL ? "route" : "defer";
    else msg.recipient_verify_failure = rc == FAIL ? "route" : "defer";
    return rc == FAIL ? FAIL : DEFER;
}

/* verify_no_callout - callouts need the smtp client side: refused clearly */
static int verify_no_callout(acl_ctx *x)
{
    x->err_msg = string_copy("callout verification is not available in this build");
    conn.acl.verify_message = x->err_msg;
    return DEFER;
}

/* verify_headers - header checks need the message's header lines, which
 * the receiver owns; refuse clearly where they cannot be reached */
static int verify_headers(acl_ctx *x, const char *what)
{
    if (!(AW(x->where) & AFTER_HEADERS)) {
        x->err_msg = string_sprintf("cannot verify %s in ACL for %s", what, acl_where_desc(x->where));
        return ERROR;
    }
    if (strcmp(what, "header_sender") == 0) {
        x->err_msg = string_copy("verify = header_sender: header addresses are not verified in this build");
        return DEFER;
    }
    x->err_msg = string_sprintf("verify = %s: message header lines are not available to ACLs in this build", what);
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
    if (strcmp(word, "csa") == 0) {
        x->err_msg = string_copy("verify = csa: client SMTP authorization is not available in this build");
        return DEFER;
    }
    if (strcmp(word, "sender") == 0) {
        if (x->where != ACL_WHERE_MAIL && x->where != ACL_WHERE_RCPT && x->where != ACL_WHERE_PREDATA &&
            !(AW(x->where) & AFTER_HEADERS)) {
            x->err_msg = string_sprintf("cannot verify sender in ACL for %s", acl_where_desc(x->where));
            return ERROR;
        }
        if (opts && strstr(opts, "callout")) return verify_no_callout(x);
        const char *addr = opts && arg[n] == '=' ? string_copyn(opts, strcspn(opts, "/")) : msg.sender_address;
        return verify_route(x, "sender", addr, V_SENDER);
    }
    if (strcmp(word, "recipient") == 0) {
        if (x->where != ACL_WHERE_RCPT && x->where != ACL_WHERE_VRFY && x->where != ACL_WHERE_PRDR) {
            x->err_msg = string_sprintf("cannot verify recipient in ACL for %s", acl_where_desc(x->where));
            return ERROR;
        }
        if (opts && strstr(opts, "callout")) return verify_no_callout(x);
        return verify_route(x, "recipient", x->recipient, V_RECIPIENT);
    }
    x->err_msg = string_sprintf("expected \"sender[=address]\", \"recipient\", \"helo\", \"header_syntax\", "
                                "\"header_sender\", \"header_names_ascii\" or \"reverse_host_lookup\" at start "
                                "of ACL condition \"verify %s\"", arg);
    return ERROR;
}
