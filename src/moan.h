/* moan.h - bounce messages (delivery failures) and delay warnings, as
 * Exim writes them, created as new messages in the spool. */
#ifndef TERN_MOAN_H
#define TERN_MOAN_H

#include "tern.h"
#include "address.h"
#include "spool.h"

/* moan_send_bounce - tell the sender (or each address's errors_to)
 * that the failed addresses could not be delivered: a new message from
 * <> in the spool, then handed to delivery. A message whose own sender
 * is <> is never bounced: moan_bounce_freezes() says so and the caller
 * freezes it ("Frozen (delivery error message)"), as Exim does. */
void moan_send_bounce(const spool_header *h, address_item *failed);
/* moan_send_warning - the delay warning for the deferred addresses */
void moan_send_warning(const spool_header *h, address_item *deferred);

/* moan_from - the From: of messages the MTA writes (dsn_from, or
 * "Mail Delivery System <Mailer-Daemon@qualify_domain>") */
char *moan_from(void);

/* moan_bounce_freezes - true when failures of this message must freeze
 * it instead of bouncing (its sender is <>) */
bool moan_bounce_freezes(const spool_header *h);
/* moan_warning_due - should a delay warning go out now? (delay_warning
 * times after arrival, the last one repeating; delay_warning_condition;
 * never for <> senders). The caller increments h->warning_count in the
 * -H file after moan_send_warning. */
bool moan_warning_due(const spool_header *h, long now);

#endif
