/* drivers.h - driver instances (routers, transports, authenticators) and
 * the one registry of driver implementations (drivers.c).
 *
 * An instance is what a config section defines ("dnslookup:" with
 * "driver = dnslookup"). It starts with the generic fields of its kind,
 * then points at a private options block whose layout the driver owns. */
#ifndef TERN_DRIVERS_H
#define TERN_DRIVERS_H

#include "options.h"

enum driver_kind { DRIVER_ROUTER, DRIVER_TRANSPORT, DRIVER_AUTH, DRIVER_KINDS };

/* A generic boolean whose default depends on the driver or on other
 * options (log_as_local, retry_use_local_part) holds this value from the
 * instance's creation until the driver's init settles it. Such fields are
 * unsigned char, never read as bool before init. */
#define DRIVER_BOOL_UNSET 2

struct driver_instance;

/* What every driver implementation provides. */
typedef struct driver_info {
    const char *driver_name;
    const optionlist *options;   /* private options, sorted */
    size_t options_count;
    const void *options_default; /* private block with defaults */
    size_t options_len;
    /* init - check the instance after its options are read; returns NULL
     * or an error message */
    const char *(*init)(struct driver_instance *);
} driver_info;

typedef struct driver_instance {
    struct driver_instance *next;
    char *name;
    char *driver_name;
    const driver_info *info;
    void *options_block;
    const char *srcfile;
    int srcline;
} driver_instance;

/* The generic option blocks of each kind: defined in router.h etc. The
 * instance struct embeds driver_instance first so a pointer to either is
 * a pointer to both. */
typedef struct drivers_kind_desc {
    const char *section;     /* "routers" */
    const char *singular;    /* "router" */
    const optionlist *generic;
    size_t generic_count;
    size_t instance_size;
    const void *generic_default; /* instance with generic defaults */
    const driver_info *const *infos; /* NULL-terminated */
} drivers_kind_desc;

extern const drivers_kind_desc drivers_kinds[DRIVER_KINDS];

const driver_info *drivers_find(enum driver_kind kind, const char *name);

/* drivers_not_built - true when NAME is a driver Exim knows (so a config
 * may name it) that this binary does not contain, e.g. cyrus_sasl. */
bool drivers_not_built(enum driver_kind kind, const char *name);

#endif
