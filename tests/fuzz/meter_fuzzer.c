/* meter_fuzzer.c - libFuzzer over the mode meter's weight files (csrc/io/meter_file.c for
 * the container, csrc/gan/meter.c for the weights).
 *
 * Each input is tried three times: by the container alone, for a float count and version
 * its first bytes choose (what it accepts must be exactly that many floats inside the
 * input); as a whole meter file (magic, version, size and CRC as they come); and repaired
 * into a file a writer would have made (the input's bytes repeated as the weights, a valid
 * CRC-32), so the weights themselves are checked too. A refusal must say why and leave the
 * meter as it was; weights that load must read images without trouble. */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gan/meter.h"
#include "io/meter_file.h"

/* a broken property: say which, then crash so libFuzzer keeps the input */
static void die(const char *what, const char *err) {
  fprintf(stderr, "fuzz: %s%s%s\n", what, err && err[0] ? ": " : "", err ? err : "");
  abort();
}

static meter *m; /* one meter for the run: its arena is the same for every file */
static uint8_t *before, *after;

static void try_load(const uint8_t *bytes, size_t len) {
  char err[200] = "";
  const size_t n = meter_size(m);
  meter_save(m, before);
  if (meter_load(m, bytes, len, err, sizeof err) == 0) {
    if (meter_check(bytes, len, err, sizeof err)) die("meter_load took what meter_check refuses", err);
    float image[784]; /* one image: the network's forward pass is most of a run's time */
    for (int i = 0; i < 784; i++) image[i] = (float)(i % 28 == 10) * 2 - 1;
    meter_reading r;
    meter_read(m, image, 1, &r);
    int total = 0;
    for (int c = 0; c < METER_CLASSES; c++) total += r.histogram[c];
    if (total != 1) die("a reading of one image does not count one", NULL);
    return;
  }
  if (!err[0]) die("a refusal without a reason", NULL);
  meter_save(m, after);
  if (memcmp(before, after, n)) die("a refused file changed the meter", err);
}

/* The container with a count and version from the input's first bytes (the rest is the
 * file): a parse either says why it refused or points at count floats inside the file. */
static void try_container(const uint8_t *data, size_t size) {
  if (size < 8) return;
  uint32_t count, version;
  memcpy(&count, data, 4), memcpy(&version, data + 4, 4);
  const uint8_t *file = data + 8;
  const size_t len = size - 8;
  char err[200] = "";
  meter_file_parts parts;
  if (meter_file_parse(&parts, file, len, version, count, err, sizeof err)) {
    if (!err[0]) die("a container refusal without a reason", NULL);
    return;
  }
  if (parts.version != version || parts.count != count || parts.floats != file + METER_FILE_HEAD ||
      len != meter_file_bytes(count))
    die("the container's parts are not the file's", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!m) {
    char err[200];
    m = meter_create(1, err, sizeof err);
    before = malloc(meter_size(NULL)), after = malloc(meter_size(NULL));
    if (!m || !before || !after) die("meter_create", err);
  }
  try_container(data, size);
  try_load(data, size);
  if (size == 0) return 0;
  const size_t n = meter_size(NULL), count = (n - METER_FILE_HEAD - METER_FILE_CRC) / sizeof(float);
  float *weights = malloc(sizeof(float) * count);
  uint8_t *file = malloc(n);
  if (!weights || !file) abort();
  for (size_t i = 0, body = sizeof(float) * count; i < body; i += size)
    memcpy((uint8_t *)weights + i, data, body - i < size ? body - i : size);
  meter_file_write(file, 2, weights, count);
  free(weights);
  try_load(file, n);
  free(file);
  return 0;
}
