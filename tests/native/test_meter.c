/* test_meter.c - the mode meter's reading arithmetic on known class probabilities (what
 * counts as covered, confident, not a digit, recognisable, digits) and its weights file:
 * the container alone (io/meter_file.c: layout, version, size, bounds), then through the
 * meter, where truncated, foreign, old-version and corrupted bytes are refused and leave
 * it unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/meter.h"
#include "io/crc.h"
#include "io/meter_file.h"

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

/* The container knows floats, a version and a checksum, not meters: any count, any version. */
static void test_container(void) {
  char err[200] = "";
  const float w[3] = {1.5f, -2.0f, 0.25f};
  uint8_t file[28], bad[28];
  CHECK_TRUE(meter_file_bytes(3) == sizeof file, "3 floats make %zu bytes, expected 28", meter_file_bytes(3));
  meter_file_write(file, 7, w, 3);
  uint32_t version, crc;
  memcpy(&version, file + 8, 4), memcpy(&crc, file + 24, 4);
  CHECK_TRUE(!memcmp(file, "GANMETR1", 8) && version == 7, "magic then version 7");
  CHECK_TRUE(!memcmp(file + 12, w, sizeof w), "the floats follow the header as they are");
  CHECK_TRUE(crc == crc32_bytes(file, 24), "the CRC-32 of every byte before it closes the file");

  meter_file_parts parts = {0};
  CHECK_TRUE(meter_file_parse(&parts, file, sizeof file, 7, 3, err, sizeof err) == 0, "its own file parses: %s", err);
  CHECK_TRUE(parts.version == 7 && parts.count == 3 && parts.floats == file + 12, "the parts point into the file");

#define PARSE_REFUSED(bytes, len, ver, floats_, why)                                                         \
  do {                                                                                                       \
    meter_file_parts untouched = {99, NULL, 99};                                                             \
    err[0] = 0;                                                                                              \
    CHECK_TRUE(meter_file_parse(&untouched, (bytes), (len), (ver), (floats_), err, sizeof err) == -1,        \
               "%s: accepted", why);                                                                         \
    CHECK_TRUE(strstr(err, why) != NULL, "expected '%s' in '%s'", why, err);                                 \
    CHECK_TRUE(untouched.version == 99 && !untouched.floats && untouched.count == 99, "%s: parts set", why); \
  } while (0)

  PARSE_REFUSED(file, sizeof file, 2, 3, "version 7 unsupported (this build reads version 2: run make data)");
  PARSE_REFUSED(file, sizeof file, 7, 4, "have 28 bytes, expected 32");
  PARSE_REFUSED(file, sizeof file - 4, 7, 3, "have 24 bytes, expected 28");
  PARSE_REFUSED(file, 12 - 1, 7, 0, "truncated (11 bytes)");
  PARSE_REFUSED(file, 3, 7, 3, "truncated (3 bytes)");
  PARSE_REFUSED((const uint8_t *)"GANPLAY1", 8, 7, 3, "not mode meter weights");
  PARSE_REFUSED(NULL, 0, 7, 3, "empty");
  /* a count no file can hold is refused, not wrapped into a small size */
  CHECK_TRUE(meter_file_bytes(SIZE_MAX / 4) == 0 && meter_file_bytes(SIZE_MAX) == 0, "huge counts have no size");
  PARSE_REFUSED(file, sizeof file, 7, SIZE_MAX / 4, "cannot be addressed");
  PARSE_REFUSED(file, sizeof file, 7, (SIZE_MAX - 16) / 4 + 1, "cannot be addressed");
  for (size_t i = 0; i < sizeof file; i++) { /* every single-bit flip is caught somewhere */
    memcpy(bad, file, sizeof file);
    bad[i] ^= 0x10;
    err[0] = 0;
    CHECK_TRUE(meter_file_parse(&parts, bad, sizeof bad, 7, 3, err, sizeof err) == -1 && err[0],
               "a flip at byte %zu was accepted", i);
  }
  /* no floats at all is still a file */
  CHECK_TRUE(meter_file_bytes(0) == 16, "an empty body makes 16 bytes");
  meter_file_write(bad, 1, w, 0);
  CHECK_TRUE(meter_file_parse(&parts, bad, 16, 1, 0, err, sizeof err) == 0 && parts.count == 0, "0 floats: %s", err);
#undef PARSE_REFUSED
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
  /* the layout make data's files have: "GANMETR1", version 2, 67883 weights, CRC-32 */
  uint32_t version;
  memcpy(&version, good + 8, 4);
  CHECK_TRUE(n == 271548 && !memcmp(good, "GANMETR1", 8) && version == 2, "%zu bytes of version %u", n, version);

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
  test_container();
  test_file();
  return check_finish();
}
