/* dsn.c - EXPERIMENTAL_DSN: delivery status notifications (RFC 3461/3464).
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_DSN=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_DSN) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_dsn_ src/ must match this list):
 *   modules.c    xp_dsn_module in modules_list
 *   cfg_main.c   xp_dsn_opts in the main option rows
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

struct xp_dsn_options xp_dsn_opts = {
    .dsn_advertise_hosts = NULL,
    .dsn_from = "Mail Delivery System <Mailer-Daemon@$qualify_domain>",
};

const module_info xp_dsn_module = {
    .name = "dsn",
    .feature_word = "Experimental_DSN",
};

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
