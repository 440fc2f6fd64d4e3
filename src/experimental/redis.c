/* redis.c - EXPERIMENTAL_REDIS: Redis lookups with hiredis.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_REDIS=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_REDIS) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_redis_ src/ must match this list):
 *   modules.c    xp_redis_module in modules_list
 *   cfg_main.c   xp_redis_opts in the main option rows
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "redis.h"

struct xp_redis_options xp_redis_opts = {
    .redis_servers = NULL,
};

const module_info xp_redis_module = {
    .name = "redis",
    .feature_word = "Experimental_Redis",
};
