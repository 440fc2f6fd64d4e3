/* dsn.h - EXPERIMENTAL_DSN: delivery status notifications (RFC 3461/3464). */
#ifndef TERN_XP_DSN_H
#define TERN_XP_DSN_H

#include "../modules.h"
#include "../options.h"

struct xp_dsn_options {
    char *dsn_advertise_hosts;
};

extern struct xp_dsn_options xp_dsn_opts;
extern const module_info xp_dsn_module;

/* ---- delivery side (smtp transport, bounces) ---- */
struct spool_header;
/* xp_dsn_mail_params - " RET=FULL ENVID=xtext" for MAIL when the next
 * hop advertised DSN (hook: transports/smtp.c mail_command) */
gstring *xp_dsn_mail_params(gstring *g, const struct spool_header *h);
/* xp_dsn_rcpt_params - " NOTIFY=... ORCPT=..." for RCPT (hook:
 * transports/smtp.c rcpt_command) */
gstring *xp_dsn_rcpt_params(gstring *g, int dsn_flags, const char *orcpt);
struct address_item;
/* xp_dsn_status_part - the message/delivery-status part of a report
 * (RFC 3464): Reporting-MTA, then Action/Final-Recipient/Status per
 * address (hook: moan.c build_bounce, build_warning) */
gstring *xp_dsn_status_part(gstring *g, const char *boundary, const char *action,
                            struct address_item **addrs, int n);
/* xp_dsn_xtext - RFC 3461 section 4 xtext encoding of s */
char *xp_dsn_xtext(const char *s);
struct recipient_item;
/* xp_dsn_advertise - offer DSN in the EHLO reply? (dsn_advertise_hosts) */
bool xp_dsn_advertise(bool local, bool (*host_in)(const char *list));
/* xp_dsn_mail_param - RET= and ENVID= of MAIL (RFC 3461 4.3, 4.4): OK,
 * FAIL (not a DSN parameter) or ERROR with *err the 501 text */
int xp_dsn_mail_param(const char *name, const char *value, const char **err);
/* xp_dsn_rcpt_param - NOTIFY= and ORCPT= of RCPT (RFC 3461 4.1, 4.2) */
int xp_dsn_rcpt_param(const char *name, const char *value, struct recipient_item *r,
                      const char **err);

#endif
