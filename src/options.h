/* options.h - typed option tables shared by the main section and drivers.
 *
 * Each table is sorted by name (binary search; a unit test checks order).
 * A row says where the value lives: at an offset in the main config block,
 * in a driver instance (OPT_PUBLIC) or in the driver's private block. */
#ifndef TERN_OPTIONS_H
#define TERN_OPTIONS_H

#include "tern.h"

enum opt_type {
    opt_bool,        /* yes/no; -bP prints NAME or no_NAME */
    opt_bool_verify, /* router "verify": sets verify_sender and verify_recipient */
    opt_expand_bool, /* yes/no, or an expansion (contains '$') decided at use: opt_xbool */
    opt_int,         /* integer with optional K/M/G suffix */
    opt_mkint,       /* integer printed with K/M suffix when exact */
    opt_Kint,        /* integer held in K (bare number = K), printed as K/M/G */
    opt_octint,      /* octal integer (file modes) */
    opt_fixed,       /* fixed point, three decimals, held as value*1000 */
    opt_time,        /* time in seconds: 1d2h3m4s or plain seconds */
    opt_timelist,    /* colon list of times (int array, [0] = count) */
    opt_uid,         /* user name or number */
    opt_gid,         /* group name or number */
    opt_uidlist,     /* list of users */
    opt_gidlist,     /* list of groups */
    opt_expand_uid,  /* user, expanded at use when it contains '$' */
    opt_expand_gid,  /* group, expanded at use when it contains '$' */
    opt_string,      /* plain string, never expanded */
    opt_stringptr,   /* string expanded at use */
    opt_rewrite,     /* header rewrite rules (a string here, compiled later) */
    opt_missing,     /* option of a feature not built: refused with a reason */
    opt_alias,       /* another name for the option in .offset's row name */
};

#define OPT_TYPE_MASK 0x00ff
#define OPT_PUBLIC    0x0100 /* lives in the driver instance, not its private block */
#define OPT_HIDDEN    0x0200 /* -bP shows it only to admin users */
#define OPT_SECURE    0x0400 /* value never shown by -bP (passwords) */
#define OPT_TIMESTR   0x0800 /* expanded string that, without '$', must be a time */

typedef struct optionlist {
    const char *name;
    unsigned type;   /* enum opt_type | OPT_* flags */
    size_t offset;   /* in the block the row refers to */
    const char *aux; /* opt_missing: the feature; opt_alias: the real name */
    void *base;      /* if set, the value lives here (+offset), not in the
                        block: an experimental module's own options block */
} optionlist;

#define OPT_OFF(type, field) offsetof(type, field)

/* Held by opt_expand_bool options: a fixed value, or an expression
 * (expr non-NULL) whose expansion decides at use time. */
typedef struct opt_xbool {
    bool value;
    char *expr;
} opt_xbool;

/* Held by uid/gid options: the value and whether it was given at all. */
typedef struct opt_ugid {
    bool set;
    long id;
} opt_ugid;

const optionlist *options_find(const optionlist *table, size_t n, const char *name);
bool options_table_sorted(const optionlist *table, size_t n, const char **bad);

/* options_set - parse VALUE for row OL into the block.
 * negated is true when the option was written no_NAME or not_NAME.
 * Returns NULL on success or a message (in the current pool) on error. */
const char *options_set(const optionlist *ol, void *block, const char *value,
                        bool negated, bool has_value);

/* options_format - the -bP line for one option ("name = value" etc) */
char *options_format(const optionlist *ol, const void *block);

/* Value parsers, public for unit tests and other users. */
bool options_parse_time(const char *s, int *out);
bool options_parse_int(const char *s, long long *out, bool allow_suffix);
bool options_parse_fixed(const char *s, int *out);
char *options_time_string(int seconds);
char *options_mkint_string(long long v);

#endif
