# redflag — plain Makefile over pkg-config. `make` builds ./redflag;
# `make check` runs the rules lint, the unit tests (one cmocka binary per
# module) and the CLI tests; `make SANITIZE=address,undefined check` runs
# them sanitized.

PKGS     := libpcre2-8 lmdb libxml-2.0 libcurl libcrypto yajl icu-uc icu-i18n libzip xlsxwriter
# The tool alone also needs these (`serve`: libmicrohttpd); the library and redflag.pc do not.
CLI_PKGS := libmicrohttpd
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
BUILD    := build
PREFIX   ?= /usr/local
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifdef SANITIZE
BUILD    := build/san
CFLAGS   += -O1 -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lstemmer -lm
CLI_LIBS   := $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null) -lpthread
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DRF_RULES_DIR='"$(PREFIX)/share/redflag/rules"' \
              -DRF_FEEDS_CONF='"$(PREFIX)/share/redflag/feeds/feeds.conf"' -DRF_VERSION='"$(VERSION)"' -Iinclude -Isrc/lib $(WARN) \
              -fvisibility=hidden -MMD -MP $(PKG_CFLAGS) $(shell pkg-config --cflags $(CLI_PKGS) 2>/dev/null) $(CFLAGS)

LIB_SRC  := $(sort $(wildcard src/lib/*.c src/lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBA     := $(BUILD)/libredflag.a
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
SONAME   := libredflag.so.$(SOMAJOR)
LIBSO    := $(BUILD)/libredflag.so.$(VERSION)
BIN      := $(if $(SANITIZE),$(BUILD)/redflag,redflag)
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
SHAREDIR := $(PREFIX)/share/redflag
BASHCOMP ?= $(PREFIX)/share/bash-completion/completions


.PHONY: all deps check unit cli-test lint install-check demo bench bench-quick bench-names bench-serve \
        clean install uninstall fuzz fuzz-run same-verdicts lib fresh-check mutate
all: $(BIN) $(LIBSO)
lib: $(LIBA) $(LIBSO)

deps:
	@sh scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The shared library: versioned soname, only the RF_API symbols exported
# (everything else is built with -fvisibility=hidden).
$(LIBSO): $(LIB_OBJ) src/lib/exports.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined -Wl,--version-script=src/lib/exports.map $(LDFLAGS) -o $@ $(LIB_OBJ) $(PKG_LIBS) -lpthread

$(BIN): $(CLI_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(PKG_LIBS) $(CLI_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(PKG_LIBS) -lcmocka

unit: $(TESTS)
	@fail=0; for t in $(TESTS); do \
	  echo "== $$t"; RF_SRCDIR=$(CURDIR) ./$$t || fail=1; done; exit $$fail

cli-test: $(BIN)
	@REDFLAG=$(CURDIR)/$(BIN) sh tests/cli/run.sh

# A second opinion on the shipped rules: an independent parser and evaluator
# of the rule language runs every example and flags unbounded gaps (.*).
lint:
	@python3 scripts/rules_precheck.py rules

check: deps
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory cli-test
	@$(MAKE) --no-print-directory install-check

# Install into a temporary DESTDIR, build examples/embed.c against it with
# pkg-config, run it, uninstall (always with the plain, unsanitized build).
install-check:
	@sh tests/install/run.sh

same-verdicts: $(BIN)
	@sh bench/same_verdicts.sh ./$(BIN)

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@sh scripts/demo.sh ./$(BIN)

bench: $(BIN)
	@sh scripts/deps.sh bench
	@sh bench/run.sh ./$(BIN)

# Fuzz targets (libFuzzer, clang): `make fuzz` builds them, `make fuzz-run`
# runs each for FUZZ_SECONDS on a corpus seeded from the test fixtures.
FUZZ_SECONDS ?= 30
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -std=c11 -D_GNU_SOURCE \
              -DRF_VERSION='"$(VERSION)"' \
              -Iinclude -Isrc/lib $(PKG_CFLAGS)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -c $< -o $@
build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(LIB_SRC:%.c=build/fuzz/obj/%.o)
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)
.SECONDARY:
fuzz: $(FUZZ_TARGETS)
fuzz-run: fuzz
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# Mutation check: each mutant of tests/mutants/mutants.tsv applied to a scratch copy of
# the tree (build/mutate/tree), its tests run; prints the score and the survivors
# (HACKING.md "Mutation check"). MUTATE_SAMPLE=N or MUTATE_ONLY=id,id for fewer.
mutate:
	@sh scripts/mutate.sh

# The README's two commands on a newly debootstrapped minimal Debian 12, in a
# chroot (root only; HACKING.md "fresh-check").
fresh-check:
	@sh scripts/fresh-check.sh

bench-quick: $(BIN)
	@BENCH_QUICK=1 sh bench/run.sh ./$(BIN)

bench-match: $(BIN)
	@sh bench/match.sh ./$(BIN)

# `serve` on loopback: paced single-record latency and batched throughput (~30 s).
bench-serve: $(BIN)
	@sh bench/serve.sh ./$(BIN)

# Name-matching evaluation on the sets built from the real list files (bench/names/eval/):
# pairs P/R/F1 per slice, listed names flagged, ordinary companies matched, vessel decoys.
# SPLIT=held only for the final measurement.
bench-names: $(BIN)
	@python3 bench/names/eval/score.py ./$(BIN) --split $(or $(SPLIT),dev)

install: $(BIN) $(LIBA) $(LIBSO) redflag.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/redflag \
	  $(DESTDIR)$(SHAREDIR)/rules $(DESTDIR)$(SHAREDIR)/feeds/snapshots/ofac_sdn_csv \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMP)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/redflag
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libredflag.a
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libredflag.so.$(VERSION)
	ln -sf libredflag.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libredflag.so
	install -m 644 redflag.pc $(DESTDIR)$(LIBDIR)/pkgconfig/redflag.pc
	install -m 644 include/redflag/*.h $(DESTDIR)$(INCDIR)/redflag/
	install -m 644 rules/*.rules rules/goods.tsv rules/README.md $(DESTDIR)$(SHAREDIR)/rules/
	install -m 644 feeds/feeds.conf $(DESTDIR)$(SHAREDIR)/feeds/
	install -m 644 feeds/snapshots/*.* $(DESTDIR)$(SHAREDIR)/feeds/snapshots/
	install -m 644 feeds/snapshots/ofac_sdn_csv/* $(DESTDIR)$(SHAREDIR)/feeds/snapshots/ofac_sdn_csv/
	install -m 644 man/redflag.1 $(DESTDIR)$(MANDIR)/man1/redflag.1
	install -m 644 man/redflag-rules.5 $(DESTDIR)$(MANDIR)/man5/redflag-rules.5
	install -m 644 completion/redflag.bash $(DESTDIR)$(BASHCOMP)/redflag

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/redflag $(DESTDIR)$(LIBDIR)/libredflag.a \
	  $(DESTDIR)$(LIBDIR)/libredflag.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libredflag.so $(DESTDIR)$(LIBDIR)/pkgconfig/redflag.pc \
	  $(DESTDIR)$(MANDIR)/man1/redflag.1 $(DESTDIR)$(MANDIR)/man5/redflag-rules.5 \
	  $(DESTDIR)$(BASHCOMP)/redflag
	rm -rf $(DESTDIR)$(INCDIR)/redflag $(DESTDIR)$(SHAREDIR)

# pkg-config file for the installed library.
redflag.pc: redflag.pc.in VERSION Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|; s|@REQUIRES@|$(PKGS)|' $< > $@

clean:
	rm -rf build redflag redflag.pc

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_SRC:%.c=$(BUILD)/%.d)
