/* test_deliver_wire.c - the bytes between the delivery process and its
 * local delivery agents (deliver_wire.c, deliver_local_results): every
 * field survives a round trip with its taint, and malformed bytes from
 * the less privileged agent are refused without reading past their end.
 *
 * Received bytes are copied to the very end of a mapping whose next page
 * is unreadable, so a parser that reads one byte too far crashes even
 * without the sanitizers. */

/* System */
#include <sys/mman.h>
#include <sys/stat.h>
/* MTA core */
#include "tern.h"
#include "deliver_int.h"
#include "deliver_wire.h"
#include "readconf.h"
#include "route.h"
#include "router.h"
#include "transport.h"
#include "unit.h"

static char dir[64];

/* ---- helpers ---- */

/* guarded - a copy of len bytes of s that ends where an unreadable page
 * starts; the previous copy is unmapped */
static char *guarded(const char *s, size_t len)
{
    static char *map;
    static size_t maplen;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (map) munmap(map, maplen);
    maplen = ((len + page - 1) / page + 1) * page;
    map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) { perror("mmap"); exit(2); }
    if (mprotect(map + maplen - page, page, PROT_NONE) != 0) { perror("mprotect"); exit(2); }
    char *p = map + maplen - page - len;
    if (len) memcpy(p, s, len);
    return p;
}

static char *tainted(const char *s) { return string_copy_taint(s, true); }

/* same_str - equal text (or both NULL) and equal taint */
static bool same_str(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0 && store_is_tainted(a) == store_is_tainted(b);
}

#define CHECK_SAME(got, want, label) do { \
    const char *g2_ = (got), *w2_ = (want); \
    CHECK_STR(g2_, w2_, label); \
    CHECK(same_str(g2_, w2_), label " (taint)"); \
} while (0)

/* The string fields of address_item and reply_item that must survive:
 * written out here rather than taken from deliver_wire.c, so that a field
 * dropped from its lists fails this test */
static const size_t addr_strs[] = {
    offsetof(address_item, address),         offsetof(address_item, unique),
    offsetof(address_item, local_part),      offsetof(address_item, domain),
    offsetof(address_item, prefix),          offsetof(address_item, suffix),
    offsetof(address_item, prefix_v),        offsetof(address_item, suffix_v),
    offsetof(address_item, cc_local_part),   offsetof(address_item, address_data),
    offsetof(address_item, local_part_data), offsetof(address_item, domain_data),
    offsetof(address_item, errors_address),  offsetof(address_item, home_dir),
    offsetof(address_item, current_dir),     offsetof(address_item, return_path),
    offsetof(address_item, remove_headers),  offsetof(address_item, self_hostname),
    offsetof(address_item, dsn_orcpt),       offsetof(address_item, message),
    offsetof(address_item, user_message),
};
static const size_t reply_strs[] = {
    offsetof(reply_item, to),      offsetof(reply_item, cc),       offsetof(reply_item, bcc),
    offsetof(reply_item, from),    offsetof(reply_item, reply_to), offsetof(reply_item, subject),
    offsetof(reply_item, headers), offsetof(reply_item, text),     offsetof(reply_item, file),
    offsetof(reply_item, log),     offsetof(reply_item, once),     offsetof(reply_item, once_repeat),
};
#define STR_AT(base, off) (*(char **)((char *)(base) + (off)))

/* value - the k'th test string: empty, NULL, tainted or not, bytes a
 * parser might take for its own syntax */
static char *value(int k)
{
    static const char *const texts[] = {
        "", NULL, "user@example.com", "12:starts with a length", "with\nnewlines\n", "colons:a:b:",
        "-", "T", "T3:abc", "\x01\x02\x7f\x80\xfe\xff binary", " leading space", "0:", "9",
    };
    const char *t = texts[k % (int)NELEM(texts)];
    if (!t) return NULL;
    return (k / (int)NELEM(texts)) % 2 ? tainted(t) : string_copy(t);
}

static header_line *header(int type, char *text, header_line *next)
{
    header_line *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    h->type = type;
    h->text = text;
    h->slen = strlen(text);
    h->next = next;
    return h;
}

static reply_item *reply(int seed, bool expand, bool ret)
{
    reply_item *rp = store_get_zero(sizeof *rp, GET_UNTAINTED);
    for (size_t i = 0; i < NELEM(reply_strs); i++) STR_AT(rp, reply_strs[i]) = value(seed + (int)i);
    rp->file_expand = expand;
    rp->return_message = ret;
    return rp;
}

/* full_address - an address with every field that crosses the wire set
 * (strings from value(seed...)), linked below parent */
static address_item *full_address(int seed, address_item *parent)
{
    address_item *a = store_get_zero(sizeof *a, GET_UNTAINTED);
    for (size_t i = 0; i < NELEM(addr_strs); i++) STR_AT(a, addr_strs[i]) = value(seed + (int)i * 3);
    a->parent = parent;
    a->uid = seed % 2 ? 4294967294L : -1;
    a->gid = 1000 + seed;
    a->flags = 0x80000000u | AFL_UID_SET | AFL_GID_SET | (unsigned)seed;
    a->dsn_flags = seed * 7;
    a->parent_index = seed % 3 ? seed : -1;
    a->special_action = SPECIAL_WARN;
    a->transport_return = PENDING_DEFER;
    a->basic_errno = -24;
    a->more_errno = seed * 1000;
    a->dsn_aware = seed % 2;
    a->router = route_find_router(seed % 2 ? "r_local" : "r_other");
    a->start_router = seed % 3 ? route_find_router("r_other") : NULL;
    a->transport = seed % 4 ? route_find_transport(seed % 2 ? "t_file" : "t_pipe") : NULL;
    if (seed % 2)
        a->extra_headers = header('T', tainted("X-Tainted: 1\n"),
                                  header(' ', string_copy("X-Plain: a:b\n\tcont\n"), header('C', string_copy("0:\n"), NULL)));
    if (seed % 3) a->reply = reply(seed, seed % 2, !(seed % 2));
    return a;
}

static void compare_headers(const header_line *got, const header_line *want)
{
    for (; got && want; got = got->next, want = want->next) {
        CHECK_INT(got->type, want->type, "header type");
        CHECK_SAME(got->text, want->text, "header text");
        CHECK_INT(got->slen, want->slen, "header slen");
    }
    CHECK(!got && !want, "header count");
}

static void compare_reply(const reply_item *got, const reply_item *want)
{
    CHECK((got == NULL) == (want == NULL), "reply present");
    if (!got || !want) return;
    for (size_t i = 0; i < NELEM(reply_strs); i++) CHECK_SAME(STR_AT(got, reply_strs[i]), STR_AT(want, reply_strs[i]), "reply field");
    CHECK_INT(got->file_expand, want->file_expand, "reply file_expand");
    CHECK_INT(got->return_message, want->return_message, "reply return_message");
}

/* compare_one - the fields of one address (not its parent) */
static void compare_one(const address_item *got, const address_item *want)
{
    for (size_t i = 0; i < NELEM(addr_strs); i++) CHECK_SAME(STR_AT(got, addr_strs[i]), STR_AT(want, addr_strs[i]), "address field");
    CHECK_INT(got->uid, want->uid, "uid");
    CHECK_INT(got->gid, want->gid, "gid");
    CHECK_INT(got->flags, want->flags, "flags");
    CHECK_INT(got->dsn_flags, want->dsn_flags, "dsn_flags");
    CHECK_INT(got->parent_index, want->parent_index, "parent_index");
    CHECK_INT(got->special_action, want->special_action, "special_action");
    CHECK_INT(got->transport_return, want->transport_return, "transport_return");
    CHECK_INT(got->basic_errno, want->basic_errno, "basic_errno");
    CHECK_INT(got->more_errno, want->more_errno, "more_errno");
    CHECK_INT(got->dsn_aware, want->dsn_aware, "dsn_aware");
    CHECK(got->router == want->router, "router instance");
    CHECK(got->start_router == want->start_router, "start_router instance");
    CHECK(got->transport == want->transport, "transport instance");
    compare_headers(got->extra_headers, want->extra_headers);
    compare_reply(got->reply, want->reply);
}

/* chain_of - addresses with ancestors of depth 0, 1 and 3 */
static address_item *chain_of(void)
{
    address_item *a0 = full_address(1, NULL);
    address_item *a1 = full_address(2, full_address(3, NULL));
    address_item *a2 = full_address(4, full_address(5, full_address(6, full_address(7, NULL))));
    a0->next = a1;
    a1->next = a2;
    return a0;
}

static const char hdata[] = "1xW6l2-0002K2-2Z-H\n\0binary\nend";

static gstring *request_of(const address_item *chain)
{
    return wire_request(hdata, sizeof hdata - 1, 98765, chain);
}

/* take - wire_take_request over a guarded copy of len bytes of s */
static bool take(const char *s, size_t len, address_item **chain)
{
    char *h;
    size_t hl;
    long off;
    *chain = NULL;
    return wire_take_request(guarded(s, len), len, &h, &hl, &off, chain);
}

/* ---- requests ---- */

static void test_round_trip(void)
{
    address_item *want = chain_of();
    gstring *g = request_of(want);
    char *h;
    size_t hl;
    long off;
    address_item *got;
    bool ok = wire_take_request(guarded(g->s, g->len), g->len, &h, &hl, &off, &got);
    CHECK(ok, "round trip accepted");
    if (!ok) return;
    CHECK_INT(hl, sizeof hdata - 1, "hlen");
    CHECK(memcmp(h, hdata, hl) == 0, "hdata bytes");
    CHECK_INT(off, 98765, "data offset");
    static const int depths[] = {0, 1, 3};
    int n = 0;
    for (address_item *a = got, *w = want; a || w; a = a->next, w = w->next, n++) {
        CHECK(a && w, "chain length");
        if (!a || !w) return;
        int depth = 0;
        for (address_item *p = a, *q = w; p || q; p = p->parent, q = q->parent, depth++) {
            CHECK(p && q, "ancestor count");
            if (!p || !q) break;
            compare_one(p, q);
            CHECK(p == a || p->next == NULL, "ancestors are not linked by next");
        }
        CHECK_INT(depth - 1, depths[n], "depth");
    }
    CHECK_INT(n, 3, "addresses");
    CHECK(store_is_tainted(got->extra_headers->text), "tainted header stays tainted");
    CHECK(!store_is_tainted(got->extra_headers->next->text), "untainted header stays untainted");
}

/* test_single - one address without parent, headers or reply, and NULL
 * drivers: the smallest request */
static void test_single(void)
{
    address_item a = {.address = "x@y"}, *got;
    gstring *g = request_of(&a);
    CHECK(take(g->s, g->len, &got), "minimal request");
    CHECK(got && !got->next && !got->parent && !got->router && !got->transport && !got->reply && !got->extra_headers,
          "minimal request fields");
    if (got) CHECK_STR(got->address, "x@y", "minimal address");
}

static void test_prefixes(void)
{
    gstring *g = request_of(chain_of());
    int accepted = 0;
    for (size_t len = 0; len < g->len; len++) {
        rmark m = store_mark();
        address_item *got;
        if (take(g->s, len, &got)) accepted++;
        store_reset(m);
    }
    CHECK_INT(accepted, 0, "truncated requests refused");
    address_item *got;
    CHECK(take(g->s, g->len, &got), "whole request accepted");
    static const char *const tails[] = {"x", " ", "0", "\n", "-"};
    for (size_t i = 0; i < NELEM(tails); i++) {
        gstring *t = string_cat(string_catn(NULL, g->s, g->len), tails[i]);
        CHECK(!take(t->s, t->len, &got), "trailing garbage refused");
    }
}

/* test_unknown_drivers - a name this configuration does not have */
static void test_unknown_drivers(void)
{
    router_instance fake_r = *route_find_router("r_local");
    transport_instance fake_t = *route_find_transport("t_file");
    fake_r.drinst.name = "no_such_router";
    fake_t.drinst.name = "no_such_transport";
    address_item a = {.address = "x@y", .router = route_find_router("r_local"), .transport = route_find_transport("t_file")};
    address_item *got;
    gstring *g = request_of(&a);
    CHECK(take(g->s, g->len, &got), "known drivers");
    address_item b = a;
    b.router = &fake_r;
    g = request_of(&b);
    CHECK(!take(g->s, g->len, &got), "unknown router");
    b = a;
    b.start_router = &fake_r;
    g = request_of(&b);
    CHECK(!take(g->s, g->len, &got), "unknown start_router");
    b = a;
    b.transport = &fake_t;
    g = request_of(&b);
    CHECK(!take(g->s, g->len, &got), "unknown transport");
    address_item parent = b, child = a;
    child.parent = &parent;
    g = request_of(&child);
    CHECK(!take(g->s, g->len, &got), "unknown transport in an ancestor");
}

/* The hand-made requests: a request for one address "ADDR" with no
 * drivers, headers or reply, with one piece replaced */
static const char base_head[] = "1:H7 1 0 ";
static const char base_addr[] = "4:ADDR";
static const char base_tail[] = "---0 0 ";

static struct {
    const char *what, *head, *addr, *tail;
    bool ok;
} const edits[] = {
    {"unedited", NULL, NULL, NULL, true},
    {"tainted string", NULL, "T4:ADDR", NULL, true},
    {"empty string", NULL, "0:", NULL, true},
    {"one header", NULL, NULL, "---1 84 2:ab0 ", true},
    {"a reply", NULL, NULL, "---0 1 1 0 ------------", true},
    {"negative count", "1:H7 -1 0 ", NULL, NULL, false},
    {"huge count", "1:H7 1000000000 0 ", NULL, NULL, false},
    {"count past long", "1:H7 99999999999999999999 0 ", NULL, NULL, false},
    {"negative depth", "1:H7 1 -1 ", NULL, NULL, false},
    {"huge depth", "1:H7 1 9223372036854775807 ", NULL, NULL, false},
    {"depth past the bytes", "1:H7 1 200 ", NULL, NULL, false},
    {"depth past long", "1:H7 1 9223372036854775808 ", NULL, NULL, false},
    {"header length past end", "999:H7 1 0 ", NULL, NULL, false},
    {"header length not digits", "x:H7 1 0 ", NULL, NULL, false},
    {"header length signed", "+1:H7 1 0 ", NULL, NULL, false},
    {"header length spaced", " 1:H7 1 0 ", NULL, NULL, false},
    {"header length no colon", "1H7 1 0 ", NULL, NULL, false},
    {"number without space", "1:H7 1 0", NULL, NULL, false},
    {"number spaced", "1:H 7 1 0 ", NULL, NULL, false},
    {"string length past end", NULL, "99999:ADDR", NULL, false},
    {"string length past long", NULL, "99999999999999999999999:ADDR", NULL, false},
    {"string length not digits", NULL, "x:ADDR", NULL, false},
    {"string length negative", NULL, "T-4:ADDR", NULL, false},
    {"string length signed", NULL, "+4:ADDR", NULL, false},
    {"string no colon", NULL, "4ADDR", NULL, false},
    {"tainted no colon", NULL, "T4ADDR", NULL, false},
    {"string too long", NULL, "5:ADDR", NULL, false},
    {"string too short", NULL, "3:ADDR", NULL, false},
    {"negative header count", NULL, NULL, "----1 0 ", false},
    {"header count past the bytes", NULL, NULL, "---5 84 2:ab0 ", false},
    {"header without text", NULL, NULL, "---1 84 -0 ", false},
    {"reply cut short", NULL, NULL, "---0 1 1 0 ---", false},
};

/* edited - base request with the edit's pieces; the part between the
 * address and the tail is the other 20 string fields, all NULL; the
 * tail starts with the three driver names */
static gstring *edited(int i)
{
    gstring *g = string_cat(NULL, edits[i].head ? edits[i].head : base_head);
    g = string_cat(g, "1 2 3 4 5 6 7 8 9 0 ");
    g = string_cat(g, edits[i].addr ? edits[i].addr : base_addr);
    g = string_cat(g, "--------------------");
    return string_cat(g, edits[i].tail ? edits[i].tail : base_tail);
}

static void test_edits(void)
{
    for (int i = 0; i < (int)NELEM(edits); i++) {
        gstring *g = edited(i);
        address_item *got;
        bool ok = take(g->s, g->len, &got);
        if (ok != edits[i].ok) fprintf(stderr, "edit: %s: %.*s\n", edits[i].what, (int)g->len, g->s);
        CHECK(ok == edits[i].ok, edits[i].what);
    }
    address_item *got;
    gstring *g = edited(1);
    CHECK(take(g->s, g->len, &got) && got->address && store_is_tainted(got->address), "T marks taint");
    g = edited(3);
    CHECK(take(g->s, g->len, &got) && got->extra_headers && got->extra_headers->type == 'T', "hand header type");
    CHECK(take("1:H7 0 ", 7, &got) == false && got == NULL, "empty chain refused");
    CHECK(!take("", 0, &got), "empty request refused");
    CHECK(!take("0:", 2, &got), "no chain");
}

/* test_take_long - the number parser by itself */
static void test_take_long(void)
{
    static const struct { const char *in; long v; bool bad; size_t used; } t[] = {
        {"0 ", 0, false, 2},       {"-5 x", -5, false, 3},    {"42 ", 42, false, 3},
        {"9223372036854775807 ", 9223372036854775807L, false, 20},
        {"9223372036854775808 ", 0, true, 0}, {"-9223372036854775807 ", -9223372036854775807L, false, 21},
        {"", 0, true, 0},          {"-", 0, true, 0},         {"- 1 ", 0, true, 0},
        {"1", 0, true, 0},         {" 1 ", 0, true, 0},       {"+1 ", 0, true, 0},
        {"1\n", 0, true, 0},       {"0x1 ", 0, true, 0},      {"12a ", 0, true, 0},
    };
    for (size_t i = 0; i < NELEM(t); i++) {
        size_t len = strlen(t[i].in);
        char *p = guarded(t[i].in, len);
        wire_reader r = {.p = p, .end = p + len};
        long v = wire_take_long(&r);
        CHECK_INT(r.bad, t[i].bad, t[i].in);
        if (!t[i].bad) CHECK_INT(v, t[i].v, t[i].in);
        if (!t[i].bad) CHECK_INT(r.p - p, t[i].used, t[i].in);
    }
}

/* ---- framing ---- */

/* frames_end - wire_frames_end over a guarded copy */
static size_t frames_end(const char *s, size_t len, gstring **payload)
{
    return wire_frames_end(guarded(s, len), len, payload);
}

static void test_frames(void)
{
    static const char *const pieces[] = {"abc", "de\nf\n", "0\n", "x", "1:2 3 T4:five\n"};
    gstring *one = wire_frame(pieces[0], 3), *payload;
    one = string_cat(one, "0\n");
    CHECK_INT(frames_end(one->s, one->len, &payload), one->len, "one frame");
    CHECK(payload->len == 3 && memcmp(payload->s, "abc", 3) == 0, "one frame payload");
    gstring *many = NULL, *joined = NULL;
    for (size_t i = 0; i < NELEM(pieces); i++) {
        gstring *f = wire_frame(pieces[i], strlen(pieces[i]));
        many = string_catn(many, f->s, f->len);
        joined = string_cat(joined, pieces[i]);
    }
    many = string_cat(many, "0\n");
    size_t whole = many->len;
    many = string_cat(many, "5\nafter");
    CHECK_INT(frames_end(many->s, many->len, &payload), whole, "many frames: end of the closing frame");
    CHECK(payload->len == joined->len && memcmp(payload->s, joined->s, joined->len) == 0, "many frames payload");
    int early = 0;
    for (size_t len = 0; len < whole; len++)
        if (frames_end(many->s, len, &payload) != 0) early++;
    CHECK_INT(early, 0, "every incomplete stream returns 0");
    CHECK_INT(frames_end("0\n", 2, &payload), 2, "closing frame alone");
    CHECK_INT(payload->len, 0, "closing frame alone: no payload");
    CHECK_INT(frames_end("00\n", 3, &payload), 3, "zero written 00");
}

static void test_frame_garbage(void)
{
    static const char *const bad[] = {
        "x\nabc0\n", "-1\nabc0\n", " 3\nabc0\n", "3 \nabc0\n", "+3\nabc0\n", "\n0\n", "\n",
        "3\nab", "99999999999999999999999\nabc0\n", "18446744073709551615\nabc0\n", "3\nabc", "3\nabc0",
        "3\nabc\n0\n", "0x1\na0\n", "3",
    };
    for (size_t i = 0; i < NELEM(bad); i++) {
        gstring *payload;
        CHECK_INT(frames_end(bad[i], strlen(bad[i]), &payload), 0, bad[i]);
    }
}

/* ---- results ---- */

typedef struct res {
    long idx, rc, e, me, sa, us;
    const char *s[7]; /* message, user_message, return_text, log_note, rcpts, text, shadow */
} res;

/* result_bytes - one result as the agent's report() writes it */
static gstring *result_bytes(gstring *g, const res *x)
{
    g = string_fmt_append(g, "%ld %ld %ld %ld %ld %ld ", x->idx, x->rc, x->e, x->me, x->sa, x->us);
    for (int i = 0; i < 7; i++) g = wire_put_str(g, x->s[i] ? (i == 0 ? tainted(x->s[i]) : string_copy(x->s[i])) : NULL);
    return string_catc(g, '\n');
}

/* plain_chain - three addresses for the pipe transport, fields set to
 * values no result uses */
static address_item *plain_chain(address_item *arr)
{
    for (int i = 0; i < 3; i++) {
        arr[i] = (address_item){.address = "old@x", .message = "old", .user_message = "old", .return_text = "old",
                                .log_note = "old", .shadow_message = "old", .transport_return = PENDING_DEFER,
                                .basic_errno = 1, .more_errno = 2, .special_action = 3, .delivery_time_us = 4,
                                .transport = route_find_transport("t_pipe"), .next = i < 2 ? &arr[i + 1] : NULL};
    }
    return arr;
}

static const res good[] = {
    {2, DEFER, 13, 256, SPECIAL_WARN, 123456789012L, {"mess:age\n", "", "returned\noutput", NULL, NULL, NULL, " ST=shadow"}},
    {0, OK, 0, 0, 0, 42, {NULL, NULL, NULL, "logged note", "x@y.example", NULL, NULL}},
    {1, PANIC, -24, -1, 0, 0, {"filter failed", "T9:x", "", "", NULL, NULL, ""}},
};

/* check_applied - arr[x->idx] carries x; rc PANIC defers and flags */
static void check_applied(const address_item *a, const res *x)
{
    CHECK_INT(a->transport_return, x->rc == PANIC ? DEFER : x->rc, "transport_return");
    CHECK_INT((a->flags & AFL_LOG_PANIC) != 0, x->rc == PANIC, "panic flag");
    CHECK_INT(a->basic_errno, x->e, "basic_errno");
    CHECK_INT(a->more_errno, x->me, "more_errno");
    CHECK_INT(a->special_action, x->sa, "special_action");
    CHECK_INT(a->delivery_time_us, x->us, "delivery_time_us");
    CHECK_STR(a->message, x->s[0], "message");
    CHECK(!a->message || store_is_tainted(a->message), "message taint kept");
    CHECK_STR(a->user_message, x->s[1], "user_message");
    CHECK(!a->user_message || !store_is_tainted(a->user_message), "user_message untainted");
    CHECK_STR(a->return_text, x->s[2], "return_text");
    CHECK_STR(a->log_note, x->s[3], "log_note");
    CHECK_STR(a->shadow_message, x->s[6], "shadow_message");
}

static void test_results(void)
{
    address_item arr[3];
    gstring *g = NULL;
    for (size_t i = 0; i < NELEM(good); i++) g = result_bytes(g, &good[i]);
    deliver_local_results(plain_chain(arr), guarded(g->s, g->len), g->len);
    for (size_t i = 0; i < NELEM(good); i++) check_applied(&arr[good[i].idx], &good[i]);
    CHECK(arr[0].user_message == NULL && arr[2].user_message && !*arr[2].user_message, "empty vs NULL user_message");
    /* the newline after a result is optional */
    g = NULL;
    for (size_t i = 0; i < NELEM(good); i++) {
        g = result_bytes(g, &good[i]);
        g->len--;
    }
    deliver_local_results(plain_chain(arr), guarded(g->s, g->len), g->len);
    for (size_t i = 0; i < NELEM(good); i++) check_applied(&arr[good[i].idx], &good[i]);
}

/* test_warn_not_appendfile - SPECIAL_WARN from the agent for a pipe
 * transport's address: appendfile's quota warning would read the pipe's
 * options as appendfile's; nothing may be spooled */
static void test_warn_not_appendfile(void)
{
    address_item arr[3];
    const res warn = {1, OK, 0, 0, SPECIAL_WARN, 5, {NULL, NULL, NULL, NULL, NULL, NULL, NULL}};
    gstring *g = result_bytes(NULL, &warn);
    deliver_local_results(plain_chain(arr), guarded(g->s, g->len), g->len);
    check_applied(&arr[1], &warn);
    struct stat st;
    CHECK(stat(string_sprintf("%s/spool/input", dir), &st) != 0, "no quota warning spooled for a pipe transport");
}

/* changed - how many of arr differ from their copies in before */
static int changed(const address_item *arr, const address_item *before)
{
    int n = 0;
    for (int i = 0; i < 3; i++) n += memcmp(&arr[i], &before[i], sizeof arr[i]) != 0;
    return n;
}

/* test_result_prefixes - a prefix applies exactly the whole results in it */
static void test_result_prefixes(void)
{
    gstring *g = NULL;
    size_t ends[NELEM(good)];
    for (size_t i = 0; i < NELEM(good); i++) {
        g = result_bytes(g, &good[i]);
        ends[i] = g->len - 1; /* the newline is optional */
    }
    int wrong = 0;
    for (size_t len = 0; len <= g->len; len++) {
        address_item arr[3], before[3];
        plain_chain(arr);
        memcpy(before, arr, sizeof arr);
        deliver_local_results(arr, guarded(g->s, len), len);
        int whole = 0;
        for (size_t i = 0; i < NELEM(good); i++) whole += len >= ends[i];
        if (changed(arr, before) != whole) wrong++, fprintf(stderr, "prefix %zu: %d changed, want %d\n", len, changed(arr, before), whole);
        for (int i = 0; i < whole; i++) check_applied(&arr[good[i].idx], &good[i]);
    }
    CHECK_INT(wrong, 0, "truncated results apply only their whole results");
}

static const struct {
    const char *what, *bytes;
} bad_results[] = {
    {"index past the chain", "3 0 0 0 0 0 -------\n"},
    {"index far past the chain", "1000000 0 0 0 0 0 -------\n"},
    {"index wrapping to 0 as int", "4294967296 0 0 0 0 0 -------\n"},
    {"index past long", "99999999999999999999 0 0 0 0 0 -------\n"},
    {"negative index", "-1 0 0 0 0 0 -------\n"},
    {"index not a number", "a 0 0 0 0 0 -------\n"},
    {"rc not a number", "0 OK 0 0 0 0 -------\n"},
    {"rc not a result a transport gives", "0 57 0 0 0 0 -------\n"},
    {"rc out of int range", "0 4294967296 0 0 0 0 -------\n"},
    {"errno not a number", "0 0 1e3 0 0 0 -------\n"},
    {"time not a number", "0 0 0 0 0 1.5 -------\n"},
    {"sign alone", "0 - 0 0 0 0 -------\n"},
    {"missing string", "0 0 0 0 0 0 ------\n"},
    {"string length past end", "0 0 0 0 0 0 ------99:x\n"},
    {"string length not digits", "0 0 0 0 0 0 x:------\n"},
    {"string no colon", "0 0 0 0 0 0 T1x------\n"},
    {"double space", "0  0 0 0 0 0 -------\n"},
    {"tab separated", "0\t0 0 0 0 0 -------\n"},
    {"only a newline", "\n"},
};

/* test_bad_results - nothing changes, and a result after a bad one is
 * not taken either; a good result before one is */
static void test_bad_results(void)
{
    gstring *first = result_bytes(NULL, &good[1]);
    for (size_t i = 0; i < NELEM(bad_results); i++) {
        address_item arr[3], before[3];
        plain_chain(arr);
        memcpy(before, arr, sizeof arr);
        gstring *g = string_cat(string_cat(NULL, bad_results[i].bytes), "0 0 0 0 0 0 -------\n");
        deliver_local_results(arr, guarded(g->s, g->len), g->len);
        CHECK_INT(changed(arr, before), 0, bad_results[i].what);
        g = string_cat(string_catn(NULL, first->s, first->len), bad_results[i].bytes);
        deliver_local_results(arr, guarded(g->s, g->len), g->len);
        CHECK_INT(changed(arr, before), 1, bad_results[i].what);
        check_applied(&arr[0], &good[1]);
    }
}

/* ---- setup ---- */

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tern-wire-%d", (int)getpid());
    mkdir(dir, 0700);
    char *path = string_sprintf("%s/tern.conf", dir);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(2); }
    fprintf(f, "primary_hostname = wire.example\nspool_directory = %s/spool\nlog_file_path = %s/%%slog\n", dir, dir);
    fputs("begin routers\n"
          "r_local:\n  driver = accept\n  transport = t_file\n"
          "r_other:\n  driver = accept\n  transport = t_pipe\n"
          "begin transports\n"
          "t_file:\n  driver = appendfile\n  file = /dev/null\n"
          "t_pipe:\n  driver = pipe\n  command = /bin/true\n", f);
    fclose(f);
    readconf_read(path);
    if (!route_find_router("r_local") || !route_find_transport("t_pipe")) { fprintf(stderr, "config not loaded\n"); exit(2); }
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    setup();
    test_round_trip();
    test_single();
    test_prefixes();
    test_unknown_drivers();
    test_edits();
    test_take_long();
    test_frames();
    test_frame_garbage();
    test_results();
    test_warn_not_appendfile();
    test_result_prefixes();
    test_bad_results();
    if (!getenv("TERN_KEEP_TMP") && system(string_sprintf("rm -rf %s", dir)) != 0) fprintf(stderr, "cleanup failed\n");
    return unit_done("test_deliver_wire");
}
