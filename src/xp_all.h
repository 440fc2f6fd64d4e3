/* xp_all.h - headers of every experimental module that is built. */
#ifndef TERN_XP_ALL_H
#define TERN_XP_ALL_H

#include "config.h"

#ifdef EXPERIMENTAL_SPF
#include "experimental/spf.h"
#endif
#ifdef EXPERIMENTAL_DCC
#include "experimental/dcc.h"
#endif
#ifdef EXPERIMENTAL_DMARC
#include "experimental/dmarc.h"
#endif
#ifdef EXPERIMENTAL_TPDA
#include "experimental/tpda.h"
#endif
#ifdef EXPERIMENTAL_REDIS
#include "experimental/redis.h"
#endif
#ifdef EXPERIMENTAL_PROXY
#include "experimental/proxy.h"
#endif
#ifdef EXPERIMENTAL_DSN
#include "experimental/dsn.h"
#endif
#ifdef EXPERIMENTAL_CERTNAMES
#include "experimental/certnames.h"
#endif

extern const char *const have_macro_names[];

#endif
