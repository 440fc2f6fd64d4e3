/* tpda.h - EXPERIMENTAL_TPDA: transport post-delivery actions. */
#ifndef TERN_XP_TPDA_H
#define TERN_XP_TPDA_H

#include "../modules.h"
#include "../options.h"

extern const module_info xp_tpda_module;

#endif
