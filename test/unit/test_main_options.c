/* test_main_options.c - the main-section option table (cfg_main.c):
 * order, row sanity, -bP lines per option type, defaults as Exim 4.96
 * shows them, and the errors for bad values and unbuilt features.
 *
 * Expected -bP lines come from running Exim 4.96 (-bP) on the same
 * settings; the whole-table comparison against a live exim4 is in
 * test/e2e/test_bp_main.py. */
#include "tern.h"
#include "cfg_main.h"
#include "options.h"
#include "xp_all.h"
#include "unit.h"

static const optionlist *find(const char *name)
{
    return options_find(main_optionlist, main_optionlist_count, name);
}

/* set_and_show - set NAME = VALUE on a fresh copy of the defaults and
 * return its -bP line, or the error text prefixed with "ERR: " */
static const char *set_and_show(struct main_options *block, const char *name, const char *value,
                                bool negated, bool has_value)
{
    const optionlist *ol = find(name);
    if (!ol) return "ERR: no such row";
    if ((ol->type & OPT_TYPE_MASK) == opt_alias) ol = find(ol->aux);
    const char *err = options_set(ol, block, value, negated, has_value);
    if (err) return string_sprintf("ERR: %s", err);
    return options_format(ol, block);
}

static void test_sorted(void)
{
    const char *bad = NULL;
    bool ok = options_table_sorted(main_optionlist, main_optionlist_count, &bad);
    CHECK(ok, bad ? bad : "sorted");
    CHECK(main_optionlist_count > 250, "table holds every Exim 4.96 main option");
}

/* check_row - one row: a known type, flags that make sense for the main
 * section, a field inside the options block, and a reason or target */
static void check_row(const optionlist *ol, unsigned char *used)
{
    unsigned t = ol->type & OPT_TYPE_MASK;
    CHECK(t <= opt_alias, ol->name);
    CHECK(!(ol->type & OPT_PUBLIC), ol->name);
    CHECK(strlen(ol->name) > 1 && !strchr(ol->name, ' '), ol->name);
    if (t == opt_missing) {
        CHECK(ol->aux && *ol->aux, ol->name);
        return;
    }
    if (t == opt_alias) {
        const optionlist *to = ol->aux ? find(ol->aux) : NULL;
        CHECK(to != NULL, ol->name);
        CHECK(to && (to->type & OPT_TYPE_MASK) != opt_alias, ol->name);
        return;
    }
    CHECK(ol->aux == NULL, ol->name);
    CHECK(t != opt_bool_verify && t != opt_expand_uid && t != opt_expand_gid, ol->name);
    if (ol->base) return; /* lives in an experimental module's block */
    CHECK(ol->offset < offsetof(struct main_options, sections), ol->name);
    CHECK(used[ol->offset] == 0, ol->name); /* one field per option */
    used[ol->offset] = 1;
}

static void test_rows(void)
{
    static unsigned char used[sizeof(struct main_options)];
    for (size_t i = 0; i < main_optionlist_count; i++) check_row(&main_optionlist[i], used);
    /* every row prints (or is deliberately silent) without crashing */
    struct main_options c = main_options_default;
    for (size_t i = 0; i < main_optionlist_count; i++) {
        unsigned t = main_optionlist[i].type & OPT_TYPE_MASK;
        char *s = options_format(&main_optionlist[i], &c);
        if (t == opt_missing || t == opt_alias) CHECK(s == NULL, main_optionlist[i].name);
        else CHECK(s && (string_has_prefix(s, main_optionlist[i].name) || string_has_prefix(s, "no_")),
                   main_optionlist[i].name);
    }
}

/* Defaults, as Exim 4.96 -bP prints them for an empty configuration. */
static void test_defaults(void)
{
    static const struct { const char *name, *line; } cases[] = {
        {"accept_8bitmime", "accept_8bitmime"},
        {"acl_smtp_rcpt", "acl_smtp_rcpt = "},
        {"admin_groups", "admin_groups ="},
        {"allow_domain_literals", "no_allow_domain_literals"},
        {"auto_thaw", "auto_thaw = 0s"},
        {"bounce_return_linesize_limit", "bounce_return_linesize_limit = 998"},
        {"bounce_return_size_limit", "bounce_return_size_limit = 100K"},
        {"callout_domain_positive_expire", "callout_domain_positive_expire = 1w"},
        {"callout_positive_expire", "callout_positive_expire = 1d"},
        {"check_log_space", "check_log_space = 10M"},
        {"check_spool_inodes", "check_spool_inodes = 100"},
        {"daemon_startup_sleep", "daemon_startup_sleep = 30s"},
        {"delay_warning", "delay_warning = 1d"},
        {"deliver_queue_load_max", "deliver_queue_load_max ="},
        {"dns_check_names_pattern",
         "dns_check_names_pattern = (?i)^(?>(?(1)\\.|())[^\\W](?>[a-z0-9/_-]*[^\\W])?)+(\\.?)$"},
        {"dns_dnssec_ok", "dns_dnssec_ok = -1"},
        {"dsn_from", "dsn_from = Mail Delivery System <Mailer-Daemon@$qualify_domain>"},
        {"exim_version", "exim_version = 4.96"},
        {"header_maxsize", "header_maxsize = 1048576"},
        {"helo_lookup_domains", "helo_lookup_domains = @ : @[]"},
        {"ignore_bounce_errors_after", "ignore_bounce_errors_after = 10w"},
        {"keep_malformed", "keep_malformed = 4d"},
        {"local_interfaces", "local_interfaces = <; ::0 ; 0.0.0.0"},
        {"message_body_visible", "message_body_visible = 500"},
        {"message_size_limit", "message_size_limit = 50M"},
        {"never_users", "never_users ="},
        {"queue_only_load", "queue_only_load ="},
        {"queue_run_max", "queue_run_max = 5"},
        {"recipients_max", "recipients_max = 50000"},
        {"retry_data_expire", "retry_data_expire = 1w"},
        {"rfc1413_hosts", "rfc1413_hosts = @[]"},
        {"smtp_banner", "smtp_banner = $smtp_active_hostname ESMTP Exim $version_number $tod_full"},
        {"smtp_load_reserve", "smtp_load_reserve ="},
        {"smtp_receive_timeout", "smtp_receive_timeout = 5m"},
        {"sqlite_lock_timeout", "sqlite_lock_timeout = 5"},
        {"system_filter_user", "system_filter_user = "},
        {"tls_alpn", "tls_alpn = smtp:esmtp"},
        {"tls_dh_max_bits", "tls_dh_max_bits = 2236"},
        {"tls_verify_certificates", "tls_verify_certificates = system"},
        {"trusted_users", "trusted_users ="},
        {"uucp_from_sender", "uucp_from_sender = $1"},
        {"write_rejectlog", "write_rejectlog"},
    };
    struct main_options c = main_options_default;
    for (size_t i = 0; i < NELEM(cases); i++) {
        const optionlist *ol = find(cases[i].name);
        CHECK(ol != NULL, cases[i].name);
        if (ol) CHECK_STR(options_format(ol, &c), cases[i].line, cases[i].name);
    }
}

/* One case per option type: the value set and the line Exim 4.96 shows. */
static void test_set_format(void)
{
    static const struct { const char *name, *value, *line; } cases[] = {
        {"accept_8bitmime", "false", "no_accept_8bitmime"},
        {"accept_8bitmime", "yes", "accept_8bitmime"},
        {"tcp_nodelay", "no", "no_tcp_nodelay"},
        {"recipients_max", "2K", "recipients_max = 2048"},
        {"recipients_max", "0x10", "recipients_max = 16"},
        {"recipients_max", "010", "recipients_max = 8"},
        {"check_log_inodes", "-5", "check_log_inodes = -5"},
        {"message_body_visible", "2048", "message_body_visible = 2K"},
        {"message_body_visible", "1G", "message_body_visible = 1024M"},
        {"message_body_visible", "1025", "message_body_visible = 1025"},
        {"bounce_return_size_limit", "3145728", "bounce_return_size_limit = 3M"},
        {"check_spool_space", "1", "check_spool_space = 1K"},
        {"check_spool_space", "1500K", "check_spool_space = 1500K"},
        {"check_spool_space", "2048", "check_spool_space = 2M"},
        {"check_spool_space", "2g", "check_spool_space = 2G"},
        {"check_spool_space", "0", "check_spool_space = 0"},
        {"queue_only_load", "2.5", "queue_only_load = 2.5"},
        {"queue_only_load", "2", "queue_only_load = 2.0"},
        {"queue_only_load", "2.1234", "queue_only_load = 2.123"},
        {"queue_only_load", "1.05", "queue_only_load = 1.05"},
        {"auto_thaw", "7d", "auto_thaw = 1w"},
        {"retry_interval_max", "90061s", "retry_interval_max = 1d1h1m1s"},
        {"smtp_accept_max_per_connection", "${if true{5}{6}}", "smtp_accept_max_per_connection = ${if true{5}{6}}"},
        {"rfc1413_query_timeout", "1w1s", "rfc1413_query_timeout = 1w1s"},
        {"delay_warning", "6h:1d:2d", "delay_warning = 6h:1d:2d"},
        {"delay_warning", "0s", "delay_warning = "},
        {"exim_user", "0", "exim_user = root"},
        {"system_filter_group", "root", "system_filter_group = root"},
        {"never_users", "root", "never_users = root"},
        {"trusted_users", "0:root", "trusted_users = root:root"},
        {"admin_groups", "0", "admin_groups = root"},
        {"admin_groups", "4000000", "admin_groups = 4000000"},
        {"smtp_banner", "a\tb", "smtp_banner = a\\tb"},
        {"primary_hostname", "mx.example", "primary_hostname = mx.example"},
        {"return_size_limit", "4K", "bounce_return_size_limit = 4K"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct main_options c = main_options_default;
        CHECK_STR(set_and_show(&c, cases[i].name, cases[i].value, false, true), cases[i].line,
                  cases[i].name);
    }
    struct main_options c = main_options_default;
    CHECK_STR(set_and_show(&c, "write_rejectlog", "", true, false), "no_write_rejectlog", "no_ prefix");
    CHECK_STR(set_and_show(&c, "queue_only", "", false, false), "queue_only", "bare boolean");
}

/* Bad values, with Exim 4.96's wording. */
static void test_errors(void)
{
    static const struct { const char *name, *value, *err; } cases[] = {
        {"accept_8bitmime", "maybe", "\"maybe\" is not a valid value for the \"accept_8bitmime\" option"},
        {"recipients_max", "abc", "integer expected for recipients_max"},
        {"recipients_max", "12x", "extra characters follow integer value for recipients_max"},
        {"recipients_max", "99999999999", "absolute value of integer \"99999999999\" is too large (overflow)"},
        {"message_body_visible", "1Q", "extra characters follow integer value for message_body_visible"},
        {"check_spool_space", "zz", "integer expected for check_spool_space"},
        {"check_spool_space", "1.5", "extra characters follow integer value for check_spool_space"},
        {"queue_only_load", "abc", "fixed-point number expected for queue_only_load"},
        {"queue_only_load", "1.2.3", "extra characters follow fixed-point value for queue_only_load"},
        {"auto_thaw", "5q", "invalid time value for auto_thaw"},
        {"auto_thaw", "30", "invalid time value for auto_thaw"},
        {"auto_thaw", "1h30", "invalid time value for auto_thaw"},
        {"delay_warning", "1h:zz", "invalid time value for delay_warning"},
        {"delay_warning", "1h:30m", "time value out of order for delay_warning"},
        {"delay_warning", "1h:2h:3h:4h:5h:6h:7h:8h:9h:10h:11h", "too many time values for delay_warning"},
        {"exim_user", "no-such-user-here", "user no-such-user-here was not found"},
        {"exim_group", "no-such-group-here", "group no-such-group-here was not found"},
        {"never_users", "root:no-such-user-here", "user no-such-user-here was not found"},
        {"trusted_groups", "no-such-group-here", "group no-such-group-here was not found"},
        {"system_filter_user", "no-such-user-here", "user no-such-user-here was not found"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct main_options c = main_options_default;
        CHECK_STR(set_and_show(&c, cases[i].name, cases[i].value, false, true),
                  string_sprintf("ERR: %s", cases[i].err), cases[i].name);
    }
    struct main_options c = main_options_default;
    CHECK_STR(set_and_show(&c, "recipients_max", "5", true, true),
              "ERR: negation prefix applied to a non-boolean option", "negated int");
    CHECK_STR(set_and_show(&c, "smtp_banner", "", false, false),
              "ERR: unexpected end of line (data missing) after smtp_banner", "no value");
    CHECK_STR(set_and_show(&c, "accept_8bitmime", "true", true, true),
              "ERR: extra characters follow boolean option no_accept_8bitmime", "no_ with value");
}

/* Options of features this binary does not have are refused by name. */
static void test_missing(void)
{
    static const struct { const char *name, *feature; } cases[] = {
        {"av_scanner", "content scanning"},
        {"spamd_address", "content scanning"},
        {"ldap_default_servers", "LDAP support"},
        {"mysql_servers", "MySQL lookup support"},
        {"perl_startup", "Perl support"},
        {"gnutls_compat_mode", "GnuTLS support"},
        {"gnutls_require_kx", "GnuTLS support"},
        {"local_scan_timeout", "local_scan support"},
        {"bmi_config_file", "Brightmail support"},
        {"disable_fsync", "ENABLE_DISABLE_FSYNC"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct main_options c = main_options_default;
        const char *got = set_and_show(&c, cases[i].name, "x", false, true);
        CHECK(strstr(got, string_sprintf("option \"%s\" is not available", cases[i].name)) != NULL,
              cases[i].name);
        CHECK(strstr(got, cases[i].feature) != NULL, got);
    }
}

/* Module options live in the module's block; without the module they are
 * refused with the module's name. */
static void test_modules(void)
{
    struct main_options c = main_options_default;
#ifdef EXPERIMENTAL_SPF
    CHECK_STR(set_and_show(&c, "spf_guess", "v=spf1 -all", false, true), "spf_guess = v=spf1 -all", "spf_guess");
    CHECK_STR(xp_spf_opts.spf_guess, "v=spf1 -all", "spf_guess stored in the SPF block");
#else
    CHECK(strstr(set_and_show(&c, "spf_guess", "x", false, true), "EXPERIMENTAL_SPF") != NULL, "spf off");
#endif
#ifdef EXPERIMENTAL_PROXY
    CHECK_STR(set_and_show(&c, "proxy_required_hosts", "10.0.0.1", false, true), "hosts_proxy = 10.0.0.1",
              "4.84 name is an alias");
    CHECK_STR(xp_proxy_opts.hosts_proxy, "10.0.0.1", "hosts_proxy stored in the PROXY block");
    CHECK_STR(set_and_show(&c, "proxy_protocol_timeout", "5s", false, true), "proxy_protocol_timeout = 5s",
              "proxy timeout");
#else
    CHECK(strstr(set_and_show(&c, "hosts_proxy", "x", false, true), "EXPERIMENTAL_PROXY") != NULL, "proxy off");
#endif
#ifdef EXPERIMENTAL_DCC
    CHECK_STR(set_and_show(&c, "dcc_direct_add_header", "true", false, true), "dcc_direct_add_header",
              "dcc bool");
    CHECK(xp_dcc_opts.dcc_direct_add_header, "dcc bool stored in the DCC block");
#else
    CHECK(strstr(set_and_show(&c, "dccifd_address", "x", false, true), "EXPERIMENTAL_DCC") != NULL, "dcc off");
#endif
#ifdef EXPERIMENTAL_DSN
    CHECK_STR(set_and_show(&c, "dsn_advertise_hosts", "*", false, true), "dsn_advertise_hosts = *", "dsn");
#endif
    CHECK_STR(set_and_show(&c, "dsn_from", "x <y@z>", false, true), "dsn_from = x <y@z>", "dsn_from is core");
}

static void test_finish(void)
{
    struct main_options c = main_options_default;
    c.spool_directory = "/var/spool/t";
    CHECK(cfg_main_finish(&c) == NULL, "finish ok");
    CHECK(c.primary_hostname && *c.primary_hostname, "primary_hostname from uname");
    CHECK_STR(c.qualify_domain, c.primary_hostname, "qualify_domain defaults to primary_hostname");
    CHECK_STR(c.qualify_recipient, c.qualify_domain, "qualify_recipient defaults to qualify_domain");
    CHECK_STR(c.process_log_path, "/var/spool/t/exim-process.info", "process_log_path in the spool");
    /* smtp_receive_timeout: a time (checked, shown normalised) or an expansion */
    c = main_options_default;
    c.smtp_receive_timeout = "90061s";
    CHECK(cfg_main_finish(&c) == NULL, "plain time ok");
    CHECK_STR(c.smtp_receive_timeout, "1d1h1m1s", "time normalised for -bP");
    c = main_options_default;
    c.smtp_receive_timeout = "${if def:tls_in_cipher{1m}{5m}}";
    CHECK(cfg_main_finish(&c) == NULL, "expansion kept");
    CHECK_STR(c.smtp_receive_timeout, "${if def:tls_in_cipher{1m}{5m}}", "expansion unchanged");
    c = main_options_default;
    c.smtp_receive_timeout = "30";
    CHECK_STR(cfg_main_finish(&c), "invalid time value for smtp_receive_timeout", "time needs a unit");
    c = main_options_default;
    c.tls_dh_max_bits = 1000;
    CHECK_STR(cfg_main_finish(&c), "tls_dh_max_bits is too small, must be at least 1024 for interop",
              "dh bits floor");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    test_sorted();
    test_rows();
    test_defaults();
    test_set_format();
    test_errors();
    test_missing();
    test_modules();
    test_finish();
    return unit_done("test_main_options");
}
