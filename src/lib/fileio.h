/* fileio.h - reading whole files into pool memory. */
#ifndef TERN_FILEIO_H
#define TERN_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

/* fileio_read_fd - read up to size bytes of fd into a NUL-terminated
 * buffer from the current pool (tainted or not, as the caller says what
 * the data is); *got is how many bytes arrived. Retries EINTR; stops early
 * at end of file. The caller has bounded size. */
char *fileio_read_fd(int fd, size_t size, bool tainted, size_t *got);

#endif
