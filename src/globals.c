/* globals.c - the storage of the lifetime structs declared in globals.h. */

/* MTA core */
#include "tern.h"
#include "globals.h"

struct main_options cfg;
struct proc_state proc = {.debug_fd = 2};
struct conn_state conn;
struct msg_state msg;
struct dlv_state dlv;
