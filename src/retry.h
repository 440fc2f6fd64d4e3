/* retry.h - retry rules of the "begin retry" section. */
#ifndef TERN_RETRY_H
#define TERN_RETRY_H

#include "tern.h"

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

struct address_item;
/* retry_update - record a deferred (or now delivered) address in the
 * retry hints; called by deliver.c after each attempt */
void retry_update(struct address_item *addr);

#endif
