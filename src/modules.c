/* modules.c - which experimental modules and features this binary has.
 *
 * The list of modules drives -bV's "Support for:" words and the
 * lifecycle hooks; the _HAVE_ names become builtin config macros so that
 * ".ifdef _HAVE_DMARC" configs tell the truth about this build. */

/* MTA core */
#include "tern.h"
#include "modules.h"
#include "xp_all.h"

const module_info *const modules_list[] = {
#ifdef EXPERIMENTAL_SPF
    &xp_spf_module,
#endif
#ifdef EXPERIMENTAL_DCC
    &xp_dcc_module,
#endif
#ifdef EXPERIMENTAL_DMARC
    &xp_dmarc_module,
#endif
#ifdef EXPERIMENTAL_TPDA
    &xp_tpda_module,
#endif
#ifdef EXPERIMENTAL_REDIS
    &xp_redis_module,
#endif
#ifdef EXPERIMENTAL_PROXY
    &xp_proxy_module,
#endif
#ifdef EXPERIMENTAL_DSN
    &xp_dsn_module,
#endif
#ifdef EXPERIMENTAL_CERTNAMES
    &xp_certnames_module,
#endif
    NULL,
};

/* Features for _HAVE_<NAME>: only what this binary really has. */
const char *const have_macro_names[] = {
    "CRYPTEQ", "IPV6", "TLS", "OPENSSL", "TLS1_3", "DNSSEC", "EVENT", "SRS", "NATIVE_SRS",
    "CONTENT_SCANNING", "MOVE_FROZEN_MESSAGES",
#ifndef DISABLE_DKIM
    "DKIM",
#endif
#ifndef DISABLE_PRDR
    "PRDR",
#endif
#ifndef DISABLE_OCSP
    "OCSP", "TLS_OCSP",
#endif
#ifdef EXPERIMENTAL_SPF
    "SPF",
#endif
#ifdef EXPERIMENTAL_DCC
    "DCC",
#endif
#ifdef EXPERIMENTAL_DMARC
    "DMARC",
#endif
#ifdef EXPERIMENTAL_PROXY
    "PROXY",
#endif
#ifdef EXPERIMENTAL_REDIS
    "LOOKUP_REDIS",
#endif
    NULL,
};
