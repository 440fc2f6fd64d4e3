/* cram_md5.c - the cram_md5 authenticator: CRAM-MD5 (RFC 2195) as
 * server and client.
 *
 * This file owns the driver's private options (sorted table and
 * defaults), its config-time checks and its registration. Runs at config
 * load in every process; allocates only in the config pool. */

/* System */
#include <ctype.h>
#include <time.h>
#include <unistd.h>
#include <openssl/hmac.h>
/* MTA core */
#include "../tern.h"
#include "../auth.h"
#include "../expand.h"
#include "../globals.h"
/* This driver */
#include "cram_md5.h"

#define OFF(f) OPT_OFF(cram_md5_auth_options, f)

static const optionlist cram_md5_auth_optionlist[] = {
    {"client_name", opt_stringptr, OFF(client_name), NULL},
    {"client_secret", opt_stringptr, OFF(client_secret), NULL},
    {"server_secret", opt_stringptr, OFF(server_secret), NULL},
};

const cram_md5_auth_options cram_md5_auth_options_default = {
};

/* hmac_md5_hex - RFC 2104 HMAC-MD5 of text under key, lower-case hex */
static char *hmac_md5_hex(const char *key, const char *text)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    HMAC(EVP_md5(), key, (int)strlen(key), (const unsigned char *)text, strlen(text), d, &dl);
    gstring *g = NULL;
    for (unsigned int i = 0; i < dl; i++) g = string_fmt_append(g, "%02x", d[i]);
    return string_from_gstring(g);
}

/* secret - server_secret expanded with $auth1 set to the user name */
static int secret(auth_instance *a, char **out)
{
    const cram_md5_auth_options *ob = a->drinst.options_block;
    *out = expand_string(ob->server_secret);
    if (*out) return OK;
    if (expand_forced_fail()) return FAIL;
    return auth_defer(string_sprintf("expansion of \"%s\" failed: %s", ob->server_secret,
                                     expand_error()));
}

/* cram_md5_auth_server - RFC 2195: challenge "<pid.time@host>", answer
 * "user hex-digest"; the digest is HMAC-MD5 keyed by server_secret. */
static int cram_md5_auth_server(auth_instance *a, const char *data)
{
    if (*data) return AUTH_UNEXPECTED;
    char *challenge = string_sprintf("<%d.%ld@%s>", (int)getpid(), (long)time(NULL),
                                     cfg.primary_hostname);
    char *resp;
    int rc = auth_get_data(&resp, (const unsigned char *)challenge, strlen(challenge));
    if (rc != OK) return rc;
    char *clear;
    if (auth_decode(resp, &clear) < 0) return AUTH_BAD64;
    char *sp = clear;
    while (*sp && !isspace((unsigned char)*sp)) sp++;
    auth_set_var(clear, (size_t)(sp - clear));
    if (!*sp) return FAIL;
    while (isspace((unsigned char)*sp)) sp++;
    if (strlen(sp) != 32) return FAIL;
    char *key;
    if ((rc = secret(a, &key)) != OK) return rc;
    if (strcasecmp(sp, hmac_md5_hex(key, challenge)) != 0) return FAIL;
    return auth_check_condition(a);
}

/* cram_md5_auth_is_server - a server_secret makes it a server */
static bool cram_md5_auth_is_server(const auth_instance *a)
{
    const cram_md5_auth_options *ob = a->drinst.options_block;
    return ob->server_secret != NULL;
}

/* cram_md5_auth_init - a public_name is required */
static const char *cram_md5_auth_init(driver_instance *d)
{
    return auth_generic_init(d, false);
}

const auth_info cram_md5_auth_info = {
    .drinfo = {
        .driver_name = "cram_md5",
        .options = cram_md5_auth_optionlist,
        .options_count = NELEM(cram_md5_auth_optionlist),
        .options_default = &cram_md5_auth_options_default,
        .options_len = sizeof(cram_md5_auth_options),
        .init = cram_md5_auth_init,
    },
    .server = cram_md5_auth_server,
    .is_server = cram_md5_auth_is_server,
};
