/* limits.h - every fixed limit in one place, with the reason for its value. */
#ifndef TERN_LIMITS_H
#define TERN_LIMITS_H

/* Config lines: a logical line (after joining continuations) may be long
 * (big host lists in one option), but not unbounded: a hostile or corrupt
 * file must not make the parser eat all memory. */
#define LIMIT_CONFIG_LINE (1024 * 1024)

/* .include nesting: deep enough for any sane layout, low enough to stop
 * a file that includes itself. */
#define LIMIT_CONFIG_INCLUDE_DEPTH 32

/* .ifdef nesting. */
#define LIMIT_CONFIG_IF_DEPTH 64

/* Macro expansion passes over one line: stops macros that expand to
 * themselves (A = A) from looping forever. */
#define LIMIT_MACRO_EXPANSIONS 1000

/* Macro name length, as used by Exim's macro syntax (names are words). */
#define LIMIT_MACRO_NAME 64

/* Log lines: long enough for a <= line with many recipients, short enough
 * that one write(2) with O_APPEND stays atomic in practice on local files. */
#define LIMIT_LOG_LINE (64 * 1024)

/* Driver instance names. */
#define LIMIT_DRIVER_NAME 64

/* SMTP command line (RFC 5321 section 4.5.3.1.4 says 512 octets; Exim
 * reads up to 16384 so that long AUTH lines (RFC 4954) fit). A longer
 * line is cut into pieces of this size, each handled as a command, as
 * Exim does. */
#define LIMIT_SMTP_CMD_LINE 16384

/* SMTP input buffer: how much of a pipelined group is read at once. */
#define LIMIT_SMTP_INBUF (64 * 1024)

/* Commands remembered for the C= field of "dropped" log lines
 * (Exim keeps the last 20). */
#define LIMIT_SMTP_CMD_HISTORY 20

/* Bytes of a sync-error log line's "next input" excerpt (Exim logs
 * up to 150 characters). */
#define LIMIT_SMTP_SYNC_EXCERPT 150

/* Reply text length we will build (a multi-line ACL message is split
 * into lines of its own; each line is bounded by RFC 5321 4.5.3.1.5). */
#define LIMIT_SMTP_REPLY 4096

/* One line of message data while receiving: longer lines are stored,
 * but counted in pieces of this size (RFC 5321 4.5.3.1.6 says 1000). */
#define LIMIT_DATA_LINE (64 * 1024)

/* Header lines per message: a backstop for header_maxsize = 0 (no size
 * limit), high enough that no message Exim accepts is refused for it
 * (1M of "a:x" lines, the default header_maxsize, is 250,000 lines). */
#define LIMIT_HEADER_LINES 300000

/* Listening sockets of one daemon (ports x interfaces). */
#define LIMIT_DAEMON_LISTENERS 64

/* Connection children the daemon tracks (smtp_accept_max may not
 * exceed this). */
#define LIMIT_DAEMON_CHILDREN 4096

#endif
