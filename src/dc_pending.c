/* dc_pending.c - weak fallback for deliver_message() (deliver.c, being
 * written in parallel) so the queue tools link and their tests run. The
 * fallback delivers nothing : it logs that delivery is not in this build
 * and leaves the message on the queue untouched. The real definition
 * overrides it; this file goes away when deliver.c is merged. */

/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "queue.h"

#define WEAK __attribute__((weak))

WEAK int deliver_message(const char *id, bool forced, bool give_up)
{
    msg.id = (char *)id;
    log_write(L_always, LOG_MAIN, "delivery not merged: message left on the queue (forced=%s give_up=%s)",
              forced ? "yes" : "no", give_up ? "yes" : "no");
    msg.id = NULL;
    return DEFER;
}

/* retry_dump_record (retry.c): NULL makes tern_dumpdb show the record's
 * bytes as they are, until the retry code that owns the layout is merged */
WEAK char *retry_dump_record(const char *key, const void *data, size_t len, bool utc)
{
    (void)key; (void)data; (void)len; (void)utc;
    return NULL;
}

/* retry_auto_thaw_due - auto_thaw has passed since the message was frozen */
WEAK bool retry_auto_thaw_due(long frozen_at, long now)
{
    return frozen_at && cfg.auto_thaw > 0 && now - frozen_at >= cfg.auto_thaw;
}

/* retry_frozen_timeout - frozen, and older than timeout_frozen_after */
WEAK bool retry_frozen_timeout(long received_time, long frozen_at, long now)
{
    return frozen_at && cfg.timeout_frozen_after > 0 && now - received_time > cfg.timeout_frozen_after;
}

/* retry_ignore_bounce - a frozen bounce older than ignore_bounce_errors_after */
WEAK bool retry_ignore_bounce(const char *sender, long received_time, long frozen_at, long now)
{
    return sender && !*sender && frozen_at && cfg.ignore_bounce_errors_after > 0
           && now - received_time > cfg.ignore_bounce_errors_after;
}
