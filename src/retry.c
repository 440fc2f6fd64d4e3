/* retry.c - parse the retry section, choose the rule for a failure,
 * and the -brt test mode. (Hints records and their update after a
 * delivery are in retry_hints.c.)
 *
 * Parsing runs at config load in every process. Each rule is
 *   pattern  error  [senders=list]  F,time,time; G,time,time,factor; ...
 * and is checked completely at load time so that a bad rule is a config
 * error with file and line, not a surprise at the first deferral. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "match.h"
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

/* ---- rule selection ---- */

/* error_matches - does rule r cover this error? (spec "Retry rules for
 * specific errors"; timeouts and refusals carry 'M'/'A' in more_errno) */
static bool error_matches(const retry_rule *r, int basic, int more)
{
    bool timeout = basic == ETIMEDOUT || basic == ERRNO_CONNECT_TIMEOUT;
    bool connect = basic == ERRNO_CONNECT_TIMEOUT;
    switch (r->error) {
    case RE_ANY: return true;
    case RE_AUTH_FAILED: return basic == ERRNO_AUTH_FAIL;
    case RE_TLS_REQUIRED: return basic == ERRNO_TLS_REQUIRED;
    case RE_LOOKUP: return basic == ERRNO_LOOKUP;
    case RE_LOST_CONNECTION: return basic == ERRNO_SMTP_CLOSED;
    case RE_REFUSED: return basic == ECONNREFUSED;
    case RE_REFUSED_MX: return basic == ECONNREFUSED && more == 'M';
    case RE_REFUSED_A: return basic == ECONNREFUSED && more == 'A';
    case RE_TIMEOUT: return timeout;
    case RE_TIMEOUT_MX: return timeout && more == 'M';
    case RE_TIMEOUT_A: return timeout && more == 'A';
    case RE_TIMEOUT_CONNECT: return connect;
    case RE_TIMEOUT_CONNECT_MX: return connect && more == 'M';
    case RE_TIMEOUT_CONNECT_A: return connect && more == 'A';
    case RE_QUOTA: return basic == ERRNO_EXIMQUOTA && more >= r->quota_time;
    case RE_MAIL_4XX: case RE_RCPT_4XX: case RE_DATA_4XX: break;
    }
    int want = r->error == RE_MAIL_4XX ? ERRNO_MAIL4XX : r->error == RE_RCPT_4XX ? ERRNO_RCPT4XX : ERRNO_DATA4XX;
    if (basic != want) return false;
    int div = r->code_digits == 1 ? 100 : r->code_digits == 2 ? 10 : 1;
    return more / div == r->code / div;
}

/* pattern_matches - the rule's pattern as a one-item address list */
static bool pattern_matches(const retry_rule *r, const char *key)
{
    if (!key) return false;
    const char *subject = strchr(key, '@') ? key : string_sprintf("*@%s", key);
    return match_address_list(subject, false, r->pattern, NULL) == OK;
}

const retry_rule *retry_find_rule(const char *key, const char *alt_domain, int basic_errno,
                                  int more_errno, const char *sender)
{
    for (const retry_rule *r = rules; r; r = r->next) {
        if (!error_matches(r, basic_errno, more_errno)) continue;
        if (r->senders && (!sender || match_address_list(sender, true, r->senders, NULL) != OK)) continue;
        if (pattern_matches(r, key) || pattern_matches(r, alt_domain)) return r;
    }
    return NULL;
}

/* error_text - the rule's error as -brt prints it ("*" for the kinds
 * Exim 4.96 does not name there) */
static const char *error_text(const retry_rule *r)
{
    switch (r->error) {
    case RE_QUOTA:
        return r->quota_time ? string_sprintf("quota_%s", options_time_string(r->quota_time)) : "quota";
    case RE_AUTH_FAILED: case RE_REFUSED: case RE_REFUSED_A: case RE_REFUSED_MX: case RE_TIMEOUT:
    case RE_TIMEOUT_A: case RE_TIMEOUT_MX: case RE_TIMEOUT_CONNECT: case RE_TIMEOUT_CONNECT_A:
    case RE_TIMEOUT_CONNECT_MX:
        for (size_t i = 0; i < NELEM(error_names); i++)
            if (error_names[i].e == r->error) return error_names[i].name;
        return "*";
    default: return "*";
    }
}

char *retry_rule_text(const retry_rule *r)
{
    gstring *g = string_get(64);
    g = string_fmt_append(g, "%s  %s  ", r->pattern, error_text(r));
    for (const retry_param *p = r->params; p; p = p->next) {
        g = string_fmt_append(g, "%c,%s,", p->rule, options_time_string(p->timeout));
        g = string_cat(g, options_time_string(p->p1));
        if (p->rule == 'G') g = string_fmt_append(g, ",%d.%d", p->p2 / 1000, (p->p2 % 1000 + 50) / 100);
        g = string_cat(g, "; ");
    }
    return string_from_gstring(g);
}

/* error_from_timeout_name - "timeout", "timeout_connect_MX", ... */
static bool error_from_timeout_name(const char *s, int *basic, int *more)
{
    static const struct { const char *name; int basic, more; } t[] = {
        {"timeout", ETIMEDOUT, 0}, {"timeout_A", ETIMEDOUT, 'A'}, {"timeout_MX", ETIMEDOUT, 'M'},
        {"timeout_connect", ERRNO_CONNECT_TIMEOUT, 0}, {"timeout_connect_A", ERRNO_CONNECT_TIMEOUT, 'A'},
        {"timeout_connect_MX", ERRNO_CONNECT_TIMEOUT, 'M'}, {"refused", ECONNREFUSED, 0},
        {"refused_A", ECONNREFUSED, 'A'}, {"refused_MX", ECONNREFUSED, 'M'},
        {"lost_connection", ERRNO_SMTP_CLOSED, 0}, {"auth_failed", ERRNO_AUTH_FAIL, 0},
        {"tls_required", ERRNO_TLS_REQUIRED, 0}, {"lookup", ERRNO_LOOKUP, 0}, {"quota", ERRNO_EXIMQUOTA, 0}};
    for (size_t i = 0; i < NELEM(t); i++)
        if (strcmp(s, t[i].name) == 0) { *basic = t[i].basic; *more = t[i].more; return true; }
    return false;
}

bool retry_error_from_name(const char *s, int *basic_errno, int *more_errno, const char **err)
{
    *err = NULL;
    if (error_from_timeout_name(s, basic_errno, more_errno)) return true;
    retry_rule r = {0};
    if ((*err = parse_error(s, &r))) return false;
    *more_errno = r.error == RE_QUOTA ? r.quota_time : r.code;
    *basic_errno = r.error == RE_QUOTA ? ERRNO_EXIMQUOTA : r.error == RE_MAIL_4XX ? ERRNO_MAIL4XX
                 : r.error == RE_RCPT_4XX ? ERRNO_RCPT4XX : r.error == RE_DATA_4XX ? ERRNO_DATA4XX : 0;
    return true;
}

/* ---- -brt ---- */

int retry_test_mode(int argc, char **argv, const char *sender)
{
    if (argc < 1) { printf("-brt needs a domain or address argument\n"); return EXIT_FAILURE; }
    const char *key = argv[0], *alt = NULL;
    int basic = 0, more = 0;
    if (!strchr(key, '@') && !strchr(key, '.'))
        printf("Warning: \"%s\" contains no '@' and no '.' characters. It is being \n"
               "treated as a one-component domain, not as a local part.\n\n", key);
    for (int i = 1; i < argc; i++) {
        if (i == 1 && argc > 1 && strchr(argv[i], '.')) { alt = argv[i]; continue; }
        const char *err;
        if (!retry_error_from_name(argv[i], &basic, &more, &err)) {
            printf("%s\n", err);
            return EXIT_FAILURE;
        }
    }
    const retry_rule *r = retry_find_rule(key, alt, basic, more, sender);
    if (r) printf("Retry rule: %s\n", retry_rule_text(r));
    else printf("No retry information found\n");
    return 0;
}
