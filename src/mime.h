/* mime.h - the MIME structure of a received message (RFC 2045, 2046):
 * the walker that finds each part and its header fields, and the
 * decoders of part content (base64, quoted-printable, as is). No ACL,
 * file or spool knowledge: mime_acl.c connects it to acl_smtp_mime. */
#ifndef TERN_MIME_H
#define TERN_MIME_H

#include "tern.h"

/* $mime_anomaly_level values. 1 and 2 are Exim's (decoding problems);
 * 3 marks a part where one of Tern's limits (src/limits.h) stopped the
 * walk from going deeper. */
enum mime_anomaly {
    MIME_ANOMALY_NONE = 0,
    MIME_ANOMALY_BROKEN_QP = 1,
    MIME_ANOMALY_BROKEN_BASE64 = 2,
    MIME_ANOMALY_LIMIT = 3,
};

/* One part as the walker found it. Strings are never NULL ("" when the
 * field is absent) and are tainted: they come from the message. body is
 * a view into the text being walked, from after the part's header to
 * the next line that starts with "--" and the enclosing boundary. */
typedef struct mime_part {
    char *content_type, *boundary, *charset, *description, *disposition;
    char *content_id, *encoding, *filename;
    int part_count;       /* 0 for the first part of each (attached) message */
    bool is_multipart, is_rfc822, is_coverletter;
    int anomaly_level;    /* MIME_ANOMALY_LIMIT or 0 */
    const char *anomaly_text;
    str_view body;
} mime_part;

/* mime_visit_fn - called once per part, in message order; anything but
 * OK stops the walk and becomes mime_walk's result */
typedef int (*mime_visit_fn)(const mime_part *p, void *arg);

/* mime_walk - every part of text (a message: header, empty line, body;
 * LF line ends), then every attached message/rfc822 part (decoded) in
 * the same way with is_rfc822 set. *last_count gets the part_count of
 * the last part of the outer message. Returns OK or the first visitor
 * result that was not OK. */
int mime_walk(const char *text, size_t len, mime_visit_fn fn, void *arg, int *last_count);

/* mime_decode - append p's body, decoded as its Content-Transfer-Encoding
 * says ("base64", "quoted-printable", anything else as it is), to out.
 * *anomaly is raised to MIME_ANOMALY_BROKEN_* on bad input, which is
 * decoded as far as possible, never refused. */
gstring *mime_decode(const char *encoding, str_view body, gstring *out, int *anomaly) WARN_UNUSED;

/* mime_anomaly_text - Exim's wording for an anomaly level */
const char *mime_anomaly_text(int level);

#endif
