/* spf.h - EXPERIMENTAL_SPF: Sender Policy Framework checks with libspf2. */
#ifndef TERN_XP_SPF_H
#define TERN_XP_SPF_H

#include "../modules.h"
#include "../options.h"

struct xp_spf_options {
    char *spf_guess;
    char *spf_smtp_comment_template;
};

extern struct xp_spf_options xp_spf_opts;
extern const module_info xp_spf_module;

#endif
