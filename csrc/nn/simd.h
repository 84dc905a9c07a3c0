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

/* Stores the 4x4 transpose of rows a, b, c, d: dst[0..3] = column 0, dst[4..7] = column 1,
 * ... (packing GEMM panels from row-major data). */
static inline void f32x4_store_transposed(float *dst, v128_t a, v128_t b, v128_t c, v128_t d) {
  v128_t ab_lo = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab_hi = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  v128_t cd_lo = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd_hi = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  wasm_v128_store(dst + 0, wasm_i64x2_shuffle(ab_lo, cd_lo, 0, 2));
  wasm_v128_store(dst + 4, wasm_i64x2_shuffle(ab_lo, cd_lo, 1, 3));
  wasm_v128_store(dst + 8, wasm_i64x2_shuffle(ab_hi, cd_hi, 0, 2));
  wasm_v128_store(dst + 12, wasm_i64x2_shuffle(ab_hi, cd_hi, 1, 3));
}

#endif
