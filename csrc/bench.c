/* bench.c - see bench.h. Buffers are malloc'd per call: benchmarks are not a training step.
 * The exports follow the ABI's rules (api_internal.h): the gp_bench_* calls clear the last
 * error on entry and each refusal leaves its reason. gp_bench_peak cannot fail and runs
 * inside the timed loop, so it leaves the last error as it was, as api.h's getters do. */
#define _POSIX_C_SOURCE 199309L
#include "bench.h"

#include <stdlib.h>
#include <time.h>

#include "api_internal.h"
#include "nn/nn.h"
#include "nn/simd.h"

/* The machine's SIMD128 ceiling, in multiply-adds: what every kernel's share of peak is of. */
GP_API float gp_bench_peak(int iters) {
  /* A 4x8 register block: 8 independent f32x4 accumulators, each taking a mul and an add
   * per step, operands streamed from 64 steps of L1-resident data (so the compiler cannot
   * hoist the multiplies). The accumulators are the only dependency chains (latency 3,
   * 8 in flight), so the floating-point pipes set the pace: the most any kernel can do.
   * The inner loop walks pointers and stays rolled, as the sgemm micro-kernel's does: fully
   * unrolled (clang's choice for a constant trip count), V8 compiles it to code that runs
   * ~20% slower on some x86 hosts, and the "peak" read below what sgemm reaches. */
  enum { STEPS = 64 };
  static _Alignas(16) float a[STEPS * 4], b[STEPS * 8];
  for (int i = 0; i < STEPS * 4; i++) a[i] = 1.0f + (float)i * 1e-4f;
  for (int i = 0; i < STEPS * 8; i++) b[i] = 1.0f - (float)i * 1e-4f;
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int it = 0; it < iters; it++) {
    const float *pa = a, *pb = b;
#ifdef __clang__
#pragma clang loop unroll(disable)
#endif
    for (int k = 0; k < STEPS; k++, pa += 4, pb += 8) {
      v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4);
      v128_t x = wasm_v128_load32_splat(pa + 0);
      c00 = f32x4_muladd(c00, x, b0), c01 = f32x4_muladd(c01, x, b1);
      x = wasm_v128_load32_splat(pa + 1);
      c10 = f32x4_muladd(c10, x, b0), c11 = f32x4_muladd(c11, x, b1);
      x = wasm_v128_load32_splat(pa + 2);
      c20 = f32x4_muladd(c20, x, b0), c21 = f32x4_muladd(c21, x, b1);
      x = wasm_v128_load32_splat(pa + 3);
      c30 = f32x4_muladd(c30, x, b0), c31 = f32x4_muladd(c31, x, b1);
    }
  }
  v128_t t = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c00, c01), wasm_f32x4_add(c10, c11)),
                            wasm_f32x4_add(wasm_f32x4_add(c20, c21), wasm_f32x4_add(c30, c31)));
  return wasm_f32x4_extract_lane(t, 0) + wasm_f32x4_extract_lane(t, 3);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef void bench_fn(void *ctx);

/* Warms up once, then five rounds of at least seconds/5 each; returns the best rate. */
static double best_rate(bench_fn *fn, void *ctx, double flops_per_call, double seconds) {
  fn(ctx);
  double best = 0.0;
  for (int round = 0; round < 5; round++) {
    int calls = 0;
    double t0 = now(), t;
    do {
      fn(ctx);
      calls++;
      t = now() - t0;
    } while (t < seconds / 5);
    double rate = flops_per_call * calls / t * 1e-9;
    if (rate > best) best = rate;
  }
  return best;
}

static volatile float sink;

static void peak_once(void *ctx) { sink = gp_bench_peak(*(int *)ctx); }

GP_API double gp_bench_peak_gflops(double seconds) {
  api_enter();
  int iters = 1 << 14;
  return best_rate(peak_once, &iters, 64.0 * 64.0 * iters, seconds);
}

static float *random_floats(rng *r, size_t n) {
  float *p = malloc(n * sizeof(float));
  if (p) rng_fill_normal(r, p, (int)n, 0.0f, 1.0f);
  return p;
}

typedef struct {
  int ta, tb, M, N, K;
  float *A, *B, *C;
} sgemm_ctx;

static void sgemm_once(void *v) {
  sgemm_ctx *c = v;
  sgemm(c->ta, c->tb, c->M, c->N, c->K, c->A, c->ta ? c->M : c->K, c->B, c->tb ? c->K : c->N,
        0.0f, c->C, c->N);
}

GP_API double gp_bench_sgemm(int ta, int tb, int M, int N, int K, double seconds) {
  api_enter();
  if (M <= 0 || N <= 0 || K <= 0) return api_fail(GP_ERR_SIZE, "sgemm sizes must be positive (M %d, N %d, K %d)", M, N, K);
  const double most = 1 << 26; /* floats per operand: 256 MB */
  if ((double)M * K > most || (double)K * N > most || (double)M * N > most)
    return api_fail(GP_ERR_OVERFLOW, "sgemm operands over 2^26 floats (M %d, N %d, K %d)", M, N, K);
  rng r;
  rng_seed(&r, 1, 0);
  sgemm_ctx c = {ta, tb, M, N, K, random_floats(&r, (size_t)M * K),
                 random_floats(&r, (size_t)K * N), random_floats(&r, (size_t)M * N)};
  double rate = GP_ERR_NOMEM;
  if (c.A && c.B && c.C) rate = best_rate(sgemm_once, &c, 2.0 * M * N * K, seconds);
  else api_status(GP_ERR_NOMEM);
  free(c.A), free(c.B), free(c.C);
  return rate;
}

typedef struct {
  int pass, OC;
  conv_shape s;
  float *x, *w, *b, *y;
} conv_ctx;

/* x lives on the input side [N,H,W,C], y on the output side [N,OH,OW,OC]; each pass reads
 * and writes the ones its direction needs. */
static void conv_once(void *v) {
  conv_ctx *c = v;
  switch (c->pass) {
    case BENCH_CONV2D_FWD: conv2d_forward(c->y, c->x, c->w, c->b, &c->s, c->OC); break;
    case BENCH_CONV2D_BWD_DATA: conv2d_backward_data(c->x, c->y, c->w, &c->s, c->OC); break;
    case BENCH_CONV2D_BWD_WEIGHTS: conv2d_backward_weights(c->w, c->y, c->x, &c->s, c->OC); break;
    case BENCH_CONVT_FWD: conv_transpose2d_forward(c->x, c->y, c->w, c->b, &c->s, c->OC); break;
    case BENCH_CONVT_BWD_DATA: conv_transpose2d_backward_data(c->y, c->x, c->w, &c->s, c->OC); break;
    default: conv_transpose2d_backward_weights(c->w, c->x, c->y, &c->s, c->OC); break;
  }
}

GP_API double gp_bench_conv(int pass, int N, int H, int W, int C, int OC, int K, int S, int P,
                            double seconds) {
  api_enter();
  conv_ctx c = {0};
  c.pass = pass, c.OC = OC;
  if (pass < 0 || pass >= BENCH_PASSES) return api_fail(GP_ERR_ARG, "benchmark pass %d out of 0..%d", pass, BENCH_PASSES - 1);
  if (OC <= 0 || OC > 4096 || N > 1024 || H > 1024 || W > 1024 || C > 4096 || K > 64)
    return api_status(GP_ERR_SIZE);
  if (conv_shape_init(&c.s, N, H, W, C, K, K, S, P)) return api_status(GP_ERR_SHAPE);
  size_t in = (size_t)N * H * W * C, out = (size_t)N * c.s.OH * c.s.OW * OC;
  size_t wn = (size_t)K * K * C * OC, bn = (size_t)(C > OC ? C : OC);
  rng r;
  rng_seed(&r, 2, 0);
  c.x = random_floats(&r, in), c.y = random_floats(&r, out), c.w = random_floats(&r, wn);
  c.b = random_floats(&r, bn);
  double rate = GP_ERR_NOMEM;
  if (c.x && c.y && c.w && c.b)
    rate = best_rate(conv_once, &c, 2.0 * out * K * K * C, seconds);
  else
    api_status(GP_ERR_NOMEM);
  free(c.x), free(c.y), free(c.w), free(c.b);
  return rate;
}
