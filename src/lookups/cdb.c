/* cdb.c - the cdb lookup: D. J. Bernstein's constant database format,
 * read directly (no library). The file is mapped read-only; the key is
 * used without a terminating NUL.
 *
 * Layout: 256 (position, slot count) pairs of little-endian 32-bit words,
 * then records (key length, data length, key, data), then the hash
 * tables of (hash, record position) slots. Every offset read from the
 * file is checked against its size, so a corrupt file gives DEFER, not a
 * wild read. Results are untainted (the admin owns the file). */

/* System */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
/* MTA core */
#include "../tern.h"
/* This module */
#include "../lookups.h"

#define CDB_HEADER 2048

typedef struct cdb_handle {
    const unsigned char *map;
    size_t size;
} cdb_handle;

/* cdb_open - map the whole file */
static void *cdb_open(const char *filename, char **err)
{
    int fd = open(filename, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        *err = string_sprintf("failed to open %s for cdb lookup: %s", filename, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    if (st.st_size < CDB_HEADER) {
        *err = string_sprintf("failed to open %s too short for cdb lookup", filename);
        close(fd);
        return NULL;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        *err = string_sprintf("failed to mmap %s for cdb lookup: %s", filename, strerror(errno));
        return NULL;
    }
    cdb_handle *h = store_malloc(sizeof *h);
    h->map = m;
    h->size = (size_t)st.st_size;
    return h;
}

static void cdb_close(void *handle)
{
    cdb_handle *h = handle;
    munmap((void *)h->map, h->size);
    store_free(h);
}

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* cdb_hash - the format's hash: h = (h * 33) ^ c from 5381 */
uint32_t cdb_hash(const char *key, size_t len)
{
    uint32_t h = 5381;
    for (size_t i = 0; i < len; i++) h = ((h << 5) + h) ^ (unsigned char)key[i];
    return h;
}

/* cdb_record - compare the record at pos with the key; OK, FAIL, DEFER */
static int cdb_record(const cdb_handle *h, uint32_t pos, const char *key, size_t keylen, char **result)
{
    if ((size_t)pos + 8 > h->size) return DEFER;
    uint32_t kl = u32(h->map + pos), dl = u32(h->map + pos + 4);
    if ((uint64_t)pos + 8 + kl + dl > h->size) return DEFER;
    if (kl != keylen || memcmp(h->map + pos + 8, key, keylen) != 0) return FAIL;
    *result = string_copyn_taint((const char *)h->map + pos + 8 + kl, dl, GET_UNTAINTED);
    return OK;
}

/* cdb_find - probe the hash table for the key */
static int cdb_find(void *handle, const char *filename, const char *key, size_t keylen, char **result,
                    char **err, unsigned *do_cache, const char *opts)
{
    const cdb_handle *h = handle;
    uint32_t hash = cdb_hash(key, keylen);
    const unsigned char *hd = h->map + (hash & 255) * 8;
    uint32_t tpos = u32(hd), slots = u32(hd + 4);
    if (slots == 0) return FAIL;
    if ((uint64_t)tpos + (uint64_t)slots * 8 > h->size) goto corrupt;
    for (uint32_t i = 0, s = (hash >> 8) % slots; i < slots; i++, s = (s + 1) % slots) {
        const unsigned char *slot = h->map + tpos + s * 8;
        uint32_t rpos = u32(slot + 4);
        if (rpos == 0) return FAIL;
        if (u32(slot) != hash) continue;
        int rc = cdb_record(h, rpos, key, keylen, result);
        if (rc == DEFER) goto corrupt;
        if (rc == OK) return OK;
    }
    return FAIL;
corrupt:
    *err = string_sprintf("cdb file %s is corrupt", filename);
    return DEFER;
}

const lookup_info cdb_lookup_info = {
    .name = "cdb", .type = LOOKUP_SINGLE_KEY, .open = cdb_open, .find = cdb_find,
    .close = cdb_close,
};
