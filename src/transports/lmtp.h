/* lmtp.h - lmtp transport: private options and registration. */
#ifndef TERN_TRANSPORTS_LMTP_H
#define TERN_TRANSPORTS_LMTP_H
#include "../transport.h"

typedef struct lmtp_transport_options {
    char *batch_id;
    int batch_max;
    char *command;
    bool ignore_quota;
    char *socket;
    int timeout;
} lmtp_transport_options;

extern const lmtp_transport_options lmtp_transport_options_default;
extern const transport_info lmtp_transport_info;
struct address_item;
/* lmtp_transport_deliver - one LMTP transaction for the batch in chain */
bool lmtp_transport_deliver(transport_instance *t, struct address_item *chain);
#endif
