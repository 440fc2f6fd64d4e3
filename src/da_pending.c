/* da_pending.c - weak fallback definitions of functions the delivery
 * side calls whose real definitions are written elsewhere (bounces,
 * retry hints). Each real definition overrides its weak one;
 * this file goes away when they are merged. The fallbacks refuse what
 * they cannot do and say so in the log. */

/* MTA core */
#include "tern.h"
#include "log.h"
#include "moan.h"
#include "retry.h"

#define WEAK __attribute__((weak))

WEAK bool moan_send_bounce(spool_header *h, address_item *failed)
{
    (void)h; (void)failed;
    log_write(L_always, LOG_MAIN, "bounce not sent: bounce support not merged");
    return false;
}

WEAK void retry_update(struct address_item *addr)
{
    (void)addr;
}
