/* transport.h - generic transport instance (options common to every transport). */
#ifndef TERN_TRANSPORT_H
#define TERN_TRANSPORT_H

#include "drivers.h"

typedef struct transport_instance {
    driver_instance drinst;
    bool body_only;
    char *headers_add;
    bool headers_only;
    char *return_path;
    char *user;
    char *group;
} transport_instance;

typedef struct transport_info {
    driver_info drinfo;
    bool local; /* runs as a local delivery (appendfile, pipe) */
} transport_info;

extern const optionlist transport_generic_options[];
extern const size_t transport_generic_options_count;
extern const transport_instance transport_generic_default;

#endif
