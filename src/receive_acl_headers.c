/* receive_acl_headers.c - the header changes that ACLs queue with
 * add_header and remove_header (in the MAIL, RCPT, PREDATA, DATA and
 * non-SMTP ACLs), applied to the message once its ACLs have run and
 * before it is spooled. Removed headers stay in the -H file marked
 * deleted ('*'), as Exim keeps them; added ones go at the end, at the
 * start, or after the Received: headers, as their position word says.
 * Runs in the receiving process; the texts are the ACLs' expansions. */

/* System */
#include <strings.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "header.h"
#include "message.h"
/* This module */
#include "receive_int.h"

/* header_named - is h's name in the colon list (a trailing ':' allowed)? */
static bool header_named(const header_line *h, const char *list)
{
    int sep = ':';
    const char *l = list;
    char *item;
    size_t n = strcspn(h->text, ":");
    while ((item = string_nextinlist(&l, &sep))) {
        size_t k = strlen(item);
        if (k && item[k - 1] == ':') k--;
        if (k == n && strncasecmp(h->text, item, n) == 0) return true;
    }
    return false;
}

/* insert_point - where headers added at position where go */
static header_line **insert_point(header_line **list, int where)
{
    if (where == ACL_HDR_AT_START) return list;
    if (where == ACL_HDR_APPEND) {
        while (*list) list = &(*list)->next;
        return list;
    }
    while (*list && (*list)->type == HTYPE_RECEIVED) list = &(*list)->next;
    return list;
}

void rcv_acl_headers(rcv *r)
{
    if (msg.acl.remove_headers)
        for (header_line *h = msg.headers; h; h = h->next)
            if (h->type != HTYPE_OLD && header_named(h, msg.acl.remove_headers)) h->type = HTYPE_OLD;
    for (acl_header *a = msg.acl.add_headers; a; a = a->next) {
        header_line *add = header_split(a->text, NULL), *last = add;
        if (!add) continue;
        while (last->next) last = last->next;
        header_line **at = insert_point(&msg.headers, a->where);
        last->next = *at;
        *at = add;
    }
    msg.size = (long)header_size(msg.headers) + 1 + r->body_bytes;
}
