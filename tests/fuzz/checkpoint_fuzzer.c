/* checkpoint_fuzzer.c - libFuzzer over the checkpoint reader (csrc/io/checkpoint.c), the
 * input taken as a whole file: magic, version, sizes and the CRC as they come, so this
 * target explores the header (checkpoint_body_fuzzer repairs it to reach the state).
 *
 * A refusal must say why; a model that loads must save the very bytes it came from (format
 * 2; a format 1 file saves as format 2). Run with -malloc_limit_mb just over
 * GAN_MAX_MODEL_MB: a file may ask for any model up to that bound, never beyond. */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gan/gan.h"
#include "gan/gan_file.h"

/* a broken property: say which, then crash so libFuzzer keeps the input */
static void die(const char *what, const char *err) {
  fprintf(stderr, "fuzz: %s%s%s\n", what, err && err[0] ? ": " : "", err ? err : "");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[300] = "";
  gan *g = checkpoint_read(data, size, err, sizeof err);
  if (!g) {
    if (!err[0]) die("a refusal without a reason", NULL);
    return 0;
  }
  uint32_t version;
  memcpy(&version, data + 8, 4);
  const size_t n = checkpoint_size(g);
  uint8_t *out = malloc(n);
  if (!out) abort();
  checkpoint_write(g, out);
  if (version == (uint32_t)checkpoint_version() && (n != size || memcmp(out, data, n))) die("a loaded model saves other bytes", NULL);
  free(out);
  gan_destroy(g);
  return 0;
}
