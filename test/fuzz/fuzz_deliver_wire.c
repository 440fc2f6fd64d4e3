/* fuzz_deliver_wire.c - libFuzzer target for the bytes between the
 * delivery process and a local delivery agent (deliver_wire.c,
 * deliver_local_results): the agent runs with less privilege, so what
 * it sends must never make the delivery process read out of bounds.
 *
 * Each input goes, in an exact-size copy (no terminator to stop a
 * runaway parser), to wire_frames_end, to deliver_local_results over a
 * fixed chain of three addresses (appendfile, pipe, pipe with a parent)
 * and to wire_take_request with a small configuration loaded once. A
 * request that is accepted is written again and must then survive a
 * second round trip unchanged. The spool directory cannot be created
 * (under /dev/null), so a result that asks for a generated message or a
 * quota warning fails to spool instead of starting a delivery; logs go
 * to /dev/null. */

/* System */
#include <stdint.h>
/* MTA core */
#include "tern.h"
#include "deliver_int.h"
#include "deliver_wire.h"
#include "globals.h"
#include "readconf.h"
#include "route.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] =
    "primary_hostname = wire.example\n"
    "spool_directory = /dev/null/fuzz-spool\n"
    "log_file_path = /dev/null\n"
    "begin routers\n"
    "r_local:\n  driver = accept\n  transport = t_file\n"
    "r_other:\n  driver = accept\n  transport = t_pipe\n"
    "begin transports\n"
    "t_file:\n  driver = appendfile\n  file = /dev/null\n  quota = 1M\n  quota_warn_threshold = 1\n"
    "t_pipe:\n  driver = pipe\n  command = /bin/true\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char path[64];
    snprintf(path, sizeof path, "/tmp/tern-fuzz-wire-%d.conf", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f || fputs(config, f) < 0 || fclose(f) != 0) abort();
    store_set_pool(POOL_MAIN);
    readconf_read(path);
    unlink(path);
    if (!route_find_transport("t_file") || !route_find_router("r_other")) abort();
    return 0;
}

/* chain_of - the addresses results are filled into, in arr */
static address_item *chain_of(address_item *arr, address_item *parent)
{
    *parent = (address_item){.address = "parent@wire.example", .router = route_find_router("r_other")};
    for (int i = 0; i < 3; i++)
        arr[i] = (address_item){.address = "user@wire.example", .transport_return = PENDING_DEFER,
                                .uid = 65534, .gid = 65534, .router = route_find_router("r_local"),
                                .transport = route_find_transport(i ? "t_pipe" : "t_file"),
                                .next = i < 2 ? &arr[i + 1] : NULL};
    arr[2].parent = parent;
    return arr;
}

static void check_frames(char *buf, size_t size)
{
    gstring *payload;
    size_t end = wire_frames_end(buf, size, &payload);
    if (end > size) __builtin_trap();
    if (!end) return;
    if (end < 2 || buf[end - 1] != '\n' || buf[end - 2] != '0' || payload->len > end) __builtin_trap();
    if (wire_frames_end(buf, end, &payload) != end || wire_frames_end(buf, end - 1, &payload) != 0) __builtin_trap();
}

static void check_results(char *buf, size_t size)
{
    address_item arr[3], parent;
    deliver_local_results(chain_of(arr, &parent), buf, size);
    if (arr[0].next != &arr[1] || arr[1].next != &arr[2] || arr[2].next || arr[2].parent != &parent) __builtin_trap();
}

/* check_again - a second round trip of g gives g again */
static void check_again(const gstring *g)
{
    char *copy = malloc(g->len ? g->len : 1), *h;
    memcpy(copy, g->s, g->len);
    size_t hl;
    long off;
    address_item *chain;
    if (!wire_take_request(copy, g->len, &h, &hl, &off, &chain)) __builtin_trap();
    gstring *again = wire_request(h, hl, off, chain);
    if (again->len != g->len || memcmp(again->s, g->s, g->len) != 0) __builtin_trap();
    free(copy);
}

static void check_request(char *buf, size_t size)
{
    char *h;
    size_t hl;
    long off;
    address_item *chain;
    if (!wire_take_request(buf, size, &h, &hl, &off, &chain)) return;
    if (!chain || h < buf || hl > size || (size_t)(h - buf) > size - hl) __builtin_trap();
    check_again(wire_request(h, hl, off, chain));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rmark m = store_mark();
    char *buf = malloc(size ? size : 1); /* exact size: ASan sees a read past the end */
    if (size) memcpy(buf, data, size);
    check_frames(buf, size);
    check_results(buf, size);
    check_request(buf, size);
    free(buf);
    store_reset(m);
    return 0;
}
