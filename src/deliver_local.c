/* deliver_local.c - local transports (appendfile, pipe, autoreply,
 * lmtp): the checks the delivery process makes before handing a group
 * of addresses to the local delivery agent of their identity
 * (deliver_agent.c), what the agent does with them, and the results it
 * sends back.
 *
 * The agent gives up root (setgid, initgroups or setgroups, setuid to
 * the address's identity; never root, never a never_users member)
 * before any transport code runs, then reports each address's result as
 * soon as its batch is done. An address with no result is deferred. */

/* System */
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
/* MTA core */
#include "tern.h"
#include "deliver.h"
#include "deliver_int.h"
#include "deliver_wire.h"
#include "expand.h"
#include "globals.h"
#include "log.h"
#include "match.h"
#include "retry.h"
#include "route.h"
#include "router.h"
#include "transport.h"
#include "transports/appendfile.h"

/* on_never_users - is uid in never_users (root always is) */
static bool on_never_users(long uid)
{
    if (uid == 0) return true;
    const char *list = cfg.never_users;
    if (!list) return false;
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        char *end;
        long v = strtol(item, &end, 10);
        if (*item && !*end && v == uid) return true;
        struct passwd *pw = getpwnam(item);
        if (pw && (long)pw->pw_uid == uid) return true;
    }
    return false;
}

/* transport_ugid - the transport's user/group override the router's */
static bool transport_ugid(address_item *a, char **err)
{
    const transport_instance *t = a->transport;
    if (t->user) {
        char *u = transport_expand(t, "user", t->user, err);
        if (!u) return false;
        struct passwd *pw = getpwnam(u);
        char *end;
        long v = strtol(u, &end, 10);
        if (!pw && (!*u || *end)) { *err = string_sprintf("unknown user \"%s\" in %s transport", u, t->drinst.name); return false; }
        a->uid = pw ? (long)pw->pw_uid : v;
        a->flags &= ~AFL_INITGROUPS; /* the router's initgroups goes with the router's uid */
        if (pw && !(a->flags & AFL_GID_SET)) a->gid = pw->pw_gid;
        if (pw) a->flags |= AFL_GID_SET;
        a->flags |= AFL_UID_SET;
    }
    if (t->group) {
        char *g = transport_expand(t, "group", t->group, err);
        if (!g) return false;
        struct group *gr = getgrnam(g);
        char *end;
        long v = strtol(g, &end, 10);
        if (!gr && (!*g || *end)) { *err = string_sprintf("unknown group \"%s\" in %s transport", g, t->drinst.name); return false; }
        a->gid = gr ? (long)gr->gr_gid : v;
        a->flags |= AFL_GID_SET;
    }
    return true;
}

/* check_identity - the uid/gid checks Exim makes before a local delivery */
static bool check_identity(address_item *a)
{
    char *err = NULL;
    if (!transport_ugid(a, &err)) { a->message = err; return false; }
    const char *tn = a->transport->drinst.name;
    if (!(a->flags & AFL_UID_SET)) {
        a->message = string_sprintf("Neither the %s router nor the %s transport set a uid for local delivery of %s",
                                    a->router ? a->router->drinst.name : "", tn, a->address);
        return false;
    }
    if (!(a->flags & AFL_GID_SET)) {
        a->message = string_sprintf("User set without group for %s transport", tn);
        return false;
    }
    if (on_never_users(a->uid)) {
        a->message = string_sprintf("User %ld set for %s transport is on the never_users list", a->uid, tn);
        return false;
    }
    return true;
}

bool deliver_local_become(const address_item *a)
{
    if (geteuid() != 0) return (long)geteuid() == a->uid; /* cannot change identity */
    gid_t g = (gid_t)a->gid;
    if (setgid(g) != 0) return false;
    if (a->flags & AFL_INITGROUPS || (a->transport && a->transport->initgroups)) {
        struct passwd *pw = getpwuid((uid_t)a->uid);
        if (pw && initgroups(pw->pw_name, g) != 0) return false;
    } else if (setgroups(0, NULL) != 0) return false;
    return setuid((uid_t)a->uid) == 0 && getuid() != 0;
}

/* Messages made by transports in this child (autoreply), sent to the
 * parent with their address's result. */
typedef struct generated {
    struct generated *next;
    const address_item *addr;
    char *rcpts, *text;
} generated;
static generated *gen_list;

void deliver_generated(address_item *a, const char *rcpts, const char *text)
{
    generated *g = store_get(sizeof *g, GET_UNTAINTED);
    g->addr = a;
    g->rcpts = string_copy(rcpts);
    g->text = string_copy(text);
    g->next = gen_list;
    gen_list = g;
}

static const generated *generated_for(const address_item *a)
{
    for (const generated *g = gen_list; g; g = g->next)
        if (g->addr == a) return g;
    return NULL;
}

/* enter_directory - the working directory deliver_local_check chose;
 * false (the batch deferred) if chdir fails */
static bool enter_directory(address_item *batch)
{
    const char *dir = batch->current_dir ? batch->current_dir : "/";
    if (chdir(dir) == 0) return true;
    int e = errno;
    for (address_item *a = batch; a; a = a->next) {
        a->transport_return = DEFER;
        a->basic_errno = e;
        a->message = string_sprintf("%s: failed to chdir to %s", strerror(e), dir);
    }
    return false;
}

/* run_batch - one transport run for the chain batch */
static void run_batch(address_item *batch)
{
    if (!enter_directory(batch)) return;
    route_set_vars(batch);
    dlv.router = NULL; /* $router_name is empty in a transport, as in Exim */
    dlv.router_name = NULL;
    msg.return_path = batch->return_path;
    dlv.transport = batch->transport;
    dlv.transport_name = batch->transport->drinst.name;
    const transport_info *ti = (const transport_info *)batch->transport->drinst.info;
    bool ran = ti->deliver && ti->deliver((transport_instance *)batch->transport, batch);
    if (ran && batch->transport->shadow_transport) deliver_shadow_run(batch);
    for (address_item *a = batch; a && !ran; a = a->next) {
        a->transport_return = DEFER;
        if (a->message) continue;
        a->message = ti->deliver ? string_sprintf("%s transport could not run", batch->transport->drinst.name)
            : string_sprintf("%s transport: the %s driver cannot deliver in this build",
                             batch->transport->drinst.name, batch->transport->drinst.driver_name);
    }
}

/* report - one address's result, by its index in the group, in a frame
 * of its own (an empty string is not NULL: an empty user_message hides
 * the message in a bounce) */
static void report(int wfd, int idx, const address_item *a, long us)
{
    gstring *g = string_fmt_append(NULL, "%d %d %d %d %d %ld ", idx, a->transport_return, a->basic_errno,
                                   a->more_errno, a->special_action, us);
    g = wire_put_str(g, a->message);
    g = wire_put_str(g, a->user_message);
    g = wire_put_str(g, a->return_text);
    g = wire_put_str(g, a->log_note);
    const generated *gm = generated_for(a);
    g = wire_put_str(g, gm ? gm->rcpts : NULL);
    g = wire_put_str(g, gm ? gm->text : NULL);
    g = wire_put_str(g, a->shadow_message);
    g = string_catc(g, '\n');
    g = wire_frame(g->s, g->len);
    if (!wire_send(wfd, g->s, g->len)) _exit(EXIT_FAILURE); /* the delivery process has gone */
}

/* take_batch - addresses from arr (not yet taken) that may go in one
 * transport run with arr[i], linked by next, up to batch_max */
static address_item *take_batch(address_item **arr, int n, int i)
{
    address_item *first = arr[i], **tail = &first->next;
    int max = transport_batch_max(first->transport), got = 1;
    arr[i] = NULL;
    for (int j = i + 1; j < n && got < max; j++) {
        if (!arr[j] || !transport_can_batch(first, arr[j])) continue;
        *tail = arr[j];
        tail = &arr[j]->next;
        arr[j] = NULL;
        got++;
    }
    *tail = NULL;
    return first;
}

void deliver_local_run(address_item *chain, int wfd)
{
    gen_list = NULL;
    int n = 0;
    for (address_item *a = chain; a; a = a->next) n++;
    address_item **arr = store_get(sizeof *arr * (size_t)n, GET_UNTAINTED), **orig = store_get(sizeof *arr * (size_t)n, GET_UNTAINTED);
    n = 0;
    for (address_item *a = chain; a; a = a->next) orig[n] = arr[n] = a, n++;
    for (int i = 0; i < n; i++) {
        if (!arr[i]) continue;
        struct timeval t0, t1;
        gettimeofday(&t0, NULL);
        address_item *batch = take_batch(arr, n, i);
        run_batch(batch);
        gettimeofday(&t1, NULL);
        long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_usec - t0.tv_usec);
        for (int k = 0; k < n; k++)
            for (address_item *a = batch; a; a = a->next)
                if (a == orig[k]) report(wfd, k, a, us);
    }
}

/* One address's result as the agent reported it */
typedef struct result {
    long idx, rc, e, me, sa, us;
    char *message, *user_message, *return_text, *log_note, *rcpts, *text, *shadow_message;
} result;

/* take_result - one whole result; false (nothing taken) if malformed:
 * the agent has less privilege than we have, so its bytes are checked
 * before any of them touch an address */
static bool take_result(wire_reader *r, result *x)
{
    x->idx = wire_take_long(r), x->rc = wire_take_long(r), x->e = wire_take_long(r);
    x->me = wire_take_long(r), x->sa = wire_take_long(r), x->us = wire_take_long(r);
    x->message = wire_take_str(r);
    x->user_message = wire_take_str(r);
    x->return_text = wire_take_str(r);
    x->log_note = wire_take_str(r);
    x->rcpts = wire_take_str(r);
    x->text = wire_take_str(r);
    x->shadow_message = wire_take_str(r);
    bool known = x->rc == OK || x->rc == DEFER || x->rc == FAIL || x->rc == PANIC || x->rc == PENDING_DEFER;
    if (r->bad || x->idx < 0 || !known) return false;
    if (r->p < r->end && *r->p == '\n') r->p++;
    return true;
}

void deliver_local_results(address_item *chain, char *buf, size_t len)
{
    wire_reader r = {.p = buf, .end = buf + len};
    result x;
    while (r.p < r.end && take_result(&r, &x)) {
        address_item *a = chain;
        for (long k = 0; a && k < x.idx; k++) a = a->next;
        if (!a) return;
        int rc = (int)x.rc;
        a->transport_return = rc == PANIC ? DEFER : rc;
        if (rc == PANIC) a->flags |= AFL_LOG_PANIC;
        a->basic_errno = (int)x.e;
        a->more_errno = (int)x.me;
        a->special_action = (int)x.sa;
        a->delivery_time_us = x.us;
        a->message = x.message;
        a->user_message = x.user_message;
        a->return_text = x.return_text;
        a->log_note = x.log_note;
        a->shadow_message = x.shadow_message;
        if (x.text && rc == OK) deliver_reply_spool(a, x.rcpts, x.text);
        if (rc == OK && x.sa == SPECIAL_WARN) appendfile_quota_warning(a);
    }
}

void deliver_local_unreported(address_item *chain, int status)
{
    const address_item *first = NULL;
    for (address_item *a = chain; a; a = a->next) {
        if (a->transport_return != PENDING_DEFER) continue;
        /* Exim's lines for a transport process that ended without a
         * status; the deferral itself then carries no text */
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to read delivery status for %s from delivery subprocess",
                  a->address);
        a->transport_return = DEFER;
        a->message = NULL;
        if (!first) first = a;
    }
    if (!first || status == 0) return;
    char *why = WIFSIGNALED(status) ? string_sprintf("terminated by signal %d", WTERMSIG(status))
                                    : string_sprintf("exit code %d", WEXITSTATUS(status));
    log_write(L_always, LOG_MAIN | LOG_PANIC, "%s transport process returned non-zero status 0x%04x: %s",
              first->transport->drinst.driver_name, (unsigned)status, why);
}

/* delivery_dir - expand the transport's home_directory or
 * current_directory (what: "home" or "current"); NULL with a's error set */
static char *delivery_dir(address_item *a, const char *opt, const char *what)
{
    const transport_instance *t = a->transport;
    char *v = expand_string(opt);
    if (!v) {
        a->basic_errno = ERRNO_EXPANDFAIL;
        a->message = string_sprintf("%s directory \"%s\" failed to expand for %s transport: %s", what, opt,
                                    t->drinst.name, expand_error());
    }
    return v;
}

/* choose_dirs - $home and the working directory for a's delivery: the
 * transport's home_directory and current_directory win over the
 * router's; the working directory falls back to home, then "/". Both
 * must be absolute. false with a's error set. */
static bool choose_dirs(address_item *a)
{
    const transport_instance *t = a->transport;
    route_set_vars(a);
    if (t->home_directory && !(a->home_dir = delivery_dir(a, t->home_directory, "home"))) return false;
    dlv.home = a->home_dir;
    if (t->current_directory && !(a->current_dir = delivery_dir(a, t->current_directory, "current"))) return false;
    const char *bad = a->home_dir && *a->home_dir != '/' ? "home" : NULL;
    const char *path = a->home_dir;
    if (!bad && a->current_dir && *a->current_dir != '/') bad = "current", path = a->current_dir;
    if (bad) {
        a->basic_errno = ERRNO_NOTABSOLUTE;
        a->message = string_sprintf("%s directory path \"%s\" is not absolute for %s transport", bad, path,
                                    t->drinst.name);
        return false;
    }
    if (!a->current_dir) a->current_dir = a->home_dir;
    return true;
}

/* choose_return_path - the envelope sender of a's delivery: errors_to,
 * else the message's; the transport's return_path replaces it unless its
 * expansion is forced to fail. false with a's error set. */
static bool choose_return_path(address_item *a)
{
    const transport_instance *t = a->transport;
    a->return_path = a->errors_address ? a->errors_address : msg.sender_address;
    if (!t->return_path) return true;
    char *v = expand_string(t->return_path);
    if (v) a->return_path = v;
    if (v || expand_forced_fail()) return true;
    a->basic_errno = ERRNO_EXPANDFAIL;
    a->message = string_sprintf("Failed to expand return path \"%s\" in %s transport: %s", t->return_path,
                                t->drinst.name, expand_error());
    return false;
}

/* deliver_local_check - checks done in the parent (so their failure is
 * logged without a fork): a pipe or file a redirect forbade fails; one
 * with no transport defers (Exim's wording and error numbers); then
 * identity, directories and return path. false if addr was failed or
 * deferred. */
bool deliver_local_check(address_item *a)
{
    if (a->flags & AFL_FORBIDDEN) {
        a->message = string_sprintf("delivery to %s forbidden", (a->flags & AFL_PIPE) ? "pipe" : "file");
        a->transport_return = FAIL;
        return false;
    }
    if (!a->transport) {
        a->basic_errno = ERRNO_BADTRANSPORT;
        a->transport_return = DEFER;
        return false;
    }
    const char *shadow = a->transport->shadow_transport;
    if (shadow && !route_find_transport(shadow)) /* Exim's wording, trailing space included */
        log_write(L_always, LOG_MAIN | LOG_PANIC, "shadow transport \"%s\" not found ", shadow);
    if (check_identity(a)) {
        if (choose_dirs(a) && choose_return_path(a)) return true;
        log_write(L_always, LOG_MAIN | LOG_PANIC, "%s", a->message);
    }
    a->transport_return = DEFER;
    return false;
}
