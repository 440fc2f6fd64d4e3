/* fuzz_header.c - libFuzzer target for the message header parser
 * (header.c): the input is split into lines at LF, as receive.c does,
 * and fed to header_add_line() with small limits so the limit paths
 * are reached too. Checks that the joined headers never exceed the
 * limit and that every stored header ends with a newline. */
#include "tern.h"
#include "header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rmark m = store_mark();
    header_builder b;
    size_t max = 4096, line_max = 998;
    header_builder_init(&b, max, line_max);
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r') n--;
        enum header_add_result r = header_add_line(&b, p, n);
        if (r != HDR_OK) break;
        p = nl ? nl + 1 : end;
    }
    size_t total = 0;
    for (header_line *h = header_finish(&b); h; h = h->next) {
        ASSERT(h->slen > 0 && h->text[h->slen - 1] == '\n');
        total += h->slen;
        (void)header_value(h);
    }
    ASSERT(total <= max + line_max + 2);
    store_reset(m);
    return 0;
}
