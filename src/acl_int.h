/* acl_int.h - types shared by the ACL engine's files (acl_parse.c,
 * acl_run.c, acl_conds.c, acl_controls.c, acl_verify.c, acl_dnsbl.c).
 * Nothing outside src/acl_*.c includes this header. */
#ifndef TERN_ACL_INT_H
#define TERN_ACL_INT_H

#include "tern.h"
#include "acl.h"

/* Verbs, in Exim's spelling. */
enum acl_verb { ACLV_ACCEPT, ACLV_DEFER, ACLV_DENY, ACLV_DISCARD, ACLV_DROP, ACLV_REQUIRE,
                ACLV_WARN, ACLV_COUNT };

/* Bit for a checkpoint in the "forbids" masks. */
#define AW(w) (1u << (w))
#define AW_ALL ((1u << ACL_WHERE_COUNT) - 1)
#define AW_ONLY(m) (AW_ALL & ~(unsigned)(m))
#define AW_NOTSMTP (AW(ACL_WHERE_NOTSMTP) | AW(ACL_WHERE_NOTSMTP_START))
#define AW_MSG (AW(ACL_WHERE_MAIL) | AW(ACL_WHERE_RCPT) | AW(ACL_WHERE_PREDATA) | AW(ACL_WHERE_DATA) | \
                AW(ACL_WHERE_MIME) | AW(ACL_WHERE_DKIM) | AW(ACL_WHERE_PRDR) | AW_NOTSMTP)

struct acl_ctx;
struct acl_cond;

/* One row of the condition/modifier table (acl_conds.c). Modules add
 * their row inside their #ifdef; keep the table sorted by name. */
typedef struct acl_cond_def {
    const char *name;
    bool modifier;        /* logged as "modifier" in parse errors */
    bool no_arg;          /* endpass: no "= value" */
    bool no_negate;       /* modifiers cannot take "!" */
    bool expand;          /* argument expanded before fn is called */
    unsigned forbids;     /* AW() bits of checkpoints where it is refused */
    /* fn - evaluate: OK (true), FAIL (false), DEFER, ERROR, or for
     * acl= a nested DISCARD/FAIL_DROP. arg is the expanded argument. */
    int (*fn)(struct acl_ctx *x, const struct acl_cond *c, const char *arg);
} acl_cond_def;

typedef struct acl_cond {
    struct acl_cond *next;
    const acl_cond_def *def;
    bool negated;
    char *arg;            /* unexpanded argument; NULL for endpass */
    char *varname;        /* set: "acl_m_foo" */
} acl_cond;

typedef struct acl_stmt {
    struct acl_stmt *next;
    enum acl_verb verb;
    acl_cond *conds;
    const char *file;
    int line;
} acl_stmt;

typedef struct acl_def {
    struct acl_def *next;
    char *name;           /* ACL name, file path, or inline text */
    bool is_inline;       /* traced as "inline ACL", not ACL "name" */
    acl_stmt *stmts;
} acl_def;

/* State of one ACL run (and of nested runs, through depth). */
typedef struct acl_ctx {
    enum acl_where where;
    const char *recipient;  /* RCPT address, or the command argument */
    const char *acl_name;
    const char *acl_label;  /* ACL "name" or inline ACL, for trace lines */
    bool endpass_hit;       /* an accept/discard failed after endpass */
    bool cond_deferred;     /* the last statement's condition deferred: no "end of" trace */
    enum acl_verb verb;     /* verb of the statement being evaluated */
    int depth;
    char *user_msg;         /* current "message" (unexpanded) */
    char *log_msg;          /* current "log_message" (unexpanded) */
    char *err_msg;          /* error/defer reason from a condition */
    bool err_log_only;      /* err_msg is for the log only (header verification) */
    char *nested_msg;       /* a nested ACL's expanded message, or a condition's own reply text (csa) */
    int log_target;
} acl_ctx;

/* acl_parse.c */
const acl_cond_def *acl_cond_lookup(const char *name, size_t len);
extern const char *const acl_verb_names[ACLV_COUNT];
/* acl_parse_lines - parse lines; on error returns NULL with *err and
 * *errline set. */
acl_def *acl_parse_text(const char *name, const char *text, const char *file, char **err, int *errline);
acl_def *acl_find(const char *name);
acl_def *acl_load(const char *text, char **err);

/* acl_run.c */
int acl_run_named(acl_ctx *x, const char *text, int depth);
void acl_trace(const char *fmt, ...) PRINTF_LIKE(1, 2);
bool acl_tracing(void);
const char *acl_where_desc(enum acl_where where);
char *acl_host_ident(void);

/* acl_conds.c */
extern const acl_cond_def acl_cond_table[];
extern const size_t acl_cond_table_count;

/* acl_controls.c */
int acl_control(acl_ctx *x, const char *arg);

/* acl_verify.c */
int acl_verify(acl_ctx *x, const char *arg);

/* acl_dnsbl.c */
int acl_dnslists(acl_ctx *x, const char *arg);

/* acl_mime.c: decode, mime_regex (MIME ACL only) and regex */
int acl_mime_decode(acl_ctx *x, const char *arg);
int acl_mime_regex(acl_ctx *x, const char *arg);
int acl_regex(acl_ctx *x, const char *arg);

/* acl_vars.c */
bool acl_var_name_check(const char *name, size_t len, char **err);

#endif
