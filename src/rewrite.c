/* rewrite.c - parse the rewrite section (applying rules comes with
 * reception and delivery, which call into this file).
 *
 * Runs at config load. Each rule is "pattern replacement [flags]"; either
 * field is quoted when it contains white space. With no flags a rule
 * applies to every header and envelope field (E and h together). */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "rewrite.h"

static rewrite_rule *rules;

rewrite_rule *rewrite_rules_list(void) { return rules; }

/* field - next white-space delimited or "quoted" field (\" escapes) */
static char *field(const char **pp) { return string_nextword(pp); }

static unsigned flag_bit(char c)
{
    static const struct { char c; unsigned bit; } bits[] = {
        {'E', RW_ENVELOPE}, {'F', RW_ENV_FROM}, {'T', RW_ENV_TO}, {'b', RW_BCC}, {'c', RW_CC},
        {'f', RW_FROM}, {'h', RW_ALL_HEADERS}, {'r', RW_REPLY_TO}, {'s', RW_SENDER},
        {'t', RW_TO}, {'S', RW_SMTP}, {'w', RW_WHOLE}, {'q', RW_QUALIFY},
        {'R', RW_REWRITE_ALL}, {'Q', RW_QUIT}};
    for (size_t i = 0; i < NELEM(bits); i++)
        if (bits[i].c == c) return bits[i].bit;
    return 0;
}

const char *rewrite_parse_line(const char *text, rewrite_rule *r)
{
    memset(r, 0, sizeof *r);
    const char *p = text;
    r->key = field(&p);
    if (!r->key) return "missing rewrite pattern";
    r->replacement = field(&p);
    if (!r->replacement) return "missing rewrite replacement string";
    while (isspace((unsigned char)*p)) p++;
    for (; *p && !isspace((unsigned char)*p); p++) {
        unsigned bit = flag_bit(*p);
        if (!bit)
            return string_sprintf("unknown rewrite flag character '%c' "
                                  "(could be missing quotes round replacement item)", *p);
        r->flags |= bit;
    }
    while (isspace((unsigned char)*p)) p++;
    if (*p) return string_sprintf("unknown rewrite flag character '%c' "
                                  "(could be missing quotes round replacement item)", *p);
    /* No header or envelope flags means all of them (S alone is SMTP only). */
    if (!(r->flags & (RW_ALL_HEADERS | RW_ENVELOPE | RW_SMTP))) r->flags |= RW_ALL_HEADERS | RW_ENVELOPE;
    return NULL;
}

void rewrite_init(void)
{
    rewrite_rule **tail = &rules;
    for (const cfg_line *l = cfg.sections.rewrite; l; l = l->next) {
        rewrite_rule *r = store_get_in(POOL_CONFIG, sizeof *r, GET_UNTAINTED);
        const char *err = rewrite_parse_line(l->text, r);
        if (err) log_config_die("configuration error in line %d of %s:\n  %s", l->line, l->file, err);
        r->file = l->file;
        r->line = l->line;
        *tail = r;
        tail = &r->next;
    }
}
