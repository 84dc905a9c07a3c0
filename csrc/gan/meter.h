/* meter.h - the mode meter: a small classifier trained by this same core on a dataset's
 * training set, that tells which classes a batch of generated images covers - and when
 * they are no recognisable class at all.
 *
 * Network: conv 32 (k4 s2 p1) -> LeakyReLU 0.2 -> conv 64 (k4 s2 p1) -> LeakyReLU 0.2 ->
 * dense 11, softmax. Classes 0..9 are the dataset's; class 10 (METER_NOT) is "not a
 * digit" (or not a garment), learnt from a negatives set: noise, blobs, stripes, scribbles,
 * early-training and collapsed-generator samples (tools/negatives.mjs). Trained with Adam
 * and softmax cross-entropy.
 *
 * A reading of n images (METER_SAMPLES by convention: every caller reads the same number,
 * so their figures compare):
 *   histogram[c]            samples whose top class is c (c = 10: not a digit)
 *   confident_histogram[c]  of those, the ones whose top probability is >= METER_TOP_PROB
 *   coverage                digit classes 0..9 holding at least 1/METER_SHARE_DIV of the
 *                           samples (class 10 never counts)
 *   confident               fraction of samples confidently read as a digit 0..9
 *   junk                    fraction whose top class is 10
 *   recognisable            confident >= METER_FLOOR: below it the histogram is noise's
 *   digits                  the time-to-digits rule: coverage 10 and confident >= METER_DIGITS_CONFIDENT */
#ifndef GAN_METER_H
#define GAN_METER_H

#include <stddef.h>
#include <stdint.h>

#include "../io/idx.h"

enum {
  METER_DIGITS = 10,  /* the dataset's classes */
  METER_NOT = 10,     /* the "not a digit" class */
  METER_CLASSES = 11,
  METER_BATCH = 100,
  METER_SAMPLES = 1000, /* images every caller reads */
  METER_SHARE_DIV = 20, /* a class covers when it holds >= 1/20 = 5% of the samples */
  METER_FEATURES = 7 * 7 * 64 /* penultimate activations an image (meter_features) */
};
#define METER_TOP_PROB 0.9f          /* a sample is confident when its top probability is this high */
#define METER_FLOOR 0.1f             /* below this confident share nothing is recognisable */
#define METER_DIGITS_CONFIDENT 0.5f  /* time to digits: coverage 10 and this confident share */

typedef struct {
  int histogram[METER_CLASSES];
  int confident_histogram[METER_CLASSES];
  int coverage;
  float confident;
  float junk;
  int all_present;  /* every digit class predicted at least once */
  int recognisable;
  int digits;
} meter_reading;

typedef struct meter meter;

meter *meter_create(uint32_t seed, char *err, size_t errlen);
void meter_destroy(meter *m);
/* One pass over real (labels 0..9) and negatives (label 10; may be NULL) together, in one
 * random order; returns the mean training loss. */
float meter_train_epoch(meter *m, const idx_dataset *real, const idx_dataset *negatives, float lr);
/* Fraction of the set classified correctly (over all 11 classes). */
float meter_accuracy(meter *m, const idx_dataset *d);
/* Reads n images [n, 28, 28] in [-1, 1]. */
void meter_read(meter *m, const float *images, int n, meter_reading *r);
/* The reading of n rows of class probabilities [n, METER_CLASSES]: the arithmetic of
 * meter_read, apart from the network. */
void meter_tally(const float *probs, int n, meter_reading *r);
/* The penultimate activations of n images [n, 28, 28] in [-1, 1]: the second LeakyReLU's
 * output, METER_FEATURES floats an image (7x7x64, channels last), what the dense head
 * reads. out holds n * METER_FEATURES floats. */
void meter_features(meter *m, const float *images, int n, float *out);

/* The weights as bytes, for caching: version 2 of the file io/meter_file.h lays out, its
 * floats the parameters (conv 1 weights and biases, conv 2's, the dense head's). Every
 * meter has the same size: meter_size(NULL) gives it before one exists. */
size_t meter_size(const meter *m);
void meter_save(const meter *m, uint8_t *dst);
/* 0, or -1 with the reason (truncated, foreign, old version, corrupted) in err; m is
 * unchanged then. */
int meter_load(meter *m, const uint8_t *src, size_t len, char *err, size_t errlen);
/* The checks of meter_load (empty, foreign, old version, size, checksum, non-finite
 * weights) without a meter: 0, or -1 with the reason in err. Allocates nothing. */
int meter_check(const uint8_t *src, size_t len, char *err, size_t errlen);

#endif
