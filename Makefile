# Makefile - builds build/tern from the choices in Local/Makefile.
#   make               build/tern
#   make SANITIZE=1    ASan+UBSan build in build-san/
#   make run           install deps, build, run the daemon in the foreground
#   make test          install deps, build, unit tests, no-module build, e2e tests
#   make fuzz          run every fuzz target for FUZZ_TIME seconds

include Local/Makefile

MODULES := SPF DCC DMARC TPDA REDIS PROXY DSN CERTNAMES
export MODULES CONFIGURE_FILE SPOOL_DIRECTORY LOG_FILE_PATH EXIM_USER EXIM_GROUP BIN_DIRECTORY
export $(foreach m,$(MODULES),EXPERIMENTAL_$(m)) DISABLE_PRDR DISABLE_OCSP DISABLE_DKIM

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= gcc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CPPFLAGS := -iquote $(BUILD) -iquote src -D_GNU_SOURCE
ALLCFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) $(CPPFLAGS)

# -z now: symbols are bound once when tern starts, so the daemon's delivery
# processes inherit them instead of each resolving them anew (and full RELRO)
LDFLAGS_BIN := -Wl,-z,now,-z,relro
LIBS := -lssl -lcrypto -lpcre2-8 -ldb -lcrypt -lidn2 -ljansson -lsqlite3 -lresolv -lm
LIBS_SPF := -lspf2
LIBS_DMARC := -lopendmarc
LIBS_REDIS := -lhiredis
ifneq ($(DISABLE_DKIM),yes)
LIBS += -lopendkim
endif

on = $(filter yes,$(EXPERIMENTAL_$(1)))
MOD_SRCS := $(foreach m,$(MODULES),$(if $(call on,$(m)),src/experimental/$(shell echo $(m) | tr A-Z a-z).c))
MOD_LIBS := $(foreach m,$(MODULES),$(if $(call on,$(m)),$(LIBS_$(m))))

CORE_SRCS := $(wildcard src/*.c src/lib/*.c src/lookups/*.c src/routers/*.c src/transports/*.c src/auths/*.c)
MAIN_SRC := src/main.c
SRCS := $(CORE_SRCS) $(MOD_SRCS)
OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))

.PHONY: all run test unit e2e nomod fuzz clean deps print-libs
all: $(BUILD)/tern $(BUILD)/tern_dbmbuild $(BUILD)/tern_dumpdb $(BUILD)/tern_tidydb

$(BUILD)/config.h: Local/Makefile Makefile scripts/mkconfig
	@mkdir -p $(BUILD)
	@scripts/mkconfig $@

$(BUILD)/obj/%.o: src/%.c $(BUILD)/config.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tern: $(OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS_BIN) -o $@ $(OBJS) $(MOD_LIBS) $(LIBS)

$(BUILD)/libtern.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $(LIB_OBJS)

# tern_dbmbuild: a separate utility (src/utils/), linked with the library
$(BUILD)/tern_dbmbuild: $(BUILD)/obj/utils/dbmbuild.o $(BUILD)/libtern.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $< $(BUILD)/libtern.a $(MOD_LIBS) $(LIBS)

# tern_dumpdb, tern_tidydb: hints database tools, as exim_dumpdb/exim_tidydb
$(BUILD)/tern_dumpdb $(BUILD)/tern_tidydb: $(BUILD)/tern_%: $(BUILD)/obj/utils/%.o $(BUILD)/libtern.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $< $(BUILD)/libtern.a $(MOD_LIBS) $(LIBS)

-include $(OBJS:.o=.d) $(BUILD)/obj/utils/dbmbuild.d $(BUILD)/obj/utils/dumpdb.d $(BUILD)/obj/utils/tidydb.d

# ---- tests ----
UNIT_SRCS := $(wildcard test/unit/test_*.c)
UNIT_BINS := $(patsubst test/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

$(BUILD)/unit/%: test/unit/%.c test/unit/unit.h $(wildcard test/unit/*.inc) $(BUILD)/libtern.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Itest/unit -o $@ $< $(BUILD)/libtern.a $(MOD_LIBS) $(LIBS)

unit: $(UNIT_BINS) $(BUILD)/tern_dbmbuild $(BUILD)/tern_dumpdb $(BUILD)/tern_tidydb
	@set -e; for t in $(UNIT_BINS); do $$t; done

nomod:
	$(MAKE) --no-print-directory BUILD=build-nomod $(foreach m,$(MODULES),EXPERIMENTAL_$(m)=no) build-nomod/tern

deps:
	scripts/install-deps

e2e: $(BUILD)/tern
	TERN_BIN=$(abspath $(BUILD)/tern) /usr/bin/python3 -m pytest -q test/e2e

test: deps
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory nomod
	$(MAKE) --no-print-directory e2e

run: deps all
	scripts/run-daemon $(BUILD)/tern

# print-libs - the link libraries, for test/fuzz/Makefile
print-libs:
	@echo $(MOD_LIBS) $(LIBS)

FUZZ_TIME ?= 60
fuzz:
	$(MAKE) --no-print-directory -C test/fuzz FUZZ_TIME=$(FUZZ_TIME)

clean:
	rm -rf build build-san build-nomod build-fuzz
