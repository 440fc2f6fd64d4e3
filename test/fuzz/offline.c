/* offline.c - linked into every fuzz target: keeps the fuzzers off the
 * network. Random inputs name DNS lookups (dnsdb, @mx_any, host names in
 * host lists) and would otherwise send queries to the real resolver, which
 * is slow, flaky and not ours to use. The definitions here take the place
 * of the C library's at link time: DNS queries answer "no such name" at
 * once, getaddrinfo accepts only numeric addresses, and connect refuses
 * every address that is not loopback. */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>
#include <sys/socket.h>

#undef res_nquery
int res_nquery(res_state st, const char *name, int class, int type, unsigned char *ans,
               int anslen);

/* res_nquery - every DNS query finds nothing */
int res_nquery(res_state st, const char *name, int class, int type, unsigned char *ans,
               int anslen)
{
    (void)name, (void)class, (void)type, (void)ans, (void)anslen;
    st->res_h_errno = HOST_NOT_FOUND;
    h_errno = HOST_NOT_FOUND;
    return -1;
}

/* getaddrinfo - the C library's, restricted to numeric hosts and ports */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    static int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
    if (!real) real = (int (*)(const char *, const char *, const struct addrinfo *,
                               struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
    struct addrinfo h = {0};
    if (hints) h = *hints;
    h.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
    return real ? real(node, service, &h, res) : EAI_FAIL;
}

/* is_loopback - 127/8 or ::1 */
static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, &in6addr_loopback, 16) == 0;
    return 1; /* Unix sockets and others stay local */
}

/* connect - refuse anything but loopback */
int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    if (!sa || !is_loopback(sa) || !real) { errno = ENETUNREACH; return -1; }
    return real(fd, sa, len);
}
