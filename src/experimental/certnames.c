/* certnames.c - EXPERIMENTAL_CERTNAMES: host-name checks on the certificates of outgoing TLS.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_CERTNAMES=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_CERTNAMES) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_certnames_ src/ must match this list):
 *   modules.c    xp_certnames_module in modules_list
 */

/* MTA core */
#include "../tern.h"
/* This module */
#include "certnames.h"

const module_info xp_certnames_module = {
    .name = "certnames",
    .feature_word = "Experimental_Certnames",
};
