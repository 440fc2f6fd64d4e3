/* smtp_in.h - the SMTP server: one session on conn.in_fd/conn.out_fd.
 *
 * Used by the daemon's connection child, -bs and -bh. The caller fills
 * in conn (peer address, is_socket, local, host_checking) first. */
#ifndef TERN_SMTP_IN_H
#define TERN_SMTP_IN_H

#include "tern.h"

/* smtp_session - run the whole dialogue; returns the exit status */
int smtp_session(void);

/* smtp_conn_setup - set conn fields for a peer; address NULL for local
 * input (-bs). port is the peer's port. */
void smtp_conn_setup(const char *address, int port, int in_fd, int out_fd, bool is_socket);

/* smtp_refuse_connection - reply 421 with text and close (daemon's
 * smtp_accept_max and the like, before any session starts) */
void smtp_refuse_connection(int fd, const char *text);

/* smtp_host_and_ident - "H=(helo) [ip]" or "U=login" for log lines */
char *smtp_host_and_ident(bool with_helo);

/* smtp_host_lookup - reverse lookup of the client, forward-confirmed:
 * sets conn.sender_host_name or host_lookup_failed/deferred */
void smtp_host_lookup(void);
/* smtp_set_host_names - names[0] becomes $sender_host_name, the rest
 * $sender_host_aliases (names: dns_host_names' NULL-terminated list) */
void smtp_set_host_names(char **names);
/* smtp_helo_shown - does the HELO name appear beside the host in H= and
 * $sender_fullhost (rcvhost false) or $sender_rcvhost (true)? Not when it
 * is the host's name, nor when it is the client's address literal and
 * (for rcvhost: or) the name is known, as in Exim. */
bool smtp_helo_shown(bool rcvhost);

/* smtp_rcvhost_bare - "[ip]", "[ip] (helo=h)", "[ip] (helo=h ident=u)" or
 * "[ip] (ident=u)": $sender_rcvhost for a client with no host name */
char *smtp_rcvhost_bare(const char *helo);

/* smtp_helo_verify - the HELO/EHLO name is an address literal for the
 * client, its looked-up name, or resolves to its address: OK, FAIL or
 * DEFER (remembered per HELO name) */
int smtp_helo_verify(void);

/* smtp_tod_full - the current time as RFC 5322 date-time (banner, Received:, Date:) */
char *smtp_tod_full(void);

#endif
