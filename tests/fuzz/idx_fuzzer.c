/* idx_fuzzer.c - libFuzzer over the IDX reader (csrc/io/idx.c).
 *
 * The input is read as one IDX file, then as a labelled set: a big-endian u32 (the image
 * file's length, modulo what is left), the image file, the label file. What is accepted
 * must lie inside the input and hold what the header promises; what is refused must say
 * why, naming the file at fault. */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/idx.h"

/* a broken property: say which, then crash so libFuzzer keeps the input */
static void die(const char *what, const char *err) {
  fprintf(stderr, "fuzz: %s%s%s\n", what, err && err[0] ? ": " : "", err ? err : "");
  abort();
}

/* reads every byte a view promises, so ASan sees any that lies outside the input */
static unsigned touch(const uint8_t *p, size_t n) {
  unsigned s = 0;
  for (size_t i = 0; i < n; i++) s += p[i];
  return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[200] = "";
  idx_view v;
  if (idx_parse(&v, data, size, err, sizeof err) == 0) {
    touch(v.data, v.count);
    if (v.data + v.count != data + size) die("trailing bytes accepted", NULL);
  } else if (!err[0]) {
    die("a refusal without a reason", NULL);
  }
  if (size < 4) return 0;
  const uint32_t at = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
  const size_t images_len = at % (size - 4 + 1);
  const uint8_t *images = data + 4, *labels = images + images_len;
  const size_t labels_len = size - 4 - images_len;
  idx_dataset d;
  err[0] = 0;
  if (idx_dataset_parse(&d, images, images_len, labels, labels_len, 10, err, sizeof err) == 0) {
    touch(d.images, (size_t)d.n * d.rows * d.cols);
    for (int i = 0; i < d.n; i++)
      if (d.labels[i] >= 10) die("a label out of range accepted", NULL);
  } else if (strncmp(err, "images: ", 8) && strncmp(err, "labels: ", 8) && !strstr(err, "images but")) {
    die("the file at fault is not named", err);
  }
  return 0;
}
