/* acl_state.h - the per-connection and per-message state that ACLs set
 * (controls, $acl_arg*, headers to add or remove). Type-only header:
 * globals.h embeds these structs in conn and msg; acl_controls.c and
 * acl_run.c fill them; smtp_in.c, receive.c and expand.c read them. */
#ifndef TERN_ACL_STATE_H
#define TERN_ACL_STATE_H

#include <stdbool.h>

#include "message.h"

/* Limit of $acl_arg1..$acl_arg9 (Exim's fixed count). */
#define ACL_ARGS_MAX 9

struct acl_conn_state {
    /* controls that last for the connection */
    bool allow_auth_unadvertised;
    bool no_multiline_responses;
    bool no_pipelining;
    int enforce_sync;         /* -1 unset (use smtp_enforce_sync), 0 off, 1 on */
    bool no_delay_flush;
    bool no_callout_flush;
    char *dscp;               /* control = dscp/VALUE, applied by smtp_in */
    /* $acl_arg1..9 and $acl_narg of the ACL being run by "acl =" or ${acl} */
    char *arg[ACL_ARGS_MAX];
    int narg;
    /* log_reject_target of the last ACL run: LOG_MAIN|LOG_REJECT|LOG_PANIC bits */
    int log_reject_target;
    char *verify_message;     /* $acl_verify_message */
    /* dnslists results: $dnslist_domain $dnslist_matched $dnslist_text $dnslist_value */
    char *dnslist_domain, *dnslist_matched, *dnslist_text, *dnslist_value;
    /* ratelimit results: $sender_rate $sender_rate_limit $sender_rate_period */
    char *sender_rate, *sender_rate_limit, *sender_rate_period;
    int rcpt_caseful;         /* control = caseful_local_part (this RCPT only) */
};

/* A header line queued by add_header, with its position word. */
typedef struct acl_header {
    struct acl_header *next;
    char *text;               /* one or more lines, each ending in "\n" */
    int where;                /* ACL_HDR_* */
} acl_header;
enum { ACL_HDR_APPEND, ACL_HDR_AT_START, ACL_HDR_AFTER_RECEIVED, ACL_HDR_AT_START_RECEIVED };

/* The MIME ACL ($mime_* variables) and the message copy it scans.
 * Written by acl_mime.c only; reset with the message. */
struct acl_mime_state {
    char *content_type, *boundary, *charset, *description, *disposition;
    char *content_id, *encoding, *filename, *decoded_filename, *anomaly_text;
    int anomaly_level, content_size, part_count;
    int is_coverletter, is_multipart, is_rfc822;
    bool walked;              /* $mime_part_count is -1 until the MIME ACL ran */
    const void *part;         /* the mime_part (mime.h) being scanned, NULL outside */
    char *scan_dir;           /* <spool>/scan/<id>, NULL until made */
    char *eml_path;           /* <scan_dir>/<id>.eml, the copy that is scanned */
    char *eml;                /* its text (mmap), eml_len bytes */
    size_t eml_len;
    int file_nr;              /* next <id>-NNNNN for decode = default */
    bool (*write_body)(void *ctx, int fd);  /* copies the body (receive.c) */
    void *write_ctx;
};

struct acl_msg_state {
    bool freeze;
    bool freeze_no_tell;
    bool queue;               /* control = queue / queue_only */
    bool queue_first_pass_route;
    bool submission;
    bool submission_sender_retain;
    char *submission_domain;  /* NULL: not given */
    char *submission_name;
    bool suppress_local_fixups;
    int fake_response;        /* OK, FAIL (fakereject) or DEFER (fakedefer) */
    char *fake_response_text;
    bool cutthrough;
    bool cutthrough_defer_pass;
    bool dkim_disable_verify;
    bool dmarc_disable_verify;
    bool dmarc_enable_forensic;
    bool no_mbox_unspool;
    int utf8_downconvert;     /* -1 unset, 0 no, 1 yes, 2 only if needed */
    char *queue_name;         /* queue = NAME */
    acl_header *add_headers;  /* add_header, in order */
    char *remove_headers;     /* colon list of header names */
    char *warned;             /* NUL-separated warn log lines already written */
    size_t warned_len;
    struct acl_mime_state mime;
};

#endif
