/* rewrite_apply.c - one address through the rewriting rules: pattern
 * matching with $0, $1.. and $local_part/$domain for the replacement,
 * the q R Q w flags, and the log lines (+address_rewrite). Also the
 * envelope at reception and SMTP-time (S) rewriting of MAIL/RCPT data.
 *
 * Runs in the receiving process, in transports (headers_rewrite) and in
 * -brw. Addresses are tainted message data: they are matched and used as
 * expansion variables, never expanded themselves. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "addr_parse.h"
#include "expand.h"
#include "globals.h"
#include "header.h"
#include "log.h"
#include "match.h"
#include "rewrite.h"

/* One address on its way through the rules. */
typedef struct rwa {
    const char *addr;  /* current working address */
    char *whole;       /* full text of the last "w" replacement, or NULL */
    const char *where; /* field name for log lines */
    unsigned field;
    bool stop;         /* a q rule, "*", or a hard expansion failure */
} rwa;

/* field_name - how the log names the field ("from:" for a header) */
static const char *field_name(unsigned field)
{
    static const char *const names[] = {"sender:", "from:", "to:", "cc:", "bcc:", "reply-to:",
                                        "env-from", "env-to"};
    for (int i = 0; i < 8; i++)
        if (field == 1u << i) return names[i];
    return "smtp";
}

/* wild_part - "*tail" (case as given) or a literal against s; the part
 * the "*" stood for is its length in *wild (-1 for a literal) */
static bool wild_part(const char *pat, const char *s, bool caseless, ssize_t *wild)
{
    size_t sl = strlen(s), tl;
    *wild = -1;
    if (*pat != '*') return caseless ? strcasecmp(pat, s) == 0 : strcmp(pat, s) == 0;
    tl = strlen(pat + 1);
    if (tl > sl) return false;
    if (caseless ? strcasecmp(s + sl - tl, pat + 1) : strcmp(s + sl - tl, pat + 1)) return false;
    *wild = (ssize_t)(sl - tl);
    return true;
}

/* simple_key - "lp@dom" where each side is literal or "*tail": matched
 * here so that $1 and $2 are the local part's and the domain's wild
 * parts, as the manual describes */
static bool simple_key(const char *key)
{
    const char *at = strchr(key, '@');
    return at && at != key && at[1] && at == strrchr(key, '@') && !strpbrk(key, ";^!+");
}

/* match_simple - a simple key; sets $0.. ($0 the address as given) */
static int match_simple(const char *key, const char *addr)
{
    const char *at = strrchr(addr, '@'), *kat = strrchr(key, '@');
    if (!at) return FAIL;
    size_t lpn = (size_t)(at - addr), alen = strlen(addr);
    char *lp = string_copyn(addr, lpn), *klp = string_copyn(key, (size_t)(kat - key));
    char *buf = string_sprintf("%s%s", addr, string_lc(at + 1)); /* $0, then the domain in lower case */
    ssize_t w1, w2;
    if (!wild_part(klp, lp, false, &w1) || !wild_part(kat + 1, buf + alen, true, &w2)) return FAIL;
    size_t ov[6] = {0, alen}, n = 1;
    if (w1 >= 0) { ov[2 * n] = 0; ov[2 * n + 1] = (size_t)w1; n++; }
    if (w2 >= 0) { ov[2 * n] = alen; ov[2 * n + 1] = alen + (size_t)w2; n++; }
    expand_set_numeric(buf, ov, (int)n);
    return OK;
}

/* match_list_key - any other address-list item (regex, lookup, named
 * list, domain only) through match.c; $0 is the address as given */
static int match_list_key(const char *key, const char *addr, bool smtp)
{
    /* a regex sees the domain in lower case, as in address lists; the
     * S rules see the command data as it came */
    const char *at = smtp ? NULL : strrchr(addr, '@');
    const char *subj = at ? string_sprintf("%.*s@%s", (int)(at - addr), addr, string_lc(at + 1)) : addr;
    int rc = *key == '^' ? match_check_string(subj, key, 0, false, MCL_STRING, NULL)
             : smtp ? FAIL : match_address_list(addr, false, key, NULL);
    if (rc != OK) return rc;
    const char *csubj;
    const size_t *cov;
    int n = match_captures(&csubj, &cov);
    size_t alen = strlen(addr), ov[2 * (LIMIT_EXPAND_NUMERIC + 1)] = {0, alen};
    char *buf = string_sprintf("%s%s", addr, n > 0 ? csubj : "");
    for (int i = 1; i < n && i <= LIMIT_EXPAND_NUMERIC; i++) {
        bool unset = cov[2 * i] == (size_t)-1;
        ov[2 * i] = unset ? 0 : alen + cov[2 * i];
        ov[2 * i + 1] = unset ? 0 : alen + cov[2 * i + 1];
    }
    expand_set_numeric(buf, ov, n > 1 ? n : 1);
    return OK;
}

/* rule_match - OK, FAIL, or DEFER after logging a pattern that could
 * not be expanded or looked up */
static int rule_match(const rewrite_rule *r, const rwa *a)
{
    const char *key = expand_cstring(r->key);
    bool smtp = a->field == RW_SMTP;
    if (!key) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to expand \"%s\" while checking for %s"
                  "rewriting: %s", r->key, smtp ? "SMTP " : "", expand_error());
        return DEFER;
    }
    if (!smtp && *key != '^' && simple_key(key)) return match_simple(key, a->addr);
    int rc = match_list_key(key, a->addr, smtp);
    if (rc == DEFER) log_write(L_always, LOG_MAIN, "rewrite: %s", match_error());
    return rc;
}

/* qualify_result - a replacement without a domain: with Q it gets
 * qualify_recipient, otherwise the rule is skipped (logged) */
static char *qualify_result(const rewrite_rule *r, const rwa *a, char *s)
{
    if (!*s || addr_parse_has_at(s)) return s;
    if (r->flags & RW_QUALIFY) return string_sprintf("%s@%s", s, cfg.qualify_recipient);
    log_write(L_always, LOG_MAIN, "Rewrite of %s yielded unqualified address \"%s\"", a->addr, s);
    return NULL;
}

/* replacement - the rule's expanded replacement for a matched address;
 * NULL when this rule does not rewrite (a->stop set if nothing may) */
static char *replacement(const rewrite_rule *r, rwa *a)
{
    if (strcmp(r->replacement, "*") == 0) { a->stop = true; return NULL; }
    const char *at = strrchr(a->addr, '@');
    char *slp = dlv.local_part, *sdom = dlv.domain;
    if (a->field != RW_SMTP) {
        dlv.local_part = at ? string_copyn(a->addr, (size_t)(at - a->addr)) : (char *)a->addr;
        dlv.domain = (char *)(at ? at + 1 : "");
    }
    char *s = expand_string(r->replacement);
    dlv.local_part = slp;
    dlv.domain = sdom;
    if (!s) {
        if (expand_forced_fail()) { a->stop = (r->flags & RW_QUIT) != 0; return NULL; }
        log_write(L_always, LOG_MAIN | LOG_PANIC, "Expansion of %s failed while rewriting: %s",
                  r->replacement, expand_error());
        a->stop = true;
        return NULL;
    }
    return a->field == RW_SMTP ? s : qualify_result(r, a, s);
}

/* encode_part - text outside the angle brackets of a "w" replacement:
 * RFC 2047 words (white space around them kept) when it holds bytes
 * outside printable ASCII, as the manual says for flag w */
static gstring *encode_part(gstring *g, const char *s, size_t n)
{
    bool raw = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > 126 || (c < 32 && c != '\t')) raw = true;
    }
    if (!raw) return string_catn(g, s, n);
    size_t a = 0, b = n;
    while (a < b && isspace((unsigned char)s[a])) a++;
    while (b > a && isspace((unsigned char)s[b - 1])) b--;
    g = string_catn(g, s, a);
    g = expand_rfc2047(g, string_copyn(s + a, b - a));
    return string_catn(g, s + b, n - b);
}

/* encode_whole - a whole "phrase <address> comment" replacement */
static char *encode_whole(char *s)
{
    char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (!gt) return s;
    gstring *g = encode_part(NULL, s, (size_t)(lt - s));
    g = string_catn(g, lt, (size_t)(gt + 1 - lt));
    return string_from_gstring(encode_part(g, gt + 1, strlen(gt + 1)));
}

/* apply_rule - one matching rule; true if it rewrote a->addr */
static bool apply_rule(const rewrite_rule *r, int rule_no, rwa *a)
{
    char *s = replacement(r, a);
    if (!s) return false;
    const char *working = s;
    if (a->field != RW_SMTP) {
        addr_parsed pa;
        const char *err = addr_parse_extract(s, false, NULL, &pa);
        if (err) {
            log_write(L_always, LOG_MAIN, "Rewrite of %s yielded unparseable address: %s in address %s",
                      a->addr, err, s);
            return false;
        }
        working = pa.address;
    }
    log_write(L_address_rewrite, LOG_MAIN, "\"%s\" from %s rewritten as \"%s\" by rule %d", a->addr,
              a->where, s, rule_no);
    a->whole = r->flags & RW_WHOLE ? encode_whole(s) : NULL;
    a->addr = working;
    return true;
}

/* run_rule - match and apply, again on the result under R */
static void run_rule(const rewrite_rule *r, int rule_no, rwa *a)
{
    bool matched = false;
    for (int repeats = 0;; repeats++) {
        if (rule_match(r, a) != OK) break;
        matched = true;
        if (!apply_rule(r, rule_no, a) || a->stop || !(r->flags & RW_REPEAT)) break;
        if (repeats >= LIMIT_REWRITE_REPEAT) {
            log_write(L_always, LOG_MAIN, "rewrite rule repeat ignored after %d times", LIMIT_REWRITE_REPEAT);
            break;
        }
    }
    if (matched && (r->flags & RW_QUIT)) a->stop = true;
}

/* rewrite_where - rewrite_address with the log's name for the field */
static char *rewrite_where(const rewrite_rule *rules, const char *address, unsigned field,
                           char **whole, const char *where)
{
    rwa a = {.addr = address, .where = where, .field = field};
    int rule_no = 0;
    for (const rewrite_rule *r = rules; r && !a.stop; r = r->next) {
        rule_no++;
        if (r->flags & field) run_rule(r, rule_no, &a);
    }
    if (whole) *whole = a.addr != address ? a.whole : NULL;
    expand_set_numeric(NULL, NULL, 0); /* $1.. pointed into scratch memory */
    return (char *)a.addr;
}

char *rewrite_address(const rewrite_rule *rules, const char *address, unsigned field, char **whole)
{
    return rewrite_where(rules, address, field, whole, field_name(field));
}

char *rewrite_smtp(char *data, bool recipient)
{
    const rewrite_rule *rules = rewrite_rules_list();
    if (!(rewrite_existflags(rules) & RW_SMTP)) return data;
    return rewrite_where(rules, data, RW_SMTP, NULL, recipient ? "smtp recipient" : "smtp sender");
}

void rewrite_envelope(header_line **rcpt_hdrs, header_line **sender_hdr)
{
    const rewrite_rule *rules = rewrite_rules_list();
    unsigned flags = rewrite_existflags(rules);
    *rcpt_hdrs = *sender_hdr = NULL;
    for (int i = 0; (flags & RW_ENV_TO) && i < msg.recipients_count; i++) {
        char *old = msg.recipients[i].address;
        char *n = rewrite_address(rules, old, RW_ENV_TO, NULL);
        if (n == old) continue;
        msg.recipients[i].address = n;
        header_append(rcpt_hdrs, string_sprintf("X-rewrote-original-recipient: %s\n", old))->type = HTYPE_OLD;
    }
    char *s = msg.sender_address;
    if (!(flags & RW_ENV_FROM) || !s || !*s || msg.sender_rewritten) return;
    char *n = rewrite_address(rules, s, RW_ENV_FROM, NULL);
    if (n == s) return;
    msg.sender_address = n;
    header_append(sender_hdr, string_sprintf("X-rewrote-sender: %s\n", s))->type = HTYPE_OLD;
}

void rewrite_sender_early(void)
{
    const rewrite_rule *rules = rewrite_rules_list();
    char *s = msg.sender_address;
    if (!(rewrite_existflags(rules) & RW_ENV_FROM) || !s || !*s || msg.sender_rewritten) return;
    enum store_pool old = store_set_pool(POOL_MSG); /* it outlives the ACL's scratch memory */
    msg.sender_address = string_copy(rewrite_address(rules, s, RW_ENV_FROM, NULL));
    msg.sender_rewritten = true;
    store_set_pool(old);
}
