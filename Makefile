# Jardam: build, run, test, check, bench.
# `make run` and `make test` are the two commands a newcomer needs.

CC      ?= cc
PKGS    := libevent libevent_openssl sqlite3 libcurl openssl jansson inih libargon2
WARN    := -std=c11 -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wwrite-strings -Wvla
CFLAGS  ?= -O2 -g
SAN     ?=
ALL_CFLAGS  = $(WARN) $(CFLAGS) $(SAN) -D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
BUILD   ?= build

GEO_SRC      := $(wildcard geo/*.c)
CONFIG_SRC   := $(wildcard config/*.c)
DISPATCH_SRC := $(filter-out dispatch/main.c,$(wildcard dispatch/*.c))
WEB_FILES    := $(sort $(wildcard dispatch/web/*.html dispatch/web/*.js dispatch/web/*.css))
LIB_SRC      := $(GEO_SRC) $(CONFIG_SRC) $(DISPATCH_SRC)
LIB_OBJ      := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/web.o
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BIN     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test check unit api browser deps test-deps clean reset bench fuzz
all: deps $(BUILD)/jardam

# Install the Debian packages the build needs (root), or say the exact line.
deps:
	@sh tests/deps.sh build

test-deps:
	@sh tests/deps.sh test

$(BUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The web pages are embedded in the binary by a small generator.
$(BUILD)/embed: dispatch/web/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

$(BUILD)/web.c: $(BUILD)/embed $(WEB_FILES)
	$(BUILD)/embed $@ $(WEB_FILES)

$(BUILD)/web.o: $(BUILD)/web.c dispatch/pages.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libjardam.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/jardam: $(BUILD)/dispatch/main.o $(BUILD)/libjardam.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
	@ln -sf $(BUILD)/jardam jardam

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(BUILD)/libjardam.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS) -lcmocka

# Build, create var/ with the database, key and demo data, print the admin login, serve.
run: all
	./$(BUILD)/jardam --config config/jardam.ini demo
	./$(BUILD)/jardam --config config/jardam.ini serve

reset:
	rm -rf var

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

api: $(BUILD)/jardam
	JARDAM_BIN=$(abspath $(BUILD)/jardam) /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api

# The demo driven in real Chromium (Debian's) by playwright-core.
browser: $(BUILD)/jardam
	cd tests/browser && { test -d node_modules/playwright-core || npm ci --no-audit --no-fund; }
	cd tests/browser && JARDAM_BIN=$(abspath $(BUILD)/jardam) node --test

# Every test: unit tests (cmocka), black-box tests against the real binary,
# browser tests.
test: deps test-deps
	$(MAKE) unit browser api

# Warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer, every test.
check: deps test-deps
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g -Werror" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" unit api browser

BENCH_BIN := $(BUILD)/bench/baseline $(BUILD)/bench/seed $(BUILD)/bench/scale

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libjardam.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# Benchmarks (not part of `make test`): figures as ratios to a bare evhttp
# server measured in the same run; writes tests/bench/RESULTS.md.
bench: all
	@sh tests/deps.sh bench
	$(MAKE) $(BENCH_BIN)
	/usr/bin/python3 tests/bench/bench.py --build $(BUILD)

# Fuzz the parsers of outside input with libFuzzer (clang), FUZZ_SECONDS each.
FUZZ_SECONDS ?= 20
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
	$(shell pkg-config --cflags jansson inih)
FUZZ_LIBS = $(shell pkg-config --libs jansson inih) -lm
fuzz:
	@mkdir -p $(BUILD)/fuzz
	clang $(FUZZ_FLAGS) -o $(BUILD)/fuzz/body tests/fuzz/fuzz_body.c dispatch/input.c \
	    dispatch/clock.c config/config.c $(FUZZ_LIBS)
	clang $(FUZZ_FLAGS) -o $(BUILD)/fuzz/geojson tests/fuzz/fuzz_geojson.c $(GEO_SRC) $(FUZZ_LIBS)
	clang $(FUZZ_FLAGS) -o $(BUILD)/fuzz/config tests/fuzz/fuzz_config.c config/config.c $(FUZZ_LIBS)
	@for f in body geojson config; do mkdir -p $(BUILD)/fuzz/corpus-$$f; \
	    cp tests/fuzz/seeds/$$f/* $(BUILD)/fuzz/corpus-$$f/ 2>/dev/null; \
	    $(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    $(BUILD)/fuzz/corpus-$$f || exit 1; done

clean:
	rm -rf build build-san jardam
