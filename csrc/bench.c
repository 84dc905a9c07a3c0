/* bench.c - see bench.h. Buffers are malloc'd per call: benchmarks are not a training step. */
#define _POSIX_C_SOURCE 199309L
#include "bench.h"

#include <stdlib.h>
#include <time.h>

#include "api.h"
#include "nn/nn.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define GP_API EMSCRIPTEN_KEEPALIVE
#else
#define GP_API
#endif

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
  if (M <= 0 || N <= 0 || K <= 0) return GP_ERR_SIZE;
  const double most = 1 << 26; /* floats per operand: 256 MB */
  if ((double)M * K > most || (double)K * N > most || (double)M * N > most) return GP_ERR_OVERFLOW;
  rng r;
  rng_seed(&r, 1, 0);
  sgemm_ctx c = {ta, tb, M, N, K, random_floats(&r, (size_t)M * K),
                 random_floats(&r, (size_t)K * N), random_floats(&r, (size_t)M * N)};
  double rate = GP_ERR_NOMEM;
  if (c.A && c.B && c.C) rate = best_rate(sgemm_once, &c, 2.0 * M * N * K, seconds);
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
  conv_ctx c = {0};
  c.pass = pass, c.OC = OC;
  if (pass < 0 || pass >= BENCH_PASSES) return GP_ERR_ARG;
  if (OC <= 0 || OC > 4096 || N > 1024 || H > 1024 || W > 1024 || C > 4096 || K > 64)
    return GP_ERR_SIZE;
  if (conv_shape_init(&c.s, N, H, W, C, K, K, S, P)) return GP_ERR_SHAPE;
  size_t in = (size_t)N * H * W * C, out = (size_t)N * c.s.OH * c.s.OW * OC;
  size_t wn = (size_t)K * K * C * OC, bn = (size_t)(C > OC ? C : OC);
  rng r;
  rng_seed(&r, 2, 0);
  c.x = random_floats(&r, in), c.y = random_floats(&r, out), c.w = random_floats(&r, wn);
  c.b = random_floats(&r, bn);
  double rate = GP_ERR_NOMEM;
  if (c.x && c.y && c.w && c.b)
    rate = best_rate(conv_once, &c, 2.0 * out * K * K * C, seconds);
  free(c.x), free(c.y), free(c.w), free(c.b);
  return rate;
}
