/* test_checkpoint.c - the checkpoint loader refuses what it cannot resume from, before it
 * allocates, with a reason; the training step keeps the state finite (issue 9).
 *
 * Files are crafted from a real checkpoint of a small model with every state block present
 * (batch norm in D, G's moving average): one field changed, the CRC-32 recomputed, so only
 * the loader's own checks stand between the bytes and a model. The largest allocation
 * during a refused read is measured with ASan's malloc hook. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "gan/gan_file.h"
#include "io/crc.h"
#include "nn/optim.h"

/* ASan's allocator hook (sanitizer/allocator_interface.h, not shipped with gcc 12) */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static size_t largest_alloc;
static void on_malloc(const volatile void *p, size_t n) {
  (void)p;
  if (n > largest_alloc) largest_alloc = n;
}
static void on_free(const volatile void *p) { (void)p; }

/* checkpoint_read's refusal of n bytes: NULL, a reason containing `says`, and no allocation
 * over 64 KB on the way */
static void refused(const uint8_t *buf, size_t n, const char *says, const char *what) {
  char err[300] = "";
  largest_alloc = 0;
  gan *g = checkpoint_read(buf, n, err, sizeof err);
  CHECK_TRUE(g == NULL, "%s: accepted", what);
  gan_destroy(g);
  CHECK_TRUE(strstr(err, says) != NULL, "%s: expected '%s' in '%s'", what, says, err);
  CHECK_TRUE(largest_alloc <= 65536, "%s: allocated %zu bytes before refusing", what, largest_alloc);
}

static void put_crc(uint8_t *buf, size_t n) {
  const uint32_t crc = crc32_bytes(buf, n - 4);
  memcpy(buf + n - 4, &crc, 4);
}

/* ---- a small model and its checkpoint layout ---- */

enum { HEAD = 8 + 4 + 4 + 96 + 8, COUNTERS = 72 };

static gan_config small_config(void) {
  gan_config c;
  gan_config_default(&c);
  c.batch = 4, c.d_batchnorm = 1, c.ema = 0.9f;
  return c;
}

/* float offsets (from the first float of the state) of each block for small_config */
typedef struct {
  size_t gp, gm, gv, dp, dm, dv, run, ema, end;
} layout;

static layout small_layout(void) {
  const size_t G = 64 * 49 * 64 + 49 * 64 + 64 + 64 + 16 * 32 * 64 + 32 + 32 + 32 + 16 * 32 + 1;
  const size_t D = 16 * 32 + 32 + 16 * 32 * 64 + 64 + 64 + 64 + 49 * 64 + 1;
  layout l;
  l.gp = 0, l.gm = G, l.gv = 2 * G, l.dp = 3 * G, l.dm = 3 * G + D, l.dv = 3 * G + 2 * D;
  l.run = 3 * G + 3 * D, l.ema = l.run + 2 * (32 + 64) + 2 * 64, l.end = l.ema + G;
  return l;
}

/* a tiny dataset: 8 images of 28x28 with a stroke each */
static uint8_t ds_images[16 + 8 * 784], ds_labels[8 + 8];
static idx_dataset tiny_dataset(void) {
  memcpy(ds_images, (uint8_t[]){0, 0, 8, 3, 0, 0, 0, 8, 0, 0, 0, 28, 0, 0, 0, 28}, 16);
  memcpy(ds_labels, (uint8_t[]){0, 0, 8, 1, 0, 0, 0, 8}, 8);
  for (int i = 0; i < 8 * 784; i++) ds_images[16 + i] = (uint8_t)((i % 28 == 10 + i / 784) * 255);
  for (int i = 0; i < 8; i++) ds_labels[8 + i] = (uint8_t)i;
  idx_dataset d;
  char err[200];
  CHECK_TRUE(idx_dataset_parse(&d, ds_images, sizeof ds_images, ds_labels, sizeof ds_labels, 10, err, sizeof err) == 0,
             "tiny dataset: %s", err);
  return d;
}

static uint8_t *checkpoint_of(const gan *g, size_t *n) {
  *n = checkpoint_size(g);
  uint8_t *buf = malloc(*n);
  checkpoint_write(g, buf);
  return buf;
}

/* a new model of small_config, the tiny dataset to train it on, and room for a reason */
typedef struct {
  gan_config c;
  char err[300];
  gan *g;
  idx_dataset d;
} small_model;

static small_model new_small_model(void) {
  small_model m = {.c = small_config()};
  m.g = gan_create(&m.c, m.err, sizeof m.err);
  CHECK_TRUE(m.g != NULL, "small model: %s", m.err);
  m.d = tiny_dataset();
  return m;
}

/* every weight, moment, running statistic and counter of a checkpoint passes the loader */
static int loads(const uint8_t *buf, size_t n, char *err, size_t errlen) {
  gan *g = checkpoint_read(buf, n, err, errlen);
  gan_destroy(g);
  return g != NULL;
}

/* ---- the tests ---- */

/* The 96-byte file of the issue: format 1, width 4, batch 1024, latent 1024, a state of 0
 * bytes and a valid CRC. The reader built the model (~1.8 GB) before it compared sizes. */
static void test_huge_model_small_file(void) {
  uint8_t f[96] = {0};
  const uint32_t version = 1, cfg_bytes = 68;
  const int32_t ints[8] = {1024, 4, 1024, 1, 1, 0, 0, 1};
  const float floats[9] = {2e-4f, 2e-4f, 0.5f, 0.999f, 0.5f, 0.999f, 1, 0, 0.01f};
  memcpy(f, "GANPLAY1", 8), memcpy(f + 8, &version, 4), memcpy(f + 12, &cfg_bytes, 4);
  memcpy(f + 16, ints, sizeof ints), memcpy(f + 16 + 32, floats, sizeof floats);
  put_crc(f, sizeof f); /* the state size at 84..91 stays 0 */
  refused(f, sizeof f, "MB", "96-byte file of a 2 GB model");
  /* the same within the memory bound (width 1, batch 1024: ~600 MB): still refused before
   * any allocation, now by the state's size against its configuration */
  const int32_t w1 = 1;
  memcpy(f + 16 + 4, &w1, 4);
  put_crc(f, sizeof f);
  refused(f, sizeof f, "state has 0 bytes, its configuration needs", "96-byte file of a 600 MB model");
  refused(f, 0, "empty", "empty file");
  refused(f, 5, "truncated", "5 bytes of the magic");
  refused((const uint8_t *)"PK\3\4", 4, "not a gan-playground", "a zip");
  /* the bound is the configuration's, so no model is built that could not load again */
  gan_config c;
  gan_config_default(&c);
  c.width = 4, c.batch = 1024;
  char err[200];
  CHECK_TRUE(gan_config_check(&c, err, sizeof err) == -1 && strstr(err, "MB"), "2 GB model accepted: %s", err);
  CHECK_TRUE(gan_model_bytes(&c) == 0 && gan_state_size_for(&c) == 0, "sizes of an impossible model");
  c.batch = 256;
  CHECK_TRUE(gan_config_check(&c, err, sizeof err) == 0, "width 4 batch 256 refused: %s", err);
}

/* gan_state_size_for and gan_model_bytes agree with the model gan_create builds */
static void test_sizes_without_model(void) {
  const gan_config base = small_config();
  for (int k = 0; k < 6; k++) {
    gan_config c = base;
    c.d_layers = 2 + (k & 1), c.g_resize = k >> 1 & 1, c.mbstd = k == 4, c.ema = k == 5 ? 0 : 0.9f;
    char err[200];
    gan *g = gan_create(&c, err, sizeof err);
    CHECK_TRUE(g && gan_state_size(g) == gan_state_size_for(&c), "case %d: state %zu, predicted %zu", k,
               g ? gan_state_size(g) : 0, gan_state_size_for(&c));
    CHECK_TRUE(gan_model_bytes(&c) > gan_state_size_for(&c), "case %d: model bytes", k);
    gan_destroy(g);
  }
}

/* Each kind of impossible state, with a valid CRC, is refused and named. */
static void test_state_refused(void) {
  small_model m = new_small_model();
  gan_stats st;
  gan_train_step(m.g, &m.d, &st);
  size_t n;
  uint8_t *good = checkpoint_of(m.g, &n), *bad = malloc(n);
  const layout l = small_layout();
  CHECK_TRUE(n == HEAD + COUNTERS + 4 * l.end + 4, "layout: %zu bytes, expected %zu", n, HEAD + COUNTERS + 4 * l.end + 4);
  CHECK_TRUE(loads(good, n, m.err, sizeof m.err), "the real checkpoint: %s", m.err);
  uint8_t *state = bad + HEAD, *floats = bad + HEAD + COUNTERS;
  const struct { int at; int64_t value; int bytes; const char *says; } counters[] = {
      {0, -1, 8, "iteration count is -1"},
      {0, (int64_t)1 << 40, 8, "iteration count"},
      {8, -5, 8, "skipped count is -5"},
      {16, -1, 4, "G's Adam step count is -1"},
      {16, INT32_MAX, 4, "G's Adam step count is 2147483647"},
      {20, -1, 4, "D's Adam step count is -1"},
      {20, GAN_MAX_STEPS + 1, 4, "D's Adam step count"},
      {24 + 8, 2, 8, "noise random stream"},  /* an even PCG increment */
      {48 + 16, 7, 4, "data random stream"},  /* has_spare neither 0 nor 1 */
  };
  for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
    memcpy(bad, good, n);
    memcpy(state + counters[i].at, &counters[i].value, (size_t)counters[i].bytes); /* little-endian */
    put_crc(bad, n);
    refused(bad, n, counters[i].says, counters[i].says);
  }
  const float nan = NAN, inf = INFINITY, neg = -1.0f;
  const struct { size_t at; float value; const char *says; } values[] = {
      {l.gp + 5, nan, "G's weight 5 is not finite"},
      {l.gp, inf, "G's weight 0 is not finite"},
      {l.gm + 7, -inf, "G's Adam first moment 7"},
      {l.gv + 3, neg, "G's Adam second moment 3 is negative"},
      {l.dp + 100, nan, "D's weight 100"},
      {l.dm, inf, "D's Adam first moment 0"},
      {l.dv + 9, nan, "D's Adam second moment 9"},
      {l.run + 1, nan, "G's first batch-norm running mean 1"},
      {l.run + 64 + 2, neg, "G's first batch-norm running variance 2"},
      {l.run + 128 + 32 + 4, inf, "G's second batch-norm running variance 4"},
      {l.run + 192 + 64 + 63, neg, "D's first batch-norm running variance 63"},
      {l.ema + 11, nan, "G's averaged weight 11"},
  };
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    memcpy(bad, good, n);
    memcpy(floats + 4 * values[i].at, &values[i].value, 4);
    put_crc(bad, n);
    refused(bad, n, values[i].says, values[i].says);
  }
  /* a state one float short of its configuration (header and CRC consistent) */
  memcpy(bad, good, n);
  const uint64_t shorter = n - HEAD - 4 - 4;
  memcpy(bad + HEAD - 8, &shorter, 8);
  memcpy(bad + n - 8, bad + n - 4, 4);
  put_crc(bad, n - 4);
  refused(bad, n - 4, "state has", "a state one float short");
  free(good), free(bad);
  gan_destroy(m.g);
}

/* The largest legal counters load, and training from them neither overflows (UBSan) nor
 * writes a checkpoint that would not load again. */
static void test_counters_at_the_limit(void) {
  small_model m = new_small_model();
  size_t n;
  uint8_t *buf = checkpoint_of(m.g, &n);
  const int64_t it = GAN_MAX_STEPS;
  const int32_t t = GAN_MAX_STEPS;
  memcpy(buf + HEAD, &it, 8), memcpy(buf + HEAD + 16, &t, 4), memcpy(buf + HEAD + 20, &t, 4);
  put_crc(buf, n);
  gan *h = checkpoint_read(buf, n, m.err, sizeof m.err);
  CHECK_TRUE(h != NULL, "counters at GAN_MAX_STEPS: %s", m.err);
  if (h) {
    gan_stats st;
    for (int i = 0; i < 2; i++) gan_train_step(h, &m.d, &st);
    CHECK_TRUE(gan_iterations(h) == GAN_MAX_STEPS, "iterations %ld", gan_iterations(h));
    free(buf);
    buf = checkpoint_of(h, &n);
    CHECK_TRUE(loads(buf, n, m.err, sizeof m.err), "resaved at the limit: %s", m.err);
  }
  free(buf);
  gan_destroy(m.g), gan_destroy(h);
}

/* Weights of 1e30 are finite, so they load; the steps they take overflow, and the guard
 * must count each such step as skipped rather than write infinities the next checkpoint
 * would carry. Before the fix, G's first weight at 1e30 sent G's batch-norm running
 * variance to infinity, and D's first convolution at 1e30 overflowed g*g in G's Adam
 * moments, both with no step skipped. */
static void test_huge_weights_stay_finite(void) {
  const layout l = small_layout();
  const struct { size_t from, to; const char *what; } cases[] = {
      {l.gp, l.gp + 1, "G's first weight"},
      {l.dp, l.dp + 16 * 32 + 32, "D's first convolution"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    small_model m = new_small_model();
    size_t n;
    uint8_t *buf = checkpoint_of(m.g, &n);
    const float big = 1e30f;
    for (size_t i = cases[k].from; i < cases[k].to; i++) memcpy(buf + HEAD + COUNTERS + 4 * i, &big, 4);
    put_crc(buf, n);
    gan *h = checkpoint_read(buf, n, m.err, sizeof m.err);
    CHECK_TRUE(h != NULL, "%s at 1e30 loads: %s", cases[k].what, m.err);
    int r = 0, steps = 0, finite = 1;
    long skipped = 0;
    while (h && r == 0 && steps < 10) {
      gan_stats st;
      r = gan_train_step(h, &m.d, &st), skipped += st.skipped, steps++;
      gan_state_save(h, buf + HEAD);
      finite &= gan_state_check(&m.c, buf + HEAD, n - HEAD - 4, m.err, sizeof m.err) == 0;
    }
    CHECK_TRUE(finite, "%s at 1e30: the state went bad: %s", cases[k].what, m.err);
    CHECK_TRUE(skipped > 0 && gan_skipped_total(h) == skipped, "%s at 1e30: skipped %ld, total %ld in %d steps",
               cases[k].what, skipped, h ? gan_skipped_total(h) : 0, steps);
    free(buf);
    gan_destroy(m.g), gan_destroy(h);
  }
}

/* adam_update_finite: the update of adam_update bit for bit, or nothing at all. */
static void test_adam_finite(void) {
  float p[4] = {0.5f, -1, 2, 0}, m[4] = {0.1f, 0, -0.2f, 0}, v[4] = {0.01f, 0, 0.04f, 0};
  float p2[4], m2[4], v2[4];
  const float g[4] = {0.3f, -0.7f, 1e-3f, 5};
  memcpy(p2, p, sizeof p), memcpy(m2, m, sizeof m), memcpy(v2, v, sizeof v);
  adam_update(p, g, m, v, 4, 1e-3f, 0.5f, 0.999f, 1e-8f, 3);
  CHECK_TRUE(adam_update_finite(p2, g, m2, v2, 4, 1e-3f, 0.5f, 0.999f, 1e-8f, 3) == 0, "finite update refused");
  CHECK_TRUE(!memcmp(p, p2, sizeof p) && !memcmp(m, m2, sizeof m) && !memcmp(v, v2, sizeof v), "not adam_update's bits");
  /* a finite gradient whose square overflows float */
  const float huge[4] = {0.3f, 1e22f, 0, 0};
  CHECK_TRUE(adam_update_finite(p2, huge, m2, v2, 4, 1e-3f, 0.5f, 0.999f, 1e-8f, 4) == -1, "overflowing update applied");
  CHECK_TRUE(!memcmp(p, p2, sizeof p) && !memcmp(m, m2, sizeof m) && !memcmp(v, v2, sizeof v), "a refused update wrote");
  /* t < 1 takes the first step's correction instead of dividing by zero */
  for (int t = -1; t <= 0; t++) {
    float q[1] = {1}, qm[1] = {0}, qv[1] = {0};
    const float qg[1] = {0.5f};
    adam_update(q, qg, qm, qv, 1, 0.1f, 0.9f, 0.999f, 1e-8f, t);
    CHECK_TRUE(isfinite(q[0]) && fabsf(q[0] - 0.9f) < 1e-5f, "t = %d: %g", t, q[0]);
  }
}

/* the table-driven CRC-32 is zlib's: the standard check value, and the empty string */
static void test_crc(void) {
  CHECK_TRUE(crc32_bytes((const uint8_t *)"123456789", 9) == 0xcbf43926u, "crc32 check value %08x",
             crc32_bytes((const uint8_t *)"123456789", 9));
  CHECK_TRUE(crc32_bytes((const uint8_t *)"", 0) == 0, "crc32 of nothing");
}

int main(void) {
  __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
  test_crc();
  test_huge_model_small_file();
  test_sizes_without_model();
  test_state_refused();
  test_counters_at_the_limit();
  test_huge_weights_stay_finite();
  test_adam_finite();
  return check_finish();
}
