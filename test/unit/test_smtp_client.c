/* test_smtp_client.c - the SMTP client: reply reader limits (no args),
 * and a driver for e2e tests (args) that delivers a spooled message
 * through the smtp transport to a peer and prints each address's result.
 *
 *   test_smtp_client                      unit tests (socketpair peer)
 *   test_smtp_client deliver CONF ID ADDR...   delivery, results on stdout
 *   test_smtp_client continue CONF ID1 ID2 ADDR  two messages, one connection
 *   test_smtp_client bounce CONF ID ADDR...    deliver, then bounce the failures
 *   test_smtp_client warn CONF ID ADDR...      deliver, then warn about deferrals
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include "tern.h"
#undef AFL_FILE /* <sys/socket.h>'s; address.h has its own */
#include "address.h"
#include "globals.h"
#include "readconf.h"
#include "modes.h"
#include "moan.h"
#include "spool.h"
#include "retry.h"
#include "smtp_out.h"
#include "transport.h"
#include "transports/smtp.h"
#include "unit.h"

/* peer - fork a writer that sends data (repeated times) then waits */
static pid_t peer(int fd, const char *data, size_t len, long repeat)
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        for (long i = 0; i < repeat; i++)
            if (write(fd, data, len) < 0) _exit(0);
        sleep(3);
        _exit(0);
    }
    return pid;
}

static int read_from(const char *data, long repeat, int timeout, smtp_reply *r, smtp_conn *c)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t pid = peer(sv[1], data, strlen(data), repeat);
    close(sv[1]);
    smtp_out_attach(c, sv[0]);
    int rc = smtp_out_read_reply(c, timeout, r);
    smtp_out_close(c, false); /* closes sv[0] and frees the input buffer */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return rc;
}

static void reader_tests(void)
{
    smtp_reply r;
    smtp_conn c;
    CHECK_INT(read_from("250 OK\r\n", 1, 2, &r, &c), OK, "simple");
    CHECK_INT(r.code, 250, "code");
    CHECK_STR(r.text, "250 OK", "text");
    CHECK_INT(read_from("250-a.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 DSN\r\n", 1, 2, &r, &c), OK, "multi");
    CHECK_STR(r.text, "250-a.example\n250-PIPELINING\n250-SIZE 1000\n250 DSN", "multi text");
    smtp_out_parse_ehlo(&c, &r);
    CHECK_INT(c.caps & (CAP_PIPELINING | CAP_SIZE | CAP_DSN), CAP_PIPELINING | CAP_SIZE | CAP_DSN, "caps");
    CHECK_INT(c.size_max, 1000, "size");
    CHECK_INT(read_from("250\n", 1, 2, &r, &c), OK, "bare code, LF only");
    CHECK_INT(read_from("250-a\r\n251 b\r\n", 1, 2, &r, &c), DEFER, "code changes");
    CHECK_INT(c.error, ERRNO_SMTP_FORMAT, "format error");
    CHECK_INT(read_from("hello there\r\n", 1, 2, &r, &c), DEFER, "not smtp");
    /* 10 MB of garbage without newlines: refused at the line limit */
    CHECK_INT(read_from("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 160000, 5, &r, &c),
              DEFER, "garbage line");
    CHECK_INT(c.error, ERRNO_SMTP_FORMAT, "garbage errno");
    /* endless continuation lines: refused at the reply limit */
    CHECK_INT(read_from("250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", 160000, 5, &r, &c),
              DEFER, "endless reply");
    CHECK_INT(c.error, ERRNO_SMTP_FORMAT, "endless errno");
    CHECK_INT(read_from("250-partial\r\n", 1, 1, &r, &c), DEFER, "stall");
    CHECK_INT(c.error, ETIMEDOUT, "stall errno");
    CHECK_INT(read_from("", 0, 1, &r, &c), DEFER, "close");
}

static address_item *make_addr(const char *a, address_item *next)
{
    address_item *ad = store_get_zero(sizeof *ad, GET_UNTAINTED);
    ad->address = string_copy(a);
    const char *at = strrchr(a, '@');
    ad->domain = string_copy(at ? at + 1 : "");
    ad->local_part = string_copyn(a, at ? (size_t)(at - a) : strlen(a));
    ad->next = next;
    return ad;
}

static const char *rc_name(int rc)
{
    return rc == OK ? "OK" : rc == DEFER ? "DEFER" : rc == FAIL ? "FAIL" : "PENDING";
}

static transport_instance *find_transport(const char *name)
{
    for (driver_instance *d = cfg.sections.drivers[DRIVER_TRANSPORT]; d; d = d->next)
        if (strcmp(d->name, name) == 0) return (transport_instance *)d;
    fprintf(stderr, "no transport %s\n", name);
    exit(2);
}

static spool_header *read_header(const char *id)
{
    size_t len;
    const char *err;
    char *d = spool_read_file(string_sprintf("%s/input/%s-H", cfg.spool_directory, id), &len, 1 << 24, &err);
    spool_header *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    if (!d || (err = spool_parse_header(d, len, h))) { fprintf(stderr, "%s\n", err); exit(2); }
    return h;
}

/* report_on - after delivery, bounce (FAIL) or warn about (DEFER) addresses */
static void report_on(const char *id, address_item *list, bool bounce)
{
    address_item *sel = NULL, **tail = &sel;
    for (address_item *a = list, *next; a; a = next) {
        next = a->next;
        a->next = NULL;
        if (a->transport_return == (bounce ? FAIL : DEFER)) { *tail = a; tail = &a->next; }
    }
    spool_header *h = read_header(id);
    if (bounce) moan_send_bounce(h, sel);
    else moan_send_warning(h, sel);
}

static const char *report_mode;

static void deliver_one(transport_instance *t, const char *id, int argc, char **argv)
{
    msg.id = string_copy(id);
    address_item *list = NULL;
    for (int i = argc - 1; i >= 0; i--) list = make_addr(argv[i], list);
    smtp_transport_info.deliver(t, list);
    retry_update(list);
    for (address_item *a = list; a; a = a->next)
        printf("%s %s errno=%d more=%d msg=%s conf=%s\n", a->address, rc_name(a->transport_return),
               a->basic_errno, a->more_errno, a->message ? a->message : "", a->delivery_confirmation ? a->delivery_confirmation : "");
    if (report_mode) report_on(id, list, strcmp(report_mode, "bounce") == 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        reader_tests();
        return unit_done("test_smtp_client");
    }
    cfg = main_options_default;
    builtin_macros_define();
    readconf_read(argv[2]);
    readconf_finish();
    retry_init();
    transport_instance *t = find_transport("remote");
    if (strcmp(argv[1], "continue") == 0) {
        smtp_transport_continue(true);
        deliver_one(t, argv[3], argc - 5, argv + 5);
        deliver_one(t, argv[4], argc - 5, argv + 5);
        smtp_transport_continue(false);
        return 0;
    }
    if (strcmp(argv[1], "bounce") == 0 || strcmp(argv[1], "warn") == 0) report_mode = argv[1];
    deliver_one(t, argv[3], argc - 4, argv + 4);
    return 0;
}
