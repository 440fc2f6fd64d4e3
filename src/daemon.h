/* daemon.h - the SMTP listening daemon (-bd, -bdf). */
#ifndef TERN_DAEMON_H
#define TERN_DAEMON_H

#include "tern.h"

/* daemon_run - bind, (detach unless foreground), accept until SIGTERM.
 *   oX  -oX value: a port list or an interface list; NULL for the config
 *   oP  -oP pid file path; NULL for the default (none when -oX is given)
 * Returns the exit status. */
int daemon_run(bool foreground, const char *oX, const char *oP);

#endif
