/* smtp_in_dns.c - DNS checks on an SMTP client: the host_lookup reverse
 * lookup at connection start ($sender_host_name, $host_lookup_failed)
 * and HELO/EHLO verification, shared by helo_verify_hosts,
 * helo_try_verify_hosts and the ACL condition "verify = helo". */

/* System */
#include <strings.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "globals.h"
#include "log.h"
#include "smtp_in.h"

/* smtp_host_lookup - find a forward-confirmed name for the client. On
 * success conn.sender_host_name is set (the first confirmed PTR name) and
 * conn.sender_host_aliases holds the others; otherwise host_lookup_failed or
 * host_lookup_deferred. A missing PTR is logged (+host_lookup_failed);
 * a name that does not resolve back is not, as Exim does. */
void smtp_host_lookup(void)
{
    const char *ip = conn.sender_host_address;
    if (!ip || conn.sender_host_name) return;
    enum store_pool old = store_set_pool(POOL_CONN);
    char **names;
    int rc = dns_host_names(ip, &names);
    if (rc == OK) {
        smtp_set_host_names(names);
    } else if (rc == DEFER) {
        conn.host_lookup_deferred = 1;
    } else {
        conn.host_lookup_failed = 1;
        dns_answer ans;
        char *err, *rev = dns_reverse_name(ip);
        if (!rev || dns_lookup(rev, DNS_T_PTR, &ans, &err) == FAIL)
            log_write(L_host_lookup_failed, LOG_MAIN, "no host name found for IP address %s", ip);
    }
    store_set_pool(old);
}

/* smtp_set_host_names - the first confirmed name is the host name, the
 * rest its aliases (the other names host lists and HELO checks accept) */
void smtp_set_host_names(char **names)
{
    conn.sender_host_name = names[0];
    conn.sender_host_aliases = names + 1;
}

/* helo_literal_matches - "[ip]" or "[IPv6:ip]" names the client address */
static bool helo_literal_matches(const char *helo, const char *ip)
{
    const char *lit = helo + 1;
    if (strncasecmp(lit, "IPv6:", 5) == 0) lit += 5;
    size_t n = strlen(ip);
    return strncasecmp(lit, ip, n) == 0 && strcmp(lit + n, "]") == 0;
}

/* helo_check - one verification of helo against the client (OK/FAIL/DEFER) */
static int helo_check(const char *helo, const char *ip)
{
    if (helo[0] == '[') return helo_literal_matches(helo, ip) ? OK : FAIL;
    if (!conn.sender_host_name && !conn.host_lookup_failed && !conn.host_lookup_deferred)
        smtp_host_lookup();
    if (conn.sender_host_name && strcasecmp(conn.sender_host_name, helo) == 0) return OK;
    for (char **a = conn.sender_host_aliases; a && *a; a++)
        if (strcasecmp(*a, helo) == 0) return OK;
    char **addrs;
    int rc = dns_host_addresses(helo, &addrs);
    if (rc != OK) return rc;
    for (char **a = addrs; *a; a++)
        if (strcasecmp(*a, ip) == 0) return OK;
    return FAIL;
}

/* smtp_helo_verify - verify conn.sender_helo_name, once per HELO name */
int smtp_helo_verify(void)
{
    const char *helo = conn.sender_helo_name, *ip = conn.sender_host_address;
    if (!helo || !*helo) return FAIL;
    if (!ip) return OK;
    if (conn.helo_verify_name && strcmp(conn.helo_verify_name, helo) == 0)
        return conn.helo_verify_rc;
    int rc = helo_check(helo, ip);
    enum store_pool old = store_set_pool(POOL_CONN);
    conn.helo_verify_name = string_copy_taint(helo, GET_TAINTED);
    store_set_pool(old);
    conn.helo_verify_rc = rc;
    return rc;
}
