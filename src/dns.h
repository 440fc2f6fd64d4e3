/* dns.h - the one resolver entry point (libresolv). Every DNS user in
 * Tern (lists, dnsdb, routers, SPF glue) calls dns_lookup(); answers are
 * parsed into records allocated tainted in the current pool. */
#ifndef TERN_DNS_H
#define TERN_DNS_H

#include "tern.h"

/* Record types we parse (values are the RFC 1035 / IANA numbers). */
enum dns_type {
    DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_PTR = 12,
    DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_SRV = 33, DNS_T_TLSA = 52,
    DNS_T_SPF = 99,
};

typedef struct dns_record {
    struct dns_record *next;
    int type;
    char *name;        /* owner name */
    unsigned ttl;
    /* A/AAAA: address text; MX/SRV/CNAME/NS/PTR: target name;
     * TXT/SPF: first character-string; SOA: primary name server (mname);
     * TLSA: data in hex. */
    char *data;
    int pref;          /* MX preference, SRV priority */
    int weight, port;  /* SRV */
    char **strings;    /* TXT/SPF: every character-string */
    int nstrings;
    char *rname;       /* SOA */
    unsigned soa[5];   /* SOA serial refresh retry expire minimum */
    int usage, selector, mtype; /* TLSA */
} dns_record;

typedef struct dns_answer {
    dns_record *records; /* in answer order, only the asked type */
    bool authenticated;  /* AD bit set */
    bool nxdomain;       /* FAIL because the name does not exist (not NODATA) */
    unsigned min_ttl;
} dns_answer;

/* dns_lookup - query name for type. Returns OK with *ans filled (at least
 * one record), FAIL for no such name or no data of that type, DEFER for a
 * temporary failure (*err says why). */
int dns_lookup(const char *name, int type, dns_answer *ans, char **err);

/* dns_parse_answer - parse a raw DNS message (exported for tests and for
 * callers that have an answer from elsewhere). Returns OK, FAIL (no
 * records of type) or DEFER (malformed). */
int dns_parse_answer(const unsigned char *msg, size_t len, int type, dns_answer *ans);

/* dns_type_from_name - "mx" -> DNS_T_MX; -1 if unknown */
int dns_type_from_name(const char *name, size_t len);

/* dns_reverse_name - "1.2.3.4" -> "4.3.2.1.in-addr.arpa" (ip6.arpa for
 * v6); NULL if ip is not an IP address */
char *dns_reverse_name(const char *ip);

/* dns_host_addresses - the IP addresses of a host name through the
 * system resolver (so /etc/hosts counts, as Exim does for host lists).
 * Returns OK with a NULL-terminated array, FAIL if none, DEFER on a
 * temporary error. */
int dns_host_addresses(const char *name, char ***addrs);

/* dns_host_names - the names of an IP address, forward-confirmed (each
 * name must resolve back to ip). OK, FAIL, DEFER as above. */
int dns_host_names(const char *ip, char ***names);

#endif
