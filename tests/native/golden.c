/* golden.c - a fixed scenario from a fixed seed, run by the native build and printed as
 * JSON on stdout; tests/agreement.test.mjs runs the same scenario through the wasm and
 * compares. Everything goes through the C API (api.h), as the wasm's callers do. Keep the
 * two in step: the same calls, in the same order, from the same random stream.
 *
 *   1. the random stream (seed 2026, 7): 64 uniforms in [0, 1), then 64 normals
 *   2. sgemm: 33x20x300 (A.B, beta 0), then 7x9x5 (A^T.B^T, beta 1)
 *   3. conv2d forward: 2x9x9x3 -> 5 channels, k4 s2 p1, with bias
 *   4. conv_transpose2d forward: 1x7x7x16 -> 1x14x14x8, k4 s2 p1, with bias
 *   5. batch norm: train forward over 24 rows x 5 channels, then backward
 *   6. five Adam steps over 16 parameters
 *   7. five GAN iterations (batch 8, seed 7) on a synthetic 8-image dataset
 *
 * Any failed call prints its status on stderr and exits 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "api.h"

static void must(int status, const char *what) {
  if (status < 0) {
    fprintf(stderr, "golden: %s: %s (status %d)\n", what, gp_strerror(status), status);
    exit(1);
  }
}

static float *alloc_floats(int n) {
  float *p = gp_alloc(n);
  if (!p) {
    fprintf(stderr, "golden: cannot allocate %d floats\n", n);
    exit(1);
  }
  return p;
}

static float *normal(int rng, int n, float mean, float std) {
  float *p = alloc_floats(n);
  must(gp_rng_normal(rng, p, n, mean, std), "rng_normal");
  return p;
}

static int first = 1;

/* "name": [..] with %.9g, which round-trips a float; non-finite values print as null. */
static void print_array(const char *name, const float *x, int n) {
  printf("%s\n  \"%s\": [", first ? "{" : ",", name);
  first = 0;
  for (int i = 0; i < n; i++) {
    if (i) printf(",");
    if (isfinite(x[i])) printf("%.9g", (double)x[i]);
    else printf("null");
  }
  printf("]");
}

int main(void) {
  /* 1. the random stream */
  const int r = gp_rng_create(2026, 7);
  must(r, "rng_create");
  float *uniform = alloc_floats(64);
  must(gp_rng_uniform(r, uniform, 64, 0.0f, 1.0f), "rng_uniform");
  float *normals = normal(r, 64, 0.0f, 1.0f);
  print_array("uniform", uniform, 64);
  print_array("normal", normals, 64);
  gp_free(uniform), gp_free(normals);

  /* 2. sgemm */
  {
    const int M = 33, N = 20, K = 300;
    float *A = normal(r, M * K, 0, 1), *B = normal(r, K * N, 0, 1), *C = alloc_floats(M * N);
    must(gp_sgemm(GP_FAST, 0, 0, M, N, K, A, K, B, N, 0.0f, C, N), "sgemm nn");
    print_array("sgemm_nn", C, M * N);
    gp_free(A), gp_free(B), gp_free(C);
  }
  {
    const int M = 7, N = 9, K = 5;
    float *A = normal(r, K * M, 0, 1), *B = normal(r, N * K, 0, 1), *C = normal(r, M * N, 0, 1);
    must(gp_sgemm(GP_FAST, 1, 1, M, N, K, A, M, B, K, 1.0f, C, N), "sgemm tt");
    print_array("sgemm_tt", C, M * N);
    gp_free(A), gp_free(B), gp_free(C);
  }

  /* 3. conv2d forward */
  {
    const int N = 2, H = 9, W = 9, C = 3, OC = 5, K = 4, S = 2, P = 1;
    const int OH = gp_conv_out_size(H, K, S, P), OW = gp_conv_out_size(W, K, S, P);
    must(OH, "conv_out_size");
    must(OW, "conv_out_size");
    float *x = normal(r, N * H * W * C, 0, 1), *w = normal(r, K * K * C * OC, 0, 0.2f);
    float *b = normal(r, OC, 0, 0.1f), *y = alloc_floats(N * OH * OW * OC);
    must(gp_conv2d_forward(GP_FAST, y, x, w, b, N, H, W, C, OC, K, K, S, P), "conv2d_forward");
    print_array("conv2d", y, N * OH * OW * OC);
    gp_free(x), gp_free(w), gp_free(b), gp_free(y);
  }

  /* 4. conv_transpose2d forward (the transpose of the conv 14x14x8 -> 7x7x16) */
  {
    const int N = 1, H = 14, W = 14, C = 8, IC = 16, K = 4, S = 2, P = 1;
    const int OH = gp_conv_out_size(H, K, S, P), OW = gp_conv_out_size(W, K, S, P);
    must(OH, "conv_out_size");
    must(OW, "conv_out_size");
    float *x = normal(r, N * OH * OW * IC, 0, 1), *w = normal(r, K * K * C * IC, 0, 0.2f);
    float *b = normal(r, C, 0, 0.1f), *y = alloc_floats(N * H * W * C);
    must(gp_conv_transpose2d_forward(GP_FAST, y, x, w, b, N, H, W, C, IC, K, K, S, P),
         "conv_transpose2d_forward");
    print_array("conv_transpose2d", y, N * H * W * C);
    gp_free(x), gp_free(w), gp_free(b), gp_free(y);
  }

  /* 5. batch norm, training mode */
  {
    const int rows = 24, C = 5;
    float *x = normal(r, rows * C, 1, 2), *gamma = normal(r, C, 1, 0.1f), *beta = normal(r, C, 0, 0.1f);
    float *dy = normal(r, rows * C, 0, 1);
    float *y = alloc_floats(rows * C), *xhat = alloc_floats(rows * C), *mean = alloc_floats(C);
    float *invstd = alloc_floats(C), *run_mean = alloc_floats(C), *run_var = alloc_floats(C);
    float *dx = alloc_floats(rows * C), *dgamma = alloc_floats(C), *dbeta = alloc_floats(C);
    for (int c = 0; c < C; c++) run_var[c] = 1.0f;
    must(gp_batchnorm_forward_train(y, xhat, mean, invstd, run_mean, run_var, x, gamma, beta,
                                    rows, C, 0.1f, 1e-5f),
         "batchnorm_forward_train");
    must(gp_batchnorm_backward(dx, dgamma, dbeta, dy, xhat, gamma, invstd, rows, C),
         "batchnorm_backward");
    print_array("bn_y", y, rows * C);
    print_array("bn_mean", mean, C);
    print_array("bn_invstd", invstd, C);
    print_array("bn_run_mean", run_mean, C);
    print_array("bn_run_var", run_var, C);
    print_array("bn_dx", dx, rows * C);
    print_array("bn_dgamma", dgamma, C);
    print_array("bn_dbeta", dbeta, C);
    float *all[] = {x, gamma, beta, dy, y, xhat, mean, invstd, run_mean, run_var, dx, dgamma, dbeta};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) gp_free(all[i]);
  }

  /* 6. Adam */
  {
    const int n = 16;
    float *p = normal(r, n, 0, 1), *m = alloc_floats(n), *v = alloc_floats(n);
    for (int t = 1; t <= 5; t++) {
      float *g = normal(r, n, 0, 1);
      must(gp_adam_update(p, g, m, v, n, 1e-2f, 0.9f, 0.999f, 1e-8f, t), "adam_update");
      gp_free(g);
    }
    print_array("adam_p", p, n);
    print_array("adam_m", m, n);
    print_array("adam_v", v, n);
    gp_free(p), gp_free(m), gp_free(v);
  }
  must(gp_rng_destroy(r), "rng_destroy");

  /* 7. five GAN iterations: an IDX dataset of 8 synthetic 28x28 images, labels 0..7 */
  {
    enum { IMAGES = 8, PIXELS = 28 * 28 };
    static const uint8_t image_header[16] = {0, 0, 8, 3, 0, 0, 0, IMAGES, 0, 0, 0, 28, 0, 0, 0, 28};
    static const uint8_t label_header[8] = {0, 0, 8, 1, 0, 0, 0, IMAGES};
    uint8_t *images = gp_alloc_bytes(16 + IMAGES * PIXELS), *labels = gp_alloc_bytes(8 + IMAGES);
    if (!images || !labels) {
      fprintf(stderr, "golden: cannot allocate the dataset\n");
      return 1;
    }
    for (int i = 0; i < 16; i++) images[i] = image_header[i];
    for (int i = 0; i < 8; i++) labels[i] = label_header[i];
    for (int i = 0; i < IMAGES * PIXELS; i++) images[16 + i] = (uint8_t)((i * 37) % 251);
    for (int i = 0; i < IMAGES; i++) labels[8 + i] = (uint8_t)i;
    const int d = gp_dataset_create(images, 16 + IMAGES * PIXELS, labels, 8 + IMAGES);
    must(d, "dataset_create");
    const int cfg = gp_config_create();
    must(cfg, "config_create");
    must(gp_config_set(cfg, "batch", 8), "config_set batch");
    must(gp_config_set(cfg, "seed", 7), "config_set seed");
    const int g = gp_gan_create(cfg);
    must(g, "gan_create");
    must(gp_config_destroy(cfg), "config_destroy");
    float *stats = alloc_floats(gp_stats_count()), out[5 * 4];
    for (int i = 0; i < 5; i++) {
      must(gp_gan_train_step(g, d, stats), "gan_train_step");
      for (int k = 0; k < 4; k++) out[4 * i + k] = stats[k]; /* loss_d, loss_g, d_real, d_fake */
    }
    print_array("gan_stats", out, 5 * 4);
    must(gp_gan_destroy(g), "gan_destroy");
    must(gp_dataset_destroy(d), "dataset_destroy");
    gp_free(stats);
    gp_free_bytes(images), gp_free_bytes(labels);
  }
  printf("\n}\n");
  return 0;
}
