/* log.h - mainlog, rejectlog and paniclog in Exim's format, debug output. */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include "tern.h"

/* Where a line goes (LOG_MAIN etc may be combined). */
#define LOG_MAIN    0x01
#define LOG_REJECT  0x02 /* rejectlog, and mainlog too */
#define LOG_PANIC   0x04 /* paniclog, and mainlog too */
#define LOG_PANIC_DIE (LOG_PANIC | 0x08)
#define LOG_CONFIG  0x10 /* prefix "configuration error" handled by caller */
#define LOG_STDERR  0x20 /* also to stderr */

/* log_selector bits: one per name Exim 4.96 accepts. */
enum log_sel {
    L_8bitmime, L_acl_warn_skipped, L_address_rewrite, L_all_parents, L_arguments,
    L_connection_reject, L_delay_delivery, L_deliver_time, L_delivery_size, L_dkim,
    L_dkim_verbose, L_dnslist_defer, L_dnssec, L_etrn, L_host_lookup_failed,
    L_ident_timeout, L_incoming_interface, L_incoming_port, L_lost_incoming_connection,
    L_millisec, L_msg_id, L_msg_id_created, L_outgoing_interface, L_outgoing_port,
    L_pid, L_pipelining, L_protocol_detail, L_proxy, L_queue_run, L_queue_time,
    L_queue_time_exclusive, L_queue_time_overall, L_receive_time, L_received_recipients,
    L_received_sender, L_rejected_header, L_retry_defer, L_return_path_on_delivery,
    L_sender_on_delivery, L_sender_verify_fail, L_size_reject, L_skip_delivery,
    L_smtp_confirmation, L_smtp_connection, L_smtp_incomplete_transaction,
    L_smtp_mailauth, L_smtp_no_mail, L_smtp_protocol_error, L_smtp_syntax_error,
    L_subject, L_tls_certificate_verified, L_tls_cipher, L_tls_peerdn,
    L_tls_resumption, L_tls_sni, L_unknown_in_list,
    L_COUNT,
    L_always = L_COUNT /* pseudo-selector: always written */
};

typedef struct log_selector_name {
    const char *name;
    int bit; /* enum log_sel, or -1 for "all" */
} log_selector_name;

extern const log_selector_name log_selector_names[];
extern const size_t log_selector_names_count;

/* Debug categories of -d+NAME, as Exim names them. */
enum debug_cat {
    D_acl, D_auth, D_deliver, D_dns, D_dnsbl, D_exec, D_expand, D_filter, D_hints_lookup,
    D_host_lookup, D_ident, D_interface, D_lists, D_load, D_local_scan, D_lookup,
    D_memory, D_noutf8, D_pid, D_process_info, D_queue_run, D_receive, D_resolver,
    D_retry, D_rewrite, D_route, D_timestamp, D_tls, D_transport, D_uid, D_verify,
    D_COUNT
};

bool log_selector_parse(const char *s, bool *bits, const char **bad);
bool log_selected(enum log_sel sel);
bool debug_parse(const char *s, const char **bad);
bool debug_on(enum debug_cat cat);
bool debug_any(void);
void debug_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
#define DEBUG(cat) if (debug_on(cat))

void log_init(void);
/* log_reject_detail - raw lines (the headers of a rejected message) that
 * follow a rejection line in the rejectlog only */
void log_reject_detail(const char *text, size_t len);
void log_write(int selector, int flags, const char *fmt, ...) PRINTF_LIKE(3, 4);
void log_config_die(const char *fmt, ...) NORETURN PRINTF_LIKE(1, 2);
void log_set_config_die_test_hook(void (*fn)(const char *msg));
void die(const char *fmt, ...) NORETURN PRINTF_LIKE(1, 2);
char *log_path_for(const char *type);
char *log_timestamp(void);

#endif
