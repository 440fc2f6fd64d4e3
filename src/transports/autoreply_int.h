/* autoreply_int.h - helpers shared by the autoreply transport's files. */
#ifndef TERN_TRANSPORTS_AUTOREPLY_INT_H
#define TERN_TRANSPORTS_AUTOREPLY_INT_H

#include "../tern.h"
#include "../address.h"
#include "autoreply.h"

/* autoreply_once_seen - has a reply gone to key within repeat seconds
 * (0: ever)? false when the record cannot be read (then we send). */
bool autoreply_once_seen(const autoreply_transport_options *o, const char *path, const char *key,
                         long repeat);
/* autoreply_once_record - remember that a reply went to key now;
 * NULL or an error message */
char *autoreply_once_record(const autoreply_transport_options *o, const char *path, const char *key);
/* autoreply_log - append text to the log file, created with mode */
void autoreply_log(const autoreply_transport_options *o, const char *path, const char *text);
bool autoreply_transport_deliver(transport_instance *t, address_item *a);

#endif
