/* redirect_list.h - parsing redirection data into addresses. */
#ifndef TERN_REDIRECT_LIST_H
#define TERN_REDIRECT_LIST_H

#include "tern.h"
#include "address.h"

typedef struct redirect_parse {
    /* in */
    bool forbid_include, skip_syntax_errors;
    const char *qualify_domain;  /* for unqualified items */
    const char *qualify_noredir; /* for "\\user" items, when it differs */
    /* out */
    address_item *out;           /* generated items, newest first */
    int count, skipped;
    gstring *skipped_errors;     /* skip_syntax_errors: one line per item skipped */
    bool blackhole;
    int special;                 /* 0, FAIL (":fail:") or DEFER (":defer:") */
    char *special_text, *special_item;
    char *error;
} redirect_parse;

/* redirect_parse_text - parse text into rp; OK, ERROR (syntax, rp->error)
 * or DEFER (an :include: file could not be read) */
int redirect_parse_text(redirect_parse *rp, const char *text, int depth);

/* redirect_check_address - the syntax error in one address (worded as
 * Exim words it), or NULL if it is fine */
const char *redirect_check_address(const char *a);

/* redirect_read_file - a whole alias/forward/filter file (untainted: a
 * local file, not outside data); NULL with *err */
char *redirect_read_file(const char *path, const char **err);
#endif
