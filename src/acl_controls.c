/* acl_controls.c - the "control =" modifier: every Exim 4.96 control,
 * where each is allowed, and the state each one sets (conn.acl for the
 * connection-wide controls, msg.acl for the per-message ones).
 *
 * Setting a control only records it; smtp_in.c, receive.c and the
 * delivery code act on the recorded values. */

/* MTA core */
#include "tern.h"
#include "globals.h"
#include "log.h"
/* This module */
#include "acl_int.h"
#include "debuglog.h"

typedef struct control_def {
    const char *name;
    unsigned forbids;   /* AW() bits */
    bool takes_opts;    /* "/..." allowed after the name */
    int (*fn)(acl_ctx *x, const char *opts);
} control_def;

static int c_allow_auth(acl_ctx *x, const char *o) { conn.acl.allow_auth_unadvertised = true; return OK; }
static int c_caseful(acl_ctx *x, const char *o)
{
    conn.acl.rcpt_caseful = 1;
    if (x->recipient) {
        const char *at = strrchr(x->recipient, '@');
        dlv.local_part = at ? string_copyn(x->recipient, (size_t)(at - x->recipient)) : string_copy(x->recipient);
    }
    return OK;
}
static int c_caselower(acl_ctx *x, const char *o)
{
    conn.acl.rcpt_caseful = 0;
    if (dlv.local_part) dlv.local_part = string_lc(dlv.local_part);
    return OK;
}

/* c_cutthrough - "/defer=pass" or "/defer=spool" */
static int c_cutthrough(acl_ctx *x, const char *o)
{
    msg.acl.cutthrough = true;
    if (!o) return OK;
    if (strcmp(o, "defer=pass") == 0) msg.acl.cutthrough_defer_pass = true;
    else if (strcmp(o, "defer=spool") != 0) return FAIL;
    return OK;
}

/* c_debug - "/tag=..", "/opts=..", "/stop", "/kill", "/pretrigger=..",
 * "/trigger=.." (debuglog.c) */
static int c_debug(acl_ctx *x, const char *o)
{
    const char *err = debuglog_control(o && *o == '/' ? o + 1 : o);
    if (!err) return OK;
    x->err_msg = string_copy(err);
    return ERROR;
}

static int c_dkim_off(acl_ctx *x, const char *o) { msg.acl.dkim_disable_verify = true; return OK; }
static int c_dmarc_off(acl_ctx *x, const char *o) { msg.acl.dmarc_disable_verify = true; return OK; }
static int c_dmarc_forensic(acl_ctx *x, const char *o) { msg.acl.dmarc_enable_forensic = true; return OK; }
static int c_dscp(acl_ctx *x, const char *o)
{
    if (!o || !*o) return FAIL;
    conn.acl.dscp = string_copy(o);
    return OK;
}
static int c_enforce_sync(acl_ctx *x, const char *o) { conn.acl.enforce_sync = 1; return OK; }
static int c_no_enforce_sync(acl_ctx *x, const char *o) { conn.acl.enforce_sync = 0; return OK; }

/* c_error - "control = error" makes the ACL fail with an error, which
 * Exim 4.96 logs with no text of its own */
static int c_error(acl_ctx *x, const char *o) { return ERROR; }

static int c_fake(acl_ctx *x, const char *o, int rc)
{
    msg.acl.fake_response = rc;
    if (o && *o) msg.acl.fake_response_text = string_copy(o);
    return OK;
}
static int c_fakedefer(acl_ctx *x, const char *o) { return c_fake(x, o, DEFER); }
static int c_fakereject(acl_ctx *x, const char *o) { return c_fake(x, o, FAIL); }

static int c_freeze(acl_ctx *x, const char *o)
{
    if (o && strcmp(o, "no_tell") != 0) return FAIL;
    msg.acl.freeze = true;
    if (o) msg.acl.freeze_no_tell = true;
    return OK;
}

static int c_no_callout_flush(acl_ctx *x, const char *o) { conn.acl.no_callout_flush = true; return OK; }
static int c_no_delay_flush(acl_ctx *x, const char *o) { conn.acl.no_delay_flush = true; return OK; }
static int c_no_mbox_unspool(acl_ctx *x, const char *o) { msg.acl.no_mbox_unspool = true; return OK; }
static int c_no_multiline(acl_ctx *x, const char *o) { conn.acl.no_multiline_responses = true; return OK; }
static int c_no_pipelining(acl_ctx *x, const char *o) { conn.acl.no_pipelining = true; return OK; }

/* c_queue - "queue", "queue/first_pass_route", "queue_only" */
static int c_queue(acl_ctx *x, const char *o)
{
    if (o && strcmp(o, "first_pass_route") != 0) return FAIL;
    msg.acl.queue = true;
    if (o) msg.acl.queue_first_pass_route = true;
    return OK;
}

/* c_submission - "/sender_retain", "/domain=D", "/name=N" (name must be last) */
static int c_submission(acl_ctx *x, const char *o)
{
    msg.acl.submission = true;
    msg.acl.submission_domain = NULL;
    while (o && *o) {
        if (string_has_prefix(o, "sender_retain")) { msg.acl.submission_sender_retain = true; o += 13; }
        else if (string_has_prefix(o, "name=")) { msg.acl.submission_name = string_copy(o + 5); return OK; }
        else if (string_has_prefix(o, "domain=")) {
            const char *end = strchr(o + 7, '/');
            msg.acl.submission_domain = end ? string_copyn(o + 7, (size_t)(end - o - 7)) : string_copy(o + 7);
            o = end ? end : o + strlen(o);
        } else return FAIL;
        if (*o == '/') o++;
        else if (*o) return FAIL;
    }
    return OK;
}

static int c_suppress_fixups(acl_ctx *x, const char *o) { msg.acl.suppress_local_fixups = true; return OK; }

/* c_utf8 - "utf8_downconvert", "/1", "/0", "/-1" */
static int c_utf8(acl_ctx *x, const char *o)
{
    if (!o || strcmp(o, "1") == 0) msg.acl.utf8_downconvert = 1;
    else if (strcmp(o, "0") == 0) msg.acl.utf8_downconvert = 0;
    else if (strcmp(o, "-1") == 0) msg.acl.utf8_downconvert = 2;
    else return FAIL;
    return OK;
}

/* c_wellknown - only meaningful in Exim's WELLKNOWN ACL, which Tern has not */
static int c_wellknown(acl_ctx *x, const char *o) { return OK; }

#define ONLY(m) AW_ONLY(m)
#define A(w) AW(ACL_WHERE_##w)
#define AFTER_DATA (A(DATA) | A(NOTSMTP) | A(DKIM) | A(MIME) | A(PRDR))

static const control_def controls[] = {
    {"allow_auth_unadvertised", ONLY(A(CONNECT) | A(HELO)), false, c_allow_auth},
    {"caseful_local_part", ONLY(A(RCPT)), false, c_caseful},
    {"caselower_local_part", ONLY(A(RCPT)), false, c_caselower},
    {"cutthrough_delivery", ONLY(A(RCPT)), true, c_cutthrough},
    {"debug", 0, true, c_debug},
    {"dkim_disable_verify", AFTER_DATA, false, c_dkim_off},
    {"dmarc_disable_verify", AFTER_DATA, false, c_dmarc_off},
    {"dmarc_enable_forensic", AFTER_DATA, false, c_dmarc_forensic},
    {"dscp", AW_NOTSMTP, true, c_dscp},
    {"enforce_sync", AW_NOTSMTP, false, c_enforce_sync},
    {"error", 0, false, c_error},
    {"fakedefer", ONLY(A(MAIL) | A(RCPT) | A(PREDATA) | A(DATA) | A(MIME) | A(DKIM) | A(PRDR)), true, c_fakedefer},
    {"fakereject", ONLY(A(MAIL) | A(RCPT) | A(PREDATA) | A(DATA) | A(MIME) | A(DKIM) | A(PRDR)), true, c_fakereject},
    {"freeze", ONLY(AW_MSG), true, c_freeze},
    {"no_callout_flush", AW_NOTSMTP, false, c_no_callout_flush},
    {"no_delay_flush", AW_NOTSMTP, false, c_no_delay_flush},
    {"no_enforce_sync", AW_NOTSMTP, false, c_no_enforce_sync},
    {"no_mbox_unspool", ONLY(AW_MSG), false, c_no_mbox_unspool},
    {"no_multiline_responses", AW_NOTSMTP, false, c_no_multiline},
    {"no_pipelining", AW_NOTSMTP, false, c_no_pipelining},
    {"queue", ONLY(AW_MSG), true, c_queue},
    {"queue_only", ONLY(AW_MSG), false, c_queue},
    {"submission", ONLY(A(MAIL) | A(RCPT) | A(PREDATA)), true, c_submission},
    {"suppress_local_fixups", ONLY(A(MAIL) | A(RCPT) | A(PREDATA) | A(NOTSMTP_START)), false, c_suppress_fixups},
    {"utf8_downconvert", 0, true, c_utf8},
    {"wellknown", AW_ALL, false, c_wellknown},
};

/* control_find - the row for "name[/opts]"; NULL if unknown or bad options */
static const control_def *control_find(const char *arg, const char **opts)
{
    size_t n = strcspn(arg, "/");
    for (size_t i = 0; i < NELEM(controls); i++) {
        if (strlen(controls[i].name) != n || strncmp(controls[i].name, arg, n) != 0) continue;
        *opts = arg[n] == '/' ? arg + n + 1 : NULL;
        if (*opts && !controls[i].takes_opts) return NULL;
        return &controls[i];
    }
    return NULL;
}

int acl_control(acl_ctx *x, const char *arg)
{
    const char *opts;
    const control_def *d = control_find(arg, &opts);
    if (!d) {
        x->err_msg = string_sprintf("syntax error in \"control=%s\"", arg);
        return ERROR;
    }
    if (d->forbids & AW(x->where)) {
        x->err_msg = string_sprintf("cannot use \"control=%s\" in %s ACL", d->name, acl_where_desc(x->where));
        return ERROR;
    }
    int rc = d->fn(x, opts);
    if (rc == FAIL) {
        x->err_msg = string_sprintf("syntax error in \"control=%s\"", arg);
        return ERROR;
    }
    return rc;
}
