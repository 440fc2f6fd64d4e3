/* test_drivers.c - the driver registry, generic and private option tables,
 * option setting for each kind of driver, and the config-time checks each
 * driver's init makes. Errors that need file and line (unknown driver,
 * unknown option) are tested through the binary in test/e2e. */
#include "tern.h"
#include "auth.h"
#include "drivers.h"
#include "router.h"
#include "transport.h"
#include "auths/tls.h"
#include "routers/redirect.h"
#include "transports/appendfile.h"
#include "transports/smtp.h"
#include "unit.h"

/* ---- helpers ---- */

/* make_instance - what readconf does for "name:" then "driver = drv" */
static driver_instance *make_instance(enum driver_kind kind, const char *drv, const char *name)
{
    const drivers_kind_desc *k = &drivers_kinds[kind];
    driver_instance *d = store_get(k->instance_size, GET_UNTAINTED);
    memcpy(d, k->generic_default, k->instance_size);
    d->name = string_copy(name);
    d->info = drivers_find(kind, drv);
    ASSERT(d->info);
    d->driver_name = string_copy(drv);
    d->options_block = store_get(d->info->options_len, GET_UNTAINTED);
    memcpy(d->options_block, d->info->options_default, d->info->options_len);
    return d;
}

/* set - "name = value" (or "name" / "no_name" when value is NULL) on d,
 * looking in the generic table first, then the private one; NULL or error */
static const char *set(enum driver_kind kind, driver_instance *d, const char *name, const char *value)
{
    const drivers_kind_desc *k = &drivers_kinds[kind];
    bool neg = string_has_prefix(name, "no_");
    const char *base = neg ? name + 3 : name;
    const optionlist *t = k->generic;
    size_t n = k->generic_count;
    const optionlist *ol = options_find(t, n, base);
    if (!ol) {
        t = d->info->options;
        n = d->info->options_count;
        ol = options_find(t, n, base);
    }
    if (!ol) return "unknown";
    if ((ol->type & OPT_TYPE_MASK) == opt_alias) ol = options_find(t, n, ol->aux);
    void *block = (ol->type & OPT_PUBLIC) ? (void *)d : d->options_block;
    return options_set(ol, block, value ? value : "", neg, value != NULL);
}

/* show - the -bP line of option NAME of d */
static const char *show(enum driver_kind kind, driver_instance *d, const char *name)
{
    const drivers_kind_desc *k = &drivers_kinds[kind];
    const optionlist *ol = options_find(k->generic, k->generic_count, name);
    if (!ol) ol = options_find(d->info->options, d->info->options_count, name);
    if (!ol) return "unknown";
    return options_format(ol, (ol->type & OPT_PUBLIC) ? (void *)d : d->options_block);
}

/* ---- registry and tables ---- */

static void test_registry(void)
{
    static const char *const want[DRIVER_KINDS][8] = {
        {"accept", "dnslookup", "ipliteral", "iplookup", "manualroute", "queryprogram", "redirect", NULL},
        {"appendfile", "autoreply", "lmtp", "pipe", "smtp", NULL},
        {"cram_md5", "dovecot", "external", "plaintext", "spa", "tls", NULL},
    };
    for (int k = 0; k < DRIVER_KINDS; k++) {
        size_t n = 0;
        for (const driver_info *const *p = drivers_kinds[k].infos; *p; p++, n++) {
            CHECK_STR((*p)->driver_name, want[k][n], "registry order and names");
            CHECK(drivers_find(k, (*p)->driver_name) == *p, (*p)->driver_name);
            CHECK((*p)->init != NULL, "every driver has an init");
            CHECK((*p)->options_default && (*p)->options_len > 0, "private defaults present");
            for (const driver_info *const *q = p + 1; *q; q++)
                CHECK(strcmp((*p)->driver_name, (*q)->driver_name) != 0, "registered once");
        }
        size_t expect = 0;
        while (want[k][expect]) expect++;
        CHECK_INT(n, expect, drivers_kinds[k].section);
    }
    CHECK(drivers_find(DRIVER_ROUTER, "nosuch") == NULL, "unknown router");
    CHECK(drivers_find(DRIVER_AUTH, "cyrus_sasl") == NULL, "cyrus_sasl not built");
    CHECK(drivers_not_built(DRIVER_AUTH, "cyrus_sasl"), "cyrus_sasl known");
    CHECK(drivers_not_built(DRIVER_AUTH, "gsasl"), "gsasl known");
    CHECK(drivers_not_built(DRIVER_AUTH, "heimdal_gssapi"), "heimdal_gssapi known");
    CHECK(!drivers_not_built(DRIVER_AUTH, "plaintext"), "plaintext is built");
    CHECK(!drivers_not_built(DRIVER_ROUTER, "nosuch"), "nosuch unknown");
}

/* check_table - sorted, aliases resolve, missing rows name a feature */
static void check_table(const char *label, const optionlist *t, size_t n)
{
    const char *bad = NULL;
    bool sorted = options_table_sorted(t, n, &bad);
    CHECK(sorted, label);
    if (!sorted) fprintf(stderr, "  %s: out of order at %s\n", label, bad);
    for (size_t i = 0; i < n; i++) {
        unsigned ty = t[i].type & OPT_TYPE_MASK;
        if (ty == opt_alias) {
            const optionlist *real = options_find(t, n, t[i].aux);
            CHECK(real && (real->type & OPT_TYPE_MASK) != opt_alias, t[i].name);
        }
        if (ty == opt_missing) CHECK(t[i].aux && *t[i].aux, t[i].name);
    }
}

static void test_tables_sorted(void)
{
    for (int k = 0; k < DRIVER_KINDS; k++) {
        check_table(drivers_kinds[k].section, drivers_kinds[k].generic, drivers_kinds[k].generic_count);
        for (const driver_info *const *p = drivers_kinds[k].infos; *p; p++)
            check_table((*p)->driver_name, (*p)->options, (*p)->options_count);
    }
}

/* test_docs - every row of every table is a row of doc/options-drivers.md */
static void test_docs(void)
{
    FILE *f = fopen("doc/options-drivers.md", "r");
    CHECK(f != NULL, "doc/options-drivers.md readable (run from the repository root)");
    if (!f) return;
    gstring *g = NULL;
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) g = string_catn(g, buf, got);
    fclose(f);
    char *doc = string_from_gstring(g);
    for (int k = 0; k < DRIVER_KINDS; k++) {
        const drivers_kind_desc *kd = &drivers_kinds[k];
        for (size_t i = 0; i < kd->generic_count; i++) {
            char *row = string_sprintf("| `%s` |", kd->generic[i].name);
            CHECK(strstr(doc, row) != NULL, row);
        }
        for (const driver_info *const *p = kd->infos; *p; p++) {
            char *head = string_sprintf("### %s (%s)", (*p)->driver_name, kd->singular);
            CHECK(strstr(doc, head) != NULL, head);
            for (size_t i = 0; i < (*p)->options_count; i++) {
                char *row = string_sprintf("| `%s` |", (*p)->options[i].name);
                CHECK(strstr(doc, row) != NULL, row);
            }
        }
    }
}

/* ---- generic defaults and setting ---- */

static void test_router_generic(void)
{
    const router_instance *g = &router_generic_default;
    CHECK(g->address_test && g->expn && g->verify_sender && g->verify_recipient, "router bool defaults");
    CHECK(g->more.value && !g->more.expr && !g->unseen.value, "more/unseen defaults");
    CHECK_STR(g->self, "freeze", "self default");
    CHECK_STR(g->dnssec_request_domains, "*", "dnssec_request_domains default");
    driver_instance *d = make_instance(DRIVER_ROUTER, "dnslookup", "r1");
    router_instance *r = (router_instance *)d;
    CHECK_STR(set(DRIVER_ROUTER, d, "verify", "false"), NULL, "verify = false");
    CHECK(!r->verify_sender && !r->verify_recipient, "verify sets both");
    CHECK_STR(set(DRIVER_ROUTER, d, "fail_verify", NULL), NULL, "fail_verify");
    CHECK(r->fail_verify_sender && r->fail_verify_recipient, "fail_verify sets both");
    CHECK_STR(set(DRIVER_ROUTER, d, "more", "${if eq{a}{b}}"), NULL, "more expr");
    CHECK_STR(show(DRIVER_ROUTER, d, "more"), "more = ${if eq{a}{b}}", "more shown as expr");
    CHECK_STR(set(DRIVER_ROUTER, d, "no_more", NULL), NULL, "no_more");
    CHECK_STR(show(DRIVER_ROUTER, d, "more"), "no_more", "no_more shown");
    CHECK_STR(set(DRIVER_ROUTER, d, "more", "maybe"), "\"maybe\" is not a valid value for the \"more\" option",
              "more bad value");
    CHECK(set(DRIVER_ROUTER, d, "translate_ip_address", "x") != NULL, "translate_ip_address refused");
    CHECK_STR(set(DRIVER_ROUTER, d, "transport", "remote_smtp"), NULL, "transport");
    CHECK_STR(r->transport_name, "remote_smtp", "transport field");
    CHECK_STR(set(DRIVER_ROUTER, d, "widen_domains", "example.com"), NULL, "private widen_domains");
    CHECK_STR(show(DRIVER_ROUTER, d, "widen_domains"), "widen_domains = example.com", "widen shown");
    CHECK_STR(set(DRIVER_ROUTER, d, "dsn_lasthop", NULL), NULL, "dsn_lasthop always present");
    CHECK(r->dsn_lasthop, "dsn_lasthop set");
}

static void test_transport_generic(void)
{
    CHECK_INT(transport_generic_default.transport_filter_timeout, 300, "transport_filter_timeout");
    driver_instance *d = make_instance(DRIVER_TRANSPORT, "pipe", "t1");
    transport_instance *t = (transport_instance *)d;
    CHECK_STR(set(DRIVER_TRANSPORT, d, "event_action", "x"), NULL, "event_action");
    CHECK_STR(t->event_action, "x", "event_action field");
#ifdef EXPERIMENTAL_TPDA
    CHECK_STR(set(DRIVER_TRANSPORT, d, "tpda_delivery_action", "y"), NULL, "tpda_delivery_action");
    CHECK_STR(t->event_action, "y", "tpda_delivery_action is event_action");
#else
    CHECK(set(DRIVER_TRANSPORT, d, "tpda_delivery_action", "y") != NULL, "tpda refused without module");
#endif
    CHECK_STR(set(DRIVER_TRANSPORT, d, "transport_filter_timeout", "2m"), NULL, "time option");
    CHECK_STR(show(DRIVER_TRANSPORT, d, "transport_filter_timeout"), "transport_filter_timeout = 2m",
              "time shown");
    CHECK_STR(set(DRIVER_TRANSPORT, d, "max_output", "1M"), NULL, "mkint");
    CHECK_STR(show(DRIVER_TRANSPORT, d, "max_output"), "max_output = 1M", "mkint shown");
    CHECK_STR(show(DRIVER_TRANSPORT, d, "umask"), "umask = 022", "octal default shown");
}

static void test_smtp_options(void)
{
    driver_instance *d = make_instance(DRIVER_TRANSPORT, "smtp", "t2");
    const smtp_transport_options *o = d->options_block;
    CHECK_STR(o->hosts_try_prdr, "*", "hosts_try_prdr default");
    CHECK_STR(o->helo_data, "$primary_hostname", "helo_data default");
    CHECK_INT(o->hosts_max_try, 5, "hosts_max_try default");
    CHECK_STR(set(DRIVER_TRANSPORT, d, "socks_proxy", "x"),
              "option \"socks_proxy\" is not available: this binary was built without SOCKS", "socks");
    CHECK(set(DRIVER_TRANSPORT, d, "hosts_try_dane", "*") != NULL, "DANE not built");
    CHECK_STR(set(DRIVER_TRANSPORT, d, "tls_verify_cert_hostnames", "a.example"), NULL, "4.96 name");
#ifdef EXPERIMENTAL_CERTNAMES
    CHECK_STR(set(DRIVER_TRANSPORT, d, "tls_verify_cert_hostname", "b.example"), NULL, "4.84 name");
    CHECK_STR(o->tls_verify_cert_hostnames, "b.example", "one field for both names");
#endif
#ifdef EXPERIMENTAL_TPDA
    CHECK_STR(set(DRIVER_TRANSPORT, d, "tpda_host_defer_action", "z"), NULL, "tpda_host_defer_action");
#else
    CHECK(set(DRIVER_TRANSPORT, d, "tpda_host_defer_action", "z") != NULL, "tpda host refused");
#endif
    CHECK_STR(set(DRIVER_TRANSPORT, d, "retry_include_ip_address", "no"), NULL, "xbool plain");
    CHECK_STR(show(DRIVER_TRANSPORT, d, "retry_include_ip_address"), "no_retry_include_ip_address", "xbool");
}

static void test_auth_options(void)
{
    driver_instance *d = make_instance(DRIVER_AUTH, "tls", "a1");
    const tls_auth_options *o = d->options_block;
    CHECK_STR(set(DRIVER_AUTH, d, "server_param", "$tls_in_peerdn"), NULL, "server_param");
    CHECK_STR(o->server_param1, "$tls_in_peerdn", "server_param is server_param1");
    CHECK_STR(set(DRIVER_AUTH, d, "public_name", "FOO"), NULL, "public_name");
    CHECK_STR(d->info->init(d), NULL, "tls init");
    CHECK_STR(((auth_instance *)d)->public_name, "a1", "tls public name is the instance name");
    d = make_instance(DRIVER_AUTH, "plaintext", "a2");
    CHECK_STR(d->info->init(d), NULL, "plaintext init");
    CHECK_STR(((auth_instance *)d)->public_name, "a2", "public name defaults to instance name");
    d = make_instance(DRIVER_AUTH, "cram_md5", "a3");
    CHECK_STR(d->info->init(d), "no public name specified for the a3 authenticator", "cram_md5 needs it");
    CHECK_STR(set(DRIVER_AUTH, d, "public_name", "CRAM-MD5"), NULL, "cram public name");
    CHECK_STR(d->info->init(d), NULL, "cram_md5 init ok");
    CHECK_STR(set(DRIVER_AUTH, d, "server_secret", "s"), NULL, "server_secret");
    CHECK_STR(set(DRIVER_AUTH, d, "bogus", "s"), "unknown", "unknown auth option");
}

/* ---- init checks ---- */

typedef struct init_case {
    enum driver_kind kind;
    const char *drv;
    const char *opts[4][2]; /* name, value (NULL value = boolean set) */
    const char *want;       /* NULL = accepted */
} init_case;

static const init_case init_cases[] = {
    {DRIVER_ROUTER, "accept", {{NULL, NULL}}, NULL /* checked after the whole config: routers_check_transports */},
    {DRIVER_ROUTER, "accept", {{"verify_only", NULL}}, NULL},
    {DRIVER_ROUTER, "accept", {{"transport", "t"}, {"self", "bogus"}}, "bogus is not valid for the self option"},
    {DRIVER_ROUTER, "dnslookup", {{"transport", "t"}, {"self", "reroute:x@y"}}, NULL},
    {DRIVER_ROUTER, "ipliteral", {{NULL, NULL}}, NULL},
    {DRIVER_ROUTER, "iplookup", {{"hosts", "h"}}, "a port must be specified"},
    {DRIVER_ROUTER, "iplookup", {{"port", "5"}}, "a host list must be specified"},
    {DRIVER_ROUTER, "iplookup", {{"port", "5"}, {"hosts", "h"}, {"protocol", "sctp"}},
     "protocol not specified as udp or tcp"},
    {DRIVER_ROUTER, "iplookup", {{"port", "5"}, {"hosts", "h"}, {"protocol", "tcp"}}, NULL},
    {DRIVER_ROUTER, "manualroute", {{NULL, NULL}}, "route_list or route_data (but not both) must be specified"},
    {DRIVER_ROUTER, "manualroute", {{"route_data", "x"}, {"host_find_failed", "bogus"}},
     "unrecognized setting for host_find_failed option"},
    {DRIVER_ROUTER, "manualroute", {{"route_data", "x"}, {"host_all_ignored", "ignore"}},
     "unrecognized setting for host_all_ignored option"},
    {DRIVER_ROUTER, "manualroute", {{"route_list", "* h"}}, NULL},
    {DRIVER_ROUTER, "queryprogram", {{NULL, NULL}}, "a command specification is required"},
    {DRIVER_ROUTER, "queryprogram", {{"command", "/bin/true"}}, "command_user must be specified"},
    {DRIVER_ROUTER, "queryprogram", {{"command", "/bin/true"}, {"command_user", "0"}}, NULL},
    {DRIVER_ROUTER, "redirect", {{NULL, NULL}}, "one of \"file\" or \"data\" must be specified"},
    {DRIVER_ROUTER, "redirect", {{"file", "f"}, {"data", "d"}}, "only one of \"file\" or \"data\" must be specified"},
    {DRIVER_ROUTER, "redirect", {{"data", "d"}, {"allow_filter", NULL}},
     "\"user\" or \"check_local_user\" must be set with \"allow_filter\""},
    {DRIVER_ROUTER, "redirect", {{"data", "d"}, {"one_time", NULL}, {"unseen", NULL}},
     "\"unseen\" may not be used with \"one_time\""},
    {DRIVER_TRANSPORT, "appendfile", {{NULL, NULL}}, NULL},
    {DRIVER_TRANSPORT, "appendfile", {{"file", "/a"}, {"directory", "/b"}},
     "only one of \"file\" or \"directory\" can be specified"},
    {DRIVER_TRANSPORT, "appendfile", {{"no_use_fcntl_lock", NULL}, {"no_use_lockfile", NULL}}, "no locking configured"},
    {DRIVER_TRANSPORT, "appendfile", {{"create_file", "bogus"}}, "invalid value given for \"create_file\": 'bogus'"},
    {DRIVER_TRANSPORT, "appendfile", {{"create_file", "/home"}}, NULL},
    {DRIVER_TRANSPORT, "lmtp", {{NULL, NULL}}, "one (and only one) of command or socket must be set"},
    {DRIVER_TRANSPORT, "lmtp", {{"command", "c"}, {"socket", "s"}}, "one (and only one) of command or socket must be set"},
    {DRIVER_TRANSPORT, "lmtp", {{"socket", "/s"}}, NULL},
    {DRIVER_TRANSPORT, "pipe", {{NULL, NULL}}, NULL},
    {DRIVER_TRANSPORT, "pipe", {{"use_shell", NULL}, {"allow_commands", "/x"}}, "both allow_commands and use_shell set"},
    {DRIVER_TRANSPORT, "pipe", {{"use_shell", NULL}, {"restrict_to_path", NULL}},
     "both restrict_to_path and use_shell set"},
    {DRIVER_TRANSPORT, "pipe", {{"temp_errors", "x"}}, "temp_errors must be a list of numbers or an asterisk"},
    {DRIVER_TRANSPORT, "pipe", {{"temp_errors", "*"}}, NULL},
    {DRIVER_TRANSPORT, "smtp", {{NULL, NULL}}, NULL},
    {DRIVER_TRANSPORT, "autoreply", {{NULL, NULL}}, NULL},
};

static void test_inits(void)
{
    for (size_t i = 0; i < NELEM(init_cases); i++) {
        const init_case *c = &init_cases[i];
        driver_instance *d = make_instance(c->kind, c->drv, "x");
        for (int j = 0; j < 4 && c->opts[j][0]; j++)
            CHECK_STR(set(c->kind, d, c->opts[j][0], c->opts[j][1]), NULL, c->opts[j][0]);
        const char *label = string_sprintf("init case %zu (%s)", i, c->drv);
        CHECK_STR(d->info->init(d), c->want, label);
    }
}

/* test_dependent_defaults - generic values settled by init */
static void test_dependent_defaults(void)
{
    driver_instance *d = make_instance(DRIVER_ROUTER, "accept", "r");
    router_instance *r = (router_instance *)d;
    CHECK_STR(set(DRIVER_ROUTER, d, "transport", "t"), NULL, "transport");
    CHECK_STR(d->info->init(d), NULL, "accept init");
    CHECK_INT(r->log_as_local, 1, "accept logs as local");
    CHECK_INT(r->retry_use_local_part, 0, "retry_use_local_part off without check_local_user");
    d = make_instance(DRIVER_ROUTER, "redirect", "r2");
    r = (router_instance *)d;
    CHECK_STR(set(DRIVER_ROUTER, d, "data", "x"), NULL, "data");
    CHECK_STR(set(DRIVER_ROUTER, d, "check_local_user", NULL), NULL, "check_local_user");
    CHECK_STR(d->info->init(d), NULL, "redirect init");
    CHECK_INT(r->log_as_local, 0, "redirect does not log as local");
    CHECK_INT(r->retry_use_local_part, 1, "retry_use_local_part follows check_local_user");
    CHECK_INT(((redirect_router_options *)d->options_block)->check_owner, 1, "check_owner follows");
    CHECK_INT(((redirect_router_options *)d->options_block)->check_group, 0, "check_group with modemask 022");
    d = make_instance(DRIVER_TRANSPORT, "smtp", "t");
    CHECK_STR(d->info->init(d), NULL, "smtp init");
    CHECK_INT(((transport_instance *)d)->retry_use_local_part, 0, "remote transport");
    d = make_instance(DRIVER_TRANSPORT, "appendfile", "t2");
    CHECK_STR(set(DRIVER_TRANSPORT, d, "maildir_format", NULL), NULL, "maildir_format");
    CHECK_STR(set(DRIVER_TRANSPORT, d, "message_suffix", "X"), NULL, "explicit message_suffix");
    CHECK_STR(d->info->init(d), NULL, "appendfile init");
    CHECK_INT(((transport_instance *)d)->retry_use_local_part, 1, "local transport");
    const appendfile_transport_options *o = d->options_block;
    CHECK(o->check_string == NULL && o->message_prefix == NULL, "maildir: no mbox separators");
    CHECK_STR(o->message_suffix, "X", "explicit value kept");
}

int main(void)
{
    store_set_pool(POOL_MAIN);
    test_registry();
    test_tables_sorted();
    test_router_generic();
    test_transport_generic();
    test_smtp_options();
    test_auth_options();
    test_inits();
    test_dependent_defaults();
    test_docs();
    return unit_done("test_drivers");
}
