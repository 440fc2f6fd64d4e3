/* dcc.c - EXPERIMENTAL_DCC: DCC (Distributed Checksum Clearinghouse) checks via dccifd.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_DCC=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_DCC) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_dcc_ src/ must match this list):
 *   modules.c    xp_dcc_module in modules_list
 *   cfg_main.c   xp_dcc_opts in the main option rows
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "dcc.h"

struct xp_dcc_options xp_dcc_opts = {
    .dcc_direct_add_header = false,
    .dccifd_address = "/usr/local/dcc/var/dccifd",
    .dccifd_options = "header",
};

const module_info xp_dcc_module = {
    .name = "dcc",
    .feature_word = "Experimental_DCC",
};
