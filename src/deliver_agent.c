/* deliver_agent.c - local delivery agents: long-lived processes, one
 * per identity (uid, gid, initgroups), that run the local transports
 * for the delivery process that forked them (DESIGN.md section 9: "one
 * such process delivers a batch of messages").
 *
 * An agent gives up root for good (deliver_local_become) right after the
 * fork and never gets it back. For each transport group the delivery
 * process sends one request over a socketpair: the -H bytes, the body's
 * offset and the routed addresses (deliver_wire.c), with the open -D
 * file attached (SCM_RIGHTS: the agent cannot open the spool itself).
 * The agent parses the -H bytes as the delivery process did, runs the
 * transports, and answers with one frame per finished batch as soon as
 * it is done (so a result already sent survives a later crash of the
 * agent) and an empty frame at the end.
 *
 * A steady stream of messages for the same mail user costs no fork per
 * message. An agent that dies or sends garbage is reaped and replaced;
 * the addresses it gave no result for are deferred, as with a crashed
 * transport child. Agents go when the delivery process closes their
 * socket: at the end of each message unless deliver_agents_keep() was
 * called (the daemon's reused delivery processes call it). */

/* System */
#include <sys/socket.h>
#include <sys/wait.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "deliver_int.h"
#include "deliver_wire.h"
#include "globals.h"
#include "log.h"
#include "lookups.h"
#include "spool.h"
#include "transport.h"

typedef struct agent {
    pid_t pid;
    int sock;
    long uid, gid;
    bool groups;             /* initgroups: the user's supplementary groups */
    unsigned long last_used; /* for choosing which agent to end when full */
} agent;

static struct {
    agent list[LIMIT_DELIVERY_AGENTS];
    int n;
    bool keep;
    unsigned long clock;
} ag;

/* wants_groups - the identity key's third part, as become() decides it */
static bool wants_groups(const address_item *a)
{
    return (a->flags & AFL_INITGROUPS) || (a->transport && a->transport->initgroups);
}

/* ---- the agent's side ---- */

/* take_fd - the descriptor a control message carried, or -1 */
static int take_fd(struct msghdr *mh)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
            continue;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        return fd;
    }
    return -1;
}

/* read_request - one request frame and the -D descriptor that came with
 * it: the frame's bytes are (*req)->s + *start, *n long; false at EOF
 * (the delivery process is done with us) */
static bool read_request(int sock, int *fd, gstring **req, size_t *start, size_t *n)
{
    gstring *g = string_get(8192);
    *fd = -1;
    while (!wire_frame_at(g->s, g->len, start, n)) {
        char buf[4096];
        union { char space[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.space, .msg_controllen = sizeof ctl.space};
        ssize_t got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        int passed = take_fd(&mh);
        if (passed >= 0 && *fd < 0) *fd = passed;
        else if (passed >= 0) close(passed);
        g = string_catn(g, buf, (size_t)got);
    }
    *req = g;
    return true;
}

/* serve - one request: load the message, run the transports, report */
static void serve(char *req, size_t len, int dfd, int sock)
{
    char *hdata;
    size_t hlen;
    long offset;
    address_item *chain;
    spool_header *h = store_get_zero(sizeof *h, GET_UNTAINTED);
    if (!wire_take_request(req, len, &hdata, &hlen, &offset, &chain) || spool_parse_header(hdata, hlen, h))
        _exit(EXIT_FAILURE); /* the delivery process defers the lot */
    memset(&dlv, 0, sizeof dlv); /* nothing of an earlier message leaks into this one */
    deliver_set_message(h, dfd, offset);
    deliver_local_run(chain, sock);
    if (!wire_send(sock, "0\n", 2)) _exit(EXIT_FAILURE);
}

/* agent_main - the agent: become the identity, then serve until EOF */
static void agent_main(int sock, const address_item *chain) NORETURN;
static void agent_main(int sock, const address_item *chain)
{
    proc.pid = getpid();
    ag.n = 0;
    /* Nothing the delivery process opened as root stays open here (the
     * -J journal, other agents' sockets, lookup files): each request
     * brings its -D file, and lookups reopen as the mail user. */
    search_tidyup();
    if (sock > 3) close_range(3, (unsigned)sock - 1, 0);
    close_range((unsigned)sock + 1, ~0U, 0);
    dlv.data_fd = -1;
    if (!deliver_local_become(chain)) _exit(EXIT_FAILURE);
    rmark base = store_mark();
    for (;;) {
        int dfd;
        gstring *req;
        size_t start, n;
        if (!read_request(sock, &dfd, &req, &start, &n)) _exit(EXIT_SUCCESS);
        serve(req->s + start, n, dfd, sock);
        if (dfd >= 0) close(dfd);
        search_tidyup(); /* as between messages in the delivery process */
        store_reset(base);
    }
}

/* ---- the delivery process's side ---- */

/* agent_end - close an agent's socket (it exits at EOF), reap it, and
 * drop it from the list; its wait status */
static int agent_end(agent *a)
{
    int status = 0;
    shutdown(a->sock, SHUT_WR); /* EOF for the agent even if a forked child still holds the socket */
    close(a->sock);
    while (waitpid(a->pid, &status, 0) < 0 && errno == EINTR) {}
    *a = ag.list[--ag.n];
    return status;
}

/* spawn - fork an agent for chain's identity; NULL with errno set */
static agent *spawn(const address_item *chain)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return NULL;
    pid_t pid = fork();
    if (pid == 0) { close(sv[0]); agent_main(sv[1], chain); }
    int e = errno;
    close(sv[1]);
    if (pid < 0) { close(sv[0]); errno = e; return NULL; }
    if (ag.n == LIMIT_DELIVERY_AGENTS) {
        agent *oldest = &ag.list[0];
        for (int i = 1; i < ag.n; i++)
            if (ag.list[i].last_used < oldest->last_used) oldest = &ag.list[i];
        agent_end(oldest);
    }
    agent *a = &ag.list[ag.n++];
    *a = (agent){.pid = pid, .sock = sv[0], .uid = chain->uid, .gid = chain->gid, .groups = wants_groups(chain)};
    return a;
}

/* agent_for - the agent for chain's identity, started if need be */
static agent *agent_for(const address_item *chain)
{
    agent *a = NULL;
    for (int i = 0; i < ag.n && !a; i++) {
        agent *x = &ag.list[i];
        if (x->uid == chain->uid && x->gid == chain->gid && x->groups == wants_groups(chain)) a = x;
    }
    if (!a) a = spawn(chain);
    if (a) a->last_used = ++ag.clock;
    return a;
}

/* send_request - the frame, with the -D descriptor on its first byte */
static bool send_request(int sock, const gstring *frame, int dfd)
{
    union { char space[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {.iov_base = frame->s, .iov_len = frame->len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (dfd >= 0) {
        mh.msg_control = ctl.space;
        mh.msg_controllen = sizeof ctl.space;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &dfd, sizeof dfd);
    }
    ssize_t n;
    while ((n = sendmsg(sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
    return n > 0 && wire_send(sock, frame->s + n, frame->len - (size_t)n);
}

/* read_results - the agent's frames up to the closing empty one; false
 * if it ended (or overran its limit) first. *payload holds the results
 * of every whole frame that did arrive, in either case. */
static bool read_results(int sock, gstring **payload)
{
    gstring *g = string_get(1024);
    bool done = false;
    for (;;) {
        char buf[4096];
        ssize_t n = read(sock, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) g = string_catn(g, buf, (size_t)n);
        if ((done = wire_frames_end(g->s, g->len, NULL) > 0)) break; /* a check only: no copy per read */
        if (n <= 0 || g->len > LIMIT_DELIVERY_AGENT_RESULT) break;
    }
    wire_frames_end(g->s, g->len, payload);
    return done;
}

/* sent_to_agent - the agent for chain's identity, with the request
 * sent. An agent that went while idle (killed, say) cannot have read
 * any of it, so a new one is forked once and sent the request. NULL
 * (chain deferred) if no agent could be had. */
static agent *sent_to_agent(const gstring *frame, address_item *chain)
{
    for (int tries = 0; tries < 2; tries++) {
        agent *a = agent_for(chain);
        if (!a) break;
        if (send_request(a->sock, frame, dlv.data_fd)) return a;
        int status = agent_end(a);
        DEBUG(D_deliver) debug_printf("local delivery agent had gone (status %#x)\n", status);
        errno = EPIPE;
    }
    int e = errno;
    for (address_item *x = chain; x; x = x->next) {
        x->transport_return = DEFER;
        x->message = string_sprintf("local delivery agent not available: %s", strerror(e));
    }
    return NULL;
}

void deliver_local_group(const char *hdata, size_t hlen, address_item *chain)
{
    gstring *req = wire_request(hdata, hlen, dlv.data_offset, chain);
    agent *a = sent_to_agent(wire_frame(req->s, req->len), chain);
    if (!a) return;
    gstring *payload;
    bool complete = read_results(a->sock, &payload);
    deliver_local_results(chain, payload->s, payload->len); /* what arrived counts even if the agent died */
    int status = complete ? 0 : agent_end(a);
    if (!complete) DEBUG(D_deliver) debug_printf("local delivery agent ended (status %#x)\n", status);
    deliver_local_unreported(chain, status);
}

void deliver_agents_keep(bool keep)
{
    ag.keep = keep;
}

void deliver_agents_forget(void)
{
    for (int i = 0; i < ag.n; i++) close(ag.list[i].sock);
    ag.n = 0;
    ag.keep = false;
}

void deliver_agents_close(bool always)
{
    if (ag.keep && !always) return;
    while (ag.n > 0) agent_end(&ag.list[0]);
}
