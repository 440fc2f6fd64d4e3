/* rewrite_test.c - the -brw test mode: how the rewrite section would
 * change one address in each header and envelope field, printed in
 * Exim's layout so the two programs' outputs compare line for line.
 *
 * Runs as the caller; reads only the configuration. */

/* System */
#include <ctype.h>
/* MTA core */
#include "tern.h"
#include "addr_parse.h"
#include "globals.h"
#include "rewrite.h"

/* smtp_line - S rules first, on the text as given; true if they changed it */
static bool smtp_line(const char *s)
{
    char *n = rewrite_smtp((char *)s, false);
    if (n == s) return false;
    addr_parsed pa;
    if (!*n) printf("    SMTP: <>\n");
    else printf("    SMTP: %s\n", addr_parse_extract(n, true, NULL, &pa) ? n : pa.address);
    return true;
}

/* fields - the eight lines; header fields keep the phrase and comments */
static void fields(const rewrite_rule *rules, const char *s, const addr_parsed *pa)
{
    static const char *const names[] = {"  sender", "    from", "      to", "      cc", "     bcc",
                                        "reply-to", "env-from", "  env-to"};
    for (int i = 0; i < 8; i++) {
        unsigned field = 1u << i;
        char *whole = NULL;
        char *n = rewrite_address(rules, pa->address, field, &whole);
        printf("%s: ", names[i]);
        if (!*n) printf("<>\n");
        else if (!(field & RW_ALL_HEADERS)) printf("%s\n", n);
        else if (whole) printf("%s\n", whole);
        else printf("%.*s%s%s\n", (int)pa->start, s, n, s + pa->end);
    }
}

int rewrite_test_mode(int argc, char **argv)
{
    if (argc < 1) {
        printf("-brw needs an address argument\n");
        return EXIT_FAILURE;
    }
    const char *s = argv[0];
    if (strlen(s) > LIMIT_BRW_ARGUMENT) {
        fprintf(stderr, "tern: length limit exceeded (%zu > %d) for: -brw\n", strlen(s), LIMIT_BRW_ARGUMENT);
        return EXIT_FAILURE;
    }
    const rewrite_rule *rules = rewrite_rules_list();
    unsigned flags = rewrite_existflags(rules);
    if (!flags) {
        printf("No rewrite rules are defined\n");
        return EXIT_SUCCESS;
    }
    bool done_smtp = (flags & RW_SMTP) && smtp_line(s);
    if (!(flags & RW_FIELDS)) return EXIT_SUCCESS;
    if (!addr_parse_has_at(s)) s = string_sprintf("%s@%s", s, cfg.qualify_recipient);
    addr_parsed pa;
    const char *err = addr_parse_extract(s, false, NULL, &pa);
    if (err) {
        if (!done_smtp) printf("Syntax error in %s\n%c%s\n", s, toupper((unsigned char)err[0]), err + 1);
        return EXIT_SUCCESS;
    }
    fields(rules, s, &pa);
    return EXIT_SUCCESS;
}
