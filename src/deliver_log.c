/* deliver_log.c - the mainlog lines of a delivery attempt, in Exim's
 * format: "=>" first delivery, "->" further addresses of the same
 * transport call, "==" deferred, "**" failed, "*>" not delivered (-N),
 * with R= T= H= C= S= QT= DT= as log_selector asks.
 *
 * Runs in the delivery process (never in a transport child). Address
 * text comes from the message and is escaped by log_write. */

/* System */
#include <sys/time.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "globals.h"
#include "log.h"
#include "msglog.h"
#include "router.h"
#include "spool.h"
#include "transport.h"

char *deliver_time_string(long usec)
{
    if (log_selected(L_millisec) || usec < 1000000) {
        if (usec < 60000000 && log_selected(L_millisec))
            return string_sprintf("%ld.%03lds", usec / 1000000, (usec / 1000) % 1000);
    }
    long s = usec / 1000000;
    gstring *g = NULL;
    if (s >= 86400) { g = string_fmt_append(g, "%ldd", s / 86400); s %= 86400; }
    if (s >= 3600) { g = string_fmt_append(g, "%ldh", s / 3600); s %= 3600; }
    if (s >= 60) { g = string_fmt_append(g, "%ldm", s / 60); s %= 60; }
    if (s || !g) g = string_fmt_append(g, "%lds", s);
    return string_from_gstring(g);
}

/* log_as_local - is the address shown as its local part alone? */
static bool shown_as_local(const address_item *a)
{
    return a->router && a->router->log_as_local == true;
}

/* logged_address - "tern <tern@test.example>", "|/bin/cat <alias@x>" */
static gstring *logged_address(gstring *g, const address_item *a, bool delivered)
{
    const address_item *top = a;
    while (top->parent) top = top->parent;
    char *s;
    if (a->flags & AFL_PFR) s = a->address;
    else if (delivered && shown_as_local(a)) s = a->local_part;
    else s = string_sprintf("%s@%s", a->local_part, a->domain);
    g = string_cat(g, s);
    if (log_selected(L_all_parents)) {
        for (const address_item *p = a->parent; p; p = p->parent)
            g = string_fmt_append(g, " <%s>", p->address);
    } else if (top != a || strcmp(s, top->address) != 0) {
        g = string_fmt_append(g, " <%s>", top->address);
    }
    return g;
}

/* queue_time - QT=: time since the message was received */
static gstring *queue_time(gstring *g)
{
    if (!log_selected(L_queue_time) || !dlv.spool_hdr) return g;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long us = (tv.tv_sec - dlv.spool_hdr->received_time) * 1000000L
        + (tv.tv_usec - dlv.spool_hdr->received_usec);
    return string_fmt_append(g, " QT=%s", deliver_time_string(us < 0 ? 0 : us));
}

/* host_field - H=name [ip] of the host used, if any */
static gstring *host_field(gstring *g, const address_item *a)
{
    const host_item *h = a->host_used;
    if (!h) return g;
    g = string_fmt_append(g, " H=%s [%s]", h->name, h->address ? h->address : "");
    if (log_selected(L_outgoing_port) && h->port > 0) g = string_fmt_append(g, ":%d", h->port);
    return g;
}

/* fields - R= T= H= C= S= QT= DT= (H= left to the caller of a
 * deferral: Exim puts it after "defer (<errno>)") */
static gstring *fields(gstring *g, const address_item *a, bool delivered)
{
    if (a->flags & AFL_RETRY_TIMEDOUT) return g; /* Exim: "** addr: retry timeout exceeded" */
    if (a->router) g = string_fmt_append(g, " R=%s", a->router->drinst.name);
    if (a->transport) g = string_fmt_append(g, " T=%s", a->transport->drinst.name);
    if (delivered || a->transport_return != DEFER) g = host_field(g, a);
    if (!delivered) return g;
    if (a->delivery_confirmation && log_selected(L_smtp_confirmation))
        g = string_fmt_append(g, " C=\"%s\"", a->delivery_confirmation);
    if (a->shadow_message) g = string_cat(g, a->shadow_message);
    g = queue_time(g);
    if (log_selected(L_deliver_time))
        g = string_fmt_append(g, " DT=%s", deliver_time_string(a->delivery_time_us));
    return g;
}

void deliver_log_discard(const address_item *a)
{
    log_write(L_always, LOG_MAIN, "=> :blackhole: <%s>%s%s", a->address, a->router ? " R=" : "",
              a->router ? a->router->drinst.name : "");
}

void deliver_log_result(const address_item *a, bool first, bool dont_deliver)
{
    gstring *g = NULL;
    int rc = a->transport_return;
    if (a->log_note) log_write(L_always, LOG_MAIN, "%s", a->log_note); /* pipe log_output */
    if (dont_deliver) {
        g = fields(logged_address(string_cat(NULL, "*> "), a, true), a, false);
    } else if (rc == OK) {
        g = fields(logged_address(string_cat(NULL, first ? "=> " : "-> "), a, true), a, true);
    } else if (rc == FAIL) {
        g = fields(logged_address(string_cat(NULL, "** "), a, false), a, false);
        g = string_fmt_append(g, ": %s", a->message ? a->message : "delivery failed");
    } else {
        g = fields(logged_address(string_cat(NULL, "== "), a, false), a, false);
        bool tagged = a->transport || a->router || (a->flags & AFL_ROUTE_RETRY);
        if (a->flags & AFL_ROUTE_RETRY) g = string_cat(g, " routing"); /* Exim: "routing defer (-52)" */
        if (tagged)
            g = string_fmt_append(g, " defer (%d)", a->basic_errno ? a->basic_errno : -1);
        /* a host error, as Exim: "defer (111): Connection refused H=x [ip]: why" */
        const char *sys = a->host_used && a->basic_errno > 0 ? strerror(a->basic_errno) : NULL;
        if (sys) g = string_fmt_append(g, ": %s", sys);
        g = host_field(g, a);
        if (!tagged) g = string_fmt_append(g, " %s", a->message ? a->message : "delivery deferred");
        else if (a->message && (!sys || strcmp(a->message, sys) != 0)) g = string_fmt_append(g, ": %s", a->message);
    }
    char *line = string_from_gstring(g);
    log_write(L_always, LOG_MAIN | (a->flags & AFL_LOG_PANIC ? LOG_PANIC : 0), "%s", line);
    if (dont_deliver || !msg.id) return;
    /* the message log: Exim's wording, "<address>: <t> transport
     * succeeded" for a delivery, the log line without its flag otherwise */
    if (rc == OK)
        msglog_write(msg.id, "%s: %s transport succeeded", a->address, a->transport ? a->transport->drinst.name : "");
    else
        msglog_write(msg.id, "%s", line + 3);
}
