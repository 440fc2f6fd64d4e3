/* smtp_in_modes.h - command-line modes that receive mail (-bs -bh -bm
 * -t -bd -bdf) and their flags. Called from modes.c. */
#ifndef TERN_SMTP_IN_MODES_H
#define TERN_SMTP_IN_MODES_H

#include "tern.h"

/* smtp_modes_flag - a reception flag at argv[*i]? (consumes its value) */
bool smtp_modes_flag(const char *arg, int argc, char **argv, int *i);
/* smtp_modes_run - run mode if it is one of ours (*handled) */
int smtp_modes_run(const char *mode, int argc, char **argv, bool *handled);
/* smtp_modes_implied - -t given with no -b mode: -bm is implied */
bool smtp_modes_implied(void);

#endif
