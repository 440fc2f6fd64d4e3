/* queryprogram.h - queryprogram router: private options and registration. */
#ifndef TERN_ROUTERS_QUERYPROGRAM_H
#define TERN_ROUTERS_QUERYPROGRAM_H
#include "../router.h"

typedef struct queryprogram_router_options {
    char *command;
    opt_ugid command_group;
    opt_ugid command_user;
    char *current_directory;
    int timeout;
} queryprogram_router_options;

extern const queryprogram_router_options queryprogram_router_options_default;
extern const router_info queryprogram_router_info;
#endif
