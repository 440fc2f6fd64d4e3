/* proxy.c - EXPERIMENTAL_PROXY: HAProxy PROXY protocol v1 and v2 on inbound connections.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_PROXY=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_PROXY) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_proxy_ src/ must match this list):
 *   modules.c    xp_proxy_module in modules_list
 *   cfg_main.c   xp_proxy_opts in the main option rows
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "proxy.h"

struct xp_proxy_options xp_proxy_opts = {
    .proxy_protocol_timeout = 3,
    .hosts_proxy = NULL,
};

const module_info xp_proxy_module = {
    .name = "proxy",
    .feature_word = "Experimental_Proxy",
};
