/* redis.c - EXPERIMENTAL_REDIS: Redis lookups with hiredis.
 *
 * Built only when Local/Makefile sets EXPERIMENTAL_REDIS=yes. This file owns
 * the module's options block (its rows sit in the option tables inside
 * #ifdef EXPERIMENTAL_REDIS) and its lifecycle hooks.
 *
 * Hook sites (grep -rn xp_redis_ src/ must match this list):
 *   modules.c    xp_redis_module in modules_list
 *   cfg_main.c   xp_redis_opts in the main option rows
 *   lookups.c    xp_redis_lookup_info in the lookup registry (added at merge)
 *                (${lookup redis{...}}, ${quote_redis:...}, -bV's version line)
 *
 * Runs in any process that expands a lookup (SMTP child, delivery, -be).
 * Connections are opened on first use and kept for the life of the process
 * (closed by the lookup's tidy hook). The query never passes through a
 * format string: it is split into words here and sent with explicit
 * lengths, so a value cannot add words or commands however it is built.
 *
 * Taint: a Redis server is run by the admin, like an SQL database, so its
 * replies are allocated untainted, as Exim treats database lookups
 * (STYLE.md section 6). Words of a tainted query stay tainted.
 */

/* System */
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <sys/time.h>
#include <hiredis/hiredis.h>
/* MTA core */
#include "../tern.h"
#include "../log.h"
/* This module */
#include "redis.h"

struct xp_redis_options xp_redis_opts = {
    .redis_servers = NULL,
};

const module_info xp_redis_module = {
    .name = "redis",
    .feature_word = "Experimental_Redis",
};

/* ---- splitting and quoting (${quote_redis:}) ---- */

/* is_white - the separators of a redis query; the same set the quoter escapes */
static bool is_white(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* xp_redis_split - see redis.h */
int xp_redis_split(const char *q, size_t len, char ***argv, size_t **lens, int *argc, char **err)
{
    bool tainted = store_is_tainted(q);
    char **v = store_get(LIMIT_REDIS_ARGS * sizeof *v, GET_UNTAINTED);
    size_t *l = store_get(LIMIT_REDIS_ARGS * sizeof *l, GET_UNTAINTED);
    char *out = store_get(len + 1, tainted); /* words never grow */
    size_t i = 0, o = 0;
    int n = 0;
    for (;;) {
        while (i < len && is_white((unsigned char)q[i])) i++;
        if (i >= len) break;
        if (n == LIMIT_REDIS_ARGS) {
            *err = string_sprintf("redis: more than %d words in the query", LIMIT_REDIS_ARGS);
            return FAIL;
        }
        v[n] = out + o;
        while (i < len && !is_white((unsigned char)q[i])) {
            if (q[i] == '\\' && ++i >= len) {
                *err = "redis: query ends with a lone backslash";
                return FAIL;
            }
            out[o++] = q[i++];
        }
        l[n] = (size_t)(out + o - v[n]);
        out[o++] = 0; /* for debug output only: lengths are what is sent */
        n++;
    }
    if (n == 0) {
        *err = "redis: empty query";
        return FAIL;
    }
    *argv = v, *lens = l, *argc = n;
    return OK;
}

/* xp_redis_quote - see redis.h */
char *xp_redis_quote(const char *s, const char *opt)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) n += (is_white((unsigned char)*p) || *p == '\\') ? 2 : 1;
    char *out = store_get(n + 1, store_is_tainted(s)), *o = out;
    for (const char *p = s; *p; p++) {
        if (is_white((unsigned char)*p) || *p == '\\') *o++ = '\\';
        *o++ = *p;
    }
    *o = 0;
    return out;
}

/* ---- redis_servers entries ---- */

struct redis_server {
    const char *name;     /* host:port or socket, for messages (never the password) */
    const char *host;     /* NULL when socket is set */
    int port;
    const char *socket;
    int db;               /* -1: no SELECT */
    const char *password; /* NULL: no AUTH */
};

/* parse_port - decimal 1..65535 */
static bool parse_port(const char *s, int *port)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 65535) return false;
    *port = (int)v;
    return true;
}

/* parse_host - "(path)", "/path", "[v6]:port", "host:port", "host", "v6" up
 * to the first '/' that ends it; *rest is what follows */
static bool parse_host(const char *item, struct redis_server *s, const char **rest)
{
    const char *end;
    s->port = 6379;
    if (*item == '/') { s->socket = item, *rest = ""; return true; } /* no db/password fields */
    if (*item == '(' || *item == '[') {
        if (!(end = strchr(item, *item == '(' ? ')' : ']')) || end == item + 1) return false;
        char *inner = string_copyn(item + 1, (size_t)(end - item - 1));
        if (*item == '(') s->socket = inner; else s->host = inner;
        end++;
        if (s->host && *end == ':') {
            size_t pl = strcspn(end + 1, "/");
            if (!parse_port(string_copyn(end + 1, pl), &s->port)) return false;
            end += 1 + pl;
        }
        *rest = end;
        return *end == 0 || *end == '/';
    }
    size_t hl = strcspn(item, "/");
    char *host = string_copyn(item, hl), *colon = strchr(host, ':');
    if (colon && !strchr(colon + 1, ':')) { /* one colon: host:port; more: bare IPv6 */
        *colon = 0;
        if (!parse_port(colon + 1, &s->port)) return false;
    }
    s->host = host;
    *rest = item + hl;
    return *host != 0;
}

/* parse_server - one redis_servers item: host/database/password */
static bool parse_server(const char *item, struct redis_server *s, char **err)
{
    const char *rest;
    memset(s, 0, sizeof *s);
    s->db = -1;
    if (!parse_host(item, s, &rest)) {
        *err = string_sprintf("redis: bad server \"%s\" in redis_servers", string_printing(item));
        return false;
    }
    s->name = s->socket ? s->socket : string_sprintf("%s:%d", s->host, s->port);
    if (*rest == '/') {
        rest++;
        size_t dl = strcspn(rest, "/");
        if (dl) {
            char *db = string_copyn(rest, dl), *end;
            errno = 0;
            long v = strtol(db, &end, 10);
            if (errno || *end || v < 0 || v > INT_MAX) {
                *err = string_sprintf("redis: bad database number \"%s\" for %s", db, s->name);
                return false;
            }
            s->db = (int)v;
        }
        rest += dl;
        if (*rest == '/' && rest[1]) s->password = rest + 1; /* may itself hold '/' */
    }
    return true;
}

/* ---- connections, kept for the life of the process ---- */

struct redis_conn {
    char *key; /* name/db/password: one connection per distinct entry */
    redisContext *ctx;
};

/* Owned by this file (a per-process cache, like Exim's). */
static struct redis_conn redis_conns[2 * LIMIT_REDIS_SERVERS];

static char *conn_key(const struct redis_server *s)
{
    return string_sprintf("%s/%d/%s", s->name, s->db, s->password ? s->password : "");
}

static struct redis_conn *conn_find(const char *key)
{
    for (size_t i = 0; i < NELEM(redis_conns); i++)
        if (redis_conns[i].ctx && strcmp(redis_conns[i].key, key) == 0) return &redis_conns[i];
    return NULL;
}

/* conn_drop - close a cached connection (after an I/O error) */
static void conn_drop(const struct redis_server *s)
{
    struct redis_conn *c = conn_find(conn_key(s));
    if (!c) return;
    redisFree(c->ctx);
    c->ctx = NULL;
}

/* setup_command - AUTH or SELECT on a new connection; OK or DEFER */
static int setup_command(redisContext *ctx, const struct redis_server *s, const char *cmd,
                         const char *arg, char **err)
{
    const char *argv[2] = {cmd, arg};
    size_t lens[2] = {strlen(cmd), strlen(arg)};
    redisReply *r = redisCommandArgv(ctx, 2, argv, lens);
    int rc = r && r->type == REDIS_REPLY_STATUS ? OK : DEFER;
    if (rc != OK)
        *err = string_sprintf("redis: %s on %s failed: %s", cmd, s->name,
                              r && r->type == REDIS_REPLY_ERROR ? string_printing(r->str)
                                                                : ctx->errstr);
    if (r) freeReplyObject(r);
    return rc;
}

/* server_connect - a new, authenticated, selected connection or NULL */
static redisContext *server_connect(const struct redis_server *s, char **err)
{
    struct timeval ctv = {LIMIT_REDIS_CONNECT_TIMEOUT, 0}, qtv = {LIMIT_REDIS_COMMAND_TIMEOUT, 0};
    redisContext *ctx = s->socket ? redisConnectUnixWithTimeout(s->socket, ctv)
                                  : redisConnectWithTimeout(s->host, s->port, ctv);
    if (!ctx || ctx->err) {
        *err = string_sprintf("redis: cannot connect to %s: %s", s->name, ctx ? ctx->errstr : "out of memory");
        if (ctx) redisFree(ctx);
        return NULL;
    }
    bool ok = redisSetTimeout(ctx, qtv) == REDIS_OK;
    if (!ok) *err = string_sprintf("redis: cannot set the timeout on %s", s->name);
    if (ok && s->password) ok = setup_command(ctx, s, "AUTH", s->password, err) == OK;
    if (ok && s->db >= 0) ok = setup_command(ctx, s, "SELECT", string_sprintf("%d", s->db), err) == OK;
    if (!ok) redisFree(ctx);
    return ok ? ctx : NULL;
}

/* conn_get - the cached connection for s, or a new one; *reused tells which */
static redisContext *conn_get(const struct redis_server *s, bool *reused, char **err)
{
    char *key = conn_key(s);
    struct redis_conn *c = conn_find(key);
    *reused = c != NULL;
    if (c) return c->ctx;
    redisContext *ctx = server_connect(s, err);
    if (!ctx) return NULL;
    DEBUG(D_lookup) debug_printf("redis: connected to %s\n", s->name);
    for (size_t i = 0; i < NELEM(redis_conns); i++)
        if (!redis_conns[i].ctx) {
            redis_conns[i].key = store_get_in(POOL_PERM, strlen(key) + 1, GET_UNTAINTED);
            memcpy(redis_conns[i].key, key, strlen(key) + 1);
            redis_conns[i].ctx = ctx;
            return ctx;
        }
    redisFree(ctx);
    *err = string_sprintf("redis: more than %zu distinct servers in use", NELEM(redis_conns));
    return NULL;
}

/* xp_redis_tidy - see redis.h */
void xp_redis_tidy(void)
{
    for (size_t i = 0; i < NELEM(redis_conns); i++)
        if (redis_conns[i].ctx) redisFree(redis_conns[i].ctx), redis_conns[i].ctx = NULL;
}

/* ---- replies ---- */

/* reply_size - bytes needed for r flattened; false with *err for server
 * errors, NUL bytes (a C string cannot carry them) and oversized replies */
static bool reply_size(const redisReply *r, int depth, size_t *n, char **err)
{
    switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        if (memchr(r->str, 0, r->len)) { *err = "redis: reply contains a NUL byte"; return false; }
        *n += r->len + 1;
        break;
    case REDIS_REPLY_INTEGER: *n += 22; break;
    case REDIS_REPLY_NIL: *n += 1; break;
    case REDIS_REPLY_ARRAY:
        if (depth > 16) { *err = "redis: reply nested too deeply"; return false; }
        for (size_t i = 0; i < r->elements; i++)
            if (!reply_size(r->element[i], depth + 1, n, err)) return false;
        break;
    default:
        *err = string_sprintf("redis: server error: %s",
                              r->type == REDIS_REPLY_ERROR ? string_printing(r->str) : "unknown reply type");
        return false;
    }
    if (*n > LIMIT_REDIS_REPLY) { *err = "redis: reply larger than 64 MB"; return false; }
    return true;
}

/* reply_flatten - leaves of r in order, one per line (a nil element is an
 * empty line, so MGET keeps its positions) */
static void reply_flatten(const redisReply *r, char *buf, size_t *o, bool *first)
{
    if (r->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < r->elements; i++) reply_flatten(r->element[i], buf, o, first);
        return;
    }
    if (!*first) buf[(*o)++] = '\n';
    *first = false;
    if (r->type == REDIS_REPLY_INTEGER) {
        *o += (size_t)snprintf(buf + *o, 22, "%lld", r->integer);
    } else if (r->type != REDIS_REPLY_NIL) {
        memcpy(buf + *o, r->str, r->len);
        *o += r->len;
    }
}

/* reply_result - OK with the text, FAIL for nil, DEFER for errors */
static int reply_result(const redisReply *r, char **result, char **err)
{
    size_t n = 1, o = 0;
    bool first = true;
    if (r->type == REDIS_REPLY_NIL) return FAIL;
    if (!reply_size(r, 0, &n, err)) return DEFER;
    char *buf = store_get(n, GET_UNTAINTED); /* an admin-run database */
    reply_flatten(r, buf, &o, &first);
    ASSERT(o < n);
    buf[o] = 0;
    *result = buf;
    return OK;
}

/* redirect_target - a cluster MOVED/ASK error: where to go instead */
static bool redirect_target(const redisReply *r, const struct redis_server *from,
                            struct redis_server *to, bool *asking)
{
    if (r->type != REDIS_REPLY_ERROR) return false;
    bool moved = strncmp(r->str, "MOVED ", 6) == 0, ask = strncmp(r->str, "ASK ", 4) == 0;
    if (!moved && !ask) return false;
    const char *addr = strchr(r->str + (moved ? 6 : 4), ' ');
    const char *colon = addr ? strrchr(addr, ':') : NULL;
    memset(to, 0, sizeof *to);
    if (!colon || colon == addr + 1 || !parse_port(colon + 1, &to->port)) return false;
    to->host = string_copyn(addr + 1, (size_t)(colon - addr - 1));
    to->name = string_sprintf("%s:%d", to->host, to->port);
    to->db = -1; /* a cluster has only database 0 */
    to->password = from->password;
    *asking = ask;
    return true;
}

/* ---- the lookup ---- */

struct redis_cmd {
    int argc;
    char **argv;
    size_t *lens;
};

/* send_command - the command (after ASKING for an ASK redirection) */
static redisReply *send_command(redisContext *ctx, const struct redis_cmd *cmd, bool asking)
{
    if (asking) {
        const char *a[1] = {"ASKING"};
        size_t l[1] = {6};
        redisReply *r = redisCommandArgv(ctx, 1, a, l);
        if (!r) return NULL;
        freeReplyObject(r);
    }
    return redisCommandArgv(ctx, cmd->argc, (const char **)cmd->argv, cmd->lens);
}

/* stale - the error says the peer closed a kept connection (a restart),
 * not that it is slow: only then is the command worth sending again */
static bool stale(const redisContext *ctx)
{
    return ctx->err == REDIS_ERR_EOF ||
           (ctx->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
}

/* command_on - run cmd on s; a cached connection that has gone stale (the
 * server restarted) is reopened once. NULL with *err when s is unusable. */
static redisReply *command_on(const struct redis_server *s, const struct redis_cmd *cmd,
                              bool asking, char **err)
{
    bool reused;
    redisContext *ctx = conn_get(s, &reused, err);
    if (!ctx) return NULL;
    redisReply *r = send_command(ctx, cmd, asking);
    if (!r && reused && stale(ctx)) {
        DEBUG(D_lookup) debug_printf("redis: %s: %s; reconnecting\n", s->name, ctx->errstr);
        conn_drop(s);
        if (!(ctx = conn_get(s, &reused, err))) return NULL;
        r = send_command(ctx, cmd, asking);
    }
    if (!r) {
        *err = string_sprintf("redis: %s: %s", s->name, ctx->errstr[0] ? ctx->errstr : "no reply");
        conn_drop(s);
    }
    return r;
}

/* server_query - run cmd on one server, following cluster redirections.
 * *next is set when the server could not be used, so the caller tries
 * the next one; an answer from the server (even an error) is final. */
static int server_query(const struct redis_server *first, const struct redis_cmd *cmd,
                        char **result, char **err, bool *next)
{
    struct redis_server hop[2];
    const struct redis_server *s = first;
    bool asking = false;
    for (int hops = 0;; hops++) {
        redisReply *r = command_on(s, cmd, asking, err);
        if (!r) { *next = true; return DEFER; }
        struct redis_server *to = &hop[hops & 1];
        if (redirect_target(r, first, to, &asking)) {
            DEBUG(D_lookup) debug_printf("redis: %s redirects: %s\n", s->name, string_printing(r->str));
            freeReplyObject(r);
            if (hops == LIMIT_REDIS_REDIRECTS) {
                *err = string_sprintf("redis: more than %d cluster redirections", LIMIT_REDIS_REDIRECTS);
                return DEFER;
            }
            s = to;
            continue;
        }
        int rc = reply_result(r, result, err);
        freeReplyObject(r);
        return rc;
    }
}

/* server_by_host - a servers= item without '/' names a redis_servers entry */
static const char *server_by_host(const char *host, char **err)
{
    const char *list = xp_redis_opts.redis_servers ? xp_redis_opts.redis_servers : "";
    int sep = 0;
    for (char *item; (item = string_nextinlist(&list, &sep));) {
        size_t hl = strcspn(item, "/");
        if (strlen(host) == hl && strncmp(item, host, hl) == 0) return item;
    }
    *err = string_sprintf("redis: no server \"%s\" in redis_servers", string_printing(host));
    return NULL;
}

/* server_list - the servers= lookup option, or redis_servers */
static const char *server_list(const char *opts, char **err)
{
    if (opts && *opts) {
        if (strncmp(opts, "servers=", 8) != 0) {
            *err = string_sprintf("redis: unknown lookup option \"%s\"", string_printing(opts));
            return NULL;
        }
        return opts + 8;
    }
    if (!xp_redis_opts.redis_servers || !*xp_redis_opts.redis_servers) {
        *err = "redis: the redis_servers option is not set";
        return NULL;
    }
    return xp_redis_opts.redis_servers;
}

/* cacheable - commands whose result may be reused within one lookup cache
 * lifetime; anything that writes, counts or expires must run every time */
static bool cacheable(const char *w)
{
    static const char *const reads[] = {"EXISTS", "GET", "HEXISTS", "HGET", "HGETALL", "HKEYS",
                                        "HLEN", "HMGET", "HVALS", "LINDEX", "LLEN", "LRANGE",
                                        "MGET", "SCARD", "SISMEMBER", "SMEMBERS", "STRLEN",
                                        "ZCARD", "ZRANGE", "ZSCORE"};
    for (size_t i = 0; i < NELEM(reads); i++)
        if (strcasecmp(w, reads[i]) == 0) return true;
    return false;
}

/* try_servers - each server in order until one answers */
static int try_servers(const char *list, const struct redis_cmd *cmd, char **result, char **err)
{
    int sep = 0, tried = 0;
    for (char *item; (item = string_nextinlist(&list, &sep));) {
        struct redis_server s;
        bool next = false;
        if (!strchr(item, '/') && !(item = (char *)server_by_host(item, err))) return DEFER;
        if (!parse_server(item, &s, err)) return DEFER;
        if (++tried > LIMIT_REDIS_SERVERS) {
            *err = string_sprintf("redis: more than %d servers in the list", LIMIT_REDIS_SERVERS);
            return DEFER;
        }
        int rc = server_query(&s, cmd, result, err, &next);
        if (!next) return rc;
        DEBUG(D_lookup) debug_printf("%s; trying the next server\n", *err);
    }
    if (!tried) *err = "redis: no servers in the list";
    return DEFER;
}

/* redis_find - the lookup: OK with *result, FAIL for a nil reply, DEFER
 * with *err. SIGPIPE is ignored meanwhile: hiredis writes with write(2),
 * and a server that died must give an error, not kill this process. */
static int redis_find(void *handle, const char *filename, const char *query, size_t len,
                      char **result, char **err, unsigned *do_cache, const char *opts)
{
    struct redis_cmd cmd;
    if (xp_redis_split(query, len, &cmd.argv, &cmd.lens, &cmd.argc, err) != OK) return DEFER;
    if (!cacheable(cmd.argv[0])) *do_cache = 0;
    const char *list = server_list(opts, err);
    if (!list) return DEFER;
    DEBUG(D_lookup) debug_printf("redis: query %s\n", string_printing_n(query, len));
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    int rc = try_servers(list, &cmd, result, err);
    sigaction(SIGPIPE, &old, NULL);
    return rc;
}

/* redis_open - query lookups have no file: one shared handle */
static void *redis_open(const char *filename, char **err) { return &xp_redis_opts; }

static void redis_close(void *handle) {}

/* redis_version_report - the -bV line (hiredis has no runtime version call) */
static void redis_version_report(FILE *f)
{
    fprintf(f, "Library version: hiredis: Compile: %d.%d.%d\n", HIREDIS_MAJOR, HIREDIS_MINOR,
            HIREDIS_PATCH);
}

const lookup_info xp_redis_lookup_info = {
    .name = "redis",
    .type = LOOKUP_QUERY,
    .open = redis_open,
    .find = redis_find,
    .close = redis_close,
    .tidy = xp_redis_tidy,
    .quote = xp_redis_quote,
    .version_report = redis_version_report,
};
