/* dnslookup.h - dnslookup router: private options and registration. */
#ifndef TERN_ROUTERS_DNSLOOKUP_H
#define TERN_ROUTERS_DNSLOOKUP_H
#include "../router.h"

typedef struct dnslookup_router_options {
    bool check_secondary_mx;
    char *check_srv;
    char *fail_defer_domains;
    char *ipv4_only;
    char *ipv4_prefer;
    char *mx_domains;
    char *mx_fail_domains;
    bool qualify_single;
    bool rewrite_headers;
    bool same_domain_copy_routing;
    bool search_parents;
    char *srv_fail_domains;
    char *widen_domains;
} dnslookup_router_options;

extern const dnslookup_router_options dnslookup_router_options_default;
extern const router_info dnslookup_router_info;
#endif
