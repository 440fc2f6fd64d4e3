/* acl_udpsend.c - the "udpsend = host : port : data" modifier: one UDP
 * datagram per use, for statistics collectors. The host is an IP
 * address or a name resolved through dns.c. Failures are logged and
 * never change the ACL's result, as in Exim. */

/* System */
#include <netdb.h>
#include <sys/socket.h>
/* MTA core */
#include "tern.h"
#include "dns.h"
#include "globals.h"
#include "log.h"
/* This module */
#include "acl_int.h"

int acl_udpsend(acl_ctx *x, const char *arg);

static int send_to(const char *host, const char *port, const char *data)
{
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0) return -1;
    int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
    ssize_t n = fd < 0 ? -1 : sendto(fd, data, strlen(data), 0, ai->ai_addr, ai->ai_addrlen);
    if (fd >= 0) close(fd);
    freeaddrinfo(ai);
    return n < 0 ? -1 : 0;
}

int acl_udpsend(acl_ctx *x, const char *arg)
{
    int sep = 0;
    const char *list = arg;
    char *host = string_nextinlist(&list, &sep);
    char *port = string_nextinlist(&list, &sep);
    if (!host || !port) {
        x->err_msg = string_sprintf("missing host or port in udpsend: \"%s\"", arg);
        return ERROR;
    }
    const char *data = list;
    while (*data == ' ') data++;
    char **addrs = NULL;
    const char *target = host;
    if (send_to(host, port, data) == 0) return OK;
    if (dns_host_addresses(host, &addrs) == OK && addrs[0]) target = addrs[0];
    if (target == host || send_to(target, port, data) != 0)
        log_write(L_always, LOG_MAIN, "udpsend to %s port %s failed", host, port);
    return OK;
}
