/* modules.h - the lifecycle hooks every EXPERIMENTAL_* module provides
 * (STYLE.md section 2), and the list of modules built in. */
#ifndef TERN_MODULES_H
#define TERN_MODULES_H

#include "tern.h"

typedef struct module_info {
    const char *name;          /* "spf" */
    const char *feature_word;  /* "Experimental_SPF" on -bV's Support for: */
    void (*init)(void);        /* after the config is read */
    void (*conn_init)(void);   /* start of an SMTP connection */
    void (*smtp_reset)(void);  /* RSET, and end of each message */
    void (*msg_init)(void);    /* start of a message */
    void (*version_report)(FILE *f); /* extra -bV lines (library versions) */
} module_info;

extern const module_info *const modules_list[]; /* NULL-terminated */

/* lookups_builtin_names - names for -bV's "Lookups (built-in):" line
 * (defined by the lookup registry in lookups.c) */
const char *const *lookups_builtin_names(void);

#endif
