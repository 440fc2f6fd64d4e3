/* iplookup.h - iplookup router: private options and registration. */
#ifndef TERN_ROUTERS_IPLOOKUP_H
#define TERN_ROUTERS_IPLOOKUP_H
#include "../router.h"

typedef struct iplookup_router_options {
    char *hosts;
    bool optional;
    int port;
    char *protocol;
    char *query;
    char *reroute;
    char *response_pattern;
    int timeout;
} iplookup_router_options;

extern const iplookup_router_options iplookup_router_options_default;
extern const router_info iplookup_router_info;
#endif
