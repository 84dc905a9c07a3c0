/* simd.h - one include for WebAssembly SIMD128 intrinsics, wherever the core is built.
 *
 * Under Emscripten (-msimd128) this is the compiler's own wasm_simd128.h. Natively
 * (gcc/clang, for sanitizers, valgrind and fuzzers) SIMDe maps the same wasm_* intrinsics
 * onto SSE/AVX, so every kernel is written once. */
#ifndef NN_SIMD_H
#define NN_SIMD_H

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#endif

/* acc + a * b. Baseline SIMD128 has no fused multiply-add (and Node 20 rejects the
 * pre-standard relaxed-SIMD opcodes clang 14 would emit), so it is a mul then an add. */
static inline v128_t f32x4_muladd(v128_t acc, v128_t a, v128_t b) {
  return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
}

#endif
