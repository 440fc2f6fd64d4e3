/* queue.h - the message queue: listing (-bp*), queue runs (-q*, -R, -S)
 * and message actions (-M*), with the spool layout helpers they share. */
#ifndef TERN_QUEUE_H
#define TERN_QUEUE_H

#include "tern.h"
#include "spool.h"

/* queue_run flags (Exim's -q letters) */
#define QR_FORCE      0x0001 /* -qf: ignore retry times */
#define QR_FORCE_THAW 0x0002 /* -qff: frozen messages too */
#define QR_FIRST_ONLY 0x0004 /* -qi: only messages never tried */
#define QR_TWO_STAGE  0x0008 /* -qq: route everything first, then deliver */
#define QR_LOCAL_ONLY 0x0010 /* -ql: local deliveries only */
#define QR_DAEMON     0x0020 /* started by the daemon: limited by queue_run_max */

/* deliver_message - deliver one message from the spool (deliver.c,
 * helper DA): forced overrides retry times and thaws, give_up bounces
 * every undelivered address ("cancelled by administrator"). */
int deliver_message(const char *id, bool forced, bool give_up);

/* queue_run - one pass over the queue (ids in [start_id, stop_id] when
 * given, either may be NULL), delivering each selected message through
 * deliver_message(); -R/-S selections given on the command line apply.
 * With QR_DAEMON, returns DEFER without running when queue_run_max
 * runners already hold a slot. Returns OK, DEFER or ERROR. */
int queue_run(const char *start_id, const char *stop_id, unsigned flags);

/* What the current queue run asks of deliver_message (DA reads these):
 * queue_running - inside a queue run (not -M/-Mc, not after reception)
 * queue_first_pass - first stage of -qq: route and deliver locally only,
 *   as if queue_smtp_domains matched every domain
 * queue_local_only - -ql: no remote deliveries */
bool queue_running(void);
bool queue_first_pass(void);
bool queue_local_only(void);

/* Command line. queue_flag consumes -q*, -R*, -S*, -M* (with their
 * arguments) at argv[*i]; false when arg is not one of them. */
bool queue_flag(const char *arg, int argc, char **argv, int *i);
/* queue_mode_pending - a -q/-R/-S/-M action was given and no -b mode */
bool queue_mode_pending(void);
/* queue_mode - run that action; argc/argv are the words left after the
 * flags (an error for these actions). Returns the exit status. */
int queue_mode(int argc, char **argv);
/* queue_list_mode - -bp, -bpa, -bpc, -bpr, -bpra, -bpru, -bpu; sets
 * *handled false for other modes */
int queue_list_mode(const char *mode, int argc, char **argv, bool *handled);
/* For the daemon: -q<time> given with -bd. queue_daemon_interval is the
 * interval in seconds (0: no periodic runs); each run is
 * queue_run(NULL, NULL, queue_daemon_flags()) in a forked child. */
int queue_daemon_interval(void);
unsigned queue_daemon_flags(void);

/* Spool layout. queue_subdir - where the message's files are: "" or the
 * split subdirectory ("X"), whichever holds its -H file (the configured
 * place when neither does). */
const char *queue_subdir(const char *id);
/* queue_input_path - <spool>/input[/X]/<id><suffix> */
char *queue_input_path(const char *id, const char *suffix);
char *queue_spool_dir(const char *sub);

/* queue_lock - lock the message against concurrent delivery or actions
 * as Exim does (fcntl write lock on the start of the -D file). Returns
 * the fd (keep it open to hold the lock), -1 when the -D file does not
 * exist, -2 when another process holds the lock. */
int queue_lock(const char *id);

/* queue_read_header - read and parse <id>-H; NULL on success, else the
 * reason (and *missing when the file does not exist). */
const char *queue_read_header(const char *id, spool_header *h, bool *missing);
/* queue_write_header - rewrite <id>-H atomically from h */
const char *queue_write_header(const spool_header *h);

typedef struct queue_entry {
    char id[MESSAGE_ID_LENGTH + 1];
    char sub[2]; /* "" or the split subdirectory */
} queue_entry;

/* queue_scan - every message id in the spool (main input directory and
 * any one-character subdirectories); sorted by id when sorted. */
queue_entry *queue_scan(bool sorted, int *count);

/* Formatting helpers of -bp (exported for unit tests). */
char *queue_format_age(long seconds);
char *queue_format_size(long long size);

#endif
