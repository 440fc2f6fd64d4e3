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

#endif
