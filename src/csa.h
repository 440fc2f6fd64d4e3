/* csa.h - Client SMTP Authorization (CSA, draft-ietf-marid-csv-csa-02):
 * SRV records at _client._smtp.DOMAIN say whether the hosts named DOMAIN
 * may send mail. Used by the ACL condition "verify = csa" and by
 * ${lookup dnsdb{csa=DOMAIN}}. */
#ifndef TERN_CSA_H
#define TERN_CSA_H

#include "tern.h"

/* What a CSA check found. */
enum csa_result {
    CSA_UNKNOWN,       /* no usable record */
    CSA_OK,            /* authorized, and the client is one of its addresses */
    CSA_DEFER_SRV,     /* the SRV lookup failed temporarily */
    CSA_DEFER_ADDR,    /* the target's address lookup failed temporarily */
    CSA_FAIL_EXPLICIT, /* a parent requires a record of its own: none */
    CSA_FAIL_DOMAIN,   /* the record says: not authorized */
    CSA_FAIL_NOADDR,   /* authorized, but the target has no address of the client's family */
    CSA_FAIL_MISMATCH, /* authorized, but the client is not at the target's addresses */
};

/* csa_domain - the name to look up for a HELO name or address: a bare
 * or (helo) bracketed IP address becomes its reverse DNS name; for helo,
 * dns_csa_use_reverse may switch that off (NULL). dnsdb passes !helo:
 * there only bare addresses are reversed, always, as in Exim. */
const char *csa_domain(const char *name, bool helo);

/* csa_lookup - the SRV record that speaks for domain: its own (priority 1,
 * the CSA version), or a parent's that requires explicit records. *code
 * is 'Y', 'N', '?' for its own record, 'X' for a parent's; *target the
 * record's target. Returns OK, FAIL (no record) or DEFER. */
int csa_lookup(const char *domain, char *code, const char **target);

/* csa_check - the whole check for a client at ip claiming domain */
enum csa_result csa_check(const char *domain, const char *ip);

/* csa_status - "ok", "fail", "defer" or "unknown" ($csa_status) */
const char *csa_status(enum csa_result r);

/* csa_reason - the result as the ACL's message, as Exim words it */
const char *csa_reason(enum csa_result r);

#endif
