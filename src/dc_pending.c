/* dc_pending.c - weak fallback for deliver_message() (deliver.c, being
 * written in parallel) so the queue tools link and their tests run. The
 * fallback delivers nothing: it logs that delivery is not in this build
 * and leaves the message on the queue untouched. The real definition
 * overrides it; this file goes away when deliver.c is merged. */

/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "queue.h"

__attribute__((weak)) int deliver_message(const char *id, bool forced, bool give_up)
{
    msg.id = (char *)id;
    log_write(L_always, LOG_MAIN, "delivery not merged: message left on the queue (forced=%s give_up=%s)",
              forced ? "yes" : "no", give_up ? "yes" : "no");
    msg.id = NULL;
    return DEFER;
}
