/* appendfile.h - appendfile transport: private options and registration. */
#ifndef TERN_TRANSPORTS_APPENDFILE_H
#define TERN_TRANSPORTS_APPENDFILE_H
#include "../transport.h"

typedef struct appendfile_transport_options {
    bool allow_fifo;
    bool allow_symlink;
    char *batch_id;
    int batch_max;
    bool check_group;
    bool check_owner;
    char *check_string;
    bool create_directory;
    char *create_file;
    char *directory;
    char *directory_file;
    int directory_mode;
    char *escape_string;
    char *file;
    char *file_format;
    bool file_must_exist;
    int lock_fcntl_timeout;
    int lock_flock_timeout;
    int lock_interval;
    int lock_retries;
    int lockfile_mode;
    int lockfile_timeout;
    char *mailbox_filecount;
    char *mailbox_size;
    bool maildir_format;
    char *maildir_quota_directory_regex;
    int maildir_retries;
    char *maildir_tag;
    opt_xbool maildir_use_size_file;
    char *maildirfolder_create_regex;
    bool mailstore_format;
    char *mailstore_prefix;
    char *mailstore_suffix;
    bool mbx_format;
    char *message_prefix;
    char *message_suffix;
    int mode;
    bool mode_fail_narrower;
    bool notify_comsat;
    char *quota;
    char *quota_directory;
    char *quota_filecount;
    bool quota_is_inclusive;
    char *quota_size_regex;
    char *quota_warn_message;
    char *quota_warn_threshold;
    bool use_bsmtp;
    bool use_crlf;
    bool use_fcntl_lock;
    bool use_flock_lock;
    bool use_lockfile;
    bool use_mbx_lock;
} appendfile_transport_options;

extern const appendfile_transport_options appendfile_transport_options_default;

struct address_item;
/* appendfile_quota_warning - in the delivery process, after a delivery
 * by an appendfile transport set SPECIAL_WARN on a: send the
 * quota_warn_message (failures are logged; the delivery stands) */
void appendfile_quota_warning(struct address_item *a);
extern const transport_info appendfile_transport_info;
#endif
