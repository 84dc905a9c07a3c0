/* rng.c - PCG32 (XSH-RR output) and Box-Muller. */
#include "rng.h"

#include <math.h>

static const uint64_t PCG_MULT = 6364136223846793005ULL;

void rng_seed(rng *r, uint64_t seed, uint64_t stream) {
  r->state = 0;
  r->inc = (stream << 1) | 1u;
  rng_u32(r);
  r->state += seed;
  rng_u32(r);
  r->has_spare = 0;
  r->spare = 0.0f;
}

uint32_t rng_u32(rng *r) {
  uint64_t old = r->state;
  r->state = old * PCG_MULT + r->inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
  uint32_t rot = (uint32_t)(old >> 59);
  return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

float rng_uniform(rng *r) { return (float)(rng_u32(r) >> 8) * (1.0f / 16777216.0f); }

float rng_normal(rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  /* u1 in (0, 1] so the log is finite */
  double u1 = ((double)(rng_u32(r) >> 8) + 1.0) * (1.0 / 16777216.0);
  double u2 = (double)(rng_u32(r) >> 8) * (1.0 / 16777216.0);
  double radius = sqrt(-2.0 * log(u1)), angle = 6.283185307179586 * u2;
  r->spare = (float)(radius * sin(angle));
  r->has_spare = 1;
  return (float)(radius * cos(angle));
}

void rng_fill_normal(rng *r, float *out, int n, float mean, float std) {
  for (int i = 0; i < n; i++) out[i] = mean + std * rng_normal(r);
}

void rng_fill_uniform(rng *r, float *out, int n, float lo, float hi) {
  for (int i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng_uniform(r);
}
