/* meter.h - the mode meter: a small classifier trained by this same core on a dataset's
 * training set, that tells which classes a batch of generated images covers.
 *
 * Network: conv 32 (k4 s2 p1) -> LeakyReLU 0.2 -> conv 64 (k4 s2 p1) -> LeakyReLU 0.2 ->
 * dense 10, softmax. Trained with Adam and softmax cross-entropy. */
#ifndef GAN_METER_H
#define GAN_METER_H

#include <stddef.h>
#include <stdint.h>

#include "../io/idx.h"

enum { METER_CLASSES = 10, METER_BATCH = 100 };

typedef struct {
  int histogram[METER_CLASSES]; /* samples per predicted class */
  int coverage;                 /* classes holding at least 5% of the samples */
  float confident;              /* fraction of samples whose top probability is >= 0.9 */
  int all_present;              /* every class predicted at least once */
} meter_reading;

typedef struct meter meter;

meter *meter_create(uint32_t seed, char *err, size_t errlen);
void meter_destroy(meter *m);
/* One pass over the set in a random order; returns the mean training loss. */
float meter_train_epoch(meter *m, const idx_dataset *d, float lr);
/* Fraction of the set classified correctly. */
float meter_accuracy(meter *m, const idx_dataset *d);
/* Reads n images [n, 28, 28] in [-1, 1]. */
void meter_read(meter *m, const float *images, int n, meter_reading *r);

/* The weights as bytes ("GANMETR1", version, weights, CRC-32), for caching. */
size_t meter_size(const meter *m);
void meter_save(const meter *m, uint8_t *dst);
/* 0, or -1 with the reason (truncated, foreign, corrupted) in err; m is unchanged then. */
int meter_load(meter *m, const uint8_t *src, size_t len, char *err, size_t errlen);

#endif
