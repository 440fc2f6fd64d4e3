/* store.c - lifetime pools and taint tracking.
 *
 * Runs in every process. A pool is a chain of blocks; allocation bumps a
 * pointer in the newest block. Tainted and untainted memory never share a
 * block, so the taint of a pointer is found by asking which block holds it.
 * With -DSTORE_DEBUG each allocation gets its own block so that ASan and
 * valgrind see overruns of single allocations. Never frees single items. */

/* System */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* lib */
#include "store.h"

#define STORE_BLOCK_SIZE 8192 /* big enough for most lines, small for the daemon */
#define STORE_ALIGN 16

struct block {
    struct block *next; /* older block */
    size_t size;        /* usable bytes after the header */
    size_t used;
    size_t pad;         /* keeps data 16-aligned */
};

struct pool_state {
    struct block *top;
};

static struct pool_state pools[POOL_COUNT][2];
enum store_pool store_pool_current = POOL_MAIN;

static char *block_data(struct block *b) { return (char *)(b + 1); }

static size_t round_up(size_t n)
{
    return (n + STORE_ALIGN - 1) & ~(size_t)(STORE_ALIGN - 1);
}

/* store_malloc - malloc that never returns NULL */
void *store_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "tern: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *store_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "tern: out of memory (%zu bytes)\n", n);
        abort();
    }
    return q;
}

void store_free(void *p) { free(p); }

/* Standard-size blocks freed by a reset are kept for reuse: loops that
 * mark, allocate a block and reset (per line, per recipient) would
 * otherwise make malloc grow and trim the heap on every pass. */
#define STORE_SPARE_MAX 16
static struct block *spare_blocks[STORE_SPARE_MAX];
static int spare_count;

static void block_release(struct block *b)
{
#ifndef STORE_DEBUG
    if (b->size == STORE_BLOCK_SIZE && spare_count < STORE_SPARE_MAX) {
        spare_blocks[spare_count++] = b;
        return;
    }
#endif
    free(b);
}

static struct block *new_block(struct pool_state *ps, size_t need)
{
    size_t size = need > STORE_BLOCK_SIZE ? need : STORE_BLOCK_SIZE;
#ifdef STORE_DEBUG
    size = need;
#endif
    struct block *b = size == STORE_BLOCK_SIZE && spare_count ? spare_blocks[--spare_count]
                                                              : store_malloc(sizeof *b + size);
    b->next = ps->top;
    b->size = size;
    b->used = 0;
    ps->top = b;
    return b;
}

void *store_get_in(enum store_pool pool, size_t n, bool tainted)
{
    struct pool_state *ps = &pools[pool][tainted];
    size_t need = round_up(n ? n : 1);
    struct block *b = ps->top;
#ifdef STORE_DEBUG
    b = NULL;
#endif
    if (!b || b->size - b->used < need) b = new_block(ps, need);
    void *p = block_data(b) + b->used;
    b->used += need;
    return p;
}

void *store_get(size_t n, bool tainted)
{
    return store_get_in(store_pool_current, n, tainted);
}

void *store_get_zero(size_t n, bool tainted)
{
    void *p = store_get(n, tainted);
    memset(p, 0, n);
    return p;
}

/* store_extend - grow p in place when it is the newest allocation of its block */
bool store_extend(void *p, bool tainted, size_t oldsize, size_t newsize)
{
#ifdef STORE_DEBUG
    (void)p; (void)tainted; (void)oldsize; (void)newsize;
    return false;
#else
    for (int pool = 0; pool < POOL_COUNT; pool++) {
        struct block *b = pools[pool][tainted].top;
        if (!b) continue;
        char *d = block_data(b);
        if ((char *)p < d || (char *)p >= d + b->size) continue;
        size_t start = (size_t)((char *)p - d);
        if (start + round_up(oldsize) != b->used) return false;
        if (start + round_up(newsize) > b->size) return false;
        b->used = start + round_up(newsize);
        return true;
    }
    return false;
#endif
}

enum store_pool store_set_pool(enum store_pool pool)
{
    enum store_pool old = store_pool_current;
    store_pool_current = pool;
    return old;
}

rmark store_mark_in(enum store_pool pool)
{
    rmark m = {.pool = pool};
    for (int t = 0; t < 2; t++) {
        struct block *b = pools[pool][t].top;
        m.block[t] = b;
        m.used[t] = b ? b->used : 0;
    }
    return m;
}

/* store_mark - mark the current pool */
rmark store_mark(void)
{
    return store_mark_in(store_pool_current);
}

static void reset_one(enum store_pool pool, bool tainted, void *keep, size_t used)
{
    struct pool_state *ps = &pools[pool][tainted];
    while (ps->top && ps->top != keep) {
        struct block *b = ps->top;
        ps->top = b->next;
        block_release(b);
    }
    if (ps->top) ps->top->used = used;
}

/* store_reset - free everything allocated in the mark's pool after it */
void store_reset(rmark m)
{
    reset_one(m.pool, false, m.block[0], m.used[0]);
    reset_one(m.pool, true, m.block[1], m.used[1]);
}

void store_reset_pool(enum store_pool pool)
{
    reset_one(pool, false, NULL, 0);
    reset_one(pool, true, NULL, 0);
}

/* store_is_tainted - true if p lies in a tainted block of any pool */
bool store_is_tainted(const void *p)
{
    const char *c = p;
    for (int pool = 0; pool < POOL_COUNT; pool++)
        for (struct block *b = pools[pool][1].top; b; b = b->next) {
            const char *d = block_data(b);
            if (c >= d && c < d + b->size) return true;
        }
    return false;
}

size_t store_pool_bytes(enum store_pool pool)
{
    size_t n = 0;
    for (int t = 0; t < 2; t++)
        for (struct block *b = pools[pool][t].top; b; b = b->next) n += b->used;
    return n;
}
