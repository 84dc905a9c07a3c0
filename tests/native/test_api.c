/* test_api.c - the C ABI under ASan + UBSan: every bad argument returns its status and
 * touches nothing; the IDX reader and checkpoints refuse bad bytes with a reason. */
#include <string.h>

#include "api.h"
#include "check.h"
#include "gan/gan_file.h"
#include "io/idx.h"
#include "nn/nn.h"

static void test_kernel_arguments(void) {
  float *a = gp_alloc(64), *b = gp_alloc(64), *c = gp_alloc(64), stack[64] = {0};
  CHECK_TRUE(a && b && c, "gp_alloc");
  CHECK_TRUE(gp_alloc(0) == NULL && gp_alloc(-5) == NULL && gp_alloc(2147483647) == NULL, "bad gp_alloc sizes");
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 8, 8, 1, a, 1, b, 8, 0, c, 8) == GP_OK, "good sgemm");
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 0, 8, 1, a, 1, b, 8, 0, c, 8) == GP_ERR_SIZE, "M = 0");
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 8, -1, 1, a, 1, b, 8, 0, c, 8) == GP_ERR_SIZE, "N < 0");
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 8, 8, 1, NULL, 1, b, 8, 0, c, 8) == GP_ERR_NULL, "null A");
  float *small = gp_alloc(10);
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 8, 8, 2, a, 2, small, 8, 0, c, 8) == GP_ERR_BOUNDS, "B too small");
  gp_free(small);
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 8, 8, 1, stack, 1, b, 8, 0, c, 8) == GP_ERR_BOUNDS, "not allocated");
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 1 << 20, 1 << 20, 1 << 20, a, 1 << 20, b, 1 << 20, 0, c, 1 << 20) == GP_ERR_OVERFLOW,
             "overflowing sizes");
  CHECK_TRUE(gp_sgemm(7, 0, 0, 8, 8, 1, a, 1, b, 8, 0, c, 8) == GP_ERR_ARG, "bad impl");
  CHECK_TRUE(gp_sgemm(GP_FAST, 2, 0, 8, 8, 1, a, 1, b, 8, 0, c, 8) == GP_ERR_ARG, "bad transpose flag");
  CHECK_TRUE(gp_sgemm(GP_FAST, 0, 0, 8, 8, 1, a, 1, b, 7, 0, c, 8) == GP_ERR_SIZE, "ldb < N");
  CHECK_TRUE(gp_conv_out_size(3, 8, 1, 0) == GP_ERR_SHAPE, "kernel larger than padded input");
  CHECK_TRUE(gp_conv_out_size(28, 4, 2, 1) == 14, "conv_out_size");
  CHECK_TRUE(gp_conv2d_forward(GP_FAST, c, a, b, NULL, 1, 2, 2, 1, 1, 5, 5, 1, 0) == GP_ERR_SHAPE, "impossible conv");
  CHECK_TRUE(gp_conv2d_forward(GP_FAST, c, a, b, NULL, 1, 8, 8, 1, 1, 1, 1, 1, 0) == GP_OK, "good conv");
  CHECK_TRUE(gp_conv2d_forward(GP_FAST, c, a, b, NULL, 1, 9, 8, 1, 1, 1, 1, 1, 0) == GP_ERR_BOUNDS, "conv input too small");
  CHECK_TRUE(gp_conv2d_forward(GP_FAST, c, a, b, NULL, 1 << 20, 1 << 10, 1 << 10, 1, 1, 1, 1, 1, 0) == GP_ERR_OVERFLOW,
             "conv overflow");
  CHECK_TRUE(gp_conv_transpose2d_backward_weights(GP_FAST, c, a, b, 1, 8, 8, 1, 0, 1, 1, 1, 0) == GP_ERR_SIZE, "IC = 0");
  CHECK_TRUE(gp_activation_forward(GP_FAST, 9, a, a, 4, 0) == GP_ERR_ARG, "bad activation kind");
  CHECK_TRUE(gp_batchnorm_forward_train(a, b, c, c, c, c, a, c, c, 8, 4096, 0.1f, 1e-5f) == GP_ERR_SIZE,
             "too many batch-norm channels");
  CHECK_TRUE(gp_adam_update(a, b, c, c, 8, 0.1f, 0.9f, 0.999f, 1e-8f, 0) == GP_ERR_ARG, "adam t = 0");
  float loss;
  CHECK_TRUE(gp_bce_with_logits(&loss, a, b, 4) == GP_ERR_BOUNDS, "loss pointer not allocated");
  CHECK_TRUE(gp_free(stack) == GP_ERR_BOUNDS, "free of a foreign pointer");
  CHECK_TRUE(gp_free(a) == GP_OK && gp_free(a) == GP_ERR_BOUNDS, "double free refused");
  gp_free(b), gp_free(c);
  const char *msgs[10];
  int distinct = 1;
  for (int i = 0; i < 10; i++) {
    msgs[i] = gp_strerror(-i);
    for (int j = 0; j < i; j++) distinct &= strcmp(msgs[i], msgs[j]) != 0;
  }
  CHECK_TRUE(distinct, "gp_strerror messages are distinct");
}

static void test_handles(void) {
  CHECK_TRUE(gp_arena_create(0) == GP_ERR_SIZE && gp_arena_create(-1) == GP_ERR_SIZE, "arena sizes");
  const int h = gp_arena_create(1024);
  CHECK_TRUE(h > 0 && gp_arena_floats(h, 16) != NULL && gp_arena_floats(h, 1 << 20) == NULL, "arena");
  CHECK_TRUE(gp_arena_destroy(h) == GP_OK && gp_arena_destroy(h) == GP_ERR_HANDLE, "destroyed arena");
  CHECK_TRUE(gp_arena_destroy(0) == GP_ERR_NULL && gp_arena_floats(99, 1) == NULL, "bad arena handles");
  /* a carve from an arena is not gp_free's to free, even the first one (same address) */
  const int h2 = gp_arena_create(4096);
  float *first = gp_arena_floats(h2, 4);
  CHECK_TRUE(gp_free(first) == GP_ERR_BOUNDS, "gp_free released an arena carve");
  float *dst = gp_alloc(4);
  CHECK_TRUE(gp_activation_forward(GP_FAST, GP_RELU, dst, first, 4, 0) == GP_OK, "arena still live");
  CHECK_TRUE(gp_arena_destroy(h2) == GP_OK, "arena destroy");
  gp_free(dst);
  /* sizes whose byte count would wrap a 32-bit size_t */
  CHECK_TRUE(gp_alloc(1 << 30) == NULL && gp_alloc((1 << 30) - 1) == NULL, "gp_alloc near 2^30 floats");
  const int r = gp_rng_create(1, 0);
  float *buf = gp_alloc(8);
  CHECK_TRUE(gp_rng_normal(r, buf, 8, 0, 1) == GP_OK && gp_rng_normal(r, buf, 9, 0, 1) == GP_ERR_BOUNDS, "rng fill");
  CHECK_TRUE(gp_rng_destroy(r) == GP_OK && gp_rng_normal(r, buf, 8, 0, 1) == GP_ERR_HANDLE, "destroyed rng");
  gp_free(buf);
}

static void test_idx(void) {
  uint8_t good[16 + 4] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
  idx_view v;
  char err[200];
  CHECK_TRUE(idx_parse(&v, good, sizeof good, err, sizeof err) == 0 && v.count == 4 && v.dims[1] == 2, "good IDX");
  struct { size_t len; int at; uint8_t value; const char *says; } bad[] = {
      {3, -1, 0, "too short"},      {sizeof good, 0, 1, "bad magic"},
      {sizeof good, 2, 0x0d, "type"}, {sizeof good, 3, 9, "dimensions"},
      {sizeof good, 11, 0, "zero"},  {sizeof good - 1, -1, 0, "truncated"},
      {12, -1, 0, "header truncated"}, {sizeof good, 15, 1, "bytes past"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint8_t b[sizeof good];
    memcpy(b, good, sizeof good);
    if (bad[i].at >= 0) b[bad[i].at] = bad[i].value;
    const int r = idx_parse(&v, b, bad[i].len, err, sizeof err);
    CHECK_TRUE(r == -1 && strstr(err, bad[i].says), "case %zu: '%s' should say '%s'", i, err, bad[i].says);
  }
  CHECK_TRUE(idx_parse(&v, good, 0, err, sizeof err) == -1 && strstr(err, "empty"), "empty file: '%s'", err);
  CHECK_TRUE(idx_parse(&v, NULL, 0, err, sizeof err) == -1 && strstr(err, "empty"), "no file: '%s'", err);
  uint8_t labels[] = {0, 0, 8, 1, 0, 0, 0, 1, 11};
  idx_dataset d;
  /* a problem in one file names that file, whichever it is */
  CHECK_TRUE(idx_dataset_parse(&d, good, sizeof good, labels, 0, 10, err, sizeof err) == -1 &&
                 !strncmp(err, "labels: ", 8) && strstr(err, "empty"), "empty labels: '%s'", err);
  CHECK_TRUE(idx_dataset_parse(&d, good, 0, labels, sizeof labels, 10, err, sizeof err) == -1 &&
                 !strncmp(err, "images: ", 8) && strstr(err, "empty"), "empty images: '%s'", err);
  CHECK_TRUE(idx_dataset_parse(&d, good, sizeof good, labels, sizeof labels - 1, 10, err, sizeof err) == -1 &&
                 !strncmp(err, "labels: ", 8) && strstr(err, "truncated"), "truncated labels: '%s'", err);
  CHECK_TRUE(idx_dataset_parse(&d, labels, sizeof labels, labels, sizeof labels, 10, err, sizeof err) == -1 &&
                 !strncmp(err, "images: ", 8), "labels given as images: '%s'", err);
  CHECK_TRUE(idx_dataset_parse(&d, good, sizeof good, good, sizeof good, 10, err, sizeof err) == -1 &&
                 !strncmp(err, "labels: ", 8), "images given as labels: '%s'", err);
  CHECK_TRUE(idx_dataset_parse(&d, good, sizeof good, labels, sizeof labels, 10, err, sizeof err) == -1 &&
                 strstr(err, "label 11"), "label out of range: %s", err);
  labels[8] = 3;
  CHECK_TRUE(idx_dataset_parse(&d, good, sizeof good, labels, sizeof labels, 10, err, sizeof err) == 0 && d.n == 1,
             "labelled set: %s", err);
}

static void test_checkpoint(void) {
  gan_config c;
  gan_config_default(&c);
  c.batch = 4;
  char err[200];
  gan *g = gan_create(&c, err, sizeof err);
  CHECK_TRUE(g != NULL, "gan_create: %s", err);
  uint8_t images[16 + 5 * 784], labels[8 + 5];
  memcpy(images, (uint8_t[]){0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28}, 16);
  memcpy(labels, (uint8_t[]){0, 0, 8, 1, 0, 0, 0, 5}, 8);
  for (int i = 0; i < 5 * 784; i++) images[16 + i] = (uint8_t)(i * 7);
  for (int i = 0; i < 5; i++) labels[8 + i] = (uint8_t)i;
  idx_dataset d;
  CHECK_TRUE(idx_dataset_parse(&d, images, sizeof images, labels, sizeof labels, 10, err, sizeof err) == 0, "%s", err);
  gan_stats st;
  for (int i = 0; i < 3; i++) gan_train_step(g, &d, &st);
  CHECK_TRUE(isfinite(st.loss_d) && isfinite(st.loss_g) && st.d_real > 0 && st.d_real < 1, "stats");
  const size_t n = checkpoint_size(g);
  uint8_t *buf = malloc(n);
  checkpoint_write(g, buf);
  gan *h = checkpoint_read(buf, n, err, sizeof err);
  CHECK_TRUE(h != NULL, "round trip: %s", err);
  float z[2 * 64], o1[2 * 784], o2[2 * 784];
  for (int i = 0; i < 128; i++) z[i] = (float)(i % 7) - 3;
  gan_generate(g, z, 2, o1);
  gan_generate(h, z, 2, o2);
  CHECK_TRUE(!memcmp(o1, o2, sizeof o1), "restored model samples differently");
  /* resumed training continues bit for bit */
  gan_stats s1, s2;
  gan_train_step(g, &d, &s1);
  gan_train_step(h, &d, &s2);
  CHECK_TRUE(!memcmp(&s1, &s2, sizeof s1), "resumed step differs");
  CHECK_TRUE(checkpoint_read(buf, n - 1, err, sizeof err) == NULL && strstr(err, "truncated"), "truncated: %s", err);
  buf[n / 2] ^= 0x40;
  CHECK_TRUE(checkpoint_read(buf, n, err, sizeof err) == NULL && strstr(err, "checksum"), "corrupted: %s", err);
  buf[n / 2] ^= 0x40;
  buf[0] = 'X';
  CHECK_TRUE(checkpoint_read(buf, n, err, sizeof err) == NULL && strstr(err, "not a gan-playground"), "foreign: %s", err);
  free(buf);
  /* a non-finite step changes nothing; GAN_MAX_BAD_STEPS in a row stop training.
   * State layout (gan.c): 72 bytes of counters and random streams, then G's parameters,
   * Adam moments, then D's. Poison G's first weight: every loss turns NaN. */
  c.lr_d = 1e30f;
  CHECK_TRUE(gan_create(&c, err, sizeof err) == NULL && strstr(err, "lr-d"), "absurd lr: %s", err);
  const size_t sn = gan_state_size(h), d_params = 16 * 32 + 32 + 16 * 32 * 64 + 64 + 7 * 7 * 64 + 1;
  const size_t g_params = (sn - 72 - 4 * (3 * d_params + 2 * (32 + 64))) / 12;
  uint8_t *state = malloc(sn), *after = malloc(sn);
  gan_state_save(h, state);
  const float inf = INFINITY;
  memcpy(state + 72, &inf, 4);
  gan_state_load(h, state);
  int r = 0, steps = 0;
  while (r == 0 && steps < 20) r = gan_train_step(h, &d, &st), steps++;
  gan_state_save(h, after);
  /* two updates an iteration (D, then G), both discarded */
  CHECK_TRUE(r == -1 && steps == (GAN_MAX_BAD_STEPS + 1) / 2, "stopped after %d non-finite iterations (r %d)", steps, r);
  CHECK_TRUE(gan_skipped_total(h) == GAN_MAX_BAD_STEPS && st.skipped == 1, "skipped %ld, this step %d",
             gan_skipped_total(h), st.skipped);
  const size_t params_at = 72, params_bytes = 4 * (3 * g_params + 3 * d_params);
  CHECK_TRUE(!memcmp(state + params_at, after + params_at, params_bytes), "weights or moments changed by non-finite steps");
  /* the state ends with G's BN running statistics: their NaNs would reach every sample */
  CHECK_TRUE(params_at + params_bytes + 4 * 2 * (32 + 64) == sn, "state layout: %zu + %zu + BN != %zu", params_at, params_bytes, sn);
  CHECK_TRUE(!memcmp(state + params_at + params_bytes, after + params_at + params_bytes, sn - params_at - params_bytes),
             "non-finite steps changed G's BN running statistics");
  free(state), free(after);
  gan_destroy(g), gan_destroy(h);
  c.lr_g = NAN;
  CHECK_TRUE(gan_create(&c, err, sizeof err) == NULL && strstr(err, "lr-g"), "NaN learning rate: %s", err);
}

int main(void) {
  test_kernel_arguments();
  test_handles();
  test_idx();
  test_checkpoint();
  return check_finish();
}
