/* smtp_pending.c - weak stand-ins for the expansion, list-matching and
 * ACL APIs, so the SMTP server links and can be tested before those
 * subsystems are merged. Each real definition overrides its weak one.
 *
 * The stand-ins are deliberately narrow: expansion refuses any string
 * with '$' in it; host lists match only "*" and literal addresses; an
 * ACL is a single verb ("accept", "deny", "defer", "drop", "discard")
 * with an optional "message = text". */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "acl.h"
#include "expand.h"
#include "globals.h"
#include "match.h"

static const char *pending_error;

__attribute__((weak)) char *expand_string(const char *s)
{
    if (!s) return NULL;
    if (strchr(s, '$')) {
        pending_error = "string expansion is not available in this build";
        return NULL;
    }
    return string_copy_taint(s, store_is_tainted(s));
}

__attribute__((weak)) const char *expand_cstring(const char *s)
{
    return strchr(s, '$') ? expand_string(s) : s;
}

__attribute__((weak)) long long expand_string_integer(const char *s, bool isplus)
{
    if (!s) return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    switch (tolower((unsigned char)*end)) {
    case 'k': v *= 1024; end++; break;
    case 'm': v *= 1024 * 1024; end++; break;
    case 'g': v *= 1024LL * 1024 * 1024; end++; break;
    }
    return *end ? -1 : v;
}

__attribute__((weak)) const char *expand_error(void)
{
    return pending_error ? pending_error : "";
}

__attribute__((weak)) int match_host_list(const match_host *h, const char *list,
                                          const char **valueptr)
{
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        bool neg = *item == '!';
        if (neg) item++;
        if (strcmp(item, "*") == 0 || (h->address && strcmp(item, h->address) == 0))
            return neg ? FAIL : OK;
    }
    return FAIL;
}

__attribute__((weak)) const char *acl_where_name(enum acl_where where)
{
    static const char *const names[] = {
        "RCPT", "MAIL", "PREDATA", "MIME", "DKIM", "DATA", "PRDR", "non-SMTP", "AUTH",
        "connection", "ETRN", "EXPN", "EHLO or HELO", "MAILAUTH", "non-SMTP-start",
        "NOTQUIT", "QUIT", "STARTTLS", "VRFY", "delivery", "unknown"};
    return (size_t)where < NELEM(names) ? names[where] : "unknown";
}

/* verb_rc - the result for a single-verb ACL */
static int verb_rc(const char *t, size_t n)
{
    static const struct { const char *w; int rc; } verbs[] = {
        {"accept", OK}, {"deny", FAIL}, {"defer", DEFER}, {"drop", FAIL_DROP},
        {"discard", DISCARD}};
    for (size_t i = 0; i < NELEM(verbs); i++)
        if (strlen(verbs[i].w) == n && strncmp(t, verbs[i].w, n) == 0) return verbs[i].rc;
    return OK;
}

__attribute__((weak)) int acl_check(enum acl_where where, const char *recipient,
                                    const char *acl_text, char **user_msg, char **log_msg)
{
    *user_msg = *log_msg = NULL;
    if (!acl_text) {
        if (where == ACL_WHERE_VRFY || where == ACL_WHERE_EXPN || where == ACL_WHERE_ETRN)
            return FAIL;
        return where == ACL_WHERE_RCPT ? FAIL : OK; /* Exim: no RCPT ACL refuses all */
    }
    const char *t = acl_text;
    while (isspace((unsigned char)*t)) t++;
    size_t n = strcspn(t, " \t\n");
    int rc = verb_rc(t, n);
    const char *m = strstr(t, "message =");
    if (m) *user_msg = string_copy(string_trim(string_copy(m + 9)));
    return rc;
}
