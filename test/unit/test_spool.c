/* test_spool.c - message ids and the -H file format, including a file
 * written by Exim 4.96 itself (test/unit/data/exim496-dsn.H). */
#include "tern.h"
#include "spool.h"
#include "unit.h"

static void test_ids(void)
{
    char a[MESSAGE_ID_LENGTH + 1], b[MESSAGE_ID_LENGTH + 1];
    spool_new_message_id(a);
    spool_new_message_id(b);
    CHECK(spool_message_id_valid(a), "id valid");
    CHECK(strcmp(a, b) != 0, "ids unique in one process");
    CHECK(!spool_message_id_valid("1xW6l2-0002K2-2"), "short id");
    CHECK(!spool_message_id_valid("1xW6l2_0002K2-2Z"), "bad separator");
    CHECK(!spool_message_id_valid("1xW6l2-0002K2-2/"), "bad char");
    char out[7];
    spool_base62(0, 6, out);
    CHECK_STR(out, "000000", "base62 zero");
    spool_base62(61, 2, out);
    CHECK_STR(out, "0z", "base62 61");
    spool_base62(62, 2, out);
    CHECK_STR(out, "10", "base62 62");
}

static void test_exim_file(void)
{
    const char *err;
    size_t len;
    char *data = spool_read_file("test/unit/data/exim496-dsn.H", &len, 0, &err);
    CHECK(data != NULL, "read exim file");
    if (!data) return;
    spool_header h;
    err = spool_parse_header(data, len, &h);
    CHECK_STR(err, NULL, "parse exim file");
    if (err) return;
    CHECK_STR(h.sender, "a@b.example", "sender");
    CHECK_STR(h.helo_name, "x", "helo");
    CHECK(store_is_tainted(h.helo_name), "helo tainted (--)");
    CHECK_STR(h.host_address, "192.0.2.1", "host address");
    CHECK_INT(h.host_port, 1234, "host port");
    CHECK_STR(h.dsn_envid, "abc123", "envid");
    CHECK_INT(h.dsn_ret, DSN_RET_HDRS, "ret");
    CHECK_INT(h.recipients_count, 3, "rcpt count");
    CHECK_STR(h.recipients[0].address, "u1@d.example", "r0");
    CHECK_STR(h.recipients[0].orcpt, "rfc822;u1@d.example", "r0 orcpt");
    CHECK_INT(h.recipients[0].dsn_flags, 20, "r0 flags");
    CHECK_STR(h.recipients[1].address, "u2@d.example", "r1 plain");
    CHECK_INT(h.recipients[1].pno, -1, "r1 pno");
    CHECK_STR(h.recipients[2].orcpt, NULL, "r2 no orcpt");
    CHECK_INT(h.recipients[2].dsn_flags, 2, "r2 flags");
    CHECK(h.deliver_firsttime, "firsttime");
    CHECK_INT(h.body_linecount, 1, "linecount");
    int nh = 0;
    for (header_line *hl = h.headers; hl; hl = hl->next) nh++;
    CHECK_INT(nh, 3, "headers");
    CHECK_INT(h.headers->type, 'P', "received type");
    int nv = 0;
    for (acl_var *v = h.acl_vars; v; v = v->next) {
        nv++;
        if (!v->conn) CHECK_STR(v->value, "bar\nbaz", "aclm value with newline");
    }
    CHECK_INT(nv, 2, "acl vars");
    /* our writer reproduces Exim's file line for line (except lines we do
     * not keep: received_time_complete, tls_resumption) */
    char *ours = string_from_gstring(spool_format_header(&h));
    CHECK(strstr(ours, "u1@d.example rfc822;u1@d.example 19,20  0,-1#3\n") != NULL, "dsn line");
    CHECK(strstr(ours, "u3@d.example  0,2  0,-1#3\n") != NULL, "dsn line no orcpt");
    CHECK(strstr(ours, "--helo_name x\n") != NULL, "tainted helo line");
    CHECK(strstr(ours, "--host_address [192.0.2.1]:1234\n") != NULL, "host line");
    CHECK(strstr(ours, "-aclm _foo 7\nbar\nbaz\n") != NULL, "aclm");
    CHECK(strstr(ours, "017T To: u1@d.example\n") != NULL, "header line");
}

/* A tainted ACL variable is written "--aclm", as Exim 4.96 writes it, and
 * comes back tainted */
static void test_tainted_acl_var(void)
{
    const char *file = "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\n--aclm _b 1\nc\n-aclc 0 2\nc0\nXX\n0\n\n";
    spool_header h;
    const char *err = spool_parse_header(file, strlen(file), &h);
    CHECK_STR(err, NULL, "parse tainted acl var");
    if (err) return;
    for (acl_var *v = h.acl_vars; v; v = v->next)
        CHECK(store_is_tainted(v->value) == !v->conn, "taint of acl var kept");
    char *ours = string_from_gstring(spool_format_header(&h));
    CHECK(strstr(ours, "--aclm _b 1\nc\n") != NULL, "tainted aclm line");
    CHECK(strstr(ours, "\n-aclc 0 2\nc0\n") != NULL, "untainted aclc line");
}

static void test_roundtrip(void)
{
    spool_header h = {0};
    memcpy(h.id, "1xW6l2-0002K2-2Z", 17);
    h.caller_login = "tern";
    h.sender = "";
    h.received_time = 1795589132;
    static char *nonr[] = {"c@x", "a@x", "b@x", "d@x", "e@x"};
    h.nonrecipients = nonr;
    h.nonrecipients_count = 5;
    recipient_item r[3] = {{"p@x", NULL, 0, NULL, -1}, {"q#1@x", NULL, 0, NULL, -1},
                           {"\"sp ace\"@x", "rfc822;a b", RF_NOTIFY_FAILURE, "err@x", 0}};
    h.recipients = r;
    h.recipients_count = 3;
    header_line hl = {NULL, "Subject: x\n", 11, ' '};
    h.headers = &hl;
    gstring *g = spool_format_header(&h);
    spool_header back;
    const char *err = spool_parse_header(g->s, g->len, &back);
    CHECK_STR(err, NULL, "roundtrip parse");
    if (err) return;
    CHECK_STR(back.sender, "", "bounce sender");
    CHECK_INT(back.nonrecipients_count, 5, "tree size");
    CHECK_STR(back.recipients[1].address, "q#1@x", "hash in address");
    CHECK_STR(back.recipients[2].address, "\"sp ace\"@x", "space in address");
    CHECK_STR(back.recipients[2].orcpt, "rfc822;a b", "space in orcpt");
    CHECK_STR(back.recipients[2].errors_to, "err@x", "errors_to");
    CHECK_INT(back.recipients[2].pno, 0, "pno");
    CHECK_STR(back.headers->text, "Subject: x\n", "header text");
}

static void test_bad(void)
{
    static const char *const bad[] = {
        "", "junk\n", "1xW6l2-0002K2-2Z-H\n", "1xW6l2-0002K2-2Z-H\nroot 0 0\nnoangle\n",
        "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\nXX\n-1\n\n",
        "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\nXX\n2\na@b\n",
        "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\n-aclc 1 999\nx\nXX\n0\n\n",
        "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\nXX\n1\na@b\n\n999  Subject: x\n",
        "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\nYY a\n0\n\n",
        "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\nXX\n1\na@b x 99,1#1\n\n",
        "1xW6l2-0002K2-2Z-H\nroot 0 0\n<>\n1 0\n--host_address 1.2.3.4\nXX\n0\n\n",
    };
    for (size_t i = 0; i < NELEM(bad); i++) {
        spool_header h;
        const char *err = spool_parse_header(bad[i], strlen(bad[i]), &h);
        CHECK(err != NULL, string_sprintf("bad input %zu refused", i));
    }
}

int main(void)
{
    test_ids();
    test_exim_file();
    test_roundtrip();
    test_tainted_acl_var();
    test_bad();
    return unit_done("test_spool");
}
