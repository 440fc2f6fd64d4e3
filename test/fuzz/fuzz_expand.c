/* fuzz_expand.c - libFuzzer target for expand_string: any bytes as an
 * expansion string, with items that reach outside the process (run,
 * readsocket, readfile) left in but harmless because the fuzzer's inputs
 * are random; the store is reset after each input so memory stays flat. */
#include "tern.h"
#include "expand.h"
#include "globals.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        store_set_pool(POOL_MAIN);
        cfg.primary_hostname = "fuzz.example";
        init = true;
    }
    /* ${run} and ${readsocket} would act on the host: the fuzzer feeds
     * random text, so refuse inputs naming them rather than fork. */
    if (memmem(data, size, "run", 3) || memmem(data, size, "readsocket", 10)) return 0;
    rmark m = store_mark();
    char *s = store_get(size + 1, GET_UNTAINTED);
    memcpy(s, data, size);
    s[size] = 0;
    (void)expand_string(s);
    (void)expand_error();
    store_reset(m);
    return 0;
}
