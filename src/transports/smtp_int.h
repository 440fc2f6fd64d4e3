/* smtp_int.h - internals shared by the smtp transport's files:
 * smtp.c (options, transactions) and smtp_hosts.c (host list, address
 * resolution, retry keys, the message source). Not for other callers. */
#ifndef TERN_TRANSPORTS_SMTP_INT_H
#define TERN_TRANSPORTS_SMTP_INT_H

#include "../tern.h"
/* <sys/socket.h> defines AFL_FILE (old name of AF_LOCAL); address.h uses
 * the name for its own flag, which is the one meant in this driver */
#include <sys/socket.h>
#include "../address.h"
#include "../smtp_out.h"
#include "../spool.h"
#include "smtp.h"

/* One delivery by the transport: the addresses and the message. */
typedef struct smtp_ctx {
    struct transport_instance *t;
    const smtp_transport_options *ob;
    address_item *addrlist;
    const char *sender;          /* envelope sender, "" for bounces */
    const spool_header *spool;   /* the message's -H data */
    int data_fd;                 /* open -D file */
    off_t data_start;            /* offset of the body in it */
    long size;                   /* message size for SIZE=, less size_addition */
    long size_body;              /* bytes of the -D file after its first line */
    bool own_spool;              /* spool files opened here (dlv's fields set) */
    bool body_8bit;              /* BODY=8BITMIME when the server offers it */
    int port;                    /* the transport's port */
    const char *interface;       /* expanded interface, or NULL */
    char *helo;                  /* expanded helo_data */
    char *last_error;            /* for addresses left deferred */
    int last_errno, last_more_errno;
    bool hosts_override_used;
    bool final_try;              /* host tried only because the message outlived the cutoff */
    bool continued;              /* this host's connection was kept from before */
} smtp_ctx;

/* smtp_hosts_build - the host list to try: transport hosts (if the
 * router gave none, or hosts_override), with addresses resolved, then
 * fallback_hosts. NULL with *err on a hard failure. */
host_item *smtp_hosts_build(smtp_ctx *x, char **err, bool *defer);
/* smtp_host_retry_key - "T:name:ip" plus ":port" when not 25 */
char *smtp_host_retry_key(const host_item *h, int port, bool include_ip);
/* smtp_message_open - fill x->spool/data_fd/size from msg.spool or the
 * spool files of msg.id; false with *err if the message cannot be read */
bool smtp_message_open(smtp_ctx *x, char **err);
void smtp_message_close(smtp_ctx *x);
/* smtp_message_8bit - does the message hold any byte with the top bit set? */
bool smtp_message_8bit(const smtp_ctx *x);
/* smtp_data_send - the message after 354, then "."; OK, DEFER (the
 * connection failed: c->error) or ERROR (*err: not the host's fault,
 * e.g. transport_filter failed; the connection must be dropped) */
int smtp_data_send(smtp_ctx *x, smtp_conn *c, char **err);

/* smtp_wait_update - note the message as waiting for each (non-fallback)
 * host of the list, in wait-<transport> */
void smtp_wait_update(const smtp_ctx *x, const host_item *hosts);
/* smtp_wait_take - up to max ids waiting for host (other than current),
 * removed from the record; NULL if none */
char **smtp_wait_take(const struct transport_instance *t, const char *host, const char *current, int max);

/* smtp_port_number - "smtp", "25", "2525" -> number; -1 if unknown */
int smtp_port_number(const char *s);

#endif
