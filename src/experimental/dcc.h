/* dcc.h - EXPERIMENTAL_DCC: DCC (Distributed Checksum Clearinghouse) checks via dccifd. */
#ifndef TERN_XP_DCC_H
#define TERN_XP_DCC_H

#include "../modules.h"
#include "../options.h"

struct xp_dcc_options {
    bool dcc_direct_add_header;
    char *dccifd_address;
    char *dccifd_options;
};

extern struct xp_dcc_options xp_dcc_opts;
extern const module_info xp_dcc_module;

#endif
