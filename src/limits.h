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

/* EXPERIMENTAL_PROXY (haproxy.org proxy-protocol.txt). A v1 line is at most
 * 107 bytes including CRLF (section 2.1: "PROXY TCP6" with two full IPv6
 * addresses and two ports). A v2 header is 16 fixed bytes plus a body; the
 * spec (2.2) says a receiver reading 536 bytes at once can never miss a
 * complete header, so we cap the whole v2 header there. UNIQUE_ID TLVs are
 * at most 128 bytes (2.2.5). */
#define LIMIT_PROXY_V1_LINE 107
#define LIMIT_PROXY_V2_HEADER 536
#define LIMIT_PROXY_UNIQUE_ID 128

/* EXPERIMENTAL_REDIS. Words in one command: generous for HSET/SADD with a
 * few fields, small enough that argv lives on one scratch allocation.
 * Replies are capped so one lookup cannot exhaust memory (a 10 MB value
 * is fine). MOVED/ASK redirections followed per lookup: a healthy cluster
 * needs one; more means the slot map is changing under us. Timeouts in
 * seconds, for connecting and for each command's round trip. */
#define LIMIT_REDIS_ARGS 64
#define LIMIT_REDIS_REPLY (64 * 1024 * 1024)
#define LIMIT_REDIS_REDIRECTS 5
#define LIMIT_REDIS_CONNECT_TIMEOUT 5
#define LIMIT_REDIS_COMMAND_TIMEOUT 30
#define LIMIT_REDIS_SERVERS 32

#endif
