/* redirect_errors.c - the message a redirect router with
 * skip_syntax_errors sends to syntax_errors_to, listing the items it
 * skipped, in Exim 4.96's words.
 *
 * Runs in the delivery process while routing (never for -bt, -bv or
 * verification); the message goes into the spool from <> and is
 * delivered at once, like an autoreply (deliver_reply_spool). */

/* System */
#include <unistd.h>
/* MTA core */
#include "../tern.h"
#include "../deliver.h"
#include "../expand.h"
#include "../globals.h"
#include "../log.h"
#include "../route.h"
#include "../spool.h"
/* This driver */
#include "redirect.h"

/* references - the References: line for the message being delivered */
static const char *references(void)
{
    if (!dlv.spool_hdr) return "";
    for (const header_line *h = dlv.spool_hdr->headers; h; h = h->next) {
        if (h->type != HTYPE_ID && strncasecmp(h->text, "Message-Id:", 11) != 0) continue;
        const char *v = strchr(h->text, ':');
        return v ? string_sprintf("References: %s", string_trim(string_copy(v + 1))) : "";
    }
    return "";
}

/* error_items - each "reason in "item"" line as Exim lists it */
static gstring *error_items(gstring *g, const char *lines)
{
    for (const char *p = lines, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        char *line = string_copyn(p, (size_t)(nl - p));
        char *in = strstr(line, " in \"");
        for (char *next; in && (next = strstr(in + 1, " in \"")); in = next) {}
        if (in) *in = 0;
        g = string_fmt_append(g, "  %s in the address\n  %s\n\n", line, in ? in + 4 : "");
    }
    return g;
}

void redirect_send_syntax_errors(const router_instance *r, const redirect_router_options *o,
                                 const char *lines)
{
    if (!o->syntax_errors_to || proc.address_test || !dlv.spool_hdr) return;
    const char *dom = cfg.qualify_domain ? cfg.qualify_domain : cfg.primary_hostname;
    gstring *g = string_fmt_append(NULL, "Auto-Submitted: auto-replied\n"
                                   "From: Mail Delivery System <Mailer-Daemon@%s>\nTo: %s\n"
                                   "Subject: error(s) in forwarding or filtering\n",
                                   dom, o->syntax_errors_to);
    const char *refs = references();
    if (*refs) g = string_fmt_append(g, "%s\n", refs);
    g = string_catc(g, '\n');
    if (o->syntax_errors_text) {
        char *t = expand_string(o->syntax_errors_text);
        if (t && *t) g = string_fmt_append(g, "%s%s\n", t, t[strlen(t) - 1] == '\n' ? "" : "\n");
    }
    g = string_fmt_append(g, "The %s router encountered the following error(s):\n\n", r->drinst.name);
    g = string_cat(error_items(g, lines), "Other addresses were processed normally.\n");
    address_item sender = {.uid = (long)getuid(), .gid = (long)getgid(), .router = r};
    deliver_reply_spool(&sender, o->syntax_errors_to, string_from_gstring(g));
}
