/* rewrite.c - parse the rewrite section and headers_rewrite rule lists.
 *
 * Runs at config load (the rewrite section) or when a transport first
 * needs its rules. Each rule is "pattern replacement [flags]"; either
 * field is quoted when it contains white space. Applying the rules is
 * rewrite_apply.c (addresses) and rewrite_header.c (header lines). */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "rewrite.h"

static rewrite_rule *rules;

rewrite_rule *rewrite_rules_list(void) { return rules; }

unsigned rewrite_existflags(const rewrite_rule *r)
{
    unsigned f = 0;
    for (; r; r = r->next) f |= r->flags;
    return f;
}

static unsigned flag_bit(char c)
{
    static const struct { char c; unsigned bit; } bits[] = {
        {'E', RW_ENVELOPE}, {'F', RW_ENV_FROM}, {'T', RW_ENV_TO}, {'b', RW_BCC}, {'c', RW_CC},
        {'f', RW_FROM}, {'h', RW_ALL_HEADERS}, {'r', RW_REPLY_TO}, {'s', RW_SENDER},
        {'t', RW_TO}, {'S', RW_SMTP}, {'w', RW_WHOLE}, {'Q', RW_QUALIFY},
        {'R', RW_REPEAT}, {'q', RW_QUIT}};
    for (size_t i = 0; i < NELEM(bits); i++)
        if (bits[i].c == c) return bits[i].bit;
    return 0;
}

static const char *bad_flag(char c)
{
    return string_sprintf("unknown rewrite flag character '%c' "
                          "(could be missing quotes round replacement item)", c);
}

const char *rewrite_parse_line(const char *text, bool transport, rewrite_rule *r)
{
    memset(r, 0, sizeof *r);
    const char *p = text;
    r->key = string_nextword(&p);
    if (!r->key) return "missing rewrite pattern";
    r->replacement = string_nextword(&p);
    if (!r->replacement) return "missing rewrite replacement string";
    /* flags may be separated by spaces and tabs */
    for (; *p; p++) {
        if (*p == ' ' || *p == '\t') continue;
        unsigned bit = flag_bit(*p);
        if (!bit) return bad_flag(*p);
        r->flags |= bit;
    }
    if (transport && (r->flags & (RW_ENVELOPE | RW_SMTP)))
        return "rewrite rule specifies a non-header rewrite - not allowed at transport time -";
    /* No field flags: every header, and for main rules both envelope fields;
     * S alone is SMTP-time only. */
    if (!(r->flags & (RW_FIELDS | RW_SMTP))) r->flags |= transport ? RW_ALL_HEADERS : RW_FIELDS;
    return NULL;
}

const char *rewrite_parse_list(const char *list, rewrite_rule **out)
{
    rewrite_rule **tail = out;
    int sep = ':';
    char *item;
    *out = NULL;
    while ((item = string_nextinlist(&list, &sep))) {
        rewrite_rule *r = store_get(sizeof *r, GET_UNTAINTED);
        const char *err = rewrite_parse_line(item, true, r);
        if (err) return err;
        *tail = r;
        tail = &r->next;
    }
    return NULL;
}

void rewrite_init(void)
{
    rewrite_rule **tail = &rules;
    for (const cfg_line *l = cfg.sections.rewrite; l; l = l->next) {
        rewrite_rule *r = store_get_in(POOL_CONFIG, sizeof *r, GET_UNTAINTED);
        const char *err = rewrite_parse_line(l->text, false, r);
        if (err) log_config_die("configuration error in line %d of %s:\n  %s", l->line, l->file, err);
        *tail = r;
        tail = &r->next;
    }
}
