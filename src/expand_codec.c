/* expand_codec.c - encoding and hashing operators: base32/62/64, hex,
 * md5/sha1/sha2/sha3 (OpenSSL EVP), xtext, UTF-8 cleaning and Latin-1,
 * RFC 2047 words, IDNA (libidn2) and IMAP's modified UTF-7. */

/* System */
#include <ctype.h>
#include <idn2.h>
#include <openssl/evp.h>
/* MTA core */
#include "tern.h"
#include "expand_int.h"
#include "globals.h"

static const char base32_chars[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char base62_chars[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool decimal_ul(const char *s, unsigned long *n)
{
    char *end;
    errno = 0;
    *n = strtoul(s, &end, 10);
    return *end == 0;
}

gstring *exp_op_base32(gstring *g, char *sub, const char *arg, const char *name)
{
    unsigned long n;
    if (!decimal_ul(sub, &n))
        return exp_failp("argument for base32 operator is \"%s\", which is not a decimal number", sub);
    char buf[16];
    size_t i = sizeof buf;
    for (; n; n >>= 5) buf[--i] = base32_chars[n & 0x1f];
    return string_catn(g, buf + i, sizeof buf - i);
}

gstring *exp_op_base32d(gstring *g, char *sub, const char *arg, const char *name)
{
    unsigned long n = 0;
    for (const char *t = sub; *t; t++) {
        const char *p = strchr(base32_chars, *t);
        if (!p)
            return exp_failp("argument for base32d operator is \"%s\", which is not a base 32 number",
                             sub);
        n = n * 32 + (unsigned long)(p - base32_chars);
    }
    return string_fmt_append(g, "%ld", (long)n);
}

gstring *exp_op_base62(gstring *g, char *sub, const char *arg, const char *name)
{
    unsigned long n;
    if (!decimal_ul(sub, &n))
        return exp_failp("argument for base62 operator is \"%s\", which is not a decimal number", sub);
    char buf[6];
    for (int i = 5; i >= 0; i--) { buf[i] = base62_chars[n % 62]; n /= 62; }
    return string_catn(g, buf, 6);
}

gstring *exp_op_base62d(gstring *g, char *sub, const char *arg, const char *name)
{
    unsigned long n = 0;
    for (const char *t = sub; *t; t++) {
        const char *p = strchr(base62_chars, *t);
        if (!p)
            return exp_failp("argument for base62d operator is \"%s\", which is not a base 62 number",
                             sub);
        n = n * 62 + (unsigned long)(p - base62_chars);
    }
    return string_fmt_append(g, "%ld", (long)n);
}

/* exp_b64encode - base64 of n bytes */
char *exp_b64encode(const unsigned char *in, size_t n)
{
    char *out = store_get(4 * ((n + 2) / 3) + 1, store_is_tainted(in));
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

/* exp_b64decode - strict base64 decode; returns length or -1 */
long exp_b64decode(const char *in, unsigned char **out)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in);
    unsigned char *o = store_get(n + 1, store_is_tainted(in));
    size_t ol = 0;
    unsigned acc = 0;
    int bits = 0, pad = 0, count = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '=') { pad++; count++; continue; }
        const char *q = strchr(alpha, *p);
        if (!q || !*p || pad) return -1;
        acc = (acc << 6) | (unsigned)(q - alpha);
        bits += 6;
        count++;
        if (bits >= 8) { bits -= 8; o[ol++] = (unsigned char)(acc >> bits); }
    }
    if (count % 4 != 0 || pad > 2) return -1;
    o[ol] = 0;
    *out = o;
    return (long)ol;
}

gstring *exp_op_base64(gstring *g, char *sub, const char *arg, const char *name)
{
    return string_cat(g, exp_b64encode((unsigned char *)sub, strlen(sub)));
}

gstring *exp_op_base64d(gstring *g, char *sub, const char *arg, const char *name)
{
    unsigned char *out;
    long n = exp_b64decode(sub, &out);
    if (n < 0) return exp_failp("string \"%s\" is not well-formed for \"%s\" operator", sub, name);
    return string_catn(g, (char *)out, (size_t)n);
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

gstring *exp_op_hex2b64(gstring *g, char *sub, const char *arg, const char *name)
{
    size_t n = strlen(sub);
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)sub[i])) return exp_failp("\"%s\" is not a hex string", sub);
    if (n & 1) return exp_failp("\"%s\" contains an odd number of characters", sub);
    unsigned char *b = store_get(n / 2 + 1, GET_UNTAINTED);
    for (size_t i = 0; i < n / 2; i++)
        b[i] = (unsigned char)(hexval((unsigned char)sub[2 * i]) * 16 + hexval((unsigned char)sub[2 * i + 1]));
    return string_cat(g, exp_b64encode(b, n / 2));
}

/* digest_md - which EVP digest an operator name (and _N argument) asks for */
static const EVP_MD *digest_md(const char *name, const char *arg)
{
    if (strcmp(name, "md5") == 0 || string_has_prefix(name, "md5_")) return EVP_md5();
    if (name[3] == '1') return EVP_sha1();
    if (string_has_prefix(name, "sha256")) return EVP_sha256();
    if (name[3] == '2') {
        if (!arg || strcmp(arg, "256") == 0) return EVP_sha256();
        if (strcmp(arg, "384") == 0) return EVP_sha384();
        if (strcmp(arg, "512") == 0) return EVP_sha512();
        return exp_failp("unrecognised sha2 variant");
    }
    if (!arg || strcmp(arg, "256") == 0) return EVP_sha3_256();
    if (strcmp(arg, "224") == 0) return EVP_sha3_224();
    if (strcmp(arg, "384") == 0) return EVP_sha3_384();
    if (strcmp(arg, "512") == 0) return EVP_sha3_512();
    return exp_failp("unrecognised sha3 variant");
}

/* exp_op_digest - md5 in lower-case hex, the SHA family in upper case */
gstring *exp_op_digest(gstring *g, char *sub, const char *arg, const char *name)
{
    const EVP_MD *md = digest_md(name, arg);
    if (!md) return NULL;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    EVP_Digest(sub, strlen(sub), d, &dl, md, NULL);
    const char *fmt = md == EVP_md5() || name[1] == 'd' ? "%02x" : "%02X";
    for (unsigned i = 0; i < dl; i++) g = string_fmt_append(g, fmt, d[i]);
    return g;
}

/* utf8_seq - length of a valid UTF-8 sequence at s, or 0 */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xc2)) return 0;
    for (size_t i = 1; i < n; i++) if ((s[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && c == 0xe0 && s[1] < 0xa0) return 0;
    if (n == 3 && c == 0xed && s[1] >= 0xa0) return 0; /* UTF-16 surrogates */
    if (n == 4 && ((c == 0xf0 && s[1] < 0x90) || c > 0xf4 || (c == 0xf4 && s[1] > 0x8f))) return 0;
    return n;
}

gstring *exp_op_utf8clean(gstring *g, char *sub, const char *arg, const char *name)
{
    const unsigned char *s = (unsigned char *)sub;
    while (*s) {
        size_t n = utf8_seq(s);
        if (n) { g = string_catn(g, (const char *)s, n); s += n; continue; }
        g = string_catc(g, '?');
        s++;
        while ((*s & 0xc0) == 0x80) s++;
    }
    return g;
}

gstring *exp_op_from_utf8(gstring *g, char *sub, const char *arg, const char *name)
{
    const unsigned char *s = (unsigned char *)sub;
    while (*s) {
        size_t n = utf8_seq(s);
        unsigned cp = *s;
        if (n == 2) cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
        else if (n > 2) cp = 0x100;
        char c = n == 0 || cp > 255 ? '_' : (char)cp;
        g = string_catn(g, &c, 1);
        s += n ? n : 1;
    }
    return g;
}

/* xtext (RFC 3461 section 4): "+XX" for '+', '=' and non-printables */
gstring *exp_op_xtext(gstring *g, char *sub, const char *arg, const char *name)
{
    for (const unsigned char *t = (unsigned char *)sub; *t; t++) {
        if (*t < 33 || *t > 126 || *t == '+' || *t == '=') g = string_fmt_append(g, "+%02X", *t);
        else g = string_catn(g, (const char *)t, 1);
    }
    return g;
}

gstring *exp_op_xtextd(gstring *g, char *sub, const char *arg, const char *name)
{
    for (const char *t = sub; *t; t++) {
        if (*t == '+' && isxdigit((unsigned char)t[1]) && isxdigit((unsigned char)t[2])) {
            char c = (char)(hexval((unsigned char)t[1]) * 16 + hexval((unsigned char)t[2]));
            g = string_catn(g, &c, 1);
            t += 2;
        } else {
            g = string_catn(g, t, 1);
        }
    }
    return g;
}

/* exp_op_headerwrap - fold at white space so lines stay under the given
 * column (default 80), continuation lines starting with a tab */
gstring *exp_op_headerwrap(gstring *g, char *sub, const char *arg, const char *name)
{
    long width = arg ? strtol(arg, NULL, 10) : 80;
    if (width < 10) width = 10;
    size_t col = 0;
    const char *s = sub;
    while (*s) {
        size_t w = strcspn(s, " \t");
        if (col && col + 1 + w > (size_t)width) { g = string_catn(g, "\n\t", 2); col = 1; }
        else if (col) { g = string_catc(g, ' '); col++; }
        g = string_catn(g, s, w);
        col += w;
        s += w;
        while (*s == ' ' || *s == '\t') s++;
    }
    return g;
}

/* exp_op_rfc2047 - encode as one or more Q-encoded words when needed */
gstring *exp_op_rfc2047(gstring *g, char *sub, const char *arg, const char *name)
{
    static const char specials[] = "?=()<>@,;:\\\".[]_";
    bool coded = false;
    for (const unsigned char *t = (unsigned char *)sub; *t; t++)
        if (*t < 33 || *t > 126 || strchr(specials, *t)) coded = true;
    if (!coded) return string_cat(g, sub);
    const char *cs = cfg.headers_charset && *cfg.headers_charset ? cfg.headers_charset : "UTF-8";
    /* a new word starts once a word passes LIMIT_RFC2047_WORD characters,
     * counting its "=?charset?Q?" opening except in the first word, as
     * Exim counts */
    g = string_fmt_append(g, "=?%s?Q?", cs);
    size_t line_start = g->len;
    for (const unsigned char *t = (unsigned char *)sub; *t; t++) {
        if (g->len - line_start > LIMIT_RFC2047_WORD && (*t & 0xc0) != 0x80) {
            g = string_cat(g, "?= ");
            line_start = g->len;
            g = string_fmt_append(g, "=?%s?Q?", cs);
        }
        if (*t == ' ') g = string_catc(g, '_');
        else if (*t < 33 || *t > 126 || strchr(specials, *t)) g = string_fmt_append(g, "=%02X", *t);
        else g = string_catn(g, (const char *)t, 1);
    }
    return string_cat(g, "?=");
}

gstring *expand_rfc2047(gstring *g, const char *s)
{
    return exp_op_rfc2047(g, (char *)s, NULL, "rfc2047");
}

gstring *exp_op_rfc2047d(gstring *g, char *sub, const char *arg, const char *name)
{
    return string_cat(g, exp_rfc2047_decode(sub));
}

/* exp_op_idna - the four utf8_*_alabel operators, via libidn2 */
gstring *exp_op_idna(gstring *g, char *sub, const char *arg, const char *name)
{
    bool to = strstr(name, "_to_") != NULL, lp = strstr(name, "localpart") != NULL;
    char *out = NULL;
    int rc;
    if (lp) {
        /* local parts are not IDNA; Exim passes ASCII through and refuses
         * to convert non-ASCII ones to A-labels */
        if (!to && strncasecmp(sub, "xn--", 4) != 0)
            return exp_failp("error converting alabel (%s) to utf8: bad alabel prefix", sub);
        if (!to) {
            rc = idn2_to_unicode_8z8z(sub, &out, 0);
            if (rc != IDN2_OK)
                return exp_failp("error converting alabel (%s) to utf8: %s", sub, idn2_strerror(rc));
            g = string_cat(g, out);
            idn2_free(out);
            return g;
        }
        for (const unsigned char *t = (unsigned char *)sub; *t; t++)
            if (*t >= 0x80) return exp_failp("error in %s: non-ASCII local part", name);
        return string_cat(g, sub);
    }
    rc = to ? idn2_to_ascii_8z(sub, &out, IDN2_NONTRANSITIONAL)
            : idn2_to_unicode_8z8z(sub, &out, 0);
    if (rc != IDN2_OK) return exp_failp("error in %s: %s", name, idn2_strerror(rc));
    g = string_cat(g, out);
    idn2_free(out);
    return g;
}

/* exp_imap_utf7 - IMAP mailbox name encoding (RFC 3501 section 5.1.3):
 * printable ASCII stays, "&" becomes "&-", the rest is modified base64 of
 * UTF-16; the hierarchy separator is turned into sep */
char *exp_imap_utf7(const char *s, char sep, const char *specials)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    gstring *g = string_get(strlen(s) + 8);
    unsigned acc = 0;
    int bits = 0;
    bool in_b64 = false;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p;
        size_t n = utf8_seq(p);
        if (!n) return exp_failp("imapfolder: invalid UTF-8 in \"%s\"", s);
        if (n == 2) cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
        else if (n == 3) cp = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
        else if (n == 4)
            cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
        p += n;
        if (cp == (unsigned char)sep) cp = '.';
        else if (cp == '.')
            return exp_failp("imapfolder: illegal character '%c'", (char)cp);
        bool special = cp < 0x80 && cp && strchr(specials, (int)cp);
        if (cp >= 0x20 && cp < 0x7f && !special) {
            if (in_b64) {
                if (bits) g = string_catc(g, b64[(acc << (6 - bits)) & 0x3f]);
                g = string_catc(g, '-');
                in_b64 = false, bits = 0;
            }
            g = cp == '&' ? string_catn(g, "&-", 2) : string_catc(g, (char)cp);
            continue;
        }
        if (!in_b64) { g = string_catc(g, '&'); in_b64 = true; acc = 0; bits = 0; }
        unsigned units[2];
        int nu = 1;
        if (cp >= 0x10000) {
            units[0] = 0xd800 + ((cp - 0x10000) >> 10);
            units[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
            nu = 2;
        } else {
            units[0] = cp;
        }
        for (int u = 0; u < nu; u++) {
            acc = (acc << 16) | units[u];
            bits += 16;
            while (bits >= 6) { bits -= 6; g = string_catc(g, b64[(acc >> bits) & 0x3f]); }
        }
    }
    if (in_b64) {
        if (bits) g = string_catc(g, b64[(acc << (6 - bits)) & 0x3f]);
        g = string_catc(g, '-');
    }
    return string_from_gstring(g);
}
