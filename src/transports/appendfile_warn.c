/* appendfile_warn.c - the quota warning message: when a delivery took a
 * mailbox across quota_warn_threshold (appendfile_deliver.c sets
 * SPECIAL_WARN on the address), the delivery process expands
 * quota_warn_message and submits it as a new message from <>, to the
 * addresses of its To:, Cc: and Bcc: lines.
 *
 * Runs in the delivery process (root or the exim user, which can write
 * the spool), as Exim does; the warning's Received: line and <= log line
 * name that process's user. */

/* System */
#include <unistd.h>
/* MTA core */
#include "../tern.h"
#include "../address.h"
#include "../deliver.h"
#include "../expand.h"
#include "../globals.h"
#include "../header.h"
#include "../log.h"
#include "../message.h"
#include "../moan.h"
#include "../route.h"
/* This driver */
#include "appendfile.h"
#include "appendfile_int.h"

/* The text used when quota_warn_message is unset (Exim's, naming Tern). */
static const char default_warning[] =
    "To: $local_part@$domain\n"
    "Subject: Your mailbox\n\n"
    "This message is automatically created by mail delivery software (Tern).\n\n"
    "The size of your mailbox has exceeded a warning threshold that is\n"
    "set by the system administrator.\n";

/* warning_rcpts - "a,b" from the To:, Cc: and Bcc: lines ("Name <addr>"
 * gives addr); NULL if there are none */
static char *warning_rcpts(const header_line *h)
{
    gstring *g = NULL;
    for (; h; h = h->next) {
        if (h->type != HTYPE_TO && h->type != HTYPE_CC && h->type != HTYPE_BCC) continue;
        const char *list = header_value(h);
        int sep = ',';
        for (char *it; (it = string_nextinlist(&list, &sep));) {
            char *lt = strrchr(it, '<'), *gt = lt ? strchr(lt, '>') : NULL;
            char *addr = string_trim(lt && gt ? string_copyn(lt + 1, (size_t)(gt - lt - 1)) : it);
            if (*addr) g = string_fmt_append(g, "%s%s", g ? "," : "", addr);
        }
    }
    return g ? string_from_gstring(g) : NULL;
}

void appendfile_quota_warning(address_item *a)
{
    const transport_instance *t = a->transport;
    /* the flag came from a local delivery agent: only an appendfile
     * transport has the options read here */
    if (!t || t->drinst.info != &appendfile_transport_info.drinfo) return;
    const appendfile_transport_options *o = t->drinst.options_block;
    const char *tmpl = o->quota_warn_message ? o->quota_warn_message : default_warning;
    route_set_vars(a);
    char *text = expand_string(tmpl);
    if (!text) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "Failed to expand \"%s\" (warning message for %s transport): %s",
                  tmpl, t->drinst.name, expand_error());
        return;
    }
    const char *body;
    header_line *given = header_split(text, &body);
    char *rcpts = warning_rcpts(given);
    if (!rcpts) {
        log_write(L_always, LOG_MAIN | LOG_PANIC, "quota warning message for %s transport has no recipients",
                  t->drinst.name);
        return;
    }
    gstring *g = NULL; /* errors_reply_to unless the message has its own Reply-To: */
    if (cfg.errors_reply_to && !header_find(given, "Reply-To"))
        g = string_fmt_append(g, "Reply-To: %s\n", cfg.errors_reply_to);
    g = string_cat(g, "Auto-Submitted: auto-replied\n");
    if (!header_find(given, "From")) g = string_fmt_append(g, "From: %s\n", moan_from());
    address_item by = *a; /* submitted by this process, not the mailbox's user */
    by.uid = (long)geteuid();
    by.gid = (long)getegid();
    deliver_reply_spool(&by, rcpts, string_from_gstring(string_cat(g, text)));
}
