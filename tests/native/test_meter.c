/* test_meter.c - the mode meter's reading arithmetic on known class probabilities (what
 * counts as covered, confident, not a digit, recognisable, digits) and its weights file:
 * truncated, foreign, old-version and corrupted bytes are refused and leave it unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/meter.h"
#include "io/checkpoint.h"

enum { K = METER_CLASSES };

/* rows [from, from + count) of probs: class c with top probability p, the rest spread evenly */
static void rows(float *probs, int from, int count, int c, float p) {
  for (int i = from; i < from + count; i++)
    for (int k = 0; k < K; k++) probs[i * K + k] = k == c ? p : (1.0f - p) / (K - 1);
}

static void test_tally_mixed(void) {
  float probs[100 * K];
  rows(probs, 0, 40, 3, 0.95f);  /* confident 3s */
  rows(probs, 40, 10, 5, 0.6f);  /* unsure 5s: covered, not confident */
  rows(probs, 50, 4, 7, 0.99f);  /* 4%: confident but below the 5% coverage share */
  rows(probs, 54, 30, METER_NOT, 0.97f); /* confident "not a digit": junk, never confident digits */
  rows(probs, 84, 16, 0, 0.9f);  /* exactly the confident probability counts */
  meter_reading r;
  meter_tally(probs, 100, &r);
  const int hist[K] = {16, 0, 0, 40, 0, 10, 0, 4, 0, 0, 30}, conf[K] = {16, 0, 0, 40, 0, 0, 0, 4, 0, 0, 30};
  for (int c = 0; c < K; c++) {
    CHECK_TRUE(r.histogram[c] == hist[c], "histogram[%d] = %d, expected %d", c, r.histogram[c], hist[c]);
    CHECK_TRUE(r.confident_histogram[c] == conf[c], "confident_histogram[%d] = %d, expected %d", c,
               r.confident_histogram[c], conf[c]);
  }
  CHECK_TRUE(r.coverage == 3, "coverage %d, expected 3 (0, 3, 5; 7 holds 4%%; class 10 never counts)", r.coverage);
  CHECK_TRUE(fabsf(r.confident - 0.60f) < 1e-6f, "confident %g, expected 0.60", r.confident);
  CHECK_TRUE(fabsf(r.junk - 0.30f) < 1e-6f, "junk %g, expected 0.30", r.junk);
  CHECK_TRUE(!r.all_present, "classes 1, 2, 4, 6, 8, 9 are absent");
  CHECK_TRUE(r.recognisable, "60%% confident is above the floor");
  CHECK_TRUE(!r.digits, "coverage 3 is not digits");
}

static void test_tally_junk_and_digits(void) {
  float probs[200 * K];
  rows(probs, 0, 200, METER_NOT, 0.99f);
  meter_reading r;
  meter_tally(probs, 200, &r);
  CHECK_TRUE(r.coverage == 0 && r.confident == 0 && r.junk == 1 && !r.recognisable && !r.digits,
             "all junk: coverage %d confident %g junk %g recognisable %d", r.coverage, r.confident, r.junk, r.recognisable);
  CHECK_TRUE(r.confident_histogram[METER_NOT] == 200, "confident junk is counted in its own class");

  for (int c = 0; c < 10; c++) rows(probs, c * 20, 20, c, c < 5 ? 0.95f : 0.5f); /* half confident */
  meter_tally(probs, 200, &r);
  CHECK_TRUE(r.coverage == 10 && r.all_present, "ten classes of 10%% each: coverage %d", r.coverage);
  CHECK_TRUE(fabsf(r.confident - 0.5f) < 1e-6f && r.digits, "50%% confident with coverage 10 is digits (%g)", r.confident);
  rows(probs, 0, 1, 0, 0.5f); /* one fewer confident sample: below the digits rule */
  meter_tally(probs, 200, &r);
  CHECK_TRUE(r.recognisable && !r.digits, "49.5%% confident is recognisable but not digits");
}

static void test_tally_thresholds(void) {
  float probs[100 * K];
  /* the floor: 10 confident of 100 is recognisable, 9 is not */
  rows(probs, 0, 100, 1, 0.5f);
  rows(probs, 0, 10, 2, 0.95f);
  meter_reading r;
  meter_tally(probs, 100, &r);
  CHECK_TRUE(r.recognisable && fabsf(r.confident - 0.1f) < 1e-6f, "10%% confident: recognisable (%g)", r.confident);
  rows(probs, 0, 1, 2, 0.89f);
  meter_tally(probs, 100, &r);
  CHECK_TRUE(!r.recognisable, "9%% confident: not recognisable (%g)", r.confident);
  /* the coverage share: 5 of 100 covers, 4 does not */
  rows(probs, 0, 100, 1, 0.5f);
  rows(probs, 0, 5, 4, 0.5f);
  rows(probs, 5, 4, 6, 0.5f);
  meter_tally(probs, 100, &r);
  CHECK_TRUE(r.coverage == 2, "1 (91%%) and 4 (5%%) cover, 6 (4%%) does not: coverage %d", r.coverage);
}

static void test_read_counts_every_image(void) {
  char err[200];
  meter *m = meter_create(3, err, sizeof err);
  CHECK_TRUE(m != NULL, "%s", err);
  if (!m) return;
  enum { N = 150 }; /* one full batch and a partial one */
  float *x = malloc(sizeof(float) * N * 784);
  for (int i = 0; i < N * 784; i++) x[i] = (float)((i * 7919) % 200) / 100.0f - 1.0f;
  meter_reading r;
  meter_read(m, x, N, &r);
  int total = 0, confident = 0;
  for (int c = 0; c < K; c++) total += r.histogram[c], confident += r.confident_histogram[c];
  CHECK_TRUE(total == N, "histogram sums to %d, expected %d", total, N);
  CHECK_TRUE(confident <= N && r.confident >= 0 && r.confident <= 1 && r.junk >= 0 && r.junk <= 1, "shares in 0..1");
  free(x);
  meter_destroy(m);
}

static void test_file(void) {
  char err[200] = "";
  meter *m = meter_create(1, err, sizeof err), *other = meter_create(2, err, sizeof err);
  CHECK_TRUE(m && other, "%s", err);
  if (!m || !other) return;
  const size_t n = meter_size(m);
  uint8_t *good = malloc(n), *bad = malloc(n), *before = malloc(n), *after = malloc(n);
  meter_save(m, good);
  meter_save(other, before);

  CHECK_TRUE(meter_load(other, good, n, err, sizeof err) == 0, "its own bytes load: %s", err);
  meter_save(other, after);
  CHECK_TRUE(!memcmp(after, good, n), "a loaded meter saves the same bytes");
  meter_load(other, before, n, err, sizeof err); /* back to its own weights */

#define REFUSED(bytes, len, why)                                                                  \
  do {                                                                                            \
    err[0] = 0;                                                                                   \
    CHECK_TRUE(meter_load(other, (bytes), (len), err, sizeof err) == -1, "%s: accepted", why);    \
    CHECK_TRUE(strstr(err, why) != NULL, "expected '%s' in '%s'", why, err);                      \
    meter_save(other, after);                                                                     \
    CHECK_TRUE(!memcmp(after, before, n), "a refused file (%s) changed the meter", why);          \
  } while (0)

  REFUSED(good, n - 1, "bytes, expected");
  REFUSED(good, 11, "truncated");
  REFUSED(good, 5, "truncated");
  REFUSED(NULL, 0, "empty");
  REFUSED(good, 0, "empty");
  REFUSED((const uint8_t *)"GANMETR", 8, "not mode meter weights");
  memcpy(bad, good, n);
  bad[3] ^= 0x20;
  REFUSED(bad, n, "not mode meter weights");
  memcpy(bad, good, n);
  bad[n / 2] ^= 1;
  REFUSED(bad, n, "corrupted");
  memcpy(bad, good, n);
  bad[n - 1] ^= 0x80;
  REFUSED(bad, n, "corrupted");
  /* a version 1 file (ten classes) is named as such, whatever its length */
  memcpy(bad, good, n);
  bad[8] = 1, bad[9] = bad[10] = bad[11] = 0;
  REFUSED(bad, n, "version 1 unsupported");
  const size_t v1 = n - sizeof(float) * (7 * 7 * 64 + 1); /* one class fewer in the dense head */
  REFUSED(bad, v1, "version 1 unsupported");
  /* a whole file with a valid checksum whose weights are not numbers: a meter reading NaN
   * everywhere would call every sample class 0 */
  const float poison[] = {NAN, INFINITY, -INFINITY};
  for (int k = 0; k < 3; k++) {
    memcpy(bad, good, n);
    memcpy(bad + 12 + 4 * 1000, &poison[k], 4);
    const uint32_t crc = crc32_bytes(bad, n - 4);
    memcpy(bad + n - 4, &crc, 4);
    REFUSED(bad, n, "weight 1000 is not finite");
  }
#undef REFUSED
  /* the checks need no meter, and every meter has the one size */
  CHECK_TRUE(meter_size(NULL) == n, "meter_size(NULL) %zu, a meter's %zu", meter_size(NULL), n);
  CHECK_TRUE(meter_check(good, n, err, sizeof err) == 0, "meter_check refused good bytes: %s", err);
  CHECK_TRUE(meter_check(bad, n, err, sizeof err) == -1 && strstr(err, "not finite"), "meter_check: %s", err);

  free(good), free(bad), free(before), free(after);
  meter_destroy(m);
  meter_destroy(other);
}

int main(void) {
  test_tally_mixed();
  test_tally_junk_and_digits();
  test_tally_thresholds();
  test_read_counts_every_image();
  test_file();
  return check_finish();
}
