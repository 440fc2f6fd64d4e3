/* appendfile.c - the appendfile transport: writes messages to mailbox
 * files or directories (mbox, maildir, mailstore and mbx formats).
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* MTA core */
#include "../tern.h"
#include "../transport.h"
/* This driver */
#include "appendfile.h"
#include "appendfile_int.h"

#define OFF(f) OPT_OFF(appendfile_transport_options, f)

static const optionlist appendfile_transport_optionlist[] = {
    {"*expand_maildir_use_size_file", opt_stringptr, OFF(maildir_use_size_file.expr), NULL},
    {"allow_fifo", opt_bool, OFF(allow_fifo), NULL},
    {"allow_symlink", opt_bool, OFF(allow_symlink), NULL},
    {"batch_id", opt_stringptr, OFF(batch_id), NULL},
    {"batch_max", opt_int, OFF(batch_max), NULL},
    {"check_group", opt_bool, OFF(check_group), NULL},
    {"check_owner", opt_bool, OFF(check_owner), NULL},
    {"check_string", opt_string, OFF(check_string), NULL},
    {"create_directory", opt_bool, OFF(create_directory), NULL},
    {"create_file", opt_string, OFF(create_file), NULL},
    {"directory", opt_stringptr, OFF(directory), NULL},
    {"directory_file", opt_stringptr, OFF(directory_file), NULL},
    {"directory_mode", opt_octint, OFF(directory_mode), NULL},
    {"escape_string", opt_string, OFF(escape_string), NULL},
    {"file", opt_stringptr, OFF(file), NULL},
    {"file_format", opt_string, OFF(file_format), NULL},
    {"file_must_exist", opt_bool, OFF(file_must_exist), NULL},
    {"lock_fcntl_timeout", opt_time, OFF(lock_fcntl_timeout), NULL},
    {"lock_flock_timeout", opt_time, OFF(lock_flock_timeout), NULL},
    {"lock_interval", opt_time, OFF(lock_interval), NULL},
    {"lock_retries", opt_int, OFF(lock_retries), NULL},
    {"lockfile_mode", opt_octint, OFF(lockfile_mode), NULL},
    {"lockfile_timeout", opt_time, OFF(lockfile_timeout), NULL},
    {"mailbox_filecount", opt_stringptr, OFF(mailbox_filecount), NULL},
    {"mailbox_size", opt_stringptr, OFF(mailbox_size), NULL},
    {"maildir_format", opt_bool, OFF(maildir_format), NULL},
    {"maildir_quota_directory_regex", opt_string, OFF(maildir_quota_directory_regex), NULL},
    {"maildir_retries", opt_int, OFF(maildir_retries), NULL},
    {"maildir_tag", opt_stringptr, OFF(maildir_tag), NULL},
    {"maildir_use_size_file", opt_expand_bool, OFF(maildir_use_size_file), NULL},
    {"maildirfolder_create_regex", opt_string, OFF(maildirfolder_create_regex), NULL},
    {"mailstore_format", opt_bool, OFF(mailstore_format), NULL},
    {"mailstore_prefix", opt_stringptr, OFF(mailstore_prefix), NULL},
    {"mailstore_suffix", opt_stringptr, OFF(mailstore_suffix), NULL},
    {"mbx_format", opt_bool, OFF(mbx_format), NULL},
    {"message_prefix", opt_stringptr, OFF(message_prefix), NULL},
    {"message_suffix", opt_stringptr, OFF(message_suffix), NULL},
    {"mode", opt_octint, OFF(mode), NULL},
    {"mode_fail_narrower", opt_bool, OFF(mode_fail_narrower), NULL},
    {"notify_comsat", opt_bool, OFF(notify_comsat), NULL},
    {"quota", opt_stringptr, OFF(quota), NULL},
    {"quota_directory", opt_stringptr, OFF(quota_directory), NULL},
    {"quota_filecount", opt_stringptr, OFF(quota_filecount), NULL},
    {"quota_is_inclusive", opt_bool, OFF(quota_is_inclusive), NULL},
    {"quota_size_regex", opt_string, OFF(quota_size_regex), NULL},
    {"quota_warn_message", opt_stringptr, OFF(quota_warn_message), NULL},
    {"quota_warn_threshold", opt_stringptr, OFF(quota_warn_threshold), NULL},
    {"use_bsmtp", opt_bool, OFF(use_bsmtp), NULL},
    {"use_crlf", opt_bool, OFF(use_crlf), NULL},
    {"use_fcntl_lock", opt_bool, OFF(use_fcntl_lock), NULL},
    {"use_flock_lock", opt_bool, OFF(use_flock_lock), NULL},
    {"use_lockfile", opt_bool, OFF(use_lockfile), NULL},
    {"use_mbx_lock", opt_bool, OFF(use_mbx_lock), NULL},
};

const appendfile_transport_options appendfile_transport_options_default = {
    .batch_max = 1,
    .check_owner = true,
    .check_string = "From ",
    .create_directory = true,
    .create_file = "anywhere",
    .directory_file = "q${base62:$tod_epoch}-$inode",
    .directory_mode = 0700,
    .escape_string = ">From ",
    .lock_interval = 3,
    .lock_retries = 10,
    .lockfile_mode = 0600,
    .lockfile_timeout = 1800,
    .maildir_quota_directory_regex = "^(?:cur|new|\\..*)$",
    .maildir_retries = 10,
    .message_prefix = "From ${if def:return_path{$return_path}{MAILER-DAEMON}} ${tod_bsdinbox}\n",
    .message_suffix = "\n",
    .mode = 0600,
    .mode_fail_narrower = true,
    .quota_is_inclusive = true,
    .use_fcntl_lock = true,
    .use_lockfile = true,
};

/* create_file_valid - anywhere, inhome, belowhome or an absolute path */
static bool create_file_valid(const char *s)
{
    return strcmp(s, "anywhere") == 0 || strcmp(s, "inhome") == 0 ||
           strcmp(s, "belowhome") == 0 || *s == '/';
}

/* appendfile_format_defaults - the "From " escaping and the mbox
 * separators default on only for plain mbox files; BSMTP forces the dot
 * escaping; mbx uses its own locking. A value still equal to the default's
 * pointer was not set in the config. */
static void appendfile_format_defaults(appendfile_transport_options *o)
{
    const appendfile_transport_options *def = &appendfile_transport_options_default;
    bool not_mbox = o->directory || o->maildir_format || o->mailstore_format;
    if (o->use_bsmtp) {
        o->check_string = ".";
        o->escape_string = "..";
    } else if (not_mbox) {
        if (o->check_string == def->check_string) o->check_string = NULL;
        if (o->escape_string == def->escape_string) o->escape_string = NULL;
    }
    if (o->use_bsmtp || not_mbox) {
        if (o->message_prefix == def->message_prefix) o->message_prefix = NULL;
        if (o->message_suffix == def->message_suffix) o->message_suffix = NULL;
    }
    if (o->mbx_format) {
        o->use_mbx_lock = true;
        o->use_lockfile = false;
    }
}

/* appendfile_transport_init - at most one of file and directory (a router
 * may supply either at delivery time), some locking, a known create_file */
static const char *appendfile_transport_init(driver_instance *d)
{
    const char *err = transport_generic_init(d);
    if (err) return err;
    appendfile_transport_options *o = d->options_block;
    appendfile_format_defaults(o);
    if (o->file && o->directory)
        return string_copy("only one of \"file\" or \"directory\" can be specified");
    if (!o->use_fcntl_lock && !o->use_flock_lock && !o->use_lockfile && !o->use_mbx_lock)
        return string_copy("no locking configured");
    if (!create_file_valid(o->create_file))
        return string_sprintf("invalid value given for \"create_file\": '%s'", o->create_file);
    return NULL;
}

const transport_info appendfile_transport_info = {
    .drinfo = {
        .driver_name = "appendfile",
        .options = appendfile_transport_optionlist,
        .options_count = NELEM(appendfile_transport_optionlist),
        .options_default = &appendfile_transport_options_default,
        .options_len = sizeof(appendfile_transport_options),
        .init = appendfile_transport_init,
    },
    .deliver = appendfile_transport_deliver,
    .local = true,
};
