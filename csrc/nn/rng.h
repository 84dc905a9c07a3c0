/* rng.h - a deterministic random stream: PCG32 (O'Neill's permuted congruential
 * generator, 64-bit state, 32-bit output) with Box-Muller normals. Seeded explicitly; the
 * same seed gives the same stream in the same build, in Node and in the browser. */
#ifndef NN_RNG_H
#define NN_RNG_H

#include <stdint.h>

typedef struct {
  uint64_t state, inc;
  int has_spare; /* Box-Muller makes normals in pairs; the second waits here */
  float spare;
} rng;

void rng_seed(rng *r, uint64_t seed, uint64_t stream);
uint32_t rng_u32(rng *r);
/* uniform in [0, 1), 24 random bits */
float rng_uniform(rng *r);
/* standard normal */
float rng_normal(rng *r);
/* out[i] = mean + std * normal */
void rng_fill_normal(rng *r, float *out, int n, float mean, float std);
/* out[i] uniform in [lo, hi) */
void rng_fill_uniform(rng *r, float *out, int n, float lo, float hi);

#endif
