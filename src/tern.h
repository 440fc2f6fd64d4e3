/* tern.h - the header every core file includes first.
 *
 * Return codes, the banned-function poison, and the lib headers. Keep it
 * small: anything specific to one subsystem goes in that subsystem's header. */
#ifndef TERN_H
#define TERN_H

/* System */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>
/* lib */
#include "lib/store.h"
#include "lib/string.h"
/* MTA core */
#include "config.h"
#include "limits.h"

/* One set of return codes for the whole program (STYLE.md section 9). */
enum {
    OK = 0,
    DEFER = 1,
    FAIL = 2,
    ERROR = 3,
    DECLINE = 4,
    PASS = 5,
    DISCARD = 6,
    FAIL_FORCED = 7,
    P_MORE = 8,
    FAIL_DROP = 9,  /* ACL "drop": reply, then close the connection */
    P_OK = 10,
    P_INVALID = 11,
};

#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define BUG(...) bug_abort(__func__, __VA_ARGS__)
#define ASSERT(x) do { if (!(x)) bug_abort(__func__, "assertion failed: %s", #x); } while (0)
void bug_abort(const char *func, const char *fmt, ...) NORETURN PRINTF_LIKE(2, 3);

/* Banned: unbounded or thread-hostile. Use gstring, snprintf, strtol. */
#pragma GCC poison strcpy strcat sprintf vsprintf gets strtok strncpy atoi

#endif
