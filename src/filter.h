/* filter.h - Exim filter files ("# Exim filter") run by the redirect
 * router with allow_filter set. */
#ifndef TERN_FILTER_H
#define TERN_FILTER_H

#include "tern.h"
#include "address.h"

/* What a filter run produced. */
typedef struct filter_result {
    address_item *generated;  /* deliver/save/pipe targets (flags say which) */
    bool seen;                /* a significant delivery happened (or "seen") */
    bool freeze;
    char *fail_text;          /* set by "fail" */
    bool failed, deferred;
    char *error;              /* syntax or runtime error */
} filter_result;

/* filter_is_exim - does text start with "# Exim filter"? */
bool filter_is_exim(const char *text);

/* filter_run - interpret text for addr. Returns OK, DEFER (runtime error
 * or "defer"), FAIL ("fail") or ERROR (syntax error, res->error set). */
int filter_run(const char *text, const address_item *addr, unsigned forbid, filter_result *res);

#define FILTER_FORBID_FILE    0x01
#define FILTER_FORBID_PIPE    0x02
#define FILTER_FORBID_LOGWRITE 0x04
#define FILTER_FORBID_REPLY   0x08 /* mail and vacation (forbid_filter_reply) */

#endif
