/* redis.h - EXPERIMENTAL_REDIS: Redis lookups with hiredis. */
#ifndef TERN_XP_REDIS_H
#define TERN_XP_REDIS_H

#include "../modules.h"
#include "../options.h"

struct xp_redis_options {
    char *redis_servers;
};

extern struct xp_redis_options xp_redis_opts;
extern const module_info xp_redis_module;

/* ---- the redis lookup (query style) ---- */
#include "../lookups.h"

/* The driver, for the lookup registry in lookups.c:
 *   #ifdef EXPERIMENTAL_REDIS
 *   &xp_redis_lookup_info,
 *   #endif */
extern const lookup_info xp_redis_lookup_info;

/* xp_redis_split - split a query into Redis command words: white space
 * separates words, a backslash makes the next byte literal (so the output of
 * xp_redis_quote stays one word). Returns OK with *argv, *lens, *argc (in the
 * current pool, tainted if q is), or FAIL with *err. */
int xp_redis_split(const char *q, size_t len, char ***argv, size_t **lens, int *argc, char **err);

/* xp_redis_quote - ${quote_redis:s}: a backslash before white space and
 * before backslash; same taint as s */
char *xp_redis_quote(const char *s, const char *opt);

/* xp_redis_tidy - close every cached connection (before fork, in tests) */
void xp_redis_tidy(void);

#endif
