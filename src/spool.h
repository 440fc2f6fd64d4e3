/* spool.h - message ids and the spool -H/-D files in Exim's format. */
#ifndef TERN_SPOOL_H
#define TERN_SPOOL_H

#include "tern.h"
#include "message.h"

#define MESSAGE_ID_LENGTH 16 /* "1xW6l2-0002K2-2Z": 6 + 1 + 6 + 1 + 2 */
#define MESSAGE_ID_TIME_LEN 6     /* the seconds, base 62 */
#define MESSAGE_ID_SUBSEC_OFF 14  /* the sub-second part, base 62 */

/* Everything the -H file holds. Strings may be tainted: they are written
 * with a second '-' so that taint survives the spool (Exim 4.94+). */
typedef struct spool_header {
    char id[MESSAGE_ID_LENGTH + 1];
    char *caller_login;
    long caller_uid, caller_gid;
    char *sender;                   /* without <>; "" for bounces */
    long received_time;             /* seconds */
    int received_usec;
    int warning_count;              /* delay warnings sent */
    /* -name value lines */
    char *active_hostname, *auth_id, *auth_sender, *helo_name, *host_address, *host_auth;
    int host_port;
    char *host_name, *ident, *interface_address, *received_protocol;
    int interface_port;
    char *tls_cipher, *tls_peerdn, *tls_sni, *tls_ver, *dsn_envid, *local_scan;
    int dsn_ret;                    /* enum dsn_ret */
    int body_linecount, body_zerocount, max_received_linelength;
    long frozen_at;                 /* 0: not frozen */
    bool allow_unqualified_recipient, allow_unqualified_sender, deliver_firsttime,
        host_lookup_failed, local, localerror, manual_thaw, dont_deliver,
        sender_set_untrusted, spool_file_wireformat, tls_certificate_verified;
    acl_var *acl_vars;
    /* delivered-to set: addresses never to deliver again */
    char **nonrecipients;
    int nonrecipients_count;
    recipient_item *recipients;
    int recipients_count;
    header_line *headers;
} spool_header;

/* spool_new_message_id - Exim-style id from time, pid and sub-second
 * part; waits for the clock to tick so ids from one process are unique. */
void spool_new_message_id(char out[MESSAGE_ID_LENGTH + 1]);
bool spool_message_id_valid(const char *id);
/* spool_base62 - n in base 62, zero-padded to width digits */
void spool_base62(unsigned long n, int width, char *out);

/* spool_format_header - the -H file contents */
gstring *spool_format_header(const spool_header *h);
/* spool_parse_header - parse -H contents; returns NULL or an error.
 * Refuses anything malformed: a corrupt file is reported, never guessed. */
const char *spool_parse_header(const char *data, size_t len, spool_header *h);

/* spool_write_file - write name in dir atomically: temp file, fsync,
 * rename (directory fsync is the caller's, once for both files) */
int spool_write_file(const char *dir, const char *name, const char *data, size_t len,
                     const char **err);
/* spool_read_file - whole file into the current pool */
char *spool_read_file(const char *path, size_t *len, size_t limit, const char **err);
int spool_fsync_dir(const char *dir);
/* spool_syncfs - one syncfs(2) for all that was written in dir's file system */
int spool_syncfs(const char *dir);
/* spool_write_temp_sync - spool_write_temp, with the fsync optional (the
 * caller then makes it durable with spool_syncfs) */
int spool_write_temp_sync(const char *dir, const char *name, const char *data, size_t len,
                          bool sync, char **tmpp, const char **err);
/* spool_write_temp - write and fsync data to a temporary file in dir
 * (named "hdr.<name>.<pid>"); *tmp receives its path for a later rename */
int spool_write_temp(const char *dir, const char *name, const char *data, size_t len,
                     char **tmp, const char **err);
/* spool_input_dir - the input directory for an id (split_spool_directory
 * puts each message in input/<6th character of the id>), created if needed */
char *spool_input_dir(const char *spool, const char *id, bool split);
/* spool_tidy_dead_writer - after a receiving process died abnormally:
 * remove its temporary files and any -D it renamed into place without
 * the -H that commits it (an id carries the writer's pid). Returns the
 * number of such -D files removed (temporary files go silently). Never touches a message that has its -H. */
int spool_tidy_dead_writer(const char *spool, bool split, pid_t pid);

#endif
