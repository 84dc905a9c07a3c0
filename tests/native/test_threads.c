/* test_threads.c - the threaded core gives the same bytes as one thread.
 *
 * Every GEMM shape the passes use, and the three conv and transposed-conv passes (whose
 * backward-data and forward scatter through col2im), computed on 1 thread and then on 2, 3
 * and 4: every output byte-identical. Then a few training steps of several models on 1,
 * 2 and 3 threads: identical states. And the pool's refusals: a count out of 1..64, more
 * than the pool started, leave the count in use as it was.
 *
 * Built with -pthread and GP_THREADS, under ASan+UBSan (make test-native) and under
 * ThreadSanitizer (make test-tsan), which must report no race. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/parallel.h"
#include "nn/rng.h"
#include "nn/sgemm.h"

enum { MAX_T = 4 };

static float *random_floats(rng *r, size_t n) {
  float *p = malloc(sizeof(float) * n);
  rng_fill_uniform(r, p, (int)n, -1, 1);
  return p;
}

/* C = op(A).op(B) + beta C at each thread count; all equal to the first. */
static void check_sgemm(int ta, int tb, int M, int N, int K, float beta) {
  rng r;
  rng_seed(&r, (uint64_t)M * 31 + N, (uint64_t)K);
  float *A = random_floats(&r, (size_t)M * K), *B = random_floats(&r, (size_t)K * N);
  float *C0 = random_floats(&r, (size_t)M * N), *one = NULL;
  for (int T = 1; T <= MAX_T; T++) {
    CHECK_TRUE(sgemm_set_threads(T) == 0, "threads %d", T);
    float *C = malloc(sizeof(float) * M * N);
    memcpy(C, C0, sizeof(float) * M * N);
    sgemm(ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, beta, C, N);
    if (!one) {
      one = C;
      continue;
    }
    CHECK_TRUE(memcmp(one, C, sizeof(float) * M * N) == 0, "sgemm %d%d %dx%dx%d beta %g: %d threads differ from 1",
               ta, tb, M, N, K, beta, T);
    free(C);
  }
  free(A), free(B), free(C0), free(one);
}

typedef void pass_fn(float *out, const float *a, const float *w, const conv_shape *s, int ch);

static void conv_fwd(float *y, const float *x, const float *w, const conv_shape *s, int OC) {
  conv2d_forward(y, x, w, NULL, s, OC);
}
static void tconv_fwd(float *y, const float *x, const float *w, const conv_shape *s, int IC) {
  conv_transpose2d_forward(y, x, w, NULL, s, IC);
}

/* One pass at each thread count, output (which it accumulates into) starting from the
 * same values: every thread count gives the first's bytes. */
static void check_pass(const char *name, pass_fn *pass, size_t out_n, size_t in_n, size_t w_n,
                       const conv_shape *s, int ch) {
  rng r;
  rng_seed(&r, out_n, in_n);
  float *in = random_floats(&r, in_n), *w = random_floats(&r, w_n), *start = random_floats(&r, out_n);
  float *one = NULL;
  for (int T = 1; T <= MAX_T; T++) {
    CHECK_TRUE(sgemm_set_threads(T) == 0, "threads %d", T);
    float *out = malloc(sizeof(float) * out_n);
    memcpy(out, start, sizeof(float) * out_n);
    pass(out, in, w, s, ch);
    if (!one) {
      one = out;
      continue;
    }
    CHECK_TRUE(memcmp(one, out, sizeof(float) * out_n) == 0, "%s N%d %dx%dx%d k%d s%d: %d threads differ from 1",
               name, s->N, s->H, s->W, s->C, s->KH, s->S, T);
    free(out);
  }
  free(in), free(w), free(start), free(one);
}

static void check_conv(int N, int H, int W, int C, int OC, int K, int S, int P) {
  conv_shape s;
  if (conv_shape_init(&s, N, H, W, C, K, K, S, P)) return;
  const size_t x_n = (size_t)N * H * W * C, y_n = (size_t)N * s.OH * s.OW * OC, w_n = (size_t)K * K * C * OC;
  /* conv2d: forward x -> y, backward-data dy -> dx (col2im), backward-weights */
  check_pass("conv2d forward", conv_fwd, y_n, x_n, w_n, &s, OC);
  check_pass("conv2d backward-data", (pass_fn *)conv2d_backward_data, x_n, y_n, w_n, &s, OC);
  check_pass("conv2d backward-weights", (pass_fn *)conv2d_backward_weights, w_n, y_n, x_n, &s, OC);
  /* its transpose: forward [N,OH,OW,IC] -> [N,H,W,C] (col2im), backward-data, -weights */
  check_pass("conv_transpose2d forward", tconv_fwd, x_n, y_n, w_n, &s, OC);
  check_pass("conv_transpose2d backward-data", (pass_fn *)conv_transpose2d_backward_data, y_n, x_n, w_n, &s, OC);
  check_pass("conv_transpose2d backward-weights", (pass_fn *)conv_transpose2d_backward_weights, w_n, x_n, y_n, &s, OC);
}

/* A few training steps from one seed at each thread count: the whole state (weights,
 * moments, statistics, random streams) byte-identical. */
static void check_training(const char *name, gan_config c) {
  enum { IMAGES = 48, PIXELS = 28 * 28 };
  static uint8_t images[IMAGES * PIXELS], labels[IMAGES];
  for (int i = 0; i < IMAGES * PIXELS; i++) images[i] = (uint8_t)(i * 37 + i / 97);
  idx_dataset d = {.images = images, .labels = labels, .n = IMAGES, .rows = 28, .cols = 28};
  uint8_t *one = NULL;
  size_t n = 0;
  for (int T = 1; T <= 3; T++) {
    CHECK_TRUE(sgemm_set_threads(T) == 0, "threads %d", T);
    char err[200];
    gan *g = gan_create(&c, err, sizeof err);
    CHECK_TRUE(g != NULL, "%s: gan_create: %s", name, err);
    if (!g) return;
    gan_stats st;
    for (int k = 0; k < 3; k++) CHECK_TRUE(gan_train_step(g, &d, &st) == 0, "%s: step %d", name, k);
    n = gan_state_size(g);
    uint8_t *state = malloc(n);
    gan_state_save(g, state);
    gan_destroy(g);
    if (!one) {
      one = state;
      continue;
    }
    CHECK_TRUE(memcmp(one, state, n) == 0, "%s: the state after 3 steps on %d threads differs from 1", name, T);
    free(state);
  }
  free(one);
}

static void check_refusals(void) {
  CHECK_TRUE(sgemm_set_threads(2) == 0, "2 threads");
  CHECK_TRUE(sgemm_set_threads(0) == -1 && par_threads() == 2, "0 threads refused, 2 kept");
  CHECK_TRUE(sgemm_set_threads(65) == -1 && par_threads() == 2, "65 threads refused, 2 kept");
  CHECK_TRUE(par_capacity() == MAX_T, "the pool started %d threads, not %d", par_capacity(), MAX_T);
  CHECK_TRUE(sgemm_set_threads(MAX_T + 1) == -1 && par_threads() == 2, "more than the pool refused, 2 kept");
  CHECK_TRUE(par_supported() == 1, "this build has threads");
}

int main(void) {
  CHECK_TRUE(sgemm_set_threads(MAX_T) == 0, "starting %d threads", MAX_T);
  /* every shape of split: rows (many rows), columns (few rows, many columns), partial
   * tiles and reduction blocks, beta 0 and 1, all transpositions */
  const int shapes[][3] = {{256, 64, 300}, {64, 6272, 100}, {7, 1000, 33}, {3136, 1, 64}, {100, 64, 513},
                           {130, 130, 257}, {5, 2049, 17}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
    for (int ta = 0; ta <= 1; ta++)
      for (int tb = 0; tb <= 1; tb++) {
        check_sgemm(ta, tb, shapes[i][0], shapes[i][1], shapes[i][2], 0.0f);
        check_sgemm(ta, tb, shapes[i][0], shapes[i][1], shapes[i][2], 1.0f);
      }
  /* the DCGAN's layers (7x7 images: 49 rows each, not a multiple of the tile) and odd ones */
  check_conv(5, 28, 28, 1, 32, 4, 2, 1);
  check_conv(5, 14, 14, 32, 64, 4, 2, 1);
  check_conv(3, 7, 7, 64, 64, 3, 1, 1);
  check_conv(3, 9, 11, 3, 12, 5, 2, 2);
  check_conv(1, 14, 14, 16, 8, 4, 2, 1); /* one image: nothing to split a scatter over */

  gan_config c;
  gan_config_default(&c);
  c.batch = 16, c.seed = 7;
  check_training("default", c);
  gan_config b = c;
  b.d_batchnorm = 1, b.d_layers = 3, b.mbstd = 1;
  check_training("batch norm in D, 3 layers, mbstd", b);
  gan_config w = c;
  w.loss = GAN_LOSS_WGAN, w.g_resize = 1;
  check_training("wgan, resize-conv G", w);
  check_refusals();
  return check_finish();
}
