/* expand_int.h - what the expansion engine's files share among themselves.
 *
 * expand.c is the parser; expand_vars.c the variable table; expand_cond.c
 * the conditions; expand_ops.c the ${op:...} operators; expand_items.c and
 * expand_lists.c the ${item{...}} forms; expand_eval.c arithmetic. Nothing
 * outside these files includes this header. */
#ifndef TERN_EXPAND_INT_H
#define TERN_EXPAND_INT_H

#include "tern.h"
#include "expand.h"

/* The state of the expansion in progress: error, $value, $1..$n, $item. */
struct expand_state {
    char *errmsg;           /* reason for the last failure */
    bool forced_fail;       /* failure was "fail" or a failed lookup */
    bool malformed_header;  /* a $h_ name ran on without a colon */
    bool search_defer;      /* a lookup deferred */
    const char *value;      /* $value */
    const char *item;       /* $item of map/filter/forall/reduce */
    int nmax;               /* highest $n set, -1 when none */
    const char *nstr[LIMIT_EXPAND_NUMERIC + 1];
    size_t nlen[LIMIT_EXPAND_NUMERIC + 1];
    int depth;              /* nesting of expand_string calls */
    int runrc;              /* $runrc */
    char *prvscheck_address, *prvscheck_keynum, *prvscheck_result;
    char *srs_recipient;
    const char *local_scan_data;
};
extern struct expand_state xs;

/* Saved numeric variables and $value around a nested construct. */
typedef struct exp_saved {
    const char *value;
    int nmax;
    const char *nstr[LIMIT_EXPAND_NUMERIC + 1];
    size_t nlen[LIMIT_EXPAND_NUMERIC + 1];
} exp_saved;

/* expand.c */
gstring *exp_sub(const char **sp, bool brace_ends, bool skip);
char *exp_sub_str(const char **sp, bool brace_ends, bool skip);
bool exp_failf(const char *fmt, ...) PRINTF_LIKE(1, 2);
void *exp_failp(const char *fmt, ...) PRINTF_LIKE(1, 2);
bool exp_curly(void);
int exp_read_subs(const char **sp, char **sub, int n, int m, bool skip, bool check_end,
                  const char *name);
bool exp_read_braced(const char **sp, bool skip, char **out);
const char *exp_skip_ws(const char *s);
size_t exp_read_name(const char *s, char *buf, size_t bufsz, const char *extra);
void exp_save(exp_saved *sv);
void exp_restore(const exp_saved *sv);
void exp_set_numeric(const char *subject, const size_t *ovec, int count);
bool exp_yesno(const char **sp, bool yes, const char *save_value, bool skip, const char *type,
               gstring **g);
bool exp_tainted_source(const char *s);
const char *exp_header_name(const char *s, char *name, size_t namesz);
bool exp_check_integer(const char *s, long long *v, bool isplus, const char *what);

/* expand_vars.c */
const char *exp_find_var(const char *name, bool *exists);
bool exp_var_is_header(const char *name);
const char *exp_header_value(const char *name, bool *exists);
bool expand_vars_sorted(void);
void exp_set_acl_var(const char *name, const char *value);

/* expand_cond.c */
const char *exp_condition(const char *s, bool *yield, bool skip);

/* expand_ops.c */
gstring *exp_operator(const char *name, const char *arg, gstring *g);
bool exp_is_operator(const char *name);

/* expand_items.c / expand_lists.c */
typedef gstring *(*exp_item_fn)(const char **sp, gstring *g, bool skip, const char *name);
exp_item_fn exp_find_item(const char *name);
gstring *exp_item_map(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_filter(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_reduce(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_sort(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_listextract(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_listquote(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_extract(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_lookup(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_misc_hmac(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_prvs(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_prvscheck(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_srs_encode(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_readsocket(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_run(const char **sp, gstring *g, bool skip, const char *name);
gstring *exp_item_readfile(const char **sp, gstring *g, bool skip, const char *name);
/* exp_list_walk helpers for conditions */
bool exp_json_next(const char **list, char **item, bool strings);

/* expand_eval.c */
bool exp_eval(const char *s, bool decimal, long long *out, char **err);
bool exp_time_eval(const char *s, int *out);
char *exp_time_interval(long long secs);
char *exp_tod(const char *which);

/* expand_items.c helpers shared with operators */
const char *exp_substr(const char *subject, int off, int len, size_t *outlen);
const char *exp_hash(const char *subject, int len, int n, size_t *outlen);
const char *exp_nhash(const char *subject, int n, int m);
char exp_escape_char(const char **sp);
int exp_regex_match(const char *subject, const char *pattern, bool setup);
gstring *exp_item_authresults(const char **sp, gstring *g, bool skip, const char *name);
bool exp_srs_check(const char *local_part, const char *secret, bool *yield);
bool expand_conds_sorted(void);
bool exp_is_condition(const char *name);
bool expand_items_sorted(void);
bool expand_ops_sorted(void);

/* expand_hdr.c */
char *exp_rfc2047_decode(const char *s);


/* operator implementations (expand_codec.c, expand_addr.c) */
#define OPFN(n) gstring *n(gstring *g, char *sub, const char *arg, const char *name)
OPFN(exp_op_base32); OPFN(exp_op_base32d); OPFN(exp_op_base62); OPFN(exp_op_base62d);
OPFN(exp_op_base64); OPFN(exp_op_base64d); OPFN(exp_op_hex2b64); OPFN(exp_op_digest);
OPFN(exp_op_utf8clean); OPFN(exp_op_from_utf8); OPFN(exp_op_xtext); OPFN(exp_op_xtextd);
OPFN(exp_op_headerwrap); OPFN(exp_op_rfc2047); OPFN(exp_op_rfc2047d); OPFN(exp_op_idna);
OPFN(exp_op_address); OPFN(exp_op_addresses); OPFN(exp_op_ipv6); OPFN(exp_op_mask);
OPFN(exp_op_reverse_ip);
#undef OPFN
char *exp_b64encode(const unsigned char *in, size_t n);
long exp_b64decode(const char *in, unsigned char **out);
char *exp_imap_utf7(const char *s, char sep, const char *specials);

/* expand_addr.c */
char *exp_parse_address(const char *s, char **err, int *start, int *end, int *domain,
                        bool allow_group);
char *exp_ipv6_norm(const char *s, bool denorm, char **err);
int exp_host_aton(const char *s, unsigned *bin);
int exp_is_ip(const char *s, int *maskptr);

#endif
