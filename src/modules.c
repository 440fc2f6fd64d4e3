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

/* Features for _HAVE_<NAME>: only what this binary really has, spelled
 * as Exim 4.96 spells them (configs test e.g. _HAVE_OPENSSL, _HAVE_PRDR).
 * Not here because not built: CONTENT_SCANNING, MALWARE_*, PERL, PAM,
 * GNUTLS, I18N, PIPE_CONNECT, DANE, SOCKS, TLS_RESUME, DLFUNC, ICONV,
 * MOVE_FROZEN_MESSAGES, LOOKUP_LDAP/MYSQL/PGSQL/NIS/PASSWD/DSEARCH. */
const char *const have_macro_names[] = {
    "CRYPTEQ", "IPV6", "TLS", "OPENSSL", "TLS1_3", "TLS_ALPN", "DNSSEC", "EVENT", "SRS",
    "NATIVE_SRS", "LOOKUP_LSEARCH", "LOOKUP_CDB", "LOOKUP_DBM", "LOOKUP_DNSDB", "LOOKUP_JSON",
    "LOOKUP_SQLITE",
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
