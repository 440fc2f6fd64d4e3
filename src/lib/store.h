/* store.h - memory pools grouped by lifetime, with taint tracked per block.
 *
 * Every allocation belongs to a pool; pools are reset, never freed piece by
 * piece. Each pool has a tainted twin: memory holding bytes from outside
 * (network, message, DNS) is allocated tainted, and store_is_tainted() tells
 * from the address alone, so taint cannot be lost by copying a pointer. */
#ifndef TERN_STORE_H
#define TERN_STORE_H

#include <stdbool.h>
#include <stddef.h>

enum store_pool {
    POOL_MAIN,   /* scratch, reset by callers with marks */
    POOL_PERM,   /* lives as long as the process */
    POOL_CONFIG, /* the parsed configuration */
    POOL_CONN,   /* one SMTP connection */
    POOL_MSG,    /* one message; reset after each message and on RSET */
    POOL_COUNT
};

#define GET_UNTAINTED false
#define GET_TAINTED   true

/* A mark covers both taint twins of one pool. */
typedef struct rmark {
    enum store_pool pool;
    void *block[2];
    size_t used[2];
} rmark;

extern enum store_pool store_pool_current;

void *store_get(size_t n, bool tainted) __attribute__((malloc, alloc_size(1)));
void *store_get_in(enum store_pool pool, size_t n, bool tainted)
    __attribute__((malloc, alloc_size(2)));
void *store_get_zero(size_t n, bool tainted);
/* store_extend - grow the last allocation in place if possible */
bool store_extend(void *p, bool tainted, size_t oldsize, size_t newsize);
rmark store_mark(void);
rmark store_mark_in(enum store_pool pool);
void store_reset(rmark m);
void store_reset_pool(enum store_pool pool);
bool store_is_tainted(const void *p);
enum store_pool store_set_pool(enum store_pool pool);
void *store_malloc(size_t n);
void *store_realloc(void *p, size_t n);
void store_free(void *p);
size_t store_pool_bytes(enum store_pool pool);

#endif
