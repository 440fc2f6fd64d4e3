/* unit.h - a minimal table-driven unit test harness.
 *
 * Each test file has a main() that runs its cases with CHECK* macros and
 * ends with unit_done(), which prints "N passed, N failed" and returns the
 * exit status. Failures print file:line and the two values. */
#ifndef TERN_UNIT_H
#define TERN_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond, label) do { \
    if (cond) unit_passed++; \
    else { unit_failed++; fprintf(stderr, "%s:%d: FAIL %s: %s\n", __FILE__, __LINE__, (label), #cond); } \
} while (0)

#define CHECK_STR(got, want, label) do { \
    const char *g_ = (got), *w_ = (want); \
    if ((g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0)) unit_passed++; \
    else { unit_failed++; fprintf(stderr, "%s:%d: FAIL %s: got \"%s\" want \"%s\"\n", __FILE__, __LINE__, \
                                  (label), g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

#define CHECK_INT(got, want, label) do { \
    long long g_ = (long long)(got), w_ = (long long)(want); \
    if (g_ == w_) unit_passed++; \
    else { unit_failed++; fprintf(stderr, "%s:%d: FAIL %s: got %lld want %lld\n", __FILE__, __LINE__, \
                                  (label), g_, w_); } \
} while (0)

static inline int unit_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}

#endif
