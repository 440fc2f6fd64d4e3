/* smtp_in_modes.c - the reception modes of the command line: -bs, -bh,
 * -bhc, -bm (and the bare "sendmail" form), -t, -bd, -bdf, with their
 * flags (-i -oi -f -F -od* -oMa -oMr -oMs -oMt -oX -oP -tls-on-connect).
 *
 * Runs as the caller. -oM* flags change what is recorded about the
 * message's origin, so only trusted callers may give them; from anyone
 * else they are ignored, as Exim ignores them. */

/* System */
#include <pwd.h>
/* MTA core */
#include "tern.h"
#include "daemon.h"
#include "deliver.h"
#include "globals.h"
#include "acl.h"
#include "log.h"
#include "queue.h"
#include "receive.h"
#include "smtp_in.h"
#include "smtp_in_modes.h"

static struct {
    bool extract, no_dot, queue_only;
    bool tls_on_connect; /* -tls-on-connect: -bs from inetd on an SMTPS port */
    char *sender, *fullname;
    char *oMa, *oMr, *oMs, *oMt;
    char *oX, *oP;
    char **rcpts;
    int rcpts_count;
} mo;

/* flag_value - the value of a flag, joined or as the next word */
static char *flag_value(int argc, char **argv, int *i, size_t flaglen)
{
    if (argv[*i][flaglen]) return argv[*i] + flaglen;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tern: string expected after %s\n", argv[*i]);
        exit(EXIT_FAILURE);
    }
    return argv[++*i];
}

static bool om_flag(const char *a, int argc, char **argv, int *i)
{
    static const struct { const char *flag; size_t off; } rows[] = {
        {"-oMa", offsetof(typeof(mo), oMa)}, {"-oMr", offsetof(typeof(mo), oMr)},
        {"-oMs", offsetof(typeof(mo), oMs)}, {"-oMt", offsetof(typeof(mo), oMt)},
        {"-oX", offsetof(typeof(mo), oX)},   {"-oP", offsetof(typeof(mo), oP)},
        {"-f", offsetof(typeof(mo), sender)}, {"-F", offsetof(typeof(mo), fullname)},
        {"-r", offsetof(typeof(mo), sender)},
    };
    for (size_t k = 0; k < NELEM(rows); k++) {
        size_t n = strlen(rows[k].flag);
        if (strncmp(a, rows[k].flag, n) != 0) continue;
        if (n == 2 && a[1] == 'o') continue;
        *(char **)((char *)&mo + rows[k].off) = flag_value(argc, argv, i, n);
        return true;
    }
    return false;
}

bool smtp_modes_flag(const char *a, int argc, char **argv, int *i)
{
    if (strcmp(a, "-t") == 0) mo.extract = true;
    else if (strcmp(a, "-tls-on-connect") == 0) mo.tls_on_connect = true;
    else if (strcmp(a, "-i") == 0 || strcmp(a, "-oi") == 0) mo.no_dot = true;
    else if (strcmp(a, "-odq") == 0 || strcmp(a, "-odqs") == 0) mo.queue_only = true;
    else if (strcmp(a, "-odi") == 0 || strcmp(a, "-odb") == 0 || strcmp(a, "-odf") == 0) return true;
    else if (strcmp(a, "-oem") == 0 || strcmp(a, "-oee") == 0 || strcmp(a, "-oep") == 0) return true;
    else if (strcmp(a, "-U") == 0 || strcmp(a, "-v") == 0 || strcmp(a, "-m") == 0) return true;
    else if (strcmp(a, "-om") == 0 || strcmp(a, "-oitrue") == 0) return true;
    else return om_flag(a, argc, argv, i);
    return true;
}

/* operands - flags after the mode word, and the rest are recipients;
 * -bd takes -q<time> (and the other -q flags) among them too */
static void operands(int argc, char **argv, bool daemon)
{
    mo.rcpts = store_get_in(POOL_PERM, sizeof(char *) * (size_t)(argc + 1), GET_UNTAINTED);
    for (int i = 0; i < argc; i++) {
        bool dflag = argv[i][0] == '-' && deliver_parse_flag(argv[i]); /* -od? -N */
        if (argv[i][0] == '-' && argv[i][1] && smtp_modes_flag(argv[i], argc, argv, &i)) continue;
        if (dflag) continue;
        if (daemon && queue_flag(argv[i], argc, argv, &i)) continue;
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "tern: unknown or unsupported option %s\n", argv[i]);
            exit(EXIT_FAILURE);
        }
        mo.rcpts[mo.rcpts_count++] = argv[i];
    }
}

/* caller_login - the login name of the real uid */
static char *caller_login(void)
{
    struct passwd *pw = getpwuid(proc.real_uid);
    return string_copy_perm(pw ? pw->pw_name : string_sprintf("%ld", (long)proc.real_uid));
}

/* apply_om - -oMa/-oMr/-oMs/-oMt and -f for trusted callers */
static void apply_om(void)
{
    enum store_pool old = store_set_pool(POOL_PERM);
    if (!proc.trusted_caller) { /* ignored, as Exim ignores them */
        mo.oMa = mo.oMr = mo.oMs = mo.oMt = NULL;
        store_set_pool(old);
        return;
    }
    if (mo.oMa) {
        char *a = string_copy_taint(mo.oMa, GET_TAINTED);
        char *dot = strrchr(a, '.');
        /* "1.2.3.4.25": a fifth component is the port, as Exim writes it */
        if (dot && strchr(a, ':') == NULL && strchr(a, '.') != dot) {
            int dots = 0;
            for (char *p = a; *p; p++) dots += *p == '.';
            if (dots == 4) { *dot = 0; conn.sender_host_port = (int)strtol(dot + 1, NULL, 10); }
        }
        conn.sender_host_address = a;
        conn.local = false;
    }
    if (mo.oMs) conn.sender_host_name = string_copy_taint(mo.oMs, GET_TAINTED);
    if (mo.oMt) conn.sender_ident = string_copy_taint(mo.oMt, GET_TAINTED);
    store_set_pool(old);
}

static int run_bs(void)
{
    smtp_conn_setup(NULL, 0, 0, 1, false);
    conn.sender_ident = caller_login();
    apply_om(); /* -oMr is ignored: HELO/EHLO decide the protocol name */
    conn.tls_on_connect = mo.tls_on_connect;
    return smtp_session();
}

static int run_bh(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "tern: -bh requires an IP address argument\n");
        return EXIT_FAILURE;
    }
    smtp_conn_setup(argv[0], 0, 0, 1, false);
    operands(argc - 1, argv + 1, false);
    conn.host_checking = true;
    acl_trace_enable(stderr); /* Exim's ">>> " lines: what each ACL decided */
    return smtp_session();
}

static int run_bm(void)
{
    smtp_conn_setup(NULL, 0, 0, 1, false);
    conn.sender_ident = caller_login();
    cfg.smtp_receive_timeout = "0s"; /* local input may be as slow as it likes */
    conn.unqualified_sender_ok = conn.unqualified_recipient_ok = true;
    apply_om();
    conn.received_protocol = mo.oMr ? mo.oMr : "local";
    enum store_pool old = store_set_pool(POOL_PERM);
    if (mo.sender && proc.trusted_caller) msg.sender_address = string_copy(mo.sender);
    else {
        const char *qd = cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname;
        msg.sender_address = string_sprintf("%s@%s", conn.sender_ident, qd);
    }
    store_set_pool(old);
    receive_local_opts o = {.dot_ends = !mo.no_dot, .extract_rcpts = mo.extract,
                            .rcpts = mo.rcpts, .rcpts_count = mo.rcpts_count,
                            .queue_only = mo.queue_only, .fullname = mo.fullname,
                            .sender_forced = mo.sender && proc.trusted_caller};
    return receive_local(&o);
}

int smtp_modes_run(const char *mode, int argc, char **argv, bool *handled)
{
    *handled = true;
    if (strcmp(mode, "bh") == 0 || strcmp(mode, "bhc") == 0) return run_bh(argc, argv);
    bool daemon = strcmp(mode, "bd") == 0 || strcmp(mode, "bdf") == 0;
    operands(argc, argv, daemon);
    if (strcmp(mode, "bs") == 0) return run_bs();
    if (strcmp(mode, "bm") == 0 || strcmp(mode, "t") == 0) return run_bm();
    if (strcmp(mode, "bd") == 0 || strcmp(mode, "bdf") == 0)
        return daemon_run(strcmp(mode, "bdf") == 0, mo.oX, mo.oP);
    *handled = false;
    return EXIT_FAILURE;
}

bool smtp_modes_implied(void)
{
    return mo.extract;
}
