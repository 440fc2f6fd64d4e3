/* daemon_deliver.h - the daemon's delivery side: ids of accepted
 * messages arrive from connection children over a pipe and are
 * delivered by processes the root daemon forks; periodic queue runners
 * (-bd -q<time>) start from here too. */
#ifndef TERN_DAEMON_DELIVER_H
#define TERN_DAEMON_DELIVER_H

#include "tern.h"

/* ddlv_init - in the daemon before the first fork: the pipe, the
 * backlog and the queue-run timer. in_child is called in every process
 * forked here (it closes the listening sockets). */
void ddlv_init(void (*in_child)(void));
/* ddlv_poll_fd - the read end of the pipe, for the accept loop's poll */
int ddlv_poll_fd(void);
/* ddlv_timeout_ms - poll timeout until the next queue run, idle process
 * retirement or extra delivery process is due (-1: none) */
int ddlv_timeout_ms(void);
/* ddlv_conn_child - in a connection child: keep only the write end */
void ddlv_conn_child(void);
/* ddlv_read - the pipe is readable: take the ids, start deliveries */
void ddlv_read(void);
/* ddlv_tick - retire idle delivery processes, start an extra one for ids
 * that waited too long, start a queue runner when one is due */
void ddlv_tick(void);
/* ddlv_reaped - a child exited: true if it was one of ours (and then
 * more deliveries may start) */
bool ddlv_reaped(pid_t pid);
/* ddlv_describe - "-q30m" for the start-up log line, or "no queue runs" */
char *ddlv_describe(void);

/* daemon_handoff - in a daemon connection child: pass the id of an
 * accepted message to the daemon for immediate delivery. false when this
 * process is not a daemon child (the caller delivers itself). */
bool daemon_handoff(const char *id);

#endif
