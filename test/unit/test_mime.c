/* test_mime.c - the MIME walker and decoders (src/mime.c): a table of
 * messages and the parts found in each (with the $mime_* values), the
 * decoders on good and broken input, and each limit at len-1, len and
 * len+1. Expected values were checked against Exim 4.96's MIME ACL
 * (test/e2e/test_mime_acl.py compares the two live). */
#include "tern.h"
#include "mime.h"
#include "unit.h"

/* render - one line per part:
 * count rfc822 cover multipart type|boundary|charset|description|
 * disposition|id|encoding|filename|body bytes[|anomaly] */
static int render(const mime_part *p, void *arg)
{
    gstring **g = arg;
    *g = string_fmt_append(*g, "%d %d %d %d %s|%s|%s|%s|%s|%s|%s|%s|%zu", p->part_count, p->is_rfc822,
                           p->is_coverletter, p->is_multipart, p->content_type, p->boundary, p->charset,
                           p->description, p->disposition, p->content_id, p->encoding, p->filename,
                           p->body.len);
    if (p->anomaly_level) *g = string_fmt_append(*g, "|A%d", p->anomaly_level);
    *g = string_catc(*g, '\n');
    return OK;
}

static char *walk(const char *text, size_t len, int *last)
{
    gstring *g = string_get(256);
    int rc = mime_walk(text, len, render, &g, last);
    if (rc != OK) g = string_cat(g, "not OK\n");
    return string_from_gstring(g);
}

static const struct {
    const char *label, *in, *want;
    int last;
} walk_cases[] = {
    {"no content-type", "Subject: x\n\nbody\n", "0 0 1 0 ||||||||5\n", 0},
    {"single part, params",
     "Content-Type: Text/Plain; charset=\"UTF-8\"; format=flowed\nContent-Transfer-Encoding: BASE64\n\naGk=\n",
     "0 0 1 0 text/plain||UTF-8||||base64||5\n", 0},
    {"multipart mixed, cover letter and attachment",
     "Content-Type: multipart/mixed; boundary=\"XX\"\n\npre\n--XX\nContent-Type: text/plain\n\nhi\n"
     "--XX\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Disposition: attachment\n"
     "Content-ID: <i@x>\n\nPDF\n--XX--\nepilogue\n",
     "0 0 1 1 multipart/mixed|XX|||||||158\n"
     "1 0 1 0 text/plain||||||||3\n"
     "2 0 0 0 application/pdf||||attachment|<i@x>||a.pdf|4\n", 2},
    {"alternative passes cover letter on",
     "Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nt\n"
     "--a\nContent-Type: text/html\n\nh\n--a--\n",
     "0 0 1 1 multipart/alternative|a|||||||69\n1 0 1 0 text/plain||||||||2\n"
     "2 0 1 0 text/html||||||||2\n", 2},
    {"comments, blanks, case in values",
     "Content-Type: multipart/mixed; boundary=b\nContent-Description: A b (c d) e; f\n\n"
     "--b\nContent-Disposition: attachment (x) ; filename = \"a b\"\n\nx\n--b--\n",
     "0 0 1 1 multipart/mixed|b||abe|||||68\n1 0 1 0 ||||attachment|||a b|2\n", 1},
    {"continuation drops the first blank",
     "Content-Type: text/plain;\n name=\"cont\n inued.txt\"\n\nx\n", "0 0 1 0 text/plain|||||||continued.txt|2\n", 0},
    {"unquoted value keeps its trailing blank, quote toggles",
     "Content-Disposition: inline; filename=plain.txt ; size=3\nContent-Type: text/plain; name=\"a\\\"b\"\n\n",
     "0 0 1 0 text/plain||||inline|||a\\b;|0\n", 0},
    {"RFC 2231 and RFC 2047 file names",
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; name*=UTF-8''%C3%A4%20c.txt\n\n"
     "--b\nContent-Type: text/plain; name*0*=iso-8859-1'en'%E4; name*1=b.txt\n\n"
     "--b\nContent-Type: text/plain; name=\"=?ISO-8859-1?Q?=E4_x?= =?UTF-8?B?w6Q=?=.txt\"\n\n--b--\n",
     "0 0 1 1 multipart/mixed|b|||||||218\n"
     "1 0 1 0 text/plain|||||||\xc3\xa4 c.txt|0\n"
     "2 0 0 0 text/plain|||||||en'\xe4" "b.txt|0\n"
     "3 0 0 0 text/plain|||||||\xe4 x\xc3\xa4.txt|0\n", 3},
    {"line without colon skipped; header at the end dropped",
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nno colon\nContent-Type: text/plain\n\n--b\nContent-Type: image/gif\n",
     "0 0 1 1 multipart/mixed|b|||||||67\n1 0 1 0 text/plain||||||||0\n2 0 0 0 ||||||||0\n", 2},
    {"missing final boundary, boundary is a prefix match",
     "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--bz\n\ntwo\n",
     "0 0 1 1 multipart/mixed|b|||||||19\n1 0 1 0 ||||||||4\n2 0 0 0 ||||||||4\n", 2},
    {"attached message walked after the outer one",
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
     "Q29udGVudC1UeXBlOiB0ZXh0L2h0bWwKCjxwPgo=\n--b\nContent-Type: text/plain\n\nlast\n--b--\n",
     "0 0 1 1 multipart/mixed|b|||||||150\n1 0 1 0 message/rfc822||||||base64||41\n"
     "2 0 0 0 text/plain||||||||5\n0 1 1 0 text/html||||||||4\n", 2},
    {"multipart without boundary is a leaf",
     "Content-Type: multipart/mixed\n\n--\nContent-Type: text/plain\n\nhi\n",
     "0 0 1 1 multipart/mixed||||||||32\n", 0},
    {"NUL and control bytes in a header are dropped",
     "Content-Type: text/pl\x01" "ain; name=\"a\tb\"\n\n", "0 0 1 0 text/plain|||||||ab|0\n", 0},
};

static void test_walk(void)
{
    for (size_t i = 0; i < NELEM(walk_cases); i++) {
        int last = -2;
        const char *in = walk_cases[i].in;
        char *got = walk(in, strlen(in), &last);
        CHECK_STR(got, walk_cases[i].want, walk_cases[i].label);
        CHECK_INT(last, walk_cases[i].last, walk_cases[i].label);
    }
}

static const struct {
    const char *label, *enc, *in;
    size_t in_len;
    const char *want;
    size_t want_len;
    int anomaly;
} decode_cases[] = {
    {"base64", "base64", "aGVsbG8K\n", 9, "hello\n", 6, 0},
    {"base64 bad letters skipped, cut quartet kept", "base64", "aGVsbG8K!!!!bad\n@@@\n", 20, "hello\nm\xa7@", 9, 2},
    {"base64 padding", "base64", "aGk=\naG==\n", 10, "hih", 3, 0},
    {"base64 NUL ends the line", "base64", "aGk=\0zzzz\n", 10, "hi", 2, 0},
    {"qp", "quoted-printable", "a=3Db=\nc\n", 9, "a=bc\n", 5, 0},
    {"qp broken", "quoted-printable", "bad=ZZqp =\n=4\n", 14, "bad=ZZqp =4\n", 12, 1},
    {"qp soft break with blanks", "quoted-printable", "x= \t\ny", 6, "xy", 2, 0},
    {"qp = at the very end", "quoted-printable", "x=", 2, "x=", 2, 1},
    {"as is", "7bit", "line\nnext", 9, "line\nnext", 9, 0},
    {"as is, NUL ends a line", "", "ab\0cd\nef\n", 9, "ab" "ef\n", 5, 0},
};

static void test_decode(void)
{
    for (size_t i = 0; i < NELEM(decode_cases); i++) {
        int anomaly = 0;
        gstring *g = mime_decode(decode_cases[i].enc, sv(decode_cases[i].in, decode_cases[i].in_len), NULL, &anomaly);
        CHECK_INT(g->len, decode_cases[i].want_len, decode_cases[i].label);
        CHECK(g->len == decode_cases[i].want_len && memcmp(g->s, decode_cases[i].want, g->len) == 0,
              decode_cases[i].label);
        CHECK_INT(anomaly, decode_cases[i].anomaly, decode_cases[i].label);
    }
    CHECK_STR(mime_anomaly_text(2), "Broken BASE64 encoding detected", "anomaly 2");
    CHECK_STR(mime_anomaly_text(1), "Broken Quoted-Printable encoding detected", "anomaly 1");
}

/* nested - a message of depth multiparts inside each other */
static gstring *nested(int depth)
{
    gstring *g = string_cat(NULL, "Content-Type: multipart/mixed; boundary=\"n0\"\n\n");
    for (int i = 1; i < depth; i++)
        g = string_fmt_append(g, "--n%d\nContent-Type: multipart/mixed; boundary=\"n%d\"\n\n", i - 1, i);
    g = string_fmt_append(g, "--n%d\nContent-Type: text/plain\n\nleaf\n", depth - 1);
    return g;
}

static int count_parts(const mime_part *p, void *arg)
{
    int *n = arg;
    (*n)++;
    if (p->anomaly_level == MIME_ANOMALY_LIMIT) n[1]++;
    return OK;
}

static void test_limits(void)
{
    for (int d = LIMIT_MIME_DEPTH - 1; d <= LIMIT_MIME_DEPTH + 1; d++) {
        gstring *g = nested(d);
        int n[2] = {0, 0}, last;
        mime_walk(g->s, g->len, count_parts, n, &last);
        /* up to the limit every level is opened and the leaf found */
        CHECK_INT(n[0], d <= LIMIT_MIME_DEPTH ? d + 1 : LIMIT_MIME_DEPTH + 1, "depth parts");
        CHECK_INT(n[1], d <= LIMIT_MIME_DEPTH ? 0 : 1, "depth flagged");
    }
    for (int k = LIMIT_MIME_PARTS - 2; k <= LIMIT_MIME_PARTS; k++) {
        gstring *g = string_cat(NULL, "Content-Type: multipart/mixed; boundary=b\n\n");
        for (int i = 0; i < k; i++) g = string_cat(g, "--b\n\nx\n");
        int n[2] = {0, 0}, last;
        mime_walk(g->s, g->len, count_parts, n, &last);
        CHECK_INT(n[0], k + 1 <= LIMIT_MIME_PARTS ? k + 1 : LIMIT_MIME_PARTS, "part limit");
    }
    for (size_t len = LIMIT_MIME_HEADER - 2; len <= LIMIT_MIME_HEADER; len++) {
        /* "Content-Description: " + value: the value is cut so that the
         * header keeps LIMIT_MIME_HEADER - 1 bytes */
        gstring *g = string_cat(NULL, "Content-Description: ");
        size_t vlen = len - strlen("Content-Description:");
        for (size_t i = 0; i < vlen; i++) g = string_catc(g, 'a');
        g = string_cat(g, "\n\n");
        gstring *out = string_get(64);
        int last;
        mime_walk(g->s, g->len, render, &out, &last);
        const char *d = strchr(string_from_gstring(out), '|');
        size_t got = strcspn(d + 3, "|"); /* type|boundary|charset|description */
        CHECK_INT(got, len <= LIMIT_MIME_HEADER - 1 ? vlen : LIMIT_MIME_HEADER - 1 - strlen("Content-Description:"),
                  "header limit");
    }
}

int main(void)
{
    test_walk();
    test_decode();
    test_limits();
    return unit_done("test_mime");
}
