/* auth.h - generic authenticator instance: the options every SMTP AUTH
 * mechanism driver has (Exim 4.96's generic authenticator options). */
#ifndef TERN_AUTH_H
#define TERN_AUTH_H

#include "drivers.h"

typedef struct auth_instance {
    driver_instance drinst;
    char *client_condition;
    char *client_set_id;
    char *public_name;
    char *server_advertise_condition;
    char *server_condition;
    char *server_debug_print;
    char *server_mail_auth_condition;
    char *server_set_id;
} auth_instance;

/* Results of a server function beyond OK, FAIL and DEFER (each has its
 * own reply, worded as Exim's). */
enum auth_result { AUTH_CANCELLED = 100, AUTH_BAD64, AUTH_UNEXPECTED };

typedef struct auth_info {
    driver_info drinfo;
    /* server - run the server side of the mechanism. data is the initial
     * response given on the AUTH command (base64, possibly ""). Returns
     * OK, FAIL, DEFER (auth_defer_msg says why) or an enum auth_result. */
    int (*server)(auth_instance *a, const char *data);
    /* is_server - can this instance act as a server at all? */
    bool (*is_server)(const auth_instance *a);
} auth_info;

extern const optionlist auth_generic_options[];
extern const size_t auth_generic_options_count;
extern const auth_instance auth_generic_default;

/* auth_generic_init - default public_name to the instance name when the
 * config leaves it unset (every driver but cram_md5 does this). */
const char *auth_generic_init(driver_instance *d, bool name_default);

/* ---- smtp_auth.c: what server functions use ---- */

/* auth_get_data - send "334 base64(challenge)" and read the answer.
 * OK with *out (base64 text, tainted), AUTH_CANCELLED for "*", FAIL
 * when the connection is lost. */
int auth_get_data(char **out, const unsigned char *challenge, size_t len);

/* auth_add_vars - decode base64 data and append its NUL-separated parts
 * to $auth1..$auth3 (and $1..$3). OK or AUTH_BAD64. */
int auth_add_vars(const char *b64);

/* auth_decode - base64 to bytes (NUL-terminated, tainted); the length,
 * or -1 when b64 is not valid base64 */
long auth_decode(const char *b64, char **out);

/* auth_set_var - append one value to $auth1..$auth3 / $1.. */
void auth_set_var(const char *s, size_t len);

/* auth_var_count - how many $authN are set so far */
int auth_var_count(void);

/* auth_check_condition - server_condition: OK (true), FAIL (false or
 * forced failure), DEFER (expansion error, or neither; message kept) */
int auth_check_condition(const auth_instance *a);

/* auth_defer - note why a server function deferred; returns DEFER */
int auth_defer(const char *why);

#endif
