/* certnames.h - EXPERIMENTAL_CERTNAMES: host-name checks on the certificates of outgoing TLS. */
#ifndef TERN_XP_CERTNAMES_H
#define TERN_XP_CERTNAMES_H

#include "../modules.h"
#include "../options.h"

extern const module_info xp_certnames_module;

#endif
