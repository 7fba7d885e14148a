# SPDX-License-Identifier: BSD-2-Clause
#
# Capsicum for Linux: top-level build.
#
# Targets: all, check, demo, bench, fuzz, install, lint, clean.
# The tree is built non-recursively into $(B).  Each library is the set of
# .c files in its directory; each test, example, benchmark and tool is one
# .c file.  Tests link sanitizer builds (ASan+UBSan) of the libraries.

PREFIX	?= /usr/local
DESTDIR	?=
LIBDIR	?= $(PREFIX)/lib
INCDIR	?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man
BINDIR	?= $(PREFIX)/bin

CC	?= cc
CLANG	?= clang
AR	?= ar
B	?= build

VERSION	= 0.1.0
SOVER	= 0

OPT	?= -O2 -g
WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wno-unused-parameter
BASE	= -std=c17 -D_GNU_SOURCE -Iinclude -fno-strict-aliasing
CFLAGS_LIB = $(BASE) $(WARN) $(OPT) -fPIC -fno-plt
SAN	= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS_SAN = $(BASE) $(WARN) -O1 -g $(SAN)
SECCOMP_LIBS := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)

# ---------------------------------------------------------------------------
# Sources

CAPSICUM_SRC := $(sort $(wildcard lib/capsicum/*.c))
# Filter M, compiled from the policy table by libseccomp at build time.
CAPSICUM_GEN := $(B)/gen/capmode_bpf.c
GEN_DEPS     := lib/capsicum/policy.c lib/capsicum/filter.c lib/capsicum/rights.c \
		lib/capsicum/bpfshrink.c lib/capsicum/bpfopt.c lib/capsicum/emit.c \
		lib/capsicum/bpfmerge.c
NV_SRC       := $(sort $(wildcard lib/nv/*.c))
CASPER_SRC   := $(sort $(wildcard lib/casper/*.c) $(wildcard lib/casper/services/*.c))
LIB_HDRS     := $(wildcard lib/*/*.h lib/casper/services/*.h) \
		$(shell find include -name '*.h')

TEST_SRC     := $(sort $(filter-out tests/bin/%,$(wildcard tests/*/*.c)))
# Helper programs the tests exec, static (shared libraries cannot be
# opened by path in capability mode).
TESTBIN_SRC  := $(sort $(wildcard tests/bin/*.c))
TEST_HELPERS := $(wildcard tests/*.h tests/*/*.h)
EXAMPLE_SRC  := $(sort $(wildcard examples/*.c))
BENCH_SRC    := $(sort $(wildcard bench/*.c))
TOOL_SRC     := $(sort $(wildcard tools/*.c))
FUZZ_SRC     := $(sort $(wildcard fuzz/*.c))

obj	= $(patsubst %.c,$(B)/obj/%.o,$(1))
sobj	= $(patsubst %.c,$(B)/san/%.o,$(1))

LIBS_STATIC := $(B)/lib/libcapsicum.a
LIBS_SHARED := $(B)/lib/libcapsicum.so
ifneq ($(NV_SRC),)
LIBS_STATIC += $(B)/lib/libnv.a
LIBS_SHARED += $(B)/lib/libnv.so
endif
ifneq ($(CASPER_SRC),)
LIBS_STATIC += $(B)/lib/libcasper.a
LIBS_SHARED += $(B)/lib/libcasper.so
endif

TESTS	:= $(patsubst %.c,$(B)/%,$(TEST_SRC))
TESTBINS:= $(patsubst %.c,$(B)/%,$(TESTBIN_SRC))
VGTESTS	:= $(patsubst %.c,$(B)/vg/%,$(TEST_SRC))
EXAMPLES:= $(patsubst %.c,$(B)/%,$(EXAMPLE_SRC))
BENCHES	:= $(patsubst %.c,$(B)/%,$(BENCH_SRC))
TOOLS	:= $(patsubst %.c,$(B)/%,$(TOOL_SRC))
FUZZERS	:= $(patsubst %.c,$(B)/%,$(FUZZ_SRC))

# Link order: casper needs nv and capsicum.
LINK_OUR = $(if $(CASPER_SRC),-lcasper) $(if $(NV_SRC),-lnv) -lcapsicum

.PHONY: all check check-root check-user demo bench fuzz install lint docs \
	check-docs clean deps valgrind
all: deps-build $(LIBS_STATIC) $(LIBS_SHARED) $(EXAMPLES) $(TOOLS)

# ---------------------------------------------------------------------------
# Build dependencies (Debian packages).  As root they are installed; otherwise
# the exact command is printed.

deps-build:
	@sh mk/deps.sh build
deps-test:
	@sh mk/deps.sh test
.PHONY: deps-build deps-test

# ---------------------------------------------------------------------------
# Libraries

$(B)/obj/%.o: %.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_LIB) -c -o $@ $<

$(B)/san/%.o: %.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -c -o $@ $<


$(B)/mk/gen-capmode: mk/gen-capmode.c $(GEN_DEPS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(BASE) $(WARN) -O1 -Ilib/capsicum -o $@ mk/gen-capmode.c \
	    $(GEN_DEPS) $(SECCOMP_LIBS)
$(CAPSICUM_GEN): $(B)/mk/gen-capmode
	@mkdir -p $(@D)
	$(B)/mk/gen-capmode $@

CAPSICUM_OBJ := $(call obj,$(CAPSICUM_SRC) $(CAPSICUM_GEN))
$(B)/lib/libcapsicum.a: $(CAPSICUM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/lib/libcapsicum.so: $(CAPSICUM_OBJ) lib/capsicum/capsicum.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libcapsicum.so.$(SOVER) \
	    -Wl,--version-script=lib/capsicum/capsicum.map -o $@.$(SOVER) \
	    $(CAPSICUM_OBJ) $(SECCOMP_LIBS)
	ln -sf libcapsicum.so.$(SOVER) $@

$(B)/lib/libnv.a: $(call obj,$(NV_SRC))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/lib/libnv.so: $(call obj,$(NV_SRC)) lib/nv/nv.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libnv.so.$(SOVER) \
	    -Wl,--version-script=lib/nv/nv.map -o $@.$(SOVER) $(call obj,$(NV_SRC))
	ln -sf libnv.so.$(SOVER) $@

$(B)/lib/libcasper.a: $(call obj,$(CASPER_SRC))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/lib/libcasper.so: $(call obj,$(CASPER_SRC)) lib/casper/casper.map \
    $(B)/lib/libnv.so $(B)/lib/libcapsicum.so
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libcasper.so.$(SOVER) \
	    -Wl,--version-script=lib/casper/casper.map -o $@.$(SOVER) \
	    $(call obj,$(CASPER_SRC)) -L$(B)/lib -lnv -lcapsicum \
	    $(SECCOMP_LIBS) -lpthread
	ln -sf libcasper.so.$(SOVER) $@

# Sanitizer archives used by tests and fuzzers.
$(B)/san/libcapsicum.a: $(call sobj,$(CAPSICUM_SRC) $(CAPSICUM_GEN))
	rm -f $@ && $(AR) rcs $@ $^
$(B)/san/libnv.a: $(call sobj,$(NV_SRC))
	rm -f $@ && $(AR) rcs $@ $^
$(B)/san/libcasper.a: $(call sobj,$(CASPER_SRC))
	rm -f $@ && $(AR) rcs $@ $^
SAN_LIBS := $(patsubst $(B)/lib/%,$(B)/san/%,$(LIBS_STATIC))

# ---------------------------------------------------------------------------
# Programs

# Examples and tools link the shared libraries with an rpath into the build
# tree, as an installed program would link the installed ones.
$(B)/examples/% $(B)/tools/%: CFLAGS_PROG = $(BASE) $(WARN) $(OPT)
$(B)/examples/%: examples/%.c $(LIBS_SHARED) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_PROG) -o $@ $< -L$(B)/lib -Wl,-rpath,'$$ORIGIN/../lib' \
	    $(LINK_OUR) $(SECCOMP_LIBS)
$(B)/tools/%: tools/%.c $(LIBS_STATIC) $(LIB_HDRS) lib/capsicum/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_PROG) -Ilib/capsicum -o $@ $< -L$(B)/lib \
	    -Wl,-Bstatic $(LINK_OUR) -Wl,-Bdynamic $(SECCOMP_LIBS)

$(B)/tests/bin/%: tests/bin/%.c $(LIBS_STATIC) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(BASE) $(WARN) -O1 -g -static -o $@ $< -L$(B)/lib $(LINK_OUR) \
	    -lseccomp -lpthread

# Tests: ASan+UBSan, Criterion, static sanitizer builds of our libraries.
$(B)/tests/%: tests/%.c $(SAN_LIBS) $(TEST_HELPERS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -Wno-missing-prototypes -Itests -Ilib -o $@ $< \
	    -L$(B)/san -Wl,--whole-archive $(LINK_OUR) -Wl,--no-whole-archive \
	    $(SECCOMP_LIBS) -lcriterion -lpthread

# The same tests without sanitizers, for valgrind.
$(B)/vg/tests/%: tests/%.c $(LIBS_STATIC) $(TEST_HELPERS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(BASE) $(WARN) -Wno-missing-prototypes -O1 -g -Itests -Ilib -o $@ $< \
	    -Wl,--whole-archive $(LIBS_STATIC) -Wl,--no-whole-archive \
	    $(SECCOMP_LIBS) -lcriterion -lpthread

$(B)/bench/%: bench/%.c $(LIBS_STATIC) $(LIB_HDRS) bench/bench.h
	@mkdir -p $(@D)
	$(CC) $(BASE) $(WARN) -O2 -g -Ibench -Ilib -o $@ $< -L$(B)/lib \
	    -Wl,-Bstatic $(LINK_OUR) -Wl,-Bdynamic $(SECCOMP_LIBS) -lpthread

$(B)/fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) $(NV_SRC) $(CAPSICUM_SRC) $(CAPSICUM_GEN) $(CASPER_SRC) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BASE) -O1 -g -fsanitize=fuzzer,address,undefined -Ilib -o $@ $< \
	    $(NV_SRC) $(CAPSICUM_SRC) $(CAPSICUM_GEN) $(CASPER_SRC) $(SECCOMP_LIBS)

# ---------------------------------------------------------------------------
# Test driver.  As root, every test binary runs twice: as root and as the
# unprivileged user 65534 (setpriv).  CRITERION_OPTS may add flags.

CRITERION_OPTS ?= --jobs 2
check: deps-build deps-test all $(TESTS) $(TESTBINS) $(if $(wildcard tools/capsicum-policy.c),check-docs)
	@sh mk/runtests.sh $(B) $(TESTS)
	@sh mk/check-install.sh $(B)

valgrind: $(VGTESTS) $(TESTBINS)
	@sh mk/valgrind.sh $(B) $(VGTESTS)

demo: all
	@sh examples/demo.sh $(B)

bench: $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do sh mk/fuzz.sh $$f $(FUZZ_SECONDS) || exit 1; done

# The enforcement matrix is generated from the policy table; check-docs
# fails when the committed copy is stale.
docs: $(B)/tools/capsicum-policy
	$(B)/tools/capsicum-policy markdown > docs/policy-table.md
check-docs: $(B)/tools/capsicum-policy
	@$(B)/tools/capsicum-policy markdown | cmp -s - docs/policy-table.md || \
	    { echo "docs/policy-table.md is stale: run 'make docs'"; exit 1; }
	@$(B)/tools/capsicum-policy check
	@if command -v mandoc >/dev/null; then \
	    mandoc -T lint -W warning man/man*/*.[0-9] || exit 1; fi

lint:
	mandoc -T lint -W warning man/man*/*.[0-9]

# ---------------------------------------------------------------------------
# Installation

HEADERS := $(shell cd include && find . -name '*.h' | sed 's|^\./||')
install: all
	@for h in $(HEADERS); do \
	    install -D -m 644 include/$$h $(DESTDIR)$(INCDIR)/$$h || exit 1; done
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	@for l in $(LIBS_STATIC); do install -m 644 $$l $(DESTDIR)$(LIBDIR)/ || exit 1; done
	@for l in $(LIBS_SHARED); do \
	    install -m 755 $$l.$(SOVER) $(DESTDIR)$(LIBDIR)/ && \
	    ln -sf $$(basename $$l).$(SOVER) $(DESTDIR)$(LIBDIR)/$$(basename $$l) || exit 1; done
	@for p in $(patsubst $(B)/lib/lib%.a,%,$(LIBS_STATIC)); do \
	    sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		mk/$$p.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/$$p.pc || exit 1; done
	@for m in man/man*/*.[0-9]; do \
	    s=$$(echo $$m | sed 's|.*\.||'); \
	    install -D -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m) || exit 1; done
	@for t in $(TOOLS); do install -D -m 755 $$t $(DESTDIR)$(BINDIR)/$$(basename $$t) || exit 1; done

clean:
	rm -rf $(B)

.SECONDARY:
