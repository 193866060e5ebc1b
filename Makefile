# gnomon — plain Makefile. `make` builds gnomond and gnomonctl, `make check`
# runs every test, `make bench` prints figures, `make demo` tells the story.
# `make deps` (used by every other target) installs missing Debian packages
# when run as root, and otherwise prints the apt-get line.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
SAN     ?= 0
# DEPS=0: never run scripts/deps.sh (a package build: Build-Depends has it all)
DEPS    ?= 1

PKGS     := libnl-3.0 libnl-route-3.0 libnl-genl-3.0 libcap json-c nettle
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-qual -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
CPPFLAGS ?=
LDFLAGS  ?=
ALL_CFLAGS = -std=gnu11 $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -I. -D_GNU_SOURCE \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

ifeq ($(SAN),1)
BUILD       := build-san
ALL_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=address,undefined
endif

SERVO_SRC  := $(wildcard servo/*.c)
PHC_SRC    := $(wildcard phc/*.c)
UTIL_SRC   := $(wildcard util/*.c)
MAINS      := daemon/gnomond.c daemon/ctl/gnomonctl.c
DAEMON_SRC := $(filter-out $(MAINS),$(wildcard daemon/*.c daemon/*/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIBSERVO  := $(BUILD)/libservo.a
LIBPHC    := $(BUILD)/libphc.a
LIBUTIL   := $(BUILD)/libutil.a
LIBDAEMON := $(BUILD)/libdaemon.a
LIBS_ALL  := $(LIBDAEMON) $(LIBSERVO) $(LIBPHC) $(LIBUTIL)

PROGS      := $(BUILD)/gnomond $(BUILD)/gnomonctl
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))

DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all deps check unit unit-san sim-check system-check bench figures demo demo-leap clean install uninstall deb fuzz
all: $(PROGS) gnomond gnomonctl

# Convenience links at the top of the tree.
gnomond gnomonctl: %: $(BUILD)/%
	@ln -sf $< $@

deps: | $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(@D)
	@[ "$(DEPS)" = 0 ] || sh scripts/deps.sh
	@touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBSERVO): $(call obj,$(SERVO_SRC))
$(LIBPHC): $(call obj,$(PHC_SRC))
$(LIBUTIL): $(call obj,$(UTIL_SRC))
$(LIBDAEMON): $(call obj,$(DAEMON_SRC))
$(LIBS_ALL):
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/gnomond: $(call obj,daemon/gnomond.c) $(LIBS_ALL)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $< $(LIBS_ALL) $(LDLIBS)
$(BUILD)/gnomonctl: $(call obj,daemon/ctl/gnomonctl.c) $(LIBS_ALL)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $< $(LIBS_ALL) $(LDLIBS)

# Unit tests: one Check suite per file; tests/unit/check_main.c runs it.
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/check_main.o $(LIBS_ALL)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LIBS_ALL) $(CHECK_LIBS) $(LDLIBS)

# Standalone programs: real-kernel system tests and benchmarks.
SYSTEM_BINS := $(patsubst tests/system/%.c,$(BUILD)/tests/system/%,$(wildcard tests/system/*.c))
BENCH_BINS  := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(wildcard tests/bench/*.c))
TOOL_BINS   := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
$(TOOL_BINS): $(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(LIBS_ALL)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $< $(LIBS_ALL) $(LDLIBS)
$(SYSTEM_BINS): $(BUILD)/tests/system/%: $(BUILD)/tests/system/%.o $(LIBS_ALL)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $< $(LIBS_ALL) $(LDLIBS)
$(BENCH_BINS): $(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(LIBS_ALL)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $< $(LIBS_ALL) $(LDLIBS)

unit: $(UNIT_BINS) $(PROGS)
	@sh tests/run-unit.sh $(BUILD) $(UNIT_BINS)

unit-san:
	@$(MAKE) --no-print-directory SAN=1 unit

-include tests/sim/sim.mk

check: all $(TOOL_BINS)
	@sh tests/check.sh $(BUILD)

# The only tests that change this machine's real clock (tick and frequency,
# restored on every path). Never part of `make check`: they run only when
# asked for explicitly with GNOMON_REAL_CLOCK_TESTS=1, as root.
system-check: all $(SYSTEM_BINS)
	@if [ "$${GNOMON_REAL_CLOCK_TESTS:-0}" != 1 ]; then \
		echo "system-check: SKIP: changes the real clock; run with GNOMON_REAL_CLOCK_TESTS=1"; \
	else for t in $(SYSTEM_BINS); do $$t || exit 1; done; fi

bench: all $(BENCH_BINS) $(TOOL_BINS)
	@sh tests/bench.sh $(BUILD)

# Re-measure and regenerate the README's figures table from the bench lines
# (doc/bench.txt keeps them; tests/arch checks the README agrees).
figures: all $(BENCH_BINS) $(TOOL_BINS)
	@sh tests/bench.sh $(BUILD) | tee $(BUILD)/bench.out
	@grep -E '^[a-z0-9_.]+ [^ ]+ [^ ]*$$' $(BUILD)/bench.out > doc/bench.txt
	@sh scripts/figures.sh doc/bench.txt doc/figures.spec README.md
	@echo "figures: README.md regenerated from doc/bench.txt"

demo: all $(TOOL_BINS)
	@sh tests/demo.sh $(BUILD)
demo-leap: all $(TOOL_BINS)
	@sh tests/demo-leap.sh $(BUILD)

# Where `make install` puts things (a package: PREFIX=/usr DESTDIR=...).
# The unit goes to $(PREFIX)/lib/systemd/system (/usr/lib/systemd/system for
# PREFIX=/usr); its ExecStart= names the installed gnomond.
# /etc/gnomon/gnomon.conf is installed only if absent. /run/gnomon is made at
# run time (systemd RuntimeDirectory=, or gnomond).
SBINDIR  = $(PREFIX)/sbin
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
DOCDIR   = $(PREFIX)/share/doc/gnomon
DATADIR  = $(PREFIX)/share/gnomon
UNITDIR  = $(PREFIX)/lib/systemd/system
MANPAGES = conf/gnomonctl.1 conf/gnomon.conf.5 conf/gnomond.8
DOCS     = README.md $(wildcard doc/*.md doc/*.svg)
EXAMPLES = $(filter-out conf/gnomon.conf,$(wildcard conf/*.conf))
SCHEMA   = doc/gnomonctl-v1.schema.json

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(BUILD)/gnomond $(DESTDIR)$(SBINDIR)/gnomond
	install -m 0755 $(BUILD)/gnomonctl $(DESTDIR)$(BINDIR)/gnomonctl
	for m in $(MANPAGES); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done
	install -d $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DATADIR)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 $(SCHEMA) $(DESTDIR)$(DATADIR)/
	install -d $(DESTDIR)/etc/gnomon $(DESTDIR)/var/lib/gnomon
	[ -e $(DESTDIR)/etc/gnomon/gnomon.conf ] || \
		install -m 0644 conf/gnomon.conf $(DESTDIR)/etc/gnomon/gnomon.conf
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/sbin/gnomond|$(SBINDIR)/gnomond|' conf/gnomond.service \
		> $(DESTDIR)$(UNITDIR)/gnomond.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/gnomond.service

# Removes what `make install` put there, except /etc/gnomon/gnomon.conf
# (your configuration) and /var/lib/gnomon (audit trail, recovery history,
# drift files: a traceability record); it says so.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/gnomond $(DESTDIR)$(BINDIR)/gnomonctl
	rm -f $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES)))
	rm -f $(DESTDIR)$(DATADIR)/$(notdir $(SCHEMA)) $(DESTDIR)$(UNITDIR)/gnomond.service
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR) 2>/dev/null
	@echo "uninstall: kept $(DESTDIR)/etc/gnomon/gnomon.conf and $(DESTDIR)/var/lib/gnomon (remove them by hand)"

# The Debian package, built from a copy of the tree in a temporary
# directory (dpkg-buildpackage writes into the parent of the source tree):
# build/deb/gnomon_VERSION_ARCH.deb (+ .buildinfo, .changes, build.log).
# DEB_BUILD_OPTIONS=nocheck skips the unit tests run by debian/rules.
DEB_OUT ?= $(CURDIR)/build/deb
deb:
	@sh scripts/build-deb.sh $(DEB_OUT)

# Fuzzing (clang libFuzzer): one harness per parser in tests/fuzz, each run
# FUZZ_TIME seconds. Not part of `make check` (it is open-ended by nature);
# .ci/run runs it with FUZZ_TIME=20 after make check.
FUZZ_TIME ?= 30
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_LIBSRC := $(SERVO_SRC) $(PHC_SRC) $(DAEMON_SRC) $(UTIL_SRC)
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBSRC) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -I. -D_GNU_SOURCE \
		$(shell pkg-config --cflags $(PKGS)) -o $@ $< $(FUZZ_LIBSRC) $(LDLIBS)
fuzz: $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
	@for f in $^; do n=$$(basename $$f); c=tests/fuzz/corpus_$${n#fuzz_}; \
		mkdir -p build/fuzz/corpus-$$n; [ -d $$c ] && cp -n $$c/* build/fuzz/corpus-$$n/ 2>/dev/null; \
		echo "=== $$n ($(FUZZ_TIME) s)"; \
		$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=0 build/fuzz/corpus-$$n 2>&1 | tail -n 2 || exit 1; done

clean:
	rm -rf build build-san gnomond gnomonctl

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
