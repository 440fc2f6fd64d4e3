/* fuzz_lists.c - libFuzzer target: list matching with a fuzzed list.
 * Input: "subject\0list". The list is matched as a domain, local part,
 * address and host list, and by match_ip. Lookup and file items may name
 * files that do not exist (they defer); DNS items (@mx_any, dnsdb, host
 * names) reach only offline.c's resolver, which finds nothing. */
#include "tern.h"
#include "match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    store_set_pool(POOL_MAIN);
    rmark m = store_mark();
    const char *zero = memchr(data, 0, size);
    if (!zero) return 0;
    size_t slen = (size_t)(zero - (const char *)data);
    char *subject = string_copyn_taint((const char *)data, slen, GET_TAINTED);
    /* lists come from the config, so untainted */
    char *list = string_copyn_taint(zero + 1, size - slen - 1, GET_UNTAINTED);
    (void)match_isinlist(subject, list, MCL_DOMAIN, true, NULL);
    (void)match_isinlist(subject, list, MCL_LOCALPART, false, NULL);
    (void)match_address_list(subject, true, list, NULL);
    (void)match_ip(subject, list);
    match_host h = {.address = "192.0.2.1", .name = subject, .lookup_allowed = true};
    (void)match_host_list(&h, list, NULL);
    match_reset_cache();
    store_reset(m);
    return 0;
}
