/* ipliteral.h - ipliteral router: private options and registration. */
#ifndef TERN_ROUTERS_IPLITERAL_H
#define TERN_ROUTERS_IPLITERAL_H
#include "../router.h"

typedef struct ipliteral_router_options {
    int unused; /* no private options */
} ipliteral_router_options;

extern const ipliteral_router_options ipliteral_router_options_default;
extern const router_info ipliteral_router_info;
#endif
