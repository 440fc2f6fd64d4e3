/* queue_list.c - -bp and its variants: the queue listing in Exim's exact
 * layout, which exiqgrep, exiqsumm and mailq users parse.
 *
 *   <age> <size> <id> <sender>[ (login)][ *** frozen ***]
 *           <recipient>           (or "        D <recipient>" if delivered)
 *         +D <generated address>  (-bpa only)
 *   <blank line>
 *
 * Runs as the caller (root or the exim user); reads the spool only. */

/* System */
#include <sys/stat.h>
#include <time.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
#include "queue.h"
#include "spool.h"

/* -bp variants */
#define BP_UNDELIVERED 0x01 /* u: hide delivered recipients */
#define BP_ALL         0x02 /* a: also delivered generated addresses */
#define BP_COUNT       0x04 /* c: just the number of messages */
#define BP_UNSORTED    0x08 /* r: directory order */

/* The -D file's first line ("<id>-D\n") is not part of the message, but
 * the blank line between header and body is. */
#define BP_DATA_OVERHEAD (MESSAGE_ID_LENGTH + 3 - 1)

#define MINUTES_AS_HOURS 90 /* beyond this, the age is shown in hours */
#define HOURS_AS_DAYS 72    /* and beyond this, in days */

char *queue_format_age(long seconds)
{
    long m = seconds / 60;
    if (m <= MINUTES_AS_HOURS) return string_sprintf("%2ldm", m);
    long h = (m + 30) / 60;
    if (h <= HOURS_AS_DAYS) return string_sprintf("%2ldh", h);
    return string_sprintf("%2ldd", (h + 12) / 24);
}

char *queue_format_size(long long size)
{
    const long long k = 1024, m = 1024 * 1024;
    if (size <= 0) return string_copy("     ");
    if (size < k) return string_sprintf("%5lld", size);
    if (size < 10 * k) return string_sprintf("%4.1fK", (double)size / (double)k);
    if (size < m) return string_sprintf("%4lldK", (size + k / 2) / k);
    if (size < 10 * m) return string_sprintf("%4.1fM", (double)size / (double)m);
    return string_sprintf("%4lldM", (size + m / 2) / m);
}

/* bp_parse_mode - "bp", "bpa"... into BP_* bits; -1 if not a -bp mode */
static int bp_parse_mode(const char *mode)
{
    static const struct { const char *name; int bits; } modes[] = {
        {"bp", 0}, {"bpa", BP_ALL}, {"bpc", BP_COUNT}, {"bpr", BP_UNSORTED},
        {"bpra", BP_UNSORTED | BP_ALL}, {"bpru", BP_UNSORTED | BP_UNDELIVERED},
        {"bpu", BP_UNDELIVERED}};
    for (size_t i = 0; i < NELEM(modes); i++)
        if (strcmp(mode, modes[i].name) == 0) return modes[i].bits;
    return -1;
}

/* delivered set: the -H non-recipients plus the -J journal's lines */
typedef struct bp_done {
    char **addr;
    bool *used;
    int n;
} bp_done;

static void done_from_journal(bp_done *d, const char *id)
{
    size_t len;
    const char *err;
    char *j = spool_read_file(queue_input_path(id, "-J"), &len, 0, &err);
    if (!j) return;
    int lines = 0;
    for (size_t i = 0; i < len; i++) lines += j[i] == '\n';
    char **a = store_get((size_t)(d->n + lines) * sizeof(char *), GET_UNTAINTED);
    if (d->n) memcpy(a, d->addr, (size_t)d->n * sizeof(char *));
    d->addr = a;
    for (char *p = j, *nl; (nl = memchr(p, '\n', len - (size_t)(p - j))); p = nl + 1) {
        *nl = 0;
        d->addr[d->n++] = p;
    }
}

static void done_build(bp_done *d, const spool_header *h)
{
    d->addr = h->nonrecipients;
    d->n = h->nonrecipients_count;
    done_from_journal(d, h->id);
    d->used = store_get_zero((size_t)d->n + 1, GET_UNTAINTED);
}

static bool done_find(bp_done *d, const char *addr)
{
    bool found = false;
    for (int i = 0; i < d->n; i++)
        if (strcmp(d->addr[i], addr) == 0) found = d->used[i] = true;
    return found;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* bp_extras - -bpa: delivered addresses that are not top-level recipients */
static void bp_extras(bp_done *d)
{
    char **extra = store_get((size_t)d->n * sizeof(char *) + 1, GET_UNTAINTED);
    int n = 0;
    for (int i = 0; i < d->n; i++)
        if (!d->used[i]) extra[n++] = d->addr[i];
    if (n > 1) qsort(extra, (size_t)n, sizeof *extra, cmp_str);
    for (int i = 0; i < n; i++)
        if (i == 0 || strcmp(extra[i], extra[i - 1]) != 0) printf("       +D %s\n", extra[i]);
}

static long long bp_size(const spool_header *h)
{
    struct stat st;
    if (stat(queue_input_path(h->id, "-D"), &st) != 0) return 0;
    long long size = st.st_size - BP_DATA_OVERHEAD;
    for (const header_line *hl = h->headers; hl; hl = hl->next)
        if (hl->type != HTYPE_OLD) size += (long long)hl->slen;
    return size;
}

/* bp_bad - a -H file that cannot be read or parsed */
static void bp_bad(const char *id, bool missing)
{
    struct stat st;
    printf("      %s\n    ", id);
    if (missing) printf("*** spool read error: %s ***", strerror(ENOENT));
    else if (stat(queue_input_path(id, "-H"), &st) == 0)
        printf("*** spool format error: size=%lld ***", (long long)st.st_size);
    else printf("*** spool format error ***");
    printf("\n\n");
}

static void bp_one(const char *id, int bits, time_t now)
{
    spool_header h;
    bool missing;
    if (queue_read_header(id, &h, &missing)) { bp_bad(id, missing); return; }
    bp_done d;
    done_build(&d, &h);
    printf("%s %s %s <%s>", queue_format_age((long)(now - h.received_time)), queue_format_size(bp_size(&h)),
           id, h.sender);
    if (h.sender_set_untrusted) printf(" (%s)", h.caller_login);
    if (h.frozen_at) printf(" *** frozen ***");
    printf("\n");
    for (int i = 0; i < h.recipients_count; i++) {
        bool delivered = done_find(&d, h.recipients[i].address);
        if (!delivered || !(bits & BP_UNDELIVERED))
            printf("        %s %s\n", delivered ? "D" : " ", h.recipients[i].address);
    }
    if (bits & BP_ALL) bp_extras(&d);
    printf("\n");
}

int queue_list_mode(const char *mode, int argc, char **argv, bool *handled)
{
    int bits = bp_parse_mode(mode);
    *handled = bits >= 0;
    if (!*handled) return EXIT_FAILURE;
    if (cfg.queue_list_requires_admin && !proc.admin_user) {
        fprintf(stderr, "tern: permission denied\n");
        return EXIT_FAILURE;
    }
    int n;
    queue_entry *list = queue_scan(!(bits & BP_UNSORTED), &n);
    if (bits & BP_COUNT) {
        printf("%d\n", n);
        return EXIT_SUCCESS;
    }
    time_t now = time(NULL);
    for (int i = 0; i < (argc > 0 ? argc : n); i++) {
        rmark m = store_mark();
        bp_one(argc > 0 ? argv[i] : list[i].id, bits, now);
        store_reset(m);
    }
    return EXIT_SUCCESS;
}
