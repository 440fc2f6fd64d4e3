/* dmarc.c - EXPERIMENTAL_DMARC: DMARC policy checks with libopendmarc.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_DMARC=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_DMARC) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_dmarc_ src/ must match this list):
 *   modules.c    xp_dmarc_module in modules_list
 *   cfg_main.c   xp_dmarc_opts in the main option rows
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "dmarc.h"

struct xp_dmarc_options xp_dmarc_opts = {
    .dmarc_forensic_sender = NULL,
    .dmarc_history_file = NULL,
    .dmarc_tld_file = NULL,
};

const module_info xp_dmarc_module = {
    .name = "dmarc",
    .feature_word = "Experimental_DMARC",
};
