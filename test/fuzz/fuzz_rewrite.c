/* fuzz_rewrite.c - libFuzzer target for the address parser and header
 * rewriting (addr_parse.c, rewrite_header.c): the input is parsed as one
 * mailbox and, as the value of a To: header, rewritten by a few rules
 * (wildcards, a regex with captures, a whole-item "w" rule, an R rule
 * that always matches). Checks the reported spans lie inside the input
 * and that a rewritten header still ends with its newline. */
#include "tern.h"
#include "addr_parse.h"
#include "globals.h"
#include "message.h"
#include "rewrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rewrite_rule *rules(void)
{
    static rewrite_rule *list;
    static const char *const lines[] = {
        "*@old.example $1@new.example", "\\N^(.+)@(.*)\\.x$\\N $2-$1@y.example",
        "w@* \"N\xc3\xa9 <w@$domain> (c)\" w", "\\N^(a+)@a$\\N ${1}a@a R", NULL};
    if (list) return list;
    rewrite_rule **tail = &list;
    for (int i = 0; lines[i]; i++) {
        rewrite_rule *r = store_get_in(POOL_PERM, sizeof *r, GET_UNTAINTED);
        ASSERT(rewrite_parse_line(lines[i], false, r) == NULL);
        *tail = r;
        tail = &r->next;
    }
    return list;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, 0, size)) return 0;
    cfg.qualify_domain = "q.example";
    cfg.qualify_recipient = "r.example";
    const rewrite_rule *rl = rules();
    rmark m = store_mark();
    char *s = string_copyn_taint((const char *)data, size, GET_TAINTED);
    addr_parsed pa;
    enum addr_group g = GROUP_ALLOWED;
    if (!addr_parse_extract(s, true, &g, &pa)) {
        ASSERT(pa.start <= pa.end && pa.end <= size);
        ASSERT(pa.domain <= strlen(pa.address));
    }
    (void)addr_parse_item_end(s);
    (void)addr_parse_has_at(s);
    char *text = string_sprintf("To: %s\n", s);
    header_line h = {.text = text, .slen = strlen(text), .type = HTYPE_TO};
    char *n = rewrite_header_line(rl, &h, true);
    if (n) ASSERT(*n && n[strlen(n) - 1] == '\n');
    store_reset(m);
    return 0;
}
