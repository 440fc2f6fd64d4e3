/* retry.h - retry rules of the "begin retry" section. */
#ifndef TERN_RETRY_H
#define TERN_RETRY_H

#include "tern.h"

/* Delivery errors that are not errno values (negative, as Exim's are),
 * set in address_item.basic_errno by transports and routers; retry rule
 * selection reads them. Timeouts and refusals use ETIMEDOUT and
 * ECONNREFUSED with more_errno 'M' (host from MX) or 'A' (not). */
#define ERRNO_SMTP_FORMAT  (-19) /* peer sent a malformed or oversized reply */
#define ERRNO_SMTP_CLOSED  (-18) /* peer closed the connection (lost_connection) */
#define ERRNO_RCPT4XX      (-44) /* 4xx to RCPT; more_errno holds the code */
#define ERRNO_MAIL4XX      (-45) /* 4xx to MAIL */
#define ERRNO_DATA4XX      (-46) /* 4xx to DATA or after the data */
#define ERRNO_HOST_RETRY   (-52) /* no host: all waiting for their retry time */
#define ERRNO_CONNECT_TIMEOUT (-53) /* connect() timed out */
#define ERRNO_AUTH_FAIL    (-42) /* auth_failed */
#define ERRNO_TLS_REQUIRED (-43) /* tls_required */
#define ERRNO_LOOKUP       (-47) /* host lookup failed (lookup) */
#define ERRNO_BADTRANSPORT (-30) /* a generated pipe or file has no transport */
#define ERRNO_EXIMQUOTA    (-22) /* quota; more_errno: seconds since the mailbox was read */
#define ERRNO_RETRY_TIMEOUT (-51) /* retry timeout exceeded */
#define ERRNO_NOTABSOLUTE  (-21) /* a transport's directory is not an absolute path */
#define ERRNO_EXPANDFAIL   (-27) /* a transport option failed to expand */
/* A delivery not tried because its retry time is not reached; Exim's
 * log numbers (the local one shares -53 with ERRNO_CONNECT_TIMEOUT, the
 * routing one -52 with ERRNO_HOST_RETRY; neither reaches rule selection) */
#define ERRNO_ROUTE_RETRY  (-52) /* "routing defer (-52): retry time not reached" */
#define ERRNO_LOCAL_RETRY  (-53) /* "defer (-53): Retry time not yet reached" */

/* The error a rule applies to (second field of a rule). */
enum retry_error {
    RE_ANY, RE_AUTH_FAILED, RE_DATA_4XX, RE_MAIL_4XX, RE_RCPT_4XX, RE_LOST_CONNECTION,
    RE_LOOKUP, RE_REFUSED_MX, RE_REFUSED_A, RE_REFUSED, RE_TIMEOUT_CONNECT_MX,
    RE_TIMEOUT_CONNECT_A, RE_TIMEOUT_CONNECT, RE_TIMEOUT_MX, RE_TIMEOUT_A, RE_TIMEOUT,
    RE_TLS_REQUIRED, RE_QUOTA,
};

/* One parameter set: F,<timeout>,<interval> / G,<t>,<i>,<factor> / H,... */
typedef struct retry_param {
    struct retry_param *next;
    char rule;    /* 'F' fixed, 'G' geometric, 'H' randomized geometric */
    int timeout;  /* seconds since the first failure when this set ends */
    int p1;       /* interval, seconds */
    int p2;       /* factor * 1000 for G and H */
} retry_param;

typedef struct retry_rule {
    struct retry_rule *next;
    char *pattern;        /* one address-list item */
    enum retry_error error;
    int code;             /* 4xx: the digits given (e.g. 450), 0 if any */
    int code_digits;      /* how many leading digits of code matter: 1..3 */
    int quota_time;       /* quota_<time>: seconds, 0 if plain quota */
    char *senders;        /* senders= list, NULL if none */
    retry_param *params;
    const char *file;
    int line;
} retry_rule;

/* retry_parse_line - one rule; NULL on success or an error message */
const char *retry_parse_line(const char *text, retry_rule *r);
/* retry_init - parse cfg.sections.retry; dies with file:line on error */
void retry_init(void);
extern retry_rule *retry_rules_list(void);

/* ---- retry hints and rule selection (delivery) ---- */

struct address_item;

/* A retry item: what a delivery attempt says about one retry key. The
 * transport or router hangs these on the address (addr->retries);
 * retry_update turns them into hints records. */
#define RETRY_SET    0x01 /* a failure: create or update the record */
#define RETRY_DELETE 0x02 /* a success: remove the record */
#define RETRY_HOST   0x04 /* key is T:host:ip; rule found by host name, then domain */
#define RETRY_MESSAGE 0x08 /* message error: the message's age counts (spec "intermittent") */
#define RETRY_FINAL  0x10 /* tried only because the message outlived the rule's
                           * cutoff: a failure times the address out, and no
                           * new retry time is computed */
#define RETRY_LATE   0x20 /* local or routing: the deferral is logged as such and
                           * the caller applies the timeout (retry_timed_out);
                           * the message's age counts towards the cutoff, and
                           * with no rule the record is removed (as Exim) */
#define RETRY_DONE   0x40 /* written by retry_update: a later call skips it */

typedef struct retry_item {
    struct retry_item *next;
    char *key;           /* "T:host:ip[:port]", "R:domain", "R:lp@domain[:sender]" */
    char *host_name;     /* for RETRY_HOST: matched against rules before the domain */
    int flags;
    int basic_errno, more_errno;
    char *message;
    bool expired;        /* set by retry_update: the rule's cutoff has passed */
} retry_item;

/* A record of the "retry" hints database (Exim's layout of fields). */
typedef struct retry_record {
    long first_failed, last_try, next_try;
    int basic_errno, more_errno;
    bool expired;
    char *text;
} retry_record;

/* retry_find_rule - the first rule whose pattern matches key (an
 * address, or a domain treated as *@domain), else alt_domain, whose error
 * matches basic_errno/more_errno, and whose senders list (if any) matches
 * sender (NULL sender: rules with senders= never match). NULL if none. */
const retry_rule *retry_find_rule(const char *key, const char *alt_domain, int basic_errno,
                                  int more_errno, const char *sender);
/* retry_rule_text - the rule as -brt prints it (without "Retry rule: ") */
char *retry_rule_text(const retry_rule *r);
/* retry_test_mode - -brt; returns the exit status */
int retry_test_mode(int argc, char **argv, const char *sender);
/* retry_error_from_name - -brt argument ("timeout_MX", "rcpt_452",
 * "quota_3d") to basic/more errno; false if not an error name */
bool retry_error_from_name(const char *s, int *basic_errno, int *more_errno, const char **err);

/* retry_read - the record for key, ignoring records older than
 * retry_data_expire; OK, FAIL (none), DEFER (database error) */
int retry_read(const char *key, retry_record *rec);
/* retry_host_usable - may a delivery try this host now? (no record, or
 * its next_try has passed, or the message is older than the cutoff) */
bool retry_host_usable(const char *key, long now, bool *expired);
/* retry_rule_cutoff - the rule's final cutoff (the last parameter set's
 * timeout), 0 if it has none */
int retry_rule_cutoff(const retry_rule *r);
/* retry_next_try - compute the next try and the expiry for a failure
 * now, given the rule and the previous record (or NULL). */
void retry_next_try(const retry_rule *r, const retry_record *old, long now, long first_failed,
                    retry_record *out);
/* retry_add_item - hang a retry item on addr */
retry_item *retry_add_item(struct address_item *addr, const char *key, int flags);
/* retry_update - after delivery: write or delete the hints for every
 * address's retry items; addresses deferred past their rule's cutoff
 * (or with no retry rules at all) become FAIL "retry timeout exceeded". */
void retry_update(struct address_item *addr_list);
/* retry_timed_out - every failure recorded for a (RETRY_LATE items,
 * after retry_update) is past its rule's cutoff, or has no rule */
bool retry_timed_out(const struct address_item *a);
/* retry_dump_record - the two lines tern_dumpdb prints for a record */
char *retry_dump_record(const char *key, const void *data, size_t len, bool utc);
/* retry_record_decode - parse the stored form; false if malformed */
bool retry_record_decode(const void *data, size_t len, retry_record *rec);

/* ---- message-age checks for the queue runner ---- */
/* retry_ignore_bounce - a frozen bounce older than ignore_bounce_errors_after */
bool retry_ignore_bounce(const char *sender, long received_time, long frozen_at, long now);
/* retry_frozen_timeout - a frozen message older than timeout_frozen_after */
bool retry_frozen_timeout(long received_time, long frozen_at, long now);
/* retry_auto_thaw_due - auto_thaw time passed since freezing */
bool retry_auto_thaw_due(long frozen_at, long now);

#endif
