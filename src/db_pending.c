/* db_pending.c - weak fallback for deliver_message (deliver.c, written
 * in parallel): until it is merged, a bounce or warning created by
 * moan.c stays in the queue for the next queue run. The real
 * definition overrides this one; this file goes away at merge. */

/* MTA core */
#include "tern.h"
#include "log.h"

int deliver_message(const char *id, bool forced, bool give_up) __attribute__((weak));

int deliver_message(const char *id, bool forced, bool give_up)
{
    (void)forced; (void)give_up;
    DEBUG(D_deliver) debug_printf("%s left in the queue: no delivery process in this build\n", id);
    return DEFER;
}
