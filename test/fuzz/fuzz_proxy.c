/* fuzz_proxy.c - libFuzzer target for the EXPERIMENTAL_PROXY header parser.
 *
 * The first input byte picks a chunk size so that the resumable paths
 * (a header arriving in pieces) are exercised as well as one-shot parsing;
 * the parser must never read or write outside its buffer (ASan) and must
 * agree with itself whatever the chunking. */
#include "tern.h"
#include "experimental/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xp_proxy_parser whole, pieces;
    if (size < 1) return 0;
    size_t chunk = (size_t)(data[0] % 32) + 1, used_whole, used, off = 0;
    const char *in = (const char *)data + 1;
    size--;
    xp_proxy_parser_init(&whole);
    int rc_whole = xp_proxy_parse(&whole, in, size, &used_whole);
    xp_proxy_parser_init(&pieces);
    int rc = P_MORE;
    while (rc == P_MORE && off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        rc = xp_proxy_parse(&pieces, in + off, n, &used);
        if (used > n) __builtin_trap();
        off += used;
    }
    if (rc != rc_whole || off != used_whole) __builtin_trap();
    if (used_whole > size || whole.len > sizeof whole.buf) __builtin_trap();
    if (rc_whole == P_OK && xp_proxy_need(&whole) != 0) __builtin_trap();
    return 0;
}
