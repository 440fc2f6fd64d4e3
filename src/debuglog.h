/* debuglog.h - "control = debug": debug output to a file in the log
 * directory, optionally held in memory until a trigger. */
#ifndef TERN_DEBUGLOG_H
#define TERN_DEBUGLOG_H

#include "tern.h"

/* debuglog_control - carry out one "control = debug/..." option string
 * (tag= opts= stop kill pretrigger= trigger=); NULL, or what is wrong */
const char *debuglog_control(const char *options);

/* debuglog_write - a debug line while control = debug holds lines back
 * (pretrigger); false when the caller should write it itself */
bool debuglog_write(const char *s, size_t len);

/* debuglog_panic - the panic log was written: a trigger=paniclog fires */
void debuglog_panic(void);

#endif
