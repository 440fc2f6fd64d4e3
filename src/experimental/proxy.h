/* proxy.h - EXPERIMENTAL_PROXY: HAProxy PROXY protocol v1 and v2 on inbound connections. */
#ifndef TERN_XP_PROXY_H
#define TERN_XP_PROXY_H

#include "../modules.h"
#include "../options.h"

struct xp_proxy_options {
    int proxy_protocol_timeout;
    char *hosts_proxy;
};

extern struct xp_proxy_options xp_proxy_opts;
extern const module_info xp_proxy_module;

#endif
