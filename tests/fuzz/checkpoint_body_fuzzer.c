/* checkpoint_body_fuzzer.c - libFuzzer over what a checkpoint carries, past its envelope.
 *
 * The input is a configuration (CFG_BYTES: 14 ints, 10 floats, as checkpoint.c lays them
 * out), the state's counters and random streams (72 bytes), a little-endian u32 `at`, and
 * floats. The harness writes the file a writer would have: magic, format 2, the sizes the
 * configuration gives, a state of zeros (a valid, if dull, model) with the counters and
 * the floats placed at float `at` (modulo the state's floats, so any block - G's weights,
 * D's moments, the running statistics, the average - can be reached), and a valid
 * CRC-32. Every input so reaches the configuration and state checks. A model that loads
 * trains two steps (when small and quick) and its checkpoint must load again: the state
 * stays finite whatever it started from. */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gan/gan.h"
#include "gan/gan_file.h"
#include "io/crc.h"

/* a broken property: say which, then crash so libFuzzer keeps the input */
static void die(const char *what, const char *err) {
  fprintf(stderr, "fuzz: %s%s%s\n", what, err && err[0] ? ": " : "", err ? err : "");
  abort();
}

enum { CFG_BYTES = 96, HEAD = 8 + 4 + 4 + CFG_BYTES + 8, COUNTERS = 72 };

/* eight 28x28 images with a stroke each, labels 0..7 */
static uint8_t images[16 + 8 * 784], labels[8 + 8];
static idx_dataset data;

static void make_dataset(void) {
  if (data.n) return;
  memcpy(images, (uint8_t[]){0, 0, 8, 3, 0, 0, 0, 8, 0, 0, 0, 28, 0, 0, 0, 28}, 16);
  memcpy(labels, (uint8_t[]){0, 0, 8, 1, 0, 0, 0, 8}, 8);
  for (int i = 0; i < 8 * 784; i++) images[16 + i] = (uint8_t)((i % 28 == 10 + i / 784) * 255);
  for (int i = 0; i < 8; i++) labels[8 + i] = (uint8_t)i;
  char err[200];
  if (idx_dataset_parse(&data, images, sizeof images, labels, sizeof labels, 10, err, sizeof err)) abort();
}

/* the configuration as checkpoint.c reads it (format 2) */
static gan_config config_of(const uint8_t *cfg) {
  int32_t i[14];
  float f[10];
  memcpy(i, cfg, sizeof i), memcpy(f, cfg + sizeof i, sizeof f);
  gan_config c;
  gan_config_default(&c);
  c.latent = i[0], c.width = i[1], c.batch = i[2], c.d_steps = i[3], c.g_batchnorm = i[4];
  c.mbstd = i[5], c.loss = (gan_loss_kind)i[6], c.seed = (uint32_t)i[7], c.g_resize = i[8];
  c.d_batchnorm = i[9], c.d_layers = i[10], c.g_steps = i[11], c.d_head_start = i[12], c.warmup = i[13];
  c.lr_g = f[0], c.lr_d = f[1], c.beta1_g = f[2], c.beta2_g = f[3], c.beta1_d = f[4];
  c.beta2_d = f[5], c.real_label = f[6], c.instance_noise = f[7], c.clip = f[8], c.ema = f[9];
  return c;
}

/* two iterations cost milliseconds, not seconds */
static int quick(const gan_config *c, const gan *g) {
  return c->width == 1 && c->batch <= 8 && c->latent <= 128 && c->d_steps <= 4 && c->g_steps <= 4 &&
         (gan_iterations(g) > 0 || c->d_head_start <= 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
  if (size < CFG_BYTES + COUNTERS + 4) return 0;
  const gan_config c = config_of(in);
  const uint8_t *counters = in + CFG_BYTES, *floats = counters + COUNTERS + 4;
  const size_t floats_len = (size - CFG_BYTES - COUNTERS - 4) & ~(size_t)3;
  uint32_t at;
  memcpy(&at, counters + COUNTERS, 4);
  /* an impossible configuration is refused before its size matters: give it the floats */
  const size_t state = gan_state_size_for(&c) ? gan_state_size_for(&c) : COUNTERS + floats_len;
  const size_t n = HEAD + state + 4, state_floats = (state - COUNTERS) / 4;
  uint8_t *file = calloc(1, n);
  if (!file) abort();
  const uint32_t version = (uint32_t)checkpoint_version(), cfg_bytes = CFG_BYTES;
  const uint64_t state_bytes = state;
  memcpy(file, "GANPLAY1", 8), memcpy(file + 8, &version, 4), memcpy(file + 12, &cfg_bytes, 4);
  memcpy(file + 16, in, CFG_BYTES), memcpy(file + 16 + CFG_BYTES, &state_bytes, 8);
  memcpy(file + HEAD, counters, COUNTERS);
  if (state_floats) {
    const size_t from = at % state_floats, room = 4 * (state_floats - from);
    memcpy(file + HEAD + COUNTERS + 4 * from, floats, floats_len < room ? floats_len : room);
  }
  const uint32_t crc = crc32_bytes(file, n - 4);
  memcpy(file + n - 4, &crc, 4);

  char err[300] = "";
  gan *g = checkpoint_read(file, n, err, sizeof err);
  free(file);
  if (!g) {
    if (!err[0]) die("a refusal without a reason", NULL);
    return 0;
  }
  if (quick(&c, g)) {
    make_dataset();
    gan_stats st;
    for (int k = 0; k < 2; k++)
      if (gan_train_step(g, &data, &st)) break;
    const size_t m = checkpoint_size(g);
    uint8_t *out = malloc(m);
    if (!out) abort();
    checkpoint_write(g, out);
    gan *h = checkpoint_read(out, m, err, sizeof err);
    if (!h) die("training wrote a state its own loader refuses", err);
    gan_destroy(h);
    free(out);
  }
  gan_destroy(g);
  return 0;
}
