/* dmarc.h - EXPERIMENTAL_DMARC: DMARC policy checks with libopendmarc. */
#ifndef TERN_XP_DMARC_H
#define TERN_XP_DMARC_H

#include "../modules.h"
#include "../options.h"

struct xp_dmarc_options {
    char *dmarc_forensic_sender;
    char *dmarc_history_file;
    char *dmarc_tld_file;
};

extern struct xp_dmarc_options xp_dmarc_opts;
extern const module_info xp_dmarc_module;

#endif
