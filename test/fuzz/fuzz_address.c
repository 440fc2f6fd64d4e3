/* fuzz_address.c - libFuzzer target for the address parsers: the
 * MAIL FROM:/RCPT TO: address (smtp_parse_address, with source routes,
 * quoted local parts and ESMTP parameters after it), one RFC 5322 mailbox
 * (exp_parse_address, behind ${address} ${domain} ${local_part}), header
 * address lists (expand_check_address_list for "verify = header_syntax",
 * ${addresses}) and the local-part/domain split of the router side
 * (route_split). The input is one line, NULs replaced as the SMTP line
 * reader replaces them, at most LIMIT_SMTP_CMD_LINE bytes for the SMTP
 * parser and LIMIT_DATA_LINE (one header line) for the header parsers.
 * Checks: results stay inside their input, a domain offset points into
 * the result, and ${address} of its own (non-empty) output gives the same
 * output. */
#include "tern.h"
#include "globals.h"
#include "expand_int.h"
#include "route.h"
#include "smtp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tainted_copy - the input as the network would give it: NUL-free */
static char *tainted_copy(const uint8_t *data, size_t size)
{
    char *s = store_get(size + 1, GET_TAINTED);
    for (size_t i = 0; i < size; i++) s[i] = data[i] ? (char)data[i] : '?';
    s[size] = 0;
    return s;
}

/* smtp_side - MAIL/RCPT argument: the address and the parameters after it */
static void smtp_side(const uint8_t *data, size_t size)
{
    if (size > LIMIT_SMTP_CMD_LINE) size = LIMIT_SMTP_CMD_LINE;
    char *line = tainted_copy(data, size), *addr, *rest, *name, *value;
    if (smtp_parse_address(line, &addr, &rest)) return;
    ASSERT(strlen(addr) <= size);
    ASSERT(rest >= line && rest <= line + size);
    char *lp, *dom;
    const char *err;
    if (*addr && route_split(addr, &lp, &dom, &err)) ASSERT(strlen(lp) < strlen(addr) + 1);
    while (smtp_split_param(rest, &name, &value)) ASSERT(name);
}

/* header_side - one mailbox, then the whole input as an address list */
static void header_side(const uint8_t *data, size_t size)
{
    if (size > LIMIT_DATA_LINE) size = LIMIT_DATA_LINE;
    char *s = tainted_copy(data, size), *err, *bad;
    int st, en, dom;
    char *a = exp_parse_address(s, &err, &st, &en, &dom, false);
    if (a && *a) {
        size_t n = strlen(a);
        ASSERT(n <= size && (size_t)dom <= n);
        char *again = exp_parse_address(a, &err, &st, &en, &dom, false);
        ASSERT(again && strcmp(again, a) == 0);
    }
    const char *why;
    if (!expand_check_address_list(s, &bad, &why)) ASSERT(bad && why);
    /* a leading '>' names the output separator: NULL if none follows */
    if (!exp_op_addresses(string_get(64), s, NULL, "addresses")) ASSERT(*exp_skip_ws(s) == '>');
    char *sep = string_sprintf(">;%s", s);
    ASSERT(exp_op_addresses(string_get(64), sep, NULL, "addresses"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    store_set_pool(POOL_MAIN);
    if (!cfg.qualify_domain) cfg.qualify_domain = string_copy("test.example");
    rmark m = store_mark();
    smtp_side(data, size);
    header_side(data, size);
    store_reset(m);
    return 0;
}
