/* msgaction.c - the -M* message actions: force or check delivery, give
 * up, remove, freeze, thaw, add recipients, mark delivered, edit the
 * sender, and view the header, body or message log.
 *
 * Runs in the admin's process (root or the exim user). Every change to
 * a message is made while holding its -D lock, the way a delivery holds
 * it, and the -H file is replaced atomically; a locked message is left
 * alone ("is locked"). Wording and mainlog lines are Exim's. */

/* System */
#include <ctype.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
#include "msglog.h"
#include "queue.h"
#include "queue_int.h"
#include "spool.h"

#define MA_DONE_MODIFIED 100 /* action result: header rewritten (distinct from OK/FAIL) */

/* ---- viewing ---- */

static int view_file(const char *id, const char *path, const char *what, const char *shown)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("Failed to open %s file for %s%s: %s\n", what, id, shown, strerror(errno));
        return EXIT_FAILURE;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
    return EXIT_SUCCESS;
}

/* view_complete - -Mvc: the live header lines, a blank line, the body */
static int view_complete(const char *id)
{
    spool_header h;
    const char *err = queue_read_header(id, &h, NULL);
    if (err) {
        printf("Failed to open input file for %s-H: %s\n", id, err);
        return EXIT_FAILURE;
    }
    for (const header_line *hl = h.headers; hl; hl = hl->next)
        if (hl->type != HTYPE_OLD) fwrite(hl->text, 1, hl->slen, stdout);
    printf("\n");
    size_t len;
    char *body = spool_read_file(queue_input_path(id, "-D"), &len, (size_t)-1, &err);
    if (!body) {
        printf("Failed to open input file for %s-D: %s\n", id, err);
        return EXIT_FAILURE;
    }
    size_t skip = MESSAGE_ID_LENGTH + 3;
    if (len > skip) fwrite(body + skip, 1, len - skip, stdout);
    return EXIT_SUCCESS;
}

static int view(enum msg_action a, char **ids, int n)
{
    if (n > 1) {
        printf("*** Only one message can be listed at once\n");
        return EXIT_FAILURE;
    }
    const char *id = ids[0];
    switch (a) {
    case MA_VIEW_HEADER: return view_file(id, queue_input_path(id, "-H"), "input", "-H");
    case MA_VIEW_BODY: return view_file(id, queue_input_path(id, "-D"), "input", "-D");
    case MA_VIEW_LOG: return view_file(id, msglog_path(id), "msglog", "");
    default: return view_complete(id);
    }
}

/* ---- changes under the lock ---- */

/* addr_check - an address for -Mar/-Mes: NULL if acceptable, else why */
static const char *addr_check(const char *a)
{
    const char *at = strrchr(a, '@');
    if (!*a) return "empty address";
    for (const char *p = a; *p; p++)
        if (iscntrl((unsigned char)*p) || *p == ' ' || *p == '<' || *p == '>') return "malformed address";
    if (!at) return "domain missing";
    if (at == a) return "local part missing";
    if (!at[1]) return "domain missing";
    return NULL;
}

static bool is_recipient(const spool_header *h, const char *a)
{
    for (int i = 0; i < h->recipients_count; i++)
        if (strcmp(h->recipients[i].address, a) == 0) return true;
    return false;
}

static bool is_done(const spool_header *h, const char *a)
{
    for (int i = 0; i < h->nonrecipients_count; i++)
        if (strcmp(h->nonrecipients[i], a) == 0) return true;
    return false;
}

static void add_done(spool_header *h, const char *a)
{
    char **v = store_get((size_t)(h->nonrecipients_count + 1) * sizeof(char *), GET_UNTAINTED);
    if (h->nonrecipients_count) memcpy(v, h->nonrecipients, (size_t)h->nonrecipients_count * sizeof(char *));
    v[h->nonrecipients_count++] = string_copy(a);
    h->nonrecipients = v;
}

static int freeze(spool_header *h)
{
    if (h->frozen_at) { printf("Message %s is already frozen\n", h->id); return FAIL; }
    h->frozen_at = (long)time(NULL);
    h->manual_thaw = false;
    log_write(L_always, LOG_MAIN, "frozen by %s", queue_caller_name());
    printf("Message %s is now frozen\n", h->id);
    return OK;
}

static int thaw(spool_header *h)
{
    if (!h->frozen_at) { printf("Message %s is not frozen\n", h->id); return FAIL; }
    h->frozen_at = 0;
    h->manual_thaw = true;
    log_write(L_always, LOG_MAIN, "unfrozen by %s", queue_caller_name());
    printf("Message %s is no longer frozen\n", h->id);
    return OK;
}

static int add_recipients(spool_header *h, char **addrs, int n)
{
    if (n == 0) { printf("Message %s - error while adding recipient: no address given\n", h->id); return FAIL; }
    for (int i = 0; i < n; i++) {
        const char *why = addr_check(addrs[i]);
        if (why) {
            printf("Message %s - error while adding recipient:\n  bad address %s: %s\n", h->id, addrs[i], why);
            return FAIL;
        }
    }
    recipient_item *r = store_get((size_t)(h->recipients_count + n) * sizeof *r, GET_UNTAINTED);
    if (h->recipients_count) memcpy(r, h->recipients, (size_t)h->recipients_count * sizeof *r);
    for (int i = 0; i < n; i++) {
        r[h->recipients_count + i] = (recipient_item){.address = string_copy(addrs[i]), .pno = -1};
        log_write(L_always, LOG_MAIN, "recipient <%s> added by %s", addrs[i], queue_caller_name());
    }
    h->recipients = r;
    h->recipients_count += n;
    return MA_DONE_MODIFIED;
}

static int mark_delivered(spool_header *h, char **addrs, int n)
{
    if (n == 0) {
        printf("Message %s - error while marking as delivered: no address given\n", h->id);
        return FAIL;
    }
    for (int i = 0; i < n; i++)
        if (!is_recipient(h, addrs[i])) {
            printf("Message %s - error while marking as delivered:\n  %s is not a recipient: message not updated\n",
                   h->id, addrs[i]);
            return FAIL;
        }
    for (int i = 0; i < n; i++) {
        if (!is_done(h, addrs[i])) add_done(h, addrs[i]);
        log_write(L_always, LOG_MAIN, "address <%s> marked delivered by %s", addrs[i], queue_caller_name());
    }
    return MA_DONE_MODIFIED;
}

static int mark_all(spool_header *h)
{
    for (int i = 0; i < h->recipients_count; i++) {
        const char *a = h->recipients[i].address;
        if (!is_done(h, a)) add_done(h, a);
        log_write(L_always, LOG_MAIN, "address <%s> marked delivered by %s", a, queue_caller_name());
    }
    return MA_DONE_MODIFIED;
}

static int edit_sender(spool_header *h, char **addrs, int n)
{
    if (n == 0) { printf("Message %s - error while editing sender: no address given\n", h->id); return FAIL; }
    if (n > 1) { printf("Message %s - only one sender address can be specified\n", h->id); return FAIL; }
    const char *a = addrs[0];
    if (strcmp(a, "<>") == 0) a = "";
    const char *why = *a ? addr_check(a) : NULL;
    if (why) {
        printf("Message %s - error while editing sender:\n  bad address %s: %s\n", h->id, addrs[0], why);
        return FAIL;
    }
    h->sender = string_copy(a);
    log_write(L_always, LOG_MAIN, "sender address changed to <%s> by %s", a, queue_caller_name());
    return MA_DONE_MODIFIED;
}

/* ---- removal ---- */

/* remove_files - -Mrm: every file of the message; false if none existed */
static bool remove_files(const char *id)
{
    bool any = false;
    static const char *const suffixes[] = {"-D", "-H", "-J"};
    for (size_t i = 0; i < NELEM(suffixes); i++) {
        char *path = queue_input_path(id, suffixes[i]);
        if (unlink(path) == 0) any = true;
        else if (errno != ENOENT) printf("Error while removing %s: %s\n", path, strerror(errno));
    }
    msglog_finish(id);
    return any;
}

static int remove_missing(const char *id)
{
    printf("Spool data file for %s does not exist\n", id);
    printf("Continuing, to ensure all files removed\n");
    spool_header h;
    bool missing;
    const char *err = queue_read_header(id, &h, &missing);
    if (err) {
        printf("Spool read error for %s-H: %s\n", id, err);
        printf("Continuing to ensure all files removed\n");
    }
    remove_files(id);
    printf("Message %s has been removed or did not exist\n", id);
    return EXIT_FAILURE;
}

/* ---- one message ---- */

static int apply(spool_header *h, enum msg_action a, char **rest, int n)
{
    switch (a) {
    case MA_FREEZE: return freeze(h);
    case MA_THAW: return thaw(h);
    case MA_ADD_RCPT: return add_recipients(h, rest, n);
    case MA_MARK: return mark_delivered(h, rest, n);
    case MA_MARK_ALL: return mark_all(h);
    case MA_EDIT_SENDER: return edit_sender(h, rest, n);
    default: BUG("action %d is not a header change", (int)a);
    }
}

/* change_locked - read, change and rewrite the header of a locked message */
static int change_locked(const char *id, enum msg_action a, char **rest, int n)
{
    spool_header h;
    const char *err = queue_read_header(id, &h, NULL);
    if (err) {
        printf("Spool read error for %s-H: %s\n", id, err);
        return EXIT_FAILURE;
    }
    if (a == MA_REMOVE) {
        if (!proc.admin_user && proc.real_uid != (uid_t)h.caller_uid) {
            printf("Permission denied\n");
            return EXIT_FAILURE;
        }
        log_write(L_always, LOG_MAIN, "removed by %s", queue_caller_name());
        log_write(L_always, LOG_MAIN, "Completed");
        remove_files(id);
        printf("Message %s has been removed\n", id);
        return EXIT_SUCCESS;
    }
    int rc = apply(&h, a, rest, n);
    if (rc == FAIL) return EXIT_FAILURE;
    if ((err = queue_write_header(&h))) {
        printf("Message %s - failed to write its header: %s\n", id, err);
        log_write(L_always, LOG_MAIN | LOG_PANIC, "failed to rewrite header: %s", err);
        return EXIT_FAILURE;
    }
    if (rc == MA_DONE_MODIFIED) printf("Message %s has been modified\n", id);
    return EXIT_SUCCESS;
}

static int change(const char *id, enum msg_action a, char **rest, int n)
{
    msg.id = (char *)id;
    int fd = queue_lock(id), rc;
    if (fd == -2) {
        printf("Message %s is locked\n", id);
        rc = EXIT_FAILURE;
    } else if (fd < 0) {
        log_write(L_always, LOG_MAIN, "Spool file %s-D not found", id);
        rc = a == MA_REMOVE ? remove_missing(id) : (printf("Spool data file for %s does not exist\n", id), EXIT_FAILURE);
    } else {
        rc = change_locked(id, a, rest, n);
        close(fd);
    }
    msg.id = NULL;
    return rc;
}

static int deliver(const char *id, enum msg_action a)
{
    rmark m = store_mark();
    deliver_message(id, a != MA_DELIVER_CHECK, a == MA_GIVE_UP);
    store_reset(m);
    msg.id = NULL;
    return EXIT_SUCCESS;
}

int msgaction_run(void)
{
    struct queue_cmd *q = &queue_cmdline;
    enum msg_action a = q->action;
    bool prod = a == MA_DELIVER || a == MA_DELIVER_CHECK;
    if (!proc.admin_user && a != MA_REMOVE && !(prod && !cfg.prod_requires_admin)) {
        fprintf(stderr, "tern: permission denied\n");
        return EXIT_FAILURE;
    }
    if (a >= MA_VIEW_HEADER) return view(a, q->args, q->nargs);
    if (a == MA_ADD_RCPT || a == MA_MARK || a == MA_EDIT_SENDER)
        return change(q->args[0], a, q->args + 1, q->nargs - 1);
    int rc = EXIT_SUCCESS;
    for (int i = 0; i < q->nargs; i++) {
        rmark m = store_mark();
        int r = prod || a == MA_GIVE_UP ? deliver(q->args[i], a) : change(q->args[i], a, NULL, 0);
        if (r != EXIT_SUCCESS) rc = r;
        store_reset(m);
    }
    if (a == MA_MARK_ALL) printf("\n"); /* Exim ends -Mmad output with a blank line */
    return rc;
}
