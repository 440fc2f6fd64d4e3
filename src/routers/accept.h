/* accept.h - the accept router's registration. */
#ifndef TERN_ROUTER_ACCEPT_H
#define TERN_ROUTER_ACCEPT_H
#include "../router.h"
extern const router_info accept_router_info;
#endif
