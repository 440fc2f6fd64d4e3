/* spf.c - EXPERIMENTAL_SPF: Sender Policy Framework checks with libspf2.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_SPF=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_SPF) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_spf_ src/ must match this list):
 *   modules.c    xp_spf_module in modules_list
 *   cfg_main.c   xp_spf_opts in the main option rows
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "spf.h"

struct xp_spf_options xp_spf_opts = {
    .spf_guess = "v=spf1 a/24 mx/24 ptr ?all",
    .spf_smtp_comment_template = "Please%_see%_http://www.open-spf.org/Why",
};

const module_info xp_spf_module = {
    .name = "spf",
    .feature_word = "Experimental_SPF",
};
