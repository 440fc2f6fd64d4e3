/* cfgfile.h - reads the configuration as logical lines: comments removed,
 * continuations joined, macros substituted, .include and .ifdef done. */
#ifndef TERN_CFGFILE_H
#define TERN_CFGFILE_H

#include "tern.h"

typedef struct macro_item {
    struct macro_item *next;
    char *name;
    char *value;
    bool command_line; /* -D: definitions in the file are ignored */
    bool builtin;      /* _HAVE_* and friends */
} macro_item;

typedef struct cfg_reader cfg_reader;

cfg_reader *cfgfile_open(const char *path);
/* cfgfile_next_line - next logical line, or NULL at the end. The line is
 * in POOL_CONFIG and stays valid for the life of the process. */
char *cfgfile_next_line(cfg_reader *r);
/* Sections: macros may be defined in main (any uppercase line must be
 * one) and between drivers and ACLs; never in retry or rewrite. */
void cfgfile_set_section(cfg_reader *r, bool macros_allowed, bool in_main);
const char *cfgfile_filename(const cfg_reader *r);
int cfgfile_lineno(const cfg_reader *r);

void cfg_error(cfg_reader *r, const char *fmt, ...) NORETURN PRINTF_LIKE(2, 3);

/* Macros: all defined macros in definition order. */
bool macro_define(const char *name, const char *value, bool command_line, bool redefine,
                  const char **err);
void macro_define_builtin(const char *name, const char *value);
const macro_item *macro_first(void);
const macro_item *macro_find(const char *name);
bool macro_name_valid(const char *name);

/* Saved logical lines for -bP config, with "# N file" markers. */
const char *cfgfile_saved_lines(void);

/* cfgfile_reset - forget an abandoned read: close its files, drop macros
 * and saved lines. For tests and fuzzing; real processes read once. */
void cfgfile_reset(void);

#endif
