/* fuzz_mime.c - libFuzzer target for the MIME walker and decoders
 * (mime.c): the input is a whole message as the MIME ACL scans it. Every
 * part it reports must lie inside the input, carry non-NULL strings and
 * be numbered in order; each part is also decoded as base64,
 * quoted-printable and as it is, which must never write more than the
 * part holds (base64 and QP only shrink, "as is" copies). */
#include "tern.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct span {
    const char *lo, *hi;
    int parts;
} span;

static int visit(const mime_part *p, void *arg)
{
    span *s = arg;
    ASSERT(p->content_type && p->boundary && p->charset && p->description && p->disposition);
    ASSERT(p->content_id && p->encoding && p->filename && p->anomaly_text);
    ASSERT(p->part_count >= 0 && p->part_count <= LIMIT_MIME_PARTS);
    if (!p->is_rfc822) ASSERT(p->body.p >= s->lo && p->body.p + p->body.len <= s->hi);
    static const char *const enc[] = {"base64", "quoted-printable", "7bit"};
    for (size_t i = 0; i < NELEM(enc); i++) {
        int anomaly = 0;
        gstring *g = mime_decode(enc[i], p->body, NULL, &anomaly);
        ASSERT(g->len <= p->body.len + 1);
        ASSERT(anomaly >= 0 && anomaly <= MIME_ANOMALY_BROKEN_BASE64);
    }
    s->parts++;
    return OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rmark m = store_mark();
    span s = {(const char *)data, (const char *)data + size, 0};
    int last = -2;
    int rc = mime_walk((const char *)data, size, visit, &s, &last);
    ASSERT(rc == OK);
    ASSERT(last >= 0 && last < s.parts + 1);
    ASSERT(s.parts <= LIMIT_MIME_PARTS + 1);
    store_reset(m);
    return 0;
}
