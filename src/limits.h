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

/* Values in one time-list option (delay_warning): Exim accepts ten, and
 * more than that many warnings per message would be noise anyway. */
#define LIMIT_TIMELIST_VALUES 10

#endif
