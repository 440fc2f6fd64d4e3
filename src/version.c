/* version.c - the -bV report: version, built features, drivers, paths.
 *
 * The feature words follow Exim's spelling so scripts that grep
 * "Support for:" keep working; each experimental module adds its word. */

/* System */
#include <db.h>
/* MTA core */
#include "tern.h"
#include "drivers.h"
#include "globals.h"
#include "lookups.h"
#include "modules.h"
#include "tls.h"
#include "version.h"

/* Only what this binary really has: no Perl, LDAP, GnuTLS, I18N,
 * PIPECONNECT, DANE, SOCKS or move_frozen_messages. Content_Scanning is
 * the MIME ACL, decode, regex and mime_regex (malware and spam are not
 * built: those conditions defer with a message saying so). */
static const char *const features[] = {
    "crypteq", "IPv6", "OpenSSL", "Content_Scanning",
#ifndef DISABLE_DKIM
    "DKIM",
#endif
    "DNSSEC", "Event",
#ifndef DISABLE_OCSP
    "OCSP",
#endif
#ifndef DISABLE_PRDR
    "PRDR",
#endif
    "SRS",
};

const char *version_features(void)
{
    gstring *g = NULL;
    for (size_t i = 0; i < NELEM(features); i++) g = string_fmt_append(g, "%s%s", i ? " " : "", features[i]);
    for (const module_info *const *m = modules_list; *m; m++)
        if ((*m)->feature_word) g = string_fmt_append(g, " %s", (*m)->feature_word);
    return string_from_gstring(g);
}

static void print_drivers(FILE *f, const char *title, enum driver_kind kind)
{
    fprintf(f, "%s:", title);
    for (const driver_info *const *p = drivers_kinds[kind].infos; *p; p++)
        fprintf(f, " %s", (*p)->driver_name);
    fputc('\n', f);
}

void version_report(FILE *f)
{
    fprintf(f, "Tern version %s (Exim %s compatible) built %s %s\n", TERN_VERSION,
            TERN_EXIM_COMPAT, __DATE__, __TIME__);
    fprintf(f, "Copyright (c) the Tern developers\n");
    fprintf(f, "Berkeley DB: %s\n", DB_VERSION_STRING);
    fprintf(f, "Support for: %s\n", version_features());
    fprintf(f, "Lookups (built-in):");
    for (const char *const *l = lookups_builtin_names(); l && *l; l++) fprintf(f, " %s", *l);
    fputc('\n', f);
    if (proc.debugging) { /* Exim shows these with -d only */
        tls_version_report(f);
        lookups_version_report(f);
    }
    print_drivers(f, "Authenticators", DRIVER_AUTH);
    print_drivers(f, "Routers", DRIVER_ROUTER);
    print_drivers(f, "Transports", DRIVER_TRANSPORT);
    for (const module_info *const *m = modules_list; *m; m++)
        if ((*m)->version_report) (*m)->version_report(f);
    fprintf(f, "Fixed never_users: 0\n");
    fprintf(f, "Configure owner: 0:0\n");
    fprintf(f, "Size of off_t: %zu\n", sizeof(off_t));
    fprintf(f, "Configuration file search path is %s\n", CONFIGURE_FILE);
    if (proc.config_file) fprintf(f, "Configuration file is %s\n", proc.config_file);
}
