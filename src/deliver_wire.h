/* deliver_wire.h - the bytes a delivery process and its local delivery
 * agents exchange (deliver_agent.c): a request (the -H contents and the
 * routed addresses of one transport group) and framing for both
 * directions. The two sides are the same binary with the same
 * configuration, so routers and transports travel by name. */
#ifndef TERN_DELIVER_WIRE_H
#define TERN_DELIVER_WIRE_H

#include "tern.h"
#include "address.h"

/* wire_put_str - s length-prefixed ("T" first when tainted); "-" for NULL */
gstring *wire_put_str(gstring *g, const char *s) WARN_UNUSED;

/* A cursor over received bytes; bad is set on the first malformed field. */
typedef struct wire_reader {
    char *p, *end;
    bool bad;
} wire_reader;

/* wire_take_str - a wire_put_str string (same taint), or NULL */
char *wire_take_str(wire_reader *r);
/* wire_take_long - a number followed by one space */
long wire_take_long(wire_reader *r);

/* wire_request - the -H bytes, the body's offset in -D and each address
 * of chain (with its ancestors, whose fields the transports read) */
gstring *wire_request(const char *hdata, size_t hlen, long data_offset, const address_item *chain);

/* wire_take_request - the other side: the -H bytes (hdata, hlen) point into the
 * buffer: the addresses are rebuilt, linked by next. false if malformed
 * or if a router or transport name is unknown. */
bool wire_take_request(char *buf, size_t len, char **hdata, size_t *hlen, long *data_offset,
                       address_item **chain);

/* wire_frame - "<len>\n" then the bytes: one frame */
gstring *wire_frame(const char *s, size_t len);

/* wire_frame_at - a whole frame at the start of buf: true with its
 * bytes' offset and length; false while incomplete or malformed */
bool wire_frame_at(const char *buf, size_t len, size_t *start, size_t *n);

/* wire_frames_end - where the frame stream in buf ends: the offset just
 * past the empty frame ("0\n") that closes it, or 0 while incomplete.
 * Unless payload is NULL, *payload receives the whole frames' bytes
 * joined (also when the stream is incomplete). */
size_t wire_frames_end(const char *buf, size_t len, gstring **payload);

/* wire_send - all of s on sock (no SIGPIPE: a peer that has gone is a
 * false return) */
bool wire_send(int sock, const char *s, size_t len);

#endif
