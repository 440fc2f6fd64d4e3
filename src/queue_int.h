/* queue_int.h - state shared by the queue files (queue_cmd.c, queue_run.c,
 * msgaction.c): what the command line asked for. Not for other modules. */
#ifndef TERN_QUEUE_INT_H
#define TERN_QUEUE_INT_H

#include "tern.h"

/* -M actions */
enum msg_action {
    MA_NONE, MA_DELIVER, MA_DELIVER_CHECK, MA_REMOVE, MA_FREEZE, MA_THAW, MA_GIVE_UP,
    MA_ADD_RCPT, MA_MARK_ALL, MA_MARK, MA_EDIT_SENDER, MA_VIEW_HEADER, MA_VIEW_BODY,
    MA_VIEW_LOG, MA_VIEW_COMPLETE
};

/* A -R or -S selection: a literal substring (caseless) or a regex. */
typedef struct queue_select {
    const char *string;
    bool regex;
    unsigned qflags; /* QR_FORCE / QR_FORCE_THAW from its f / ff */
} queue_select;

struct queue_cmd {
    bool run;              /* -q, -R or -S given */
    bool run_time_given;   /* -q<time> */
    unsigned qflags;       /* QR_* from the -q letters */
    int interval;          /* seconds, for the daemon */
    const char *start_id, *stop_id;
    queue_select rcpt, sender;
    enum msg_action action;
    const char *action_flag; /* "-Mf" ..., for messages */
    char **args;           /* ids (and addresses) after -M* */
    int nargs;
};

extern struct queue_cmd queue_cmdline;

/* msgaction_run - the -M* action on queue_cmdline.args; exit status */
int msgaction_run(void);
/* queue_run_describe - " -qff -R str" for the Start/End log lines */
char *queue_run_describe(unsigned flags);
/* queue_caller_name - the login name of the caller, for "frozen by X" */
const char *queue_caller_name(void);

#endif
