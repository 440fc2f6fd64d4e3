/* retry.c - parse the retry section (and, with delivery, choose rules).
 *
 * Runs at config load in every process. Each rule is
 *   pattern  error  [senders=list]  F,time,time; G,time,time,factor; ...
 * and is checked completely at load time so that a bad rule is a config
 * error with file and line, not a surprise at the first deferral. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "options.h"
#include "retry.h"

static retry_rule *rules;

retry_rule *retry_rules_list(void) { return rules; }

/* next_field - a white-space separated field, or a "quoted" one; a quoted
 * part may also follow "senders=" inside a field */
static char *next_field(const char **pp)
{
    const char *p = *pp;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '"' || !*p) return string_nextword(pp);
    gstring *g = string_get(32);
    for (; *p && !isspace((unsigned char)*p); p++) {
        if (*p == '"') { /* senders="a : b" */
            for (p++; *p && *p != '"'; p++) g = string_catc(g, *p);
            if (!*p) break;
            continue;
        }
        g = string_catc(g, *p);
    }
    *pp = p;
    return string_from_gstring(g);
}

static const struct { const char *name; enum retry_error e; } error_names[] = {
    {"*", RE_ANY}, {"auth_failed", RE_AUTH_FAILED}, {"lost_connection", RE_LOST_CONNECTION},
    {"lookup", RE_LOOKUP}, {"refused", RE_REFUSED}, {"refused_A", RE_REFUSED_A},
    {"refused_MX", RE_REFUSED_MX}, {"timeout", RE_TIMEOUT}, {"timeout_A", RE_TIMEOUT_A},
    {"timeout_MX", RE_TIMEOUT_MX}, {"timeout_connect", RE_TIMEOUT_CONNECT},
    {"timeout_connect_A", RE_TIMEOUT_CONNECT_A}, {"timeout_connect_MX", RE_TIMEOUT_CONNECT_MX},
    {"tls_required", RE_TLS_REQUIRED}, {"quota", RE_QUOTA},
};

/* parse_4xx - "rcpt_4xx", "mail_45x", "data_452" */
static const char *parse_4xx(const char *s, const char *prefix, retry_rule *r)
{
    const char *d = s + strlen(prefix); /* points at the '4' */
    bool ok = d[0] == '4' && d[1] && d[2] && !d[3]
              && ((d[1] == 'x' && d[2] == 'x') || (isdigit((unsigned char)d[1]) && d[2] == 'x')
                  || (isdigit((unsigned char)d[1]) && isdigit((unsigned char)d[2])));
    if (!ok)
        return string_sprintf("%.*s4 must be followed by xx, dx, or dd, where x is literal and d "
                              "is any digit", (int)strlen(prefix), s);
    r->code_digits = 1 + (d[1] != 'x') + (d[2] != 'x');
    r->code = 400 + (d[1] != 'x' ? (d[1] - '0') * 10 : 0) + (d[2] != 'x' ? d[2] - '0' : 0);
    return NULL;
}

static const char *parse_error(const char *s, retry_rule *r)
{
    for (size_t i = 0; i < NELEM(error_names); i++)
        if (strcmp(s, error_names[i].name) == 0) {
            r->error = error_names[i].e;
            return NULL;
        }
    static const struct { const char *prefix; enum retry_error e; } codes[] = {
        {"data_", RE_DATA_4XX}, {"mail_", RE_MAIL_4XX}, {"rcpt_", RE_RCPT_4XX}};
    for (size_t i = 0; i < NELEM(codes); i++)
        if (strncmp(s, codes[i].prefix, 5) == 0 && s[5] == '4') {
            r->error = codes[i].e;
            return parse_4xx(s, codes[i].prefix, r);
        }
    if (strncmp(s, "quota_", 6) == 0) {
        r->error = RE_QUOTA;
        return options_parse_time(s + 6, &r->quota_time) ? NULL : "bad time value";
    }
    return string_sprintf("unknown or malformed retry error \"%s\"", s);
}

/* parse_param - "F,2h,15m" or "G,16h,1h,1.5" */
static const char *parse_param(const char *s, retry_param *p)
{
    while (isspace((unsigned char)*s)) s++;
    p->rule = *s;
    if (*s != 'F' && *s != 'G' && *s != 'H') return "unknown retry rule letter";
    int want = *s == 'F' ? 2 : 3;
    char *fields[3] = {0};
    const char *q = s + 1;
    for (int i = 0; i < want; i++) {
        while (isspace((unsigned char)*q)) q++;
        if (*q != ',') return "comma expected";
        const char *start = ++q;
        while (*q && *q != ',') q++;
        fields[i] = string_trim(string_copyn(start, (size_t)(q - start)));
    }
    while (isspace((unsigned char)*q)) q++;
    if (*q) return "bad parameters for retry rule";
    if (!options_parse_time(fields[0], &p->timeout) || !options_parse_time(fields[1], &p->p1)
        || p->p1 <= 0)
        return "bad parameters for retry rule";
    if (want == 3 && (!options_parse_fixed(fields[2], &p->p2) || p->p2 <= 1000))
        return "bad parameters for retry rule";
    return NULL;
}

static const char *parse_params(const char *s, retry_rule *r)
{
    retry_param **tail = &r->params;
    int sep = ';';
    const char *list = s;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        if (!*item) continue;
        retry_param *p = store_get_zero(sizeof *p, GET_UNTAINTED);
        const char *err = parse_param(item, p);
        if (err) return err;
        *tail = p;
        tail = &p->next;
    }
    return NULL;
}

const char *retry_parse_line(const char *text, retry_rule *r)
{
    memset(r, 0, sizeof *r);
    const char *p = text;
    r->pattern = next_field(&p);
    char *err_name = next_field(&p);
    if (!r->pattern) return "missing pattern in retry rule";
    if (!err_name) return NULL; /* "pattern" alone: no retries for it */
    const char *err = parse_error(err_name, r);
    if (err) return err;
    while (isspace((unsigned char)*p)) p++;
    if (strncmp(p, "senders", 7) == 0) {
        const char *q = p + 7;
        while (isspace((unsigned char)*q)) q++;
        if (*q != '=') return "\"=\" expected after \"senders\"";
        q++;
        while (isspace((unsigned char)*q)) q++;
        r->senders = next_field(&q);
        p = q;
    }
    return parse_params(p, r);
}

void retry_init(void)
{
    retry_rule **tail = &rules;
    for (const cfg_line *l = cfg.sections.retry; l; l = l->next) {
        retry_rule *r = store_get_in(POOL_CONFIG, sizeof *r, GET_UNTAINTED);
        const char *err = retry_parse_line(l->text, r);
        if (err) log_config_die("configuration error in line %d of %s:\n  %s", l->line, l->file, err);
        r->file = l->file;
        r->line = l->line;
        *tail = r;
        tail = &r->next;
    }
}
