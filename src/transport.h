/* transport.h - generic transport instance: the options every transport has.
 *
 * Fields follow Exim 4.96's generic transport options (with the 4.8x
 * experimental name tpda_delivery_action as another name of event_action);
 * the table is transport_generic_options[] in drivers.c. */
#ifndef TERN_TRANSPORT_H
#define TERN_TRANSPORT_H

#include "drivers.h"

typedef struct transport_instance {
    driver_instance drinst;
    bool body_only;
    char *current_directory;
    char *debug_print;
    bool delivery_date_add;
    bool disable_logging;
    bool envelope_to_add;
    char *event_action;
    char *group;
    char *headers_add;
    bool headers_only;
    char *headers_remove;
    char *headers_rewrite;
    char *home_directory;
    bool initgroups;
    char *max_parallel;
    char *message_size_limit;
    bool rcpt_include_affixes;
    unsigned char retry_use_local_part; /* DRIVER_BOOL_UNSET: true for local transports */
    char *return_path;
    bool return_path_add;
    char *shadow_condition;
    char *shadow_transport;
    char *transport_filter;
    int transport_filter_timeout;
    char *user;
} transport_instance;

struct address_item;

typedef struct transport_info {
    driver_info drinfo;
    /* deliver - deliver the current message to addr (a chain for batched
     * and remote transports, linked by next). Sets each address's
     * transport_return, message and errno fields. Returns false only if
     * the transport could not run at all (then all are deferred).
     * Local transports run in a child process with the address's uid. */
    bool (*deliver)(struct transport_instance *t, struct address_item *addr);
    bool local; /* runs as a local delivery (appendfile, autoreply, lmtp, pipe) */
} transport_info;

extern const optionlist transport_generic_options[];
extern const size_t transport_generic_options_count;
extern const transport_instance transport_generic_default;

/* transport_generic_init - settle driver-dependent generic defaults;
 * returns NULL or an error message. Every transport's init calls it. */
const char *transport_generic_init(driver_instance *d);

/* ---- writing a message out (transport.c) ---- */

#define TW_CRLF        0x01 /* lines end CRLF (smtp, lmtp, use_crlf) */
#define TW_DOT_STUFF   0x02 /* SMTP dot-stuffing (RFC 5321 4.5.2) */
#define TW_HEADERS_ONLY 0x04
#define TW_BODY_ONLY   0x08
#define TW_RETURN_PATH 0x10 /* add Return-path: */
#define TW_ENVELOPE_TO 0x20 /* add Envelope-to: */
#define TW_DELIVERY_DATE 0x40 /* add Delivery-date: */
#define TW_BSMTP       0x80 /* batched SMTP: MAIL/RCPT/DATA before, "." after */
#define TW_UNFILTERED  0x100 /* the transport filter's own input: not filtered again */

typedef struct transport_write_ctx {
    int fd;
    const transport_instance *t;
    struct address_item *addr;  /* the address(es) being delivered (chain) */
    unsigned options;           /* TW_*; transport_write_message adds the generic ones */
    const char *check_string;   /* lines starting with this ... */
    const char *escape_string;  /* ... get this instead (mbox "From ") */
    long long written;          /* bytes written */
    /* results */
    bool ended_mid_line;        /* the last byte written was not a newline */
    bool filter_failed;         /* transport_filter exited non-zero (filter_status) */
    bool filter_timed_out;      /* transport_filter_timeout passed (errno ETIMEDOUT) */
    int filter_status;          /* exit code, or minus the signal that killed it */
} transport_write_ctx;

/* transport_write_message - the current message (dlv.spool_hdr and
 * dlv.data_fd) to c->fd with the transport's header changes, through
 * the transport's transport_filter if it has one. Returns OK, or DEFER
 * with *err (errno kept) on a write or expansion failure; a failing or
 * timed-out filter also sets filter_failed / filter_timed_out. */
int transport_write_message(transport_write_ctx *c, char **err);

/* ---- transport_filter processes (transport_filter.c) ---- */

typedef struct transport_filter_proc {
    pid_t filter_pid, writer_pid;
    int out_fd; /* the filter's standard output */
} transport_filter_proc;

/* transport_filter_start - start c->t's filter and a child feeding it
 * the message; OK, or DEFER with *err (nothing left running) */
int transport_filter_start(transport_write_ctx *c, transport_filter_proc *fp, char **err);
/* transport_filter_read - the filter's next output, waiting at most
 * transport_filter_timeout: bytes read, 0 at the end, -1 with errno
 * (ETIMEDOUT when the time ran out) */
ssize_t transport_filter_read(const transport_write_ctx *c, transport_filter_proc *fp, char *buf, size_t n);
/* transport_filter_finish - wait for both children (killing them when
 * abandon is set or they outstay transport_filter_timeout); OK, or DEFER
 * with *err and c->filter_failed / filter_status set */
int transport_filter_finish(transport_write_ctx *c, transport_filter_proc *fp, bool abandon, char **err);

/* transport_expand - expand an option of transport t; NULL with *err */
char *transport_expand(const transport_instance *t, const char *opt, const char *s, char **err);

/* transport_path_safe - may this expanded path be used as a file name?
 * Tainted parts must not hold "/", "..", NUL or control characters
 * (DESIGN.md section 4). false with *err worded for the log. */
bool transport_path_safe(const transport_instance *t, const char *path, const char *what,
                         const char *tmpl, char **err);

/* transport_copy_result - a batch shares the first address's result */
void transport_copy_result(struct address_item *chain);

/* transport_check_size - message_size_limit; OK or FAIL with *err */
int transport_check_size(const transport_instance *t, char **err);

/* ---- batching (transport_batch.c) ---- */

/* transport_batch_max - the transport's batch_max (1 if it has none) */
int transport_batch_max(const transport_instance *t);
/* transport_can_batch - may b join the batch that first starts? Same
 * transport, errors address, header changes, pipe or file, batch_id;
 * same domain if an option uses $domain; never if one uses $local_part */
bool transport_can_batch(const struct address_item *first, const struct address_item *b);
#endif
