/* header.h - building the header list of a message as it arrives, and
 * the fix-ups Exim applies (Received, Message-ID, Date, From). */
#ifndef TERN_HEADER_H
#define TERN_HEADER_H

#include "tern.h"
#include "message.h"

/* The header section being received. */
typedef struct header_builder {
    header_line *first, *last;
    gstring *cur;        /* the header being joined from continuations */
    size_t total;        /* bytes so far (header_maxsize) */
    size_t line_max;     /* header_line_maxsize, 0 for none */
    size_t total_max;    /* header_maxsize */
    int count;
    bool done;           /* blank line (or a non-header line) seen */
} header_builder;

enum header_add_result { HDR_OK, HDR_END, HDR_END_BODY, HDR_TOO_BIG, HDR_LINE_TOO_LONG };

void header_builder_init(header_builder *b, size_t total_max, size_t line_max);
/* header_add_line - one line of the header section, without its line
 * ending. HDR_END: blank line; HDR_END_BODY: the line is not a header
 * and starts the body (RFC 5322 section 2.2 allows no other reading);
 * HDR_TOO_BIG / HDR_LINE_TOO_LONG: a limit was passed. */
enum header_add_result header_add_line(header_builder *b, const char *line, size_t len);
/* header_finish - flush the last header; returns the list */
header_line *header_finish(header_builder *b);

/* header_find - the first live header with this name (case-blind) */
header_line *header_find(header_line *h, const char *name);
/* header_value - text after the colon, leading space and final newline removed */
char *header_value(const header_line *h);
/* header_append / header_prepend - a new header from a whole "Name: value\n" */
header_line *header_append(header_line **list, const char *text);
header_line *header_prepend(header_line **list, const char *text);
/* header_size - bytes of the live headers */
size_t header_size(const header_line *h);
/* header_split - text made by Tern itself (bounces, autoreplies) as
 * header lines, continuations joined; stops at a blank line, and *body
 * (if not NULL) gets what follows it */
header_line *header_split(const char *text, const char **body);

#endif
