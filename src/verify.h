/* verify.h - address verification (ACL verify = sender/recipient) and the
 * -bt / -bv address testing modes. */
#ifndef TERN_VERIFY_H
#define TERN_VERIFY_H

#include "tern.h"
#include "router.h"

/* verify_address - route address in verify mode. Returns OK (routable),
 * FAIL (undeliverable; *msg says why) or DEFER (*msg says why). */
int verify_address(const char *address, enum router_verify how, char **msg);

/* verify_test_mode - mode "bt" (testing), "bv" or "bvs" (as a sender): each argument (or line of
 * stdin) is routed and reported as Exim does; returns the exit status */
int verify_test_mode(int argc, char **argv, const char *mode);

#endif
