/* deliver_context.c - what a delivery process knows of the message's
 * reception, restored from its -H file: the client, HELO name, protocol,
 * authentication, TLS, counts and the ACL variables, so that routers,
 * transports and filters see $sender_host_address, $received_protocol,
 * $acl_m_*, $acl_c_* and the rest as Exim's delivery process does. Used
 * by the delivery process for each message and by the local delivery
 * agents for each request; each message replaces every value, so
 * nothing of one message shows in the next. */

/* MTA core */
#include "tern.h"
#include "deliver_int.h"
#include "globals.h"

/* split_acl_vars - the -H file's one list into $acl_c* and $acl_m* */
static void split_acl_vars(const acl_var *v)
{
    conn.acl_c = NULL;
    msg.acl_m = NULL;
    for (; v; v = v->next) {
        acl_var *c = store_get(sizeof *c, GET_UNTAINTED);
        *c = *v;
        acl_var **head = v->conn ? &conn.acl_c : &msg.acl_m;
        c->next = *head;
        *head = c;
    }
}

/* received_headers - $received_count at delivery: the Received: lines */
static int received_headers(const header_line *h)
{
    int n = 0;
    for (; h; h = h->next)
        n += h->type != HTYPE_OLD && strncasecmp(h->text, "Received:", 9) == 0;
    return n;
}

static void restore_client(const spool_header *h)
{
    conn.sender_host_address = h->host_address;
    conn.sender_host_port = h->host_port;
    conn.sender_host_name = h->host_name;
    conn.sender_host_aliases = NULL;
    conn.interface_address = h->interface_address;
    conn.interface_port = h->interface_port;
    conn.sender_helo_name = h->helo_name;
    conn.received_protocol = h->received_protocol;
    conn.sender_ident = h->ident;
    conn.host_lookup_failed = h->host_lookup_failed;
    conn.smtp_active_hostname = h->active_hostname;
    conn.sender_host_authenticated = h->host_auth;
    conn.authenticated_id = h->auth_id;
    msg.authenticated_sender = h->auth_sender;
    conn.tls_in_cipher = h->tls_cipher;
    conn.tls_in_peerdn = h->tls_peerdn;
    conn.tls_in_sni = h->tls_sni;
    conn.tls_in_ver = h->tls_ver;
    conn.tls_in_certificate_verified = h->tls_certificate_verified;
}

void deliver_restore_context(const spool_header *h)
{
    restore_client(h);
    msg.received_time = h->received_time;
    msg.received_sec = h->received_time;
    msg.received_usec = h->received_usec;
    msg.body_linecount = h->body_linecount;
    msg.body_zerocount = h->body_zerocount;
    msg.max_received_linelength = h->max_received_linelength;
    msg.recipients_count = h->recipients_count;
    msg.received_count = received_headers(h->headers);
    msg.dsn_envid = h->dsn_envid;
    msg.dsn_ret = h->dsn_ret;
    msg.local_scan_data = h->local_scan;
    split_acl_vars(h->acl_vars);
}

void deliver_forget_context(void)
{
    conn.acl_c = NULL; /* their memory goes with the message's */
    msg.acl_m = NULL;
}
