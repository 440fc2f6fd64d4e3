/* modes.h - the command-line modes beyond -bV and -bP, and the flags
 * that only some modes use. Each later subsystem adds its mode here. */
#ifndef TERN_MODES_H
#define TERN_MODES_H

#include "tern.h"

/* modes_flag - a flag main.c does not know; dies if nobody does */
void modes_flag(const char *mode, const char *arg, int argc, char **argv, int *i);
/* modes_run - run a -b mode; returns the exit status */
int modes_run(const char *mode, int argc, char **argv);
/* builtin_macros_define - _HAVE_*, _OPT_*, _DRIVER_*, _LOG_* */
void builtin_macros_define(void);
/* readconf_finish - defaults that depend on the host or other options */
void readconf_finish(void);

#endif
