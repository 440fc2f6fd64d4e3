/* moan.h - bounce and warning messages (written by the bounce side). */
#ifndef TERN_MOAN_H
#define TERN_MOAN_H

#include "tern.h"
#include "address.h"
#include "spool.h"

/* moan_send_bounce - send a bounce for the failed addresses (a chain
 * linked by next) of the message whose header is h. Returns true if the
 * bounce was sent or queued. */
bool moan_send_bounce(spool_header *h, address_item *failed);

#endif
