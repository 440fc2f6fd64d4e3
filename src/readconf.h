/* readconf.h - reading the runtime configuration into cfg. */
#ifndef TERN_READCONF_H
#define TERN_READCONF_H

#include "tern.h"
#include "options.h"

/* readconf_read - choose the first existing file of the colon list and
 * read it; dies with file:line on any error. */
void readconf_read(const char *filelist);

/* readconf_string_value - the value part of an option line: quoted
 * strings have their escapes processed. Exported for unit tests. */
char *readconf_string_value(const char *s, const char **err);

/* readconf_hidden - was the option set with "hide"? (main options) */
bool readconf_hidden(const char *name);

/* readconf_reset - forget state of an earlier read (tests, fuzzing) */
void readconf_reset(void);

#endif
