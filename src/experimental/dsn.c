/* dsn.c - EXPERIMENTAL_DSN: delivery status notifications (RFC 3461/3464).
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_DSN=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_DSN) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_dsn_ src/ must match this list):
 *   modules.c    xp_dsn_module in modules_list
 *   cfg_main.c   xp_dsn_opts in the main option rows
 *   transports/smtp.c  xp_dsn_mail_params, xp_dsn_rcpt_params (MAIL/RCPT)
 *   moan.c       xp_dsn_status_part (bounces and delay warnings)
 *   smtp_cmds.c  xp_dsn_advertise (EHLO), xp_dsn_mail_param (MAIL),
 *                xp_dsn_rcpt_param (RCPT)
 */

/* MTA core */
#include <ctype.h>
#include "../tern.h"
#include "../globals.h"
#include "../message.h"
/* This module */
#include "dsn.h"
#include "../message.h"
#include "../spool.h"
#include "../address.h"
#include "../globals.h"

struct xp_dsn_options xp_dsn_opts = {
    .dsn_advertise_hosts = NULL,
};

const module_info xp_dsn_module = {
    .name = "dsn",
    .feature_word = "Experimental_DSN",
};

/* ---- delivery side: parameters passed to a DSN-aware next hop ---- */

char *xp_dsn_xtext(const char *s)
{
    gstring *g = string_get(strlen(s) + 8);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 33 || *p > 126 || *p == '+' || *p == '=') g = string_fmt_append(g, "+%02X", *p);
        else g = string_catc(g, (char)*p);
    }
    return string_from_gstring(g);
}

gstring *xp_dsn_mail_params(gstring *g, const spool_header *h)
{
    if (!h) return g;
    if (h->dsn_ret == DSN_RET_FULL) g = string_cat(g, " RET=FULL");
    else if (h->dsn_ret == DSN_RET_HDRS) g = string_cat(g, " RET=HDRS");
    if (h->dsn_envid) g = string_fmt_append(g, " ENVID=%s", xp_dsn_xtext(h->dsn_envid));
    return g;
}

gstring *xp_dsn_rcpt_params(gstring *g, int dsn_flags, const char *orcpt)
{
    if (dsn_flags & RF_DSN_FLAGS_SET) {
        if (dsn_flags & RF_NOTIFY_NEVER) g = string_cat(g, " NOTIFY=NEVER");
        else {
            const char *sep = " NOTIFY=";
            static const struct { int bit; const char *name; } f[] = {
                {RF_NOTIFY_SUCCESS, "SUCCESS"}, {RF_NOTIFY_FAILURE, "FAILURE"}, {RF_NOTIFY_DELAY, "DELAY"}};
            for (size_t i = 0; i < NELEM(f); i++)
                if (dsn_flags & f[i].bit) { g = string_fmt_append(g, "%s%s", sep, f[i].name); sep = ","; }
        }
    }
    /* the stored ORCPT is "type;xtext-value" as received: pass it as is */
    if (orcpt) g = string_fmt_append(g, " ORCPT=%s", orcpt);
    return g;
}

/* ---- delivery side: RFC 3464 report part for bounces and warnings ---- */

/* status_code - "5.0.0", or the enhanced code of the server's reply */
static const char *status_code(const address_item *a, bool failed)
{
    const char *m = a->message ? strstr(a->message, ": ") : NULL;
    for (; m; m = strstr(m + 1, ": ")) { /* "...: 550 5.1.1 text" */
        const char *p = m + 2;
        if (strlen(p) > 10 && (p[0] == '4' || p[0] == '5') && p[3] == ' ' && p[4] == p[0] && p[5] == '.')
            return string_copyn(p + 4, strcspn(p + 4, " "));
    }
    return failed ? "5.0.0" : "4.0.0";
}

gstring *xp_dsn_status_part(gstring *g, const char *boundary, const char *action,
                            address_item **addrs, int n)
{
    bool failed = strcmp(action, "failed") == 0;
    g = string_fmt_append(g, "--%s\nContent-type: message/delivery-status\n\nReporting-MTA: dns; %s\n\n",
                          boundary, cfg.primary_hostname);
    for (int i = 0; i < n; i++) {
        const address_item *a = addrs[i];
        g = string_fmt_append(g, "Action: %s\nFinal-Recipient: rfc822;%s\nStatus: %s\n", action, a->address,
                              status_code(a, failed));
        if (a->host_used) g = string_fmt_append(g, "Remote-MTA: dns; %s\n", a->host_used->name);
        g = string_catc(g, '\n');
    }
    return g;
}

/* ---- reception side: parameters of MAIL and RCPT ---- */

bool xp_dsn_advertise(bool local, bool (*host_in)(const char *list))
{
    return xp_dsn_opts.dsn_advertise_hosts && (local || host_in(xp_dsn_opts.dsn_advertise_hosts));
}

/* xtext_valid - RFC 3461 section 4: printable ASCII, '+' only as +XX */
static bool xtext_valid(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 33 || c > 126 || c == '=') return false;
        if (c == '+' && !(isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])))
            return false;
    }
    return true;
}

int xp_dsn_mail_param(const char *name, const char *value, const char **err)
{
    if (strcasecmp(name, "RET") == 0 && value) {
        if (msg.dsn_ret) { *err = "RET can be specified once only"; return ERROR; }
        if (strcasecmp(value, "HDRS") == 0) msg.dsn_ret = DSN_RET_HDRS;
        else if (strcasecmp(value, "FULL") == 0) msg.dsn_ret = DSN_RET_FULL;
        else { *err = "Invalid value for RET parameter"; return ERROR; }
        return OK;
    }
    if (strcasecmp(name, "ENVID") == 0 && value) {
        if (msg.dsn_envid) { *err = "ENVID can be specified once only"; return ERROR; }
        if (!xtext_valid(value) || strlen(value) > 100) {
            *err = "Invalid value for ENVID parameter";
            return ERROR;
        }
        msg.dsn_envid = store_get_in(POOL_MSG, strlen(value) + 1, GET_TAINTED);
        memcpy(msg.dsn_envid, value, strlen(value) + 1);
        return OK;
    }
    return FAIL;
}

/* notify_flags - "NEVER" or a comma list of SUCCESS, FAILURE, DELAY */
static int notify_flags(const char *v)
{
    if (strcasecmp(v, "NEVER") == 0) return RF_NOTIFY_NEVER;
    int f = 0;
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 7 && strncasecmp(p, "SUCCESS", 7) == 0) f |= RF_NOTIFY_SUCCESS;
        else if (n == 7 && strncasecmp(p, "FAILURE", 7) == 0) f |= RF_NOTIFY_FAILURE;
        else if (n == 5 && strncasecmp(p, "DELAY", 5) == 0) f |= RF_NOTIFY_DELAY;
        else return -1;
        p += n;
        if (*p) p++;
    }
    return f ? f : -1;
}

int xp_dsn_rcpt_param(const char *name, const char *value, struct recipient_item *r,
                      const char **err)
{
    if (strcasecmp(name, "NOTIFY") == 0 && value) {
        int f = notify_flags(value);
        if (f < 0) { *err = "Invalid value for NOTIFY parameter"; return ERROR; }
        r->dsn_flags = f;
        return OK;
    }
    if (strcasecmp(name, "ORCPT") == 0 && value) {
        const char *semi = strchr(value, ';');
        if (!semi || !xtext_valid(semi + 1)) { *err = "Invalid value for ORCPT parameter"; return ERROR; }
        r->orcpt = store_get_in(POOL_MSG, strlen(value) + 1, GET_TAINTED);
        memcpy(r->orcpt, value, strlen(value) + 1);
        return OK;
    }
    return FAIL;
}
