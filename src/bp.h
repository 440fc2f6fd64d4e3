/* bp.h - the -bP command: print option values, lists, drivers, macros. */
#ifndef TERN_BP_H
#define TERN_BP_H

#include "tern.h"

/* bp_print - handle "-bP [words...]"; returns the exit status */
int bp_print(int argc, char **argv);

#endif
