/* deliver.h - the delivery process: deliver one spooled message. */
#ifndef TERN_DELIVER_H
#define TERN_DELIVER_H

#include "tern.h"
#include "address.h"

/* deliver_message - deliver (or try to) the message with this id.
 * forced: -M (delivers even a frozen message, ignores retry times);
 * give_up: fail every address that would be deferred.
 * Returns OK when the attempt ran (whatever the outcome), DEFER when the
 * message is locked by another process, FAIL when it cannot be read. */
int deliver_message(const char *id, bool forced, bool give_up);

/* deliver_mode_M - -M id... and -Mc id...: deliver the named messages;
 * returns the exit status */
int deliver_mode_M(int argc, char **argv, bool continued);

/* deliver_after_receive - immediate delivery after reception: honours
 * -odq/-odb, queue_only, queue_only_load, queue_only_override; returns
 * what deliver_message returns, or OK without delivering when queued */
int deliver_after_receive(const char *id);

/* deliver_parse_flag - -N and -od? flags; true if arg was one */
bool deliver_parse_flag(const char *arg);

/* ---- shared between deliver*.c ---- */

/* deliver_local_group - run the local transports for a chain of
 * addresses that share a uid and gid, in the local delivery agent of
 * that identity (deliver_agent.c), which is given hdata (the message's
 * -H bytes) and the open -D file. Fills in each address's
 * transport_return and message. */
void deliver_local_group(const char *hdata, size_t hlen, address_item *chain);

/* deliver_agents_keep - keep local delivery agents from one message to
 * the next (a process that delivers many messages); otherwise they end
 * with each message */
void deliver_agents_keep(bool keep);
/* deliver_agents_close - end the agents (always: even when kept) */
void deliver_agents_close(bool always);
/* deliver_agents_forget - in a child forked by a delivery process that
 * delivers a message of its own: leave the parent's agents to the parent */
void deliver_agents_forget(void);

/* deliver_generated - called by a local transport (autoreply) in the
 * local delivery agent: a new message to send from <>, its envelope
 * recipients (comma-separated plain addresses) and its text (headers,
 * blank line, body). It goes to the delivery process with the address's
 * result, which puts it in the spool before the result is journalled. */
void deliver_generated(address_item *a, const char *rcpts, const char *text);

/* deliver_reply_spool - in the delivery process: spool and deliver a
 * generated message for a; on failure a is deferred with the reason */
void deliver_reply_spool(address_item *a, const char *rcpts, const char *text);

/* deliver_local_check - uid/gid/never_users checks for a local delivery,
 * made in the parent; false (addr deferred, message set) if refused */
bool deliver_local_check(address_item *a);

/* deliver_log_result - the mainlog line for one address's final or
 * deferred result ("=>", "->", "==", "**", "*>") */
/* deliver_log_discard - "=> :blackhole: <addr> R=router" for an address
 * a router discarded (Exim logs it when routing) */
void deliver_log_discard(const address_item *a);
void deliver_log_result(const address_item *addr, bool first, bool dont_deliver);

/* deliver_time_string - "1m2s" (or "0.012s" with +millisec) for QT= DT= */
char *deliver_time_string(long usec);

#endif
