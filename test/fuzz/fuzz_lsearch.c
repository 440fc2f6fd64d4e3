/* fuzz_lsearch.c - libFuzzer target: the lsearch file parser.
 * The input is an lsearch file; the first line (up to a newline) is also
 * used as the key so that matching lines are found as well as missed. */
#include "tern.h"
#include "lookups.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    store_set_pool(POOL_MAIN);
    rmark m = store_mark();
    const char *nl = memchr(data, '\n', size);
    size_t klen = nl ? (size_t)(nl - (const char *)data) : size;
    char *key = string_copyn_taint((const char *)data, klen, GET_TAINTED);
    char *result = NULL;
    (void)lsearch_scan_buffer((const char *)data, size, key, &result);
    (void)lsearch_scan_buffer((const char *)data, size, "*", &result);
    store_reset(m);
    return 0;
}
