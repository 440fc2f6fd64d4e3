/* tpda.c - EXPERIMENTAL_TPDA: transport post-delivery actions.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_TPDA=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_TPDA) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_tpda_ src/ must match this list):
 *   modules.c    xp_tpda_module in modules_list
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "tpda.h"

const module_info xp_tpda_module = {
    .name = "tpda",
    .feature_word = "Experimental_TPDA",
};
