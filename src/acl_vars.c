/* acl_vars.c - the $acl_c* (connection) and $acl_m* (message) variables
 * that "set" writes. Values live in conn.acl_c / msg.acl_m, allocated in
 * the pool of that lifetime; expand.c reads them through acl_var_get. */

/* MTA core */
#include "tern.h"
#include "globals.h"
/* This module */
#include "acl_int.h"

/* acl_var_name_check - "acl_c" or "acl_m", then a digit or underscore */
bool acl_var_name_check(const char *name, size_t len, char **err)
{
    if (len < 5 || (strncmp(name, "acl_c", 5) != 0 && strncmp(name, "acl_m", 5) != 0)) {
        *err = string_copy("must start \"acl_c\" or \"acl_m\"");
        return false;
    }
    if (len == 5 || !(name[5] == '_' || (name[5] >= '0' && name[5] <= '9'))) {
        *err = string_copy("digit or underscore must follow acl_c or acl_m");
        return false;
    }
    return true;
}

/* acl_var_set - create or replace; the value keeps its taint */
int acl_var_set(const char *name, const char *value)
{
    bool is_conn = name[4] == 'c';
    acl_var **head = is_conn ? &conn.acl_c : &msg.acl_m;
    enum store_pool pool = is_conn ? POOL_CONN : POOL_MSG;
    enum store_pool old = store_set_pool(pool);
    char *v = string_copy_taint(value, store_is_tainted(value));
    acl_var *a;
    for (a = *head; a; a = a->next)
        if (strcmp(a->name, name + 5) == 0) break;
    if (!a) {
        a = store_get_zero(sizeof *a, GET_UNTAINTED);
        a->name = string_copy(name + 5);
        a->conn = is_conn;
        a->next = *head;
        *head = a;
    }
    a->value = v;
    store_set_pool(old);
    return OK;
}

/* acl_var_get - the value of "acl_c..." / "acl_m..."; NULL if never set */
const char *acl_var_get(const char *name)
{
    if (strlen(name) < 6) return NULL;
    const acl_var *a = name[4] == 'c' ? conn.acl_c : name[4] == 'm' ? msg.acl_m : NULL;
    for (; a; a = a->next)
        if (strcmp(a->name, name + 5) == 0) return a->value;
    return NULL;
}
