/* dsn.c - EXPERIMENTAL_DSN: delivery status notifications (RFC 3461/3464).
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_DSN=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_DSN) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_dsn_ src/ must match this list):
 *   modules.c    xp_dsn_module in modules_list
 *   cfg_main.c   xp_dsn_opts in the main option rows
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "dsn.h"

struct xp_dsn_options xp_dsn_opts = {
    .dsn_advertise_hosts = NULL,
};

const module_info xp_dsn_module = {
    .name = "dsn",
    .feature_word = "Experimental_DSN",
};
