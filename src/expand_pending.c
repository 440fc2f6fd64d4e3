/* expand_pending.c - weak stand-ins for the list-matching and lookup
 * APIs (match.h, lookups.h) that the expansion engine calls, so that this
 * branch links before those subsystems are merged. Each refuses with a
 * clear message; the real (strong) definitions replace them at link time. */

/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "lookups.h"
#include "match.h"

#define PENDING_MSG "lookup support is not merged into this build"

__attribute__((weak)) int match_isinlist(const char *s, const char *list,
                                         enum match_list_type type, bool caseless,
                                         const char **valueptr)
{
    xs.errmsg = PENDING_MSG;
    return DEFER;
}

__attribute__((weak)) int match_address_list(const char *address, bool caseless, const char *list,
                                             const char **valueptr)
{
    xs.errmsg = PENDING_MSG;
    return DEFER;
}

__attribute__((weak)) int match_ip(const char *ip, const char *list)
{
    xs.errmsg = PENDING_MSG;
    return DEFER;
}

__attribute__((weak)) const lookup_info *lookup_find(const char *name, size_t len)
{
    return NULL;
}

__attribute__((weak)) const lookup_info *search_findtype_partial(const char *name, int *partial,
                                                                 const char **affix,
                                                                 int *affixlen, int *starflags,
                                                                 const char **opts, char **err)
{
    *err = PENDING_MSG;
    return NULL;
}

__attribute__((weak)) char *search_find(const lookup_info *li, const char *filename,
                                        const char *key, int partial, const char *affix,
                                        int affixlen, int starflags, const char *opts,
                                        bool *expand_setup_done, char **err)
{
    *err = PENDING_MSG;
    return NULL;
}
