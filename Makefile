# redflag — plain Makefile over pkg-config. `make` builds ./redflag;
# `make check` runs the rules lint, the unit tests (one cmocka binary per
# module) and the CLI tests; `make SANITIZE=address,undefined check` runs
# them sanitized.

PKGS     := libpcre2-8 lmdb libxml-2.0 libcurl libcrypto yajl icu-uc icu-i18n
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
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DRF_RULES_DIR='"$(PREFIX)/share/redflag/rules"' \
              -DRF_FEEDS_CONF='"$(PREFIX)/share/redflag/feeds/feeds.conf"' -DRF_VERSION='"$(VERSION)"' -Iinclude $(WARN) \
              -fvisibility=hidden -MMD -MP $(PKG_CFLAGS) $(CFLAGS)

LIB_SRC  := $(sort $(wildcard src/lib/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBA     := $(BUILD)/libredflag.a
BIN      := $(if $(SANITIZE),$(BUILD)/redflag,redflag)


.PHONY: all deps check unit cli-test lint demo bench bench-quick clean install fuzz fuzz-run
all: $(BIN)

deps:
	@sh scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(PKG_LIBS)

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
              -Iinclude $(PKG_CFLAGS)
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

bench-quick: $(BIN)
	@BENCH_QUICK=1 sh bench/run.sh ./$(BIN)

bench-match: $(BIN)
	@sh bench/match.sh ./$(BIN)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/redflag/rules
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/redflag
	install -m 644 rules/*.rules rules/*.tsv $(DESTDIR)$(PREFIX)/share/redflag/rules/ 2>/dev/null || \
	install -m 644 rules/*.rules $(DESTDIR)$(PREFIX)/share/redflag/rules/
	install -d $(DESTDIR)$(PREFIX)/share/redflag/feeds/snapshots/ofac_sdn_csv
	install -m 644 feeds/feeds.conf $(DESTDIR)$(PREFIX)/share/redflag/feeds/
	install -m 644 feeds/snapshots/*.* $(DESTDIR)$(PREFIX)/share/redflag/feeds/snapshots/
	install -m 644 feeds/snapshots/ofac_sdn_csv/* $(DESTDIR)$(PREFIX)/share/redflag/feeds/snapshots/ofac_sdn_csv/

clean:
	rm -rf build redflag

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_SRC:%.c=$(BUILD)/%.d)
