/* meter.c - see meter.h. One arena holds parameters, Adam state and the activations of
 * one batch of METER_BATCH images. */
#include "meter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/errmsg.h"
#include "../io/meter_file.h"
#include "../nn/nn.h"

enum { B = METER_BATCH, C1 = 32, C2 = 64, F = 7 * 7 * C2, PIXELS = 784 };
_Static_assert((int)F == (int)METER_FEATURES, "meter.h's METER_FEATURES is the second conv's output");
/* parameter floats: conv 1, conv 2, dense */
enum { N_PARAMS = 16 * C1 + C1 + 16 * C1 * C2 + C2 + F * METER_CLASSES + METER_CLASSES };
static const float LEAK = 0.2f;
/* the weights file's version (io/meter_file.h holds the container): 1 had ten classes,
 * 2 has ten classes and "not a digit", N_PARAMS floats in p's order */
enum { METER_VERSION = 2 };

struct meter {
  arena mem;
  rng r;
  int n, t;                          /* parameter floats, Adam steps */
  float *p, *g, *m, *v;              /* parameters, gradients, Adam moments */
  float *w1, *b1, *w2, *b2, *w3, *b3; /* into p */
  float *x, *c1, *l1, *c2, *l2, *logits, *probs;
  float *dlogits, *dl2, *dc2, *dl1, *dc1;
  uint8_t labels[B];
};

static void shapes(int n, conv_shape *s1, conv_shape *s2) {
  conv_shape_init(s1, n, 28, 28, 1, 4, 4, 2, 1);
  conv_shape_init(s2, n, 14, 14, C1, 4, 4, 2, 1);
}

meter *meter_create(uint32_t seed, char *err, size_t errlen) {
  meter *m = calloc(1, sizeof *m);
  const int n = N_PARAMS;
  const size_t acts = (size_t)B * (PIXELS + 4 * 196 * C1 + 3 * F + 3 * METER_CLASSES);
  if (!m || arena_init(&m->mem, (4 * (size_t)n + acts + 256) * sizeof(float))) {
    errmsg(err, errlen, "out of memory for the mode meter");
    free(m);
    return NULL;
  }
  arena *a = &m->mem;
  m->n = n;
  m->p = arena_floats(a, n), m->g = arena_floats(a, n), m->m = arena_floats(a, n), m->v = arena_floats(a, n);
  float *cur = m->p;
  m->w1 = cur, cur += 16 * C1;
  m->b1 = cur, cur += C1;
  m->w2 = cur, cur += 16 * C1 * C2;
  m->b2 = cur, cur += C2;
  m->w3 = cur, cur += F * METER_CLASSES;
  m->b3 = cur;
  m->x = arena_floats(a, (size_t)B * PIXELS);
  m->c1 = arena_floats(a, (size_t)B * 196 * C1), m->l1 = arena_floats(a, (size_t)B * 196 * C1);
  m->dl1 = arena_floats(a, (size_t)B * 196 * C1), m->dc1 = arena_floats(a, (size_t)B * 196 * C1);
  m->c2 = arena_floats(a, (size_t)B * F), m->l2 = arena_floats(a, (size_t)B * F);
  m->dl2 = arena_floats(a, (size_t)B * F), m->dc2 = m->dl2; /* dc2 overwrites dl2 in place below */
  m->logits = arena_floats(a, B * METER_CLASSES), m->probs = arena_floats(a, B * METER_CLASSES);
  m->dlogits = arena_floats(a, B * METER_CLASSES);
  rng_seed(&m->r, seed, 7);
  rng_fill_normal(&m->r, m->w1, 16 * C1, 0, sqrtf(2.0f / 16));
  rng_fill_normal(&m->r, m->w2, 16 * C1 * C2, 0, sqrtf(2.0f / (16 * C1)));
  rng_fill_normal(&m->r, m->w3, F * METER_CLASSES, 0, sqrtf(1.0f / F));
  return m;
}

void meter_destroy(meter *m) {
  if (!m) return;
  arena_free(&m->mem);
  free(m);
}

static void forward(meter *m, int n) {
  conv_shape s1, s2;
  shapes(n, &s1, &s2);
  conv2d_forward(m->c1, m->x, m->w1, m->b1, &s1, C1);
  leaky_relu_forward(m->l1, m->c1, n * 196 * C1, LEAK);
  conv2d_forward(m->c2, m->l1, m->w2, m->b2, &s2, C2);
  leaky_relu_forward(m->l2, m->c2, n * F, LEAK);
  dense_forward(m->logits, m->l2, m->w3, m->b3, n, F, METER_CLASSES);
}

static void backward(meter *m) {
  conv_shape s1, s2;
  shapes(B, &s1, &s2);
  float *g = m->g;
  float *gw1 = g, *gb1 = gw1 + 16 * C1, *gw2 = gb1 + C1, *gb2 = gw2 + 16 * C1 * C2;
  float *gw3 = gb2 + C2, *gb3 = gw3 + F * METER_CLASSES;
  nn_zero(m->dl2, B * F);
  dense_backward(m->dl2, gw3, gb3, m->dlogits, m->l2, m->w3, B, F, METER_CLASSES);
  /* LeakyReLU backward in place: dc2 = dl2 * f'(c2) */
  for (int i = 0; i < B * F; i++) m->dc2[i] = m->c2[i] > 0 ? m->dl2[i] : LEAK * m->dl2[i];
  conv2d_backward_weights(gw2, m->dc2, m->l1, &s2, C2);
  bias_backward(gb2, m->dc2, B * 49, C2);
  nn_zero(m->dl1, B * 196 * C1);
  conv2d_backward_data(m->dl1, m->dc2, m->w2, &s2, C2);
  nn_zero(m->dc1, B * 196 * C1);
  leaky_relu_backward(m->dc1, m->dl1, m->c1, B * 196 * C1, LEAK);
  conv2d_backward_weights(gw1, m->dc1, m->x, &s1, C1);
  bias_backward(gb1, m->dc1, B * 196, C1);
}

/* Image i of the epoch stream: real images first, then negatives (always METER_NOT). */
static void load_images(meter *m, const idx_dataset *real, const idx_dataset *neg, const int *idx, int n) {
  for (int i = 0; i < n; i++) {
    const int k = idx[i], is_neg = k >= real->n;
    const idx_dataset *d = is_neg ? neg : real;
    const int j0 = is_neg ? k - real->n : k;
    const uint8_t *img = d->images + (size_t)j0 * PIXELS;
    for (int j = 0; j < PIXELS; j++) m->x[(size_t)i * PIXELS + j] = img[j] * (2.0f / 255.0f) - 1.0f;
    m->labels[i] = is_neg ? METER_NOT : d->labels[j0];
  }
}

float meter_train_epoch(meter *m, const idx_dataset *real, const idx_dataset *negatives, float lr) {
  const int total_n = real->n + (negatives ? negatives->n : 0);
  int *order = malloc(sizeof(int) * (size_t)total_n); /* once per epoch, outside any step */
  if (!order) return NAN;
  for (int i = 0; i < total_n; i++) order[i] = i;
  for (int i = total_n - 1; i > 0; i--) { /* Fisher-Yates */
    const int j = (int)(rng_u32(&m->r) % (uint32_t)(i + 1)), t = order[i];
    order[i] = order[j], order[j] = t;
  }
  double total = 0;
  int batches = 0;
  for (int start = 0; start + B <= total_n; start += B, batches++) {
    load_images(m, real, negatives, order + start, B);
    forward(m, B);
    total += softmax_xent_forward(m->probs, m->logits, m->labels, B, METER_CLASSES);
    nn_zero(m->dlogits, B * METER_CLASSES);
    softmax_xent_backward(m->dlogits, m->probs, m->labels, B, METER_CLASSES, 1.0f);
    nn_zero(m->g, m->n);
    backward(m);
    adam_update(m->p, m->g, m->m, m->v, m->n, lr, 0.9f, 0.999f, 1e-8f, ++m->t);
  }
  free(order);
  return batches ? (float)(total / batches) : NAN;
}

static int argmax(const float *z, float *top) {
  int best = 0;
  for (int c = 1; c < METER_CLASSES; c++)
    if (z[c] > z[best]) best = c;
  if (top) *top = z[best];
  return best;
}

float meter_accuracy(meter *m, const idx_dataset *d) {
  int right = 0, idx[B];
  for (int start = 0; start < d->n; start += B) {
    const int n = d->n - start < B ? d->n - start : B;
    for (int i = 0; i < n; i++) idx[i] = start + i;
    load_images(m, d, NULL, idx, n);
    forward(m, n);
    for (int i = 0; i < n; i++) right += argmax(m->logits + i * METER_CLASSES, NULL) == m->labels[i];
  }
  return (float)right / (float)d->n;
}

/* Counts k rows of probabilities into the histograms. */
static void tally_rows(const float *probs, int k, meter_reading *r) {
  for (int i = 0; i < k; i++) {
    float top;
    const int c = argmax(probs + (size_t)i * METER_CLASSES, &top);
    r->histogram[c]++;
    r->confident_histogram[c] += top >= METER_TOP_PROB;
  }
}

/* The shares and rules, from the histograms of n samples. */
static void tally_finish(int n, meter_reading *r) {
  int confident = 0;
  r->all_present = 1;
  for (int c = 0; c < METER_DIGITS; c++) {
    r->coverage += n > 0 && r->histogram[c] * METER_SHARE_DIV >= n;
    r->all_present &= r->histogram[c] > 0;
    confident += r->confident_histogram[c];
  }
  r->confident = n > 0 ? (float)confident / (float)n : 0.0f;
  r->junk = n > 0 ? (float)r->histogram[METER_NOT] / (float)n : 0.0f;
  r->recognisable = r->confident >= METER_FLOOR;
  r->digits = r->coverage == METER_DIGITS && r->confident >= METER_DIGITS_CONFIDENT;
}

void meter_tally(const float *probs, int n, meter_reading *r) {
  memset(r, 0, sizeof *r);
  tally_rows(probs, n, r);
  tally_finish(n, r);
}

void meter_read(meter *m, const float *images, int n, meter_reading *r) {
  memset(r, 0, sizeof *r);
  for (int start = 0; start < n; start += B) {
    const int k = n - start < B ? n - start : B;
    memcpy(m->x, images + (size_t)start * PIXELS, sizeof(float) * (size_t)k * PIXELS);
    forward(m, k);
    memset(m->labels, 0, sizeof m->labels);
    softmax_xent_forward(m->probs, m->logits, m->labels, k, METER_CLASSES);
    tally_rows(m->probs, k, r);
  }
  tally_finish(n, r);
}

void meter_features(meter *m, const float *images, int n, float *out) {
  for (int start = 0; start < n; start += B) {
    const int k = n - start < B ? n - start : B;
    memcpy(m->x, images + (size_t)start * PIXELS, sizeof(float) * (size_t)k * PIXELS);
    forward(m, k);
    memcpy(out + (size_t)start * F, m->l2, sizeof(float) * (size_t)k * F);
  }
}

size_t meter_size(const meter *m) {
  (void)m; /* every meter has the one shape */
  return meter_file_bytes(N_PARAMS);
}

void meter_save(const meter *m, uint8_t *dst) { meter_file_write(dst, METER_VERSION, m->p, (size_t)m->n); }

/* The weights of a file this build reads, their values checked: the container's checks
 * (io/meter_file.c), then that every weight is a number. */
static int weights(meter_file_parts *w, const uint8_t *src, size_t len, char *err, size_t errlen) {
  if (meter_file_parse(w, src, len, METER_VERSION, N_PARAMS, err, errlen)) return -1;
  for (size_t i = 0; i < w->count; i++) {
    float v;
    memcpy(&v, w->floats + 4 * i, 4);
    if (!isfinite(v)) return errmsg(err, errlen, "mode meter weight %zu is not finite", i);
  }
  return 0;
}

int meter_check(const uint8_t *src, size_t len, char *err, size_t errlen) {
  meter_file_parts w;
  return weights(&w, src, len, err, errlen);
}

int meter_load(meter *m, const uint8_t *src, size_t len, char *err, size_t errlen) {
  meter_file_parts w;
  if (weights(&w, src, len, err, errlen)) return -1;
  memcpy(m->p, w.floats, sizeof(float) * w.count);
  return 0;
}
