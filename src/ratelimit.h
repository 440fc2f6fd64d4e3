/* ratelimit.h - the "ratelimit" and "seen" ACL conditions, kept in the
 * "ratelimit" and "seen" hints databases. */
#ifndef TERN_RATELIMIT_H
#define TERN_RATELIMIT_H

#include "tern.h"
#include "acl.h"

/* ratelimit_check - "m / p / options / key" (already expanded). OK when
 * the client is over the limit, FAIL when under, DEFER/ERROR with *err. */
int ratelimit_check(const char *arg, enum acl_where where, char **err);
/* ratelimit_seen - "[-]time / key=.. / readonly / write / refresh=time" */
int ratelimit_seen(const char *arg, char **err);
/* ratelimit_smooth - the exponentially smoothed rate (exported for tests):
 * old rate, seconds since the last update, period, this event's count */
double ratelimit_smooth(double old_rate, double interval, double period, double count);
/* ratelimit_db_dir - where the hints files go (NULL: <spool>/db); tests */
void ratelimit_db_dir(const char *dir);

#endif
