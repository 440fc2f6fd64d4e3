/* msglog.h - per-message logs (<spool>/msglog[/X]/<id>), as Exim keeps
 * them: one timestamped line per event, shown by -Mvl, removed (or moved
 * to msglog.OLD with preserve_message_logs) when the message completes. */
#ifndef TERN_MSGLOG_H
#define TERN_MSGLOG_H

#include "tern.h"

/* msglog_path - where the message log of id lives (split-aware: the
 * subdirectory that holds it, else where a new one goes) */
char *msglog_path(const char *id);
/* msglog_write - append "<timestamp> <text>\n" to id's message log,
 * creating it; does nothing when message_logs is false. Errors are
 * returned, never fatal: a message log is a convenience. */
int msglog_write(const char *id, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* msglog_finish - the message is gone: delete its log, or move it to
 * <spool>/msglog.OLD/ when preserve_message_logs is set */
void msglog_finish(const char *id);

#endif
