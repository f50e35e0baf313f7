# xsm / libexposure build.  `make help` lists the targets.
# Sources are found by wildcard: adding a file under lib/, cmd/ or test/
# needs no edit here.

VERSION    := 0.1.0
SOMAJOR    := 0
PREFIX     ?= /usr/local
DESTDIR    ?=
bindir     ?= $(PREFIX)/bin
libdir     ?= $(PREFIX)/lib
includedir ?= $(PREFIX)/include
mandir     ?= $(PREFIX)/share/man
pkgconfigdir ?= $(libdir)/pkgconfig
bashcompdir ?= $(PREFIX)/share/bash-completion/completions
zshcompdir ?= $(PREFIX)/share/zsh/site-functions

CC         ?= cc
BUILD      ?= build
WERROR     ?= 1
OPT        ?= -O2 -g
SANITIZE   ?=

# The Debian packages the build and the tests need.  `make deps` installs
# them (as root) and .ci/run calls it, so this is the one list.  A PDF's
# text needs a font: fonts-dejavu-core.
APT_PACKAGES := build-essential pkg-config libcurl4-openssl-dev libcjson-dev \
                libyaml-dev libxml2-dev libssl-dev python3 python3-yaml python3-cryptography openssl perl \
                graphviz valgrind libzstd-dev libcairo2-dev fonts-dejavu-core
# What only the report tests use: a headless browser to open the HTML
# report, poppler's pdfinfo and pdftotext to read the PDF.  `make deps`
# installs them too; elsewhere those tests are skipped (under .ci/run,
# XSM_CI=1, they fail instead).
APT_TEST_PACKAGES := chromium poppler-utils
PKGS := libcurl libcjson yaml-0.1 libxml-2.0 libcrypto libzstd cairo-pdf

Q := $(if $(V),,@)
PKG_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wwrite-strings -Wvla -Wformat=2 -Wno-unused-parameter \
        $(if $(filter 1,$(WERROR)),-Werror)
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) $(SANITIZE)
DEP_CFLAGS = $(shell pkg-config --cflags $(PKGS))
DEP_LIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread -lm

LIB_DEFS := -DXSM_DATADIR='"$(PREFIX)/share/xsm"'
LIB_SRC  := $(sort $(shell find lib -name '*.c'))
CMD_SRC  := $(sort $(wildcard cmd/*.c))
UNIT_SRC := $(sort $(wildcard test/unit/test_*.c))
EX_SRC   := $(sort $(wildcard examples/*.c))
FUZZ_SRC := $(sort $(wildcard test/fuzz/fuzz_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
PIC_OBJ  := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:test/unit/%.c=$(BUILD)/test/%)
EX_BIN   := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)
FUZZ_BIN := $(FUZZ_SRC:test/fuzz/%.c=$(BUILD)/fuzz/%)

SONAME   := libexposure.so.$(SOMAJOR)
SOREAL   := libexposure.so.$(VERSION)
LIBSO    := $(BUILD)/lib/$(SOREAL)
LIBA     := $(BUILD)/lib/libexposure.a
XSM      := $(BUILD)/bin/xsm
GEN      := $(BUILD)/bin/xsm-gen
TAPLIB   := $(BUILD)/obj/test/lib/tap.o

.PHONY: all deps check check-unit check-cli check-asan check-valgrind check-headers \
        demo bench bench-connectors fuzz install uninstall clean help lint
.DELETE_ON_ERROR:

all: $(LIBSO) $(LIBA) $(XSM) $(if $(wildcard test/bench/gen.c),$(GEN))

help:
	@echo "make [all]        build libexposure.so, libexposure.a and xsm into $(BUILD)/"
	@echo "make check        run every test (unit, CLI, emulators, docs, examples)"
	@echo "make check-asan   the whole suite under ASan+UBSan (build-asan/)"
	@echo "make check-valgrind  unit tests under valgrind"
	@echo "make demo         ingest the example enterprise and show what it finds"
	@echo "make bench [SCALE=small|1m|ad|ad-100k|paths|paths-1k|paths-100k]  run the pipeline benchmark (and the connectors);"
	@echo "                  ad: a long-lived Active Directory, 1,000,000 users (ad-100k: 100,000)"
	@echo "make bench-connectors [CONN_HOSTS=N]  normalisation rate of the connectors"
	@echo "make install [PREFIX=..] [DESTDIR=..]; make uninstall; make clean"
	@echo "make deps         apt-get install the packages the build and the tests need (root)"

# --- dependencies -------------------------------------------------------------
# On a fresh Debian machine the libraries are installed before anything is
# built (as root), or the exact command is printed.
ifneq ($(PKG_OK),yes)
ifeq ($(filter deps clean help uninstall,$(MAKECMDGOALS)),)
ifeq ($(shell id -u),0)
$(info xsm: installing build dependencies: $(APT_PACKAGES))
_ := $(shell DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >&2)
PKG_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
endif
ifneq ($(PKG_OK),yes)
$(error missing build dependencies; run: sudo apt-get update && sudo apt-get install -y $(APT_PACKAGES))
endif
endif
endif

deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) $(APT_TEST_PACKAGES)

# --- flags stamp: a change of flags rebuilds everything -----------------------
$(BUILD)/CFLAGS: FORCE
	@mkdir -p $(@D)
	@echo '$(BASE_CFLAGS) $(DEP_CFLAGS)' | cmp -s - $@ || echo '$(BASE_CFLAGS) $(DEP_CFLAGS)' > $@
FORCE:

# --- library ------------------------------------------------------------------
$(BUILD)/obj/lib/%.o: lib/%.c $(BUILD)/CFLAGS
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(DEP_CFLAGS) $(LIB_DEFS) -Iinclude -Ilib -fvisibility=hidden -MMD -MP -c $< -o $@

$(BUILD)/pic/lib/%.o: lib/%.c $(BUILD)/CFLAGS
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC PIC  $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(DEP_CFLAGS) $(LIB_DEFS) -Iinclude -Ilib -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBSO): $(PIC_OBJ) lib/libexposure.map
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASE_CFLAGS) -shared -Wl,-soname,$(SONAME) \
	  -Wl,--version-script=lib/libexposure.map -Wl,--no-undefined \
	  -o $@ $(PIC_OBJ) $(DEP_LIBS)
	$(Q)ln -sf $(SOREAL) $(BUILD)/lib/$(SONAME)
	$(Q)ln -sf $(SONAME) $(BUILD)/lib/libexposure.so

# --- the command (public headers only: no -Ilib) ------------------------------
$(BUILD)/obj/cmd/%.o: cmd/%.c $(BUILD)/CFLAGS
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(BASE_CFLAGS) -Iinclude -DXSM_MANDIR='"$(mandir)"' -MMD -MP -c $< -o $@

$(XSM): $(CMD_OBJ) $(LIBSO)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASE_CFLAGS) -o $@ $(CMD_OBJ) -L$(BUILD)/lib -lexposure \
	  -Wl,-rpath,'$$ORIGIN/../lib' -lm

$(GEN): test/bench/gen.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(BASE_CFLAGS) -O2 -o $@ $<

# --- tests --------------------------------------------------------------------
$(BUILD)/obj/test/%.o: test/%.c $(BUILD)/CFLAGS
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(DEP_CFLAGS) -Iinclude -Ilib -Itest/lib -MMD -MP -c $< -o $@

$(BUILD)/test/%: $(BUILD)/obj/test/unit/%.o $(TAPLIB) $(LIBA)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASE_CFLAGS) -o $@ $< $(TAPLIB) $(LIBA) $(DEP_LIBS)

$(BUILD)/examples/%: examples/%.c $(LIBSO)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -Iinclude -o $@ $< -L$(BUILD)/lib -lexposure -Wl,-rpath,'$$ORIGIN/../lib'

$(BUILD)/fuzz/%: $(BUILD)/obj/test/fuzz/%.o $(BUILD)/obj/test/fuzz/replay.o $(LIBA)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -o $@ $^ $(DEP_LIBS)

TESTS = $(UNIT_BIN) $(wildcard test/cli/t[0-9]*.sh) $(wildcard test/emu/t_*.py) $(FUZZ_BIN:%=%.replay)

check: all $(UNIT_BIN) $(EX_BIN) $(filter-out $(BUILD)/fuzz/replay,$(FUZZ_BIN))
	@BUILD=$(abspath $(BUILD)) XSM_SANITIZED="$(SANITIZE)" prove --exec test/run-test.sh $(if $(V),-v) $(PROVE_FLAGS) $(TESTS)

check-headers:
	$(Q)for h in include/exposure.h include/exposure/*.h; do \
	  $(CC) -std=c99 -Wall -Wextra -pedantic -Werror -Iinclude -fsyntax-only -x c $$h || exit 1; \
	  g++ -Wall -Wextra -pedantic -Werror -Iinclude -fsyntax-only -x c++ $$h || exit 1; done

check-asan:
	$(MAKE) BUILD=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
	  SANITIZE='-fsanitize=address,undefined -fno-sanitize-recover=all' check

check-valgrind: all $(UNIT_BIN)
	@BUILD=$(abspath $(BUILD)) XSM_VALGRIND=1 prove --exec test/run-test.sh $(UNIT_BIN) $(wildcard test/cli/t[0-9]*.sh)

# libFuzzer (clang): each target runs FUZZ_TIME seconds over a scratch corpus
# seeded from test/fuzz/corpus/<name>/; copy crash inputs there after a fix.
FUZZ_TIME ?= 60
FUZZ_SAN := -fsanitize=address,undefined
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang WERROR=0 OPT='-O1 -g' SANITIZE='$(FUZZ_SAN) -fsanitize=fuzzer-no-link' build-fuzz/lib/libexposure.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
	    -Iinclude -Ilib -Itest/lib $$f build-fuzz/lib/libexposure.a $(DEP_LIBS) -o build-fuzz/$$n || exit 1; \
	  mkdir -p build-fuzz/corpus-$$n; \
	  echo "fuzz: $$n for $(FUZZ_TIME)s"; \
	  build-fuzz/$$n -max_total_time=$(FUZZ_TIME) -max_len=65536 build-fuzz/corpus-$$n test/fuzz/corpus/$${n#fuzz_} || exit 1; \
	done

lint:
	@! grep -nE '\b(strcpy|sprintf|strtok|atoi|gets)\(' $(LIB_SRC) $(CMD_SRC) || { echo "banned call"; exit 1; }
	@! grep -nE '\b(malloc|calloc|realloc|strdup)\(' $(filter-out lib/util/alloc.c,$(LIB_SRC)) || { echo "use xsm__malloc and friends"; exit 1; }

# --- demo and bench -----------------------------------------------------------
# the demo keeps its own store (build/demo/store), never the user's
demo: all
	@sh examples/demo.sh $(abspath $(XSM)) $(abspath $(BUILD))/demo

SCALE ?= small
CONN_HOSTS ?= 2000
$(BUILD)/bench/bench_stages: test/bench/bench_stages.c $(LIBSO)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -Iinclude -o $@ $< -L$(BUILD)/lib -lexposure -Wl,-rpath,'$$ORIGIN/../lib'

bench: all $(BUILD)/bench/bench_stages
	@sh test/bench/run.sh $(SCALE) $(abspath $(BUILD))
	@python3 test/bench/connectors.py $(abspath $(BUILD)) $(CONN_HOSTS) 10 > $(BUILD)/bench-connectors.jsonl

# the connectors alone: CONN_HOSTS hosts with 10 findings each per vendor emulator
bench-connectors: all
	@python3 test/bench/connectors.py $(abspath $(BUILD)) $(CONN_HOSTS) 10 > $(BUILD)/bench-connectors.jsonl

# --- install ------------------------------------------------------------------
# The private dependencies are Libs.private flags, not Requires.private
# packages: pkg-config resolves Requires.private even for --cflags, so a
# program linking libexposure dynamically would need their -dev packages.
# The public headers include none of their headers.
LDCONFIG ?= ldconfig
libexposure.pc: FORCE
	@mkdir -p $(BUILD)
	@printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: libexposure\nDescription: exposure graph, attack paths and critical assets (xsm)\nVersion: %s\nLibs: -L$${libdir} -lexposure\nLibs.private: %s\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(libdir)' '$(includedir)' '$(VERSION)' '$(strip $(DEP_LIBS))' > $(BUILD)/libexposure.pc

install: all libexposure.pc
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir) $(DESTDIR)$(includedir)/exposure \
	  $(DESTDIR)$(pkgconfigdir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man7 \
	  $(DESTDIR)$(PREFIX)/share/xsm $(DESTDIR)$(bashcompdir) $(DESTDIR)$(zshcompdir)
	install -m 0755 $(LIBSO) $(DESTDIR)$(libdir)/$(SOREAL)
	ln -sf $(SOREAL) $(DESTDIR)$(libdir)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(libdir)/libexposure.so
	install -m 0644 $(LIBA) $(DESTDIR)$(libdir)/libexposure.a
	install -m 0755 $(XSM) $(DESTDIR)$(bindir)/xsm
	install -m 0644 include/exposure.h $(DESTDIR)$(includedir)/exposure.h
	install -m 0644 include/exposure/*.h $(DESTDIR)$(includedir)/exposure/
	install -m 0644 $(BUILD)/libexposure.pc $(DESTDIR)$(pkgconfigdir)/libexposure.pc
	for f in man/man*/*.[157]; do install -m 0644 $$f $(DESTDIR)$(mandir)/$${f#man/}; done
	install -m 0644 config/*.yaml $(DESTDIR)$(PREFIX)/share/xsm/
	install -m 0644 config/completion/xsm.bash $(DESTDIR)$(bashcompdir)/xsm
	install -m 0644 config/completion/_xsm $(DESTDIR)$(zshcompdir)/_xsm
	$(call ldconfig)

# Into the system (no DESTDIR): refresh the dynamic linker's cache, as root;
# a staged install (DESTDIR, packaging) leaves that to the package.
define ldconfig
	@if [ -z "$(DESTDIR)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "$(LDCONFIG)"; $(LDCONFIG) || exit 1; \
	  else echo "xsm: not root: run ldconfig as root if $(libdir) is in the linker's path"; fi; fi
endef

uninstall:
	rm -f $(DESTDIR)$(bindir)/xsm $(DESTDIR)$(libdir)/$(SOREAL) $(DESTDIR)$(libdir)/$(SONAME) \
	  $(DESTDIR)$(libdir)/libexposure.so $(DESTDIR)$(libdir)/libexposure.a $(DESTDIR)$(pkgconfigdir)/libexposure.pc \
	  $(DESTDIR)$(includedir)/exposure.h $(DESTDIR)$(bashcompdir)/xsm $(DESTDIR)$(zshcompdir)/_xsm
	rm -rf $(DESTDIR)$(includedir)/exposure $(DESTDIR)$(PREFIX)/share/xsm
	cd man && for f in man*/*.[157]; do rm -f $(DESTDIR)$(mandir)/$$f; done
	$(call ldconfig)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
