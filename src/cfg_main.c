/* cfg_main.c - the main-section option table and its defaults.
 *
 * Sorted by name (test/unit checks). Rows of modules sit inside their
 * #ifdef; rows of features not built are opt_missing with the feature. */

/* MTA core */
#include "tern.h"
#include "cfg_main.h"

#define MO(name, type) {#name, type, OPT_OFF(struct main_options, name), NULL}

const optionlist main_optionlist[] = {
    MO(accept_8bitmime, opt_bool),
    MO(acl_not_smtp, opt_stringptr),
    MO(acl_smtp_connect, opt_stringptr),
    MO(acl_smtp_rcpt, opt_stringptr),
    MO(exim_group, opt_gid),
    MO(exim_user, opt_uid),
    MO(log_file_path, opt_stringptr),
    MO(log_selector, opt_string),
    MO(never_users, opt_uidlist),
    MO(primary_hostname, opt_string),
    MO(qualify_domain, opt_stringptr),
    MO(queue_only_load, opt_fixed),
    MO(smtp_accept_max, opt_int),
    MO(smtp_banner, opt_stringptr),
    MO(smtp_receive_timeout, opt_time),
    MO(spool_directory, opt_stringptr),
};
const size_t main_optionlist_count = NELEM(main_optionlist);

const struct main_options main_options_default = {
    .accept_8bitmime = true,
    .log_file_path = LOG_FILE_PATH,
    .smtp_accept_max = 20,
    .smtp_banner = "$smtp_active_hostname ESMTP Exim $version_number $tod_full",
    .spool_directory = SPOOL_DIRECTORY,
    .smtp_receive_timeout = 300,
    .queue_only_load = -1,
};
