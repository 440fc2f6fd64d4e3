/* smtp_parse.c - SMTP command line parsing: verbs, addresses, ESMTP
 * parameters.
 *
 * Runs in the connection child (unprivileged) on tainted network bytes.
 * Every function works on one NUL-terminated line that the line reader
 * has already bounded (LIMIT_SMTP_CMD_LINE) and checked for NULs. It
 * must never read past the terminator nor allocate without bound: the
 * output is always shorter than the input. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
/* This module */
#include "smtp_parse.h"

typedef struct verb_row {
    const char *name;
    size_t len;
    enum smtp_cmd_id id;
    bool colon_arg; /* "MAIL FROM:" / "RCPT TO:" */
} verb_row;

/* The recognised verbs (RFC 5321 section 4.1, RFC 3030, RFC 3207, RFC 4954). */
static const verb_row verbs[] = {
    {"helo", 4, CMD_HELO, false},     {"ehlo", 4, CMD_EHLO, false},
    {"mail from:", 10, CMD_MAIL, true}, {"rcpt to:", 8, CMD_RCPT, true},
    {"data", 4, CMD_DATA, false},     {"bdat", 4, CMD_BDAT, false},
    {"rset", 4, CMD_RSET, false},     {"noop", 4, CMD_NOOP, false},
    {"quit", 4, CMD_QUIT, false},     {"vrfy", 4, CMD_VRFY, false},
    {"expn", 4, CMD_EXPN, false},     {"etrn", 4, CMD_ETRN, false},
    {"help", 4, CMD_HELP, false},     {"starttls", 8, CMD_STARTTLS, false},
    {"auth", 4, CMD_AUTH, false},
};

const char *smtp_cmd_name(enum smtp_cmd_id id)
{
    static const char *const names[] = {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET",
                                        "NOOP", "QUIT", "VRFY", "EXPN", "ETRN", "HELP",
                                        "STARTTLS", "AUTH"};
    return (size_t)id < NELEM(names) ? names[id] : "?";
}

/* trim_right - remove trailing white space in place */
static void trim_right(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
}

enum smtp_cmd_id smtp_parse_verb(char *line, char **arg)
{
    trim_right(line);
    for (size_t i = 0; i < NELEM(verbs); i++) {
        const verb_row *v = &verbs[i];
        if (strncasecmp(line, v->name, v->len) != 0) continue;
        char c = line[v->len];
        /* RFC 5321 4.1.1: the verb is followed by a space or the end */
        if (!v->colon_arg && c && !isspace((unsigned char)c)) continue;
        char *a = line + v->len;
        while (isspace((unsigned char)*a)) a++;
        *arg = a;
        return v->id;
    }
    *arg = line;
    return CMD_UNKNOWN;
}

/* ---- addresses ---- */

/* is_atom_char - RFC 5322 atext, plus 8-bit bytes (SMTPUTF8, RFC 6531) */
static bool is_atom_char(unsigned char c)
{
    if (c >= 0x80) return true;
    if (c <= ' ' || c == 0x7f) return false;
    return !strchr("()<>@,;:\\\".[]", c);
}

/* skip_word - an atom or a quoted string; returns the end, or NULL if
 * a quoted string is not closed */
static char *skip_word(char *p)
{
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1]) p++;
        return *p == '"' ? p + 1 : NULL;
    }
    while (is_atom_char((unsigned char)*p)) p++;
    return p;
}

/* skip_domain - dot-separated atoms or one domain literal */
static char *skip_domain(char *p)
{
    if (*p == '[') {
        char *e = strchr(p, ']');
        return e ? e + 1 : p;
    }
    char *start = p;
    for (;;) {
        char *e = skip_word(p);
        if (!e || e == p || *p == '"') return p == start ? start : p - 1;
        p = e;
        if (*p != '.') return p;
        p++;
    }
}

/* skip_source_route - "@a,@b:" before the real address (RFC 5321
 * section 4.1.2 "A-d-l"; servers are to ignore it, C.2 of RFC 5321) */
static char *skip_source_route(char *p, const char **err)
{
    while (*p == '@') {
        char *e = skip_domain(p + 1);
        if (e == p + 1) { *err = "domain missing in source-routed address"; return p; }
        p = e;
        if (*p == ',') { p++; continue; }
        if (*p == ':') return p + 1;
        *err = "malformed address: source route syntax";
        return p;
    }
    return p;
}

/* parse_local_part - words separated by dots; returns the end */
static char *parse_local_part(char *p, const char **err)
{
    char *start = p;
    for (;;) {
        char *e = skip_word(p);
        if (!e) { *err = "unmatched doublequote in local part"; return p; }
        p = e;
        if (*p != '.') break;
        p++;
    }
    if (p == start) *err = "missing or malformed local part";
    return p;
}

const char *smtp_parse_address(char *in, char **addr, char **rest)
{
    const char *err = NULL;
    char *p = in;
    while (isspace((unsigned char)*p)) p++;
    bool bracket = *p == '<';
    if (bracket) p++;
    p = skip_source_route(p, &err);
    if (err) return err;
    char *lp = p;
    p = parse_local_part(p, &err);
    if (err) return err;
    char *lp_end = p;
    if (*p == '@') {
        char *d = p + 1;
        p = skip_domain(d);
        if (p == d) return "domain missing or malformed";
    } else if (bracket ? *p != '>' : (*p && !isspace((unsigned char)*p))) {
        return string_sprintf("\"@\" or \".\" expected after \"%.*s\"", (int)(lp_end - lp), lp);
    }
    char *end = p;
    if (bracket) {
        if (*p != '>') return "'>' missing at end of address";
        p++;
    }
    while (isspace((unsigned char)*p)) p++;
    *addr = string_copyn_taint(lp, (size_t)(end - lp), store_is_tainted(in));
    *rest = p;
    return NULL;
}

bool smtp_split_param(char *params, char **name, char **value)
{
    trim_right(params);
    size_t n = strlen(params);
    if (!n) return false;
    char *w = params + n;
    while (w > params && !isspace((unsigned char)w[-1])) w--;
    bool t = store_is_tainted(params);
    char *eq = strchr(w, '=');
    *name = string_copyn_taint(w, eq ? (size_t)(eq - w) : strlen(w), t);
    *value = eq ? string_copy_taint(eq + 1, t) : NULL;
    *w = 0;
    trim_right(params);
    return true;
}

/* hexval - one hex digit (upper case only, as xtext requires) */
static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *smtp_xtext_decode(const char *s)
{
    gstring *g = string_get_tainted(strlen(s) + 1, store_is_tainted(s));
    for (; *s; s++) {
        if (*s != '+') { g = string_catc(g, *s); continue; }
        int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
        if (lo < 0) return NULL;
        g = string_catc(g, (char)(hi * 16 + lo));
        s += 2;
    }
    return string_from_gstring(g);
}
