/* dsn.h - EXPERIMENTAL_DSN: delivery status notifications (RFC 3461/3464). */
#ifndef TERN_XP_DSN_H
#define TERN_XP_DSN_H

#include "../modules.h"
#include "../options.h"

struct xp_dsn_options {
    char *dsn_advertise_hosts;
};

extern struct xp_dsn_options xp_dsn_opts;
extern const module_info xp_dsn_module;

#endif
