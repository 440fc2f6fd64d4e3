/* acl_pending.c - weak fallback definitions of the expansion, list
 * matching and DNS functions the ACL engine calls, so the engine links
 * and its tests run before those subsystems are merged. Each real
 * definition overrides its weak one; this file goes away at merge.
 * Fallbacks refuse what they cannot do (no '$' expansion, no DNS). */

/* System */
#include <arpa/inet.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "expand.h"
#include "match.h"

#define WEAK __attribute__((weak))

static const char *pending_error;

WEAK char *expand_string(const char *s)
{
    if (strchr(s, '$')) { pending_error = "expansion not merged"; return NULL; }
    return string_copy_taint(s, store_is_tainted(s));
}

WEAK const char *expand_error(void) { return pending_error ? pending_error : ""; }
WEAK bool expand_forced_fail(void) { return false; }

