/* golden.c - a fixed computation printed as JSON, for tests/agreement.test.mjs: the wasm
 * build must agree with this native build within float tolerance. Keep the scenario in
 * step with that test. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "gan/gan.h"

static void print_array(const char *name, const float *x, int n, int last) {
  printf("\"%s\":[", name);
  for (int i = 0; i < n; i++) printf("%s%.9g", i ? "," : "", x[i]);
  printf("]%s\n", last ? "" : ",");
}

int main(void) {
  /* 1. the random stream */
  const int r = gp_rng_create(2026, 0);
  float *z = gp_alloc(16);
  gp_rng_normal(r, z, 16, 0, 1);
  /* 2. a conv2d forward + backward-data, a transposed conv forward */
  const int N = 2, H = 9, W = 9, C = 3, OC = 5;
  float *x = gp_alloc(N * H * W * C), *w = gp_alloc(16 * C * OC), *y = gp_alloc(N * 25 * OC);
  float *dx = gp_alloc(N * H * W * C), *t = gp_alloc(N * H * W * C);
  gp_rng_normal(r, x, N * H * W * C, 0, 1);
  gp_rng_normal(r, w, 16 * C * OC, 0, 0.2f);
  gp_conv2d_forward(GP_FAST, y, x, w, NULL, N, H, W, C, OC, 4, 4, 2, 1);
  gp_conv2d_backward_data(GP_FAST, dx, y, w, N, H, W, C, OC, 4, 4, 2, 1);
  gp_conv_transpose2d_forward(GP_FAST, t, y, w, NULL, N, H, W, C, OC, 4, 4, 2, 1);
  /* 3. five training iterations of a small GAN on a synthetic dataset */
  uint8_t images[16 + 8 * 784], labels[8 + 8];
  memcpy(images, (uint8_t[]){0, 0, 8, 3, 0, 0, 0, 8, 0, 0, 0, 28, 0, 0, 0, 28}, 16);
  memcpy(labels, (uint8_t[]){0, 0, 8, 1, 0, 0, 0, 8}, 8);
  for (int i = 0; i < 8 * 784; i++) images[16 + i] = (uint8_t)((i * 37) % 251);
  for (int i = 0; i < 8; i++) labels[8 + i] = (uint8_t)i;
  idx_dataset d;
  char err[200];
  idx_dataset_parse(&d, images, sizeof images, labels, sizeof labels, 10, err, sizeof err);
  gan_config c;
  gan_config_default(&c);
  c.batch = 8;
  c.seed = 7;
  gan *g = gan_create(&c, err, sizeof err);
  float stats[5 * 4];
  for (int i = 0; i < 5; i++) {
    gan_stats st;
    gan_train_step(g, &d, &st);
    stats[4 * i] = st.loss_d, stats[4 * i + 1] = st.loss_g;
    stats[4 * i + 2] = st.d_real, stats[4 * i + 3] = st.d_fake;
  }
  printf("{\n");
  print_array("normal", z, 16, 0);
  print_array("conv", y, 40, 0);
  print_array("conv_bwd_data", dx, 40, 0);
  print_array("conv_transpose", t, 40, 0);
  print_array("gan_stats", stats, 20, 1);
  printf("}\n");
  gan_destroy(g);
  return 0;
}
