/* manualroute.h - manualroute router: private options and registration. */
#ifndef TERN_ROUTERS_MANUALROUTE_H
#define TERN_ROUTERS_MANUALROUTE_H
#include "../router.h"

typedef struct manualroute_router_options {
    char *host_all_ignored;
    char *host_find_failed;
    bool hosts_randomize;
    char *route_data;
    char *route_list;
    bool same_domain_copy_routing;
} manualroute_router_options;

extern const manualroute_router_options manualroute_router_options_default;
extern const router_info manualroute_router_info;
#endif
