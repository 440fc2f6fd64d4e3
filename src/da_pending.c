/* da_pending.c - weak fallback definitions of functions the delivery
 * side calls whose real definitions are written elsewhere (expansion,
 * bounces, retry hints). Each real definition overrides its weak one;
 * this file goes away when they are merged. The fallbacks refuse what
 * they cannot do and say so in the log. */

/* MTA core */
#include "tern.h"
#include "expand.h"
#include "log.h"
#include "moan.h"
#include "retry.h"

#define WEAK __attribute__((weak))

WEAK const char *expand_cstring(const char *s)
{
    if (strchr(s, '$')) return NULL;
    return s;
}

WEAK bool expand_check_condition(const char *cond, const char *name, const char *type)
{
    (void)name; (void)type;
    if (strchr(cond, '$')) return false;
    return *cond && strcmp(cond, "0") != 0 && strcasecmp(cond, "no") != 0 && strcasecmp(cond, "false") != 0;
}

WEAK long long expand_string_integer(const char *s, bool isplus)
{
    (void)isplus;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s) return -1;
    if (*end == 'K' || *end == 'k') { v *= 1024; end++; }
    else if (*end == 'M' || *end == 'm') { v *= 1024 * 1024; end++; }
    else if (*end == 'G' || *end == 'g') { v *= 1024LL * 1024 * 1024; end++; }
    return *end ? -1 : v;
}

WEAK bool moan_send_bounce(spool_header *h, address_item *failed)
{
    (void)h; (void)failed;
    log_write(L_always, LOG_MAIN, "bounce not sent: bounce support not merged");
    return false;
}

WEAK void retry_update(struct address_item *addr)
{
    (void)addr;
}
