/* version.h - version strings and the -bV report. */
#ifndef TERN_VERSION_H
#define TERN_VERSION_H

#include "tern.h"

#define TERN_VERSION "0.1"
/* What $version_number and the banner report: the Exim release whose
 * behaviour Tern follows, so configs testing it keep working. */
#define TERN_EXIM_COMPAT "4.96"

void version_report(FILE *f);
/* version_features - the "Support for:" words, space separated */
const char *version_features(void);

#endif
