/* fileio.c - whole-file reads into pool memory (no MTA headers). */

/* System */
#include <errno.h>
#include <unistd.h>
/* lib */
#include "fileio.h"
#include "store.h"

char *fileio_read_fd(int fd, size_t size, bool tainted, size_t *got)
{
    char *buf = store_get(size + 1, tainted);
    size_t n = 0;
    while (n < size) {
        ssize_t r = read(fd, buf + n, size - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    buf[n] = 0;
    if (got) *got = n;
    return buf;
}
