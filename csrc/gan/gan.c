/* gan.c - the DCGAN: parameters, activations, forward, backward, training steps.
 *
 * Memory: one arena, carved once in gan_create by the same list that sized it (a counting
 * pass first). Each network's parameters, gradients and Adam moments are four contiguous
 * blocks (so a finiteness check, a gradient norm or a checkpoint is one loop), its tensors
 * named by offsets into them; every activation and activation gradient has its slot. */
#include "gan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/errmsg.h"
#include "../nn/nn.h"
#include "losses.h"
#include "settings.h"

enum { SIDE = 28, PIXELS = SIDE * SIDE, S7 = 7 * 7, S14 = 14 * 14 };
/* latent vectors (fixed by the seed) on which the averaged G's batch norm statistics are
 * measured before it samples */
enum { STANDING = 256 };
static const float LEAK = 0.2f, BN_MOMENTUM = 0.1f, BN_EPS = 1e-5f;

/* a network's parameters: value, gradient and Adam moments, each contiguous */
typedef struct {
  float *p, *g, *m, *v;
  int n, t; /* floats; Adam steps taken */
} params;

/* G's tensors as offsets into its blocks (the same offset in p, g, m, v and the average) */
typedef struct {
  int w0, b0, gamma0, beta0; /* dense [L, 49*C2] (BN over C2) */
  int w1, b1, gamma1, beta1; /* up 7x7xC2 -> 14x14xC1: [16*C1, C2], or [9*C1, C2] resized */
  int w2, b2;                /* up 14x14xC1 -> 28x28x1: [16, C1] or [9, C1] */
} g_tensors;

/* D's tensors */
typedef struct {
  int w1, b1;                /* conv 28x28x1 -> 14x14xC1, k4 s2 p1: [16, C1] */
  int w2, b2, gamma2, beta2; /* conv 14x14xC1 -> 7x7xC2, k4 s2 p1: [16*C1, C2] (BN) */
  int w3, b3, gamma3, beta3; /* conv 7x7xC2 -> 7x7xC2, k3 s1 p1: [9*C2, C2] (BN), d_layers 3 */
  int w4, b4;                /* dense F -> 1 */
} d_tensors;

/* floats a backward pass accumulates into, zeroed together before it (zero_grads) */
typedef struct {
  float *p;
  size_t n;
} span;
enum { MAX_SPANS = 12 };
typedef struct {
  span s[MAX_SPANS];
  int n;
} span_list;

/* One batch-normalised layer's training slots: normalised input, batch mean and 1/std. */
typedef struct {
  float *xhat, *mean, *invstd;
} bn_slots;

struct gan {
  gan_config c;
  arena mem;
  rng noise, data;
  int C1, C2, F; /* channels; F = D's dense inputs (7*7*C2, +C2 with mbstd) */
  long iterations, skipped, bad_in_row;
  params G, D;
  g_tensors gt;
  d_tensors dt;
  /* batch norm running statistics, one block: G's mean0, var0 [C2], mean1, var1 [C1], then
   * D's mean2, var2, mean3, var3 [C2] when D has batch norm */
  float *run, *run_saved; /* and their values before the current step (a discarded step restores them) */
  int run_n, run_g;       /* floats in the block; of which G's */
  /* the moving average of G's weights, and the running statistics measured for it */
  float *ema, *ema_run;
  long ema_updates, ema_run_at; /* ema_run is stale when ema_run_at != ema_updates */
  /* resize: G's up kernels expanded to 4x4, and their gradients: w4a [16*C1, C2], w4b [16, C1] */
  float *w4a, *w4b, *dw4a, *dw4b;
  /* Activations, NHWC at batch B (A7 = [B, 7, 7, C2], A14 = [B, 14, 14, C1], AP = [B, 28, 28]).
   * G: z [B, L]; dense out h0, BN out a0, ReLU out r0: A7; the same at 14x14: h1, a1, r1: A14;
   * h2 (before tanh), fake: AP. a0 and a1 exist with g_batchnorm. */
  float *z, *h0, *a0, *r0, *h1, *a1, *r1, *h2, *fake;
  bn_slots bn0, bn1; /* xhat A7 / A14, mean and invstd [C2] / [C1] */
  /* D: din (the input after instance noise): AP; conv c1 and LeakyReLU l1: A14; conv c2, BN
   * n2, LeakyReLU l2: A7; with d_layers 3 the same at c3, n3, l3: A7; feat [B, F] (l2 or l3
   * flattened, + C2 std-dev features with mbstd); logit [B] */
  float *din, *c1, *l1, *c2, *n2, *l2, *c3, *n3, *l3, *feat, *logit;
  bn_slots bn2, bn3;
  /* Gradients, the same shapes as what they differentiate: dlogit [B], dfeat [B, F], dlast
   * (dfeat's A7 part), dl2, dn2, dc2, dn3, dc3: A7; dl1, dc1: A14; ddin, dfake: AP; G's dr1,
   * da1, dh1: A14; dr0, da0, dh0: A7 */
  float *dlogit, *dfeat, *dlast, *dn3, *dc3, *dl2, *dn2, *dc2, *dl1, *dc1, *ddin;
  float *dfake, *dr1, *da1, *dh1, *dr0, *da0, *dh0;
  float *real; /* a real batch, AP in [-1, 1] */
  span_list d_grads, g_grads; /* what D's and G's backward passes accumulate into */
};

static size_t shape_model(gan *g, const gan_config *c);


/* Each setting against its bounds in the table (settings.c), then what they make together. */
int gan_config_check(const gan_config *c, char *err, size_t errlen) {
  int n;
  const gan_setting *t = gan_settings(&n);
  for (int i = 0; i < n; i++)
    if (gan_setting_check(&t[i], gan_setting_get(c, &t[i]), err, errlen)) return -1;
  gan shape = {0};
  const size_t mb = shape_model(&shape, c) >> 20;
  if (mb > GAN_MAX_MODEL_MB)
    return errmsg(err, errlen, "the model needs %zu MB, more than the %d MB a page can hold (lower batch, width or latent)",
                  mb, GAN_MAX_MODEL_MB);
  return 0;
}

/* ---- building ---- */

/* Offsets: each tensor takes the next n floats of its network's block. */
static int place(int *cursor, int n) {
  const int at = *cursor;
  *cursor += n;
  return at;
}

static int g_layout(g_tensors *t, const gan_config *c, int C1, int C2) {
  const int up = c->g_resize ? 9 : 16;
  int n = 0;
  t->w0 = place(&n, c->latent * S7 * C2), t->b0 = place(&n, S7 * C2);
  t->gamma0 = place(&n, C2), t->beta0 = place(&n, C2);
  t->w1 = place(&n, up * C1 * C2), t->b1 = place(&n, C1);
  t->gamma1 = place(&n, C1), t->beta1 = place(&n, C1);
  t->w2 = place(&n, up * C1), t->b2 = place(&n, 1);
  return n;
}

static int d_layout(d_tensors *t, const gan_config *c, int C1, int C2, int F) {
  const int bn = c->d_batchnorm ? C2 : 0;
  int n = 0;
  t->w1 = place(&n, 16 * C1), t->b1 = place(&n, C1);
  t->w2 = place(&n, 16 * C1 * C2), t->b2 = place(&n, C2);
  t->gamma2 = place(&n, bn), t->beta2 = place(&n, bn);
  const int deep = c->d_layers == 3;
  t->w3 = place(&n, deep ? 9 * C2 * C2 : 0), t->b3 = place(&n, deep ? C2 : 0);
  t->gamma3 = place(&n, deep ? bn : 0), t->beta3 = place(&n, deep ? bn : 0);
  t->w4 = place(&n, F), t->b4 = place(&n, 1);
  return n;
}

/* Carves from the arena, or with a NULL arena only counts what it would carve (the bytes
 * arena_floats takes, arena_bytes), so the arena is sized by the list it serves. */
typedef struct {
  arena *a;
  size_t bytes;
  int failed;
} carver;

static float *carve(carver *k, size_t n) {
  if (n == 0) return NULL;
  k->bytes += arena_bytes(n);
  if (!k->a) return NULL;
  float *p = arena_floats(k->a, n);
  if (!p) k->failed = 1;
  return p;
}

static void carve_params(carver *k, params *ps, int n) {
  ps->n = n;
  ps->t = 0;
  ps->p = carve(k, n), ps->g = carve(k, n), ps->m = carve(k, n), ps->v = carve(k, n);
}

/* carve n floats that a backward pass accumulates into: listed for zero_grads */
static float *carve_grad(carver *k, span_list *l, size_t n) {
  float *p = carve(k, n);
  if (p && l->n < MAX_SPANS) l->s[l->n++] = (span){p, n};
  else if (p) k->failed = 1;
  return p;
}

static void carve_bn(carver *k, bn_slots *s, size_t rows_x_c, int C) {
  s->xhat = carve(k, rows_x_c), s->mean = carve(k, C), s->invstd = carve(k, C);
}

/* Every block of the model, in one list: run once to count, once to carve. */
static void carve_all(gan *g, carver *k) {
  const gan_config *c = &g->c;
  const size_t B = c->batch, L = c->latent, C1 = g->C1, C2 = g->C2, F = g->F;
  const size_t A7 = B * S7 * C2, A14 = B * S14 * C1, AP = B * PIXELS; /* activation sizes */
  const int gbn = c->g_batchnorm, dbn = c->d_batchnorm, deep = c->d_layers == 3;
  carve_params(k, &g->G, g_layout(&g->gt, c, (int)C1, (int)C2));
  carve_params(k, &g->D, d_layout(&g->dt, c, (int)C1, (int)C2, (int)F));
  g->run_g = (int)(2 * (C1 + C2));
  g->run_n = g->run_g + (dbn ? (deep ? 4 : 2) * (int)C2 : 0);
  g->run = carve(k, g->run_n), g->run_saved = carve(k, g->run_n);
  if (c->ema > 0) g->ema = carve(k, g->G.n), g->ema_run = carve(k, g->run_g);
  if (c->g_resize) g->w4a = carve(k, 16 * C1 * C2), g->w4b = carve(k, 16 * C1);
  g->z = carve(k, B * L);
  g->h0 = carve(k, A7), g->a0 = carve(k, gbn ? A7 : 0), g->r0 = carve(k, A7);
  g->h1 = carve(k, A14), g->a1 = carve(k, gbn ? A14 : 0), g->r1 = carve(k, A14);
  if (gbn) carve_bn(k, &g->bn0, A7, (int)C2), carve_bn(k, &g->bn1, A14, (int)C1);
  g->h2 = carve(k, AP), g->fake = carve(k, AP), g->real = carve(k, AP), g->din = carve(k, AP);
  g->c1 = carve(k, A14), g->l1 = carve(k, A14);
  g->c2 = carve(k, A7), g->n2 = carve(k, dbn ? A7 : 0), g->l2 = carve(k, A7);
  if (dbn) carve_bn(k, &g->bn2, A7, (int)C2);
  if (deep) {
    g->c3 = carve(k, A7), g->n3 = carve(k, dbn ? A7 : 0), g->l3 = carve(k, A7);
    if (dbn) carve_bn(k, &g->bn3, A7, (int)C2);
  }
  g->feat = carve(k, B * F), g->logit = carve(k, B);
  g->dlogit = carve(k, B), g->dlast = carve(k, A7), g->dfake = carve(k, AP);
  /* D's backward: from dL/dlogit to its input or its weights */
  span_list *dg = &g->d_grads, *gg = &g->g_grads;
  dg->n = gg->n = 0;
  g->dfeat = carve_grad(k, dg, B * F);
  if (deep) g->dn3 = carve_grad(k, dg, A7), g->dc3 = carve_grad(k, dg, dbn ? A7 : 0);
  g->dl2 = carve_grad(k, dg, A7), g->dn2 = carve_grad(k, dg, A7), g->dc2 = carve_grad(k, dg, dbn ? A7 : 0);
  g->dl1 = carve_grad(k, dg, A14), g->dc1 = carve_grad(k, dg, A14), g->ddin = carve_grad(k, dg, AP);
  /* G's backward, from dL/dfake (its first gradient, dh2, reuses ddin: D's input gradient
   * is consumed by then) */
  g->dr1 = carve_grad(k, gg, A14), g->da1 = carve_grad(k, gg, A14), g->dh1 = carve_grad(k, gg, A14);
  g->dr0 = carve_grad(k, gg, A7), g->da0 = carve_grad(k, gg, A7), g->dh0 = carve_grad(k, gg, A7);
  if (c->g_resize) g->dw4a = carve_grad(k, gg, 16 * C1 * C2), g->dw4b = carve_grad(k, gg, 16 * C1);
}

/* Zeroes what a backward pass accumulates into: every kernel adds its gradient (dx +=),
 * so each pass starts from zeros, in one place rather than before each kernel. */
static void zero_grads(const span_list *l) {
  for (int i = 0; i < l->n; i++) nn_zero(l->s[i].p, (int)l->s[i].n);
}

/* DCGAN's initialisation: every weight from N(0, 0.02). (A He-style fan-in scale was
 * measured too: 33% confident samples at step 2000 against 43% with this one.) */
static void init_weight(rng *r, float *w, int n) {
  if (n > 0) rng_fill_normal(r, w, n, 0.0f, 0.02f);
}

static void fill(float *x, int n, float v) {
  for (int i = 0; i < n; i++) x[i] = v;
}

/* running statistics start at mean 0, variance 1 */
static void reset_running(float *run, int C2, int C1, int d_blocks) {
  float *p = run;
  fill(p, C2, 0), fill(p + C2, C2, 1), p += 2 * C2;
  fill(p, C1, 0), fill(p + C1, C1, 1), p += 2 * C1;
  for (int i = 0; i < d_blocks; i++, p += 2 * C2) fill(p, C2, 0), fill(p + C2, C2, 1);
}

/* The shape of a model of c (channels, layouts, block sizes) and the bytes of its arena:
 * the counting pass, which allocates nothing. */
static size_t shape_model(gan *g, const gan_config *c) {
  g->c = *c;
  g->C1 = 32 * c->width, g->C2 = 64 * c->width;
  g->F = S7 * g->C2 + (c->mbstd ? g->C2 : 0);
  carver count = {NULL, 0, 0};
  carve_all(g, &count);
  return count.bytes;
}

/* floats of the state after its counters: G and D (values, two moments), the running
 * statistics, G's average */
static size_t state_floats(const gan *g) {
  return 3 * (size_t)g->G.n + 3 * (size_t)g->D.n + (size_t)g->run_n + (g->c.ema > 0 ? (size_t)g->G.n : 0);
}

size_t gan_model_bytes(const gan_config *c) {
  if (gan_config_check(c, NULL, 0)) return 0;
  gan shape = {0};
  return shape_model(&shape, c);
}

gan *gan_create(const gan_config *cfg, char *err, size_t errlen) {
  if (gan_config_check(cfg, err, errlen)) return NULL;
  gan *g = calloc(1, sizeof *g);
  if (!g) return errmsg(err, errlen, "out of memory"), NULL;
  const size_t bytes = shape_model(g, cfg);
  const int L = cfg->latent, C1 = g->C1, C2 = g->C2;
  const int deep = cfg->d_layers == 3;
  if (arena_init(&g->mem, bytes)) {
    free(g);
    return errmsg(err, errlen, "cannot allocate %zu MB for the model", bytes >> 20), NULL;
  }
  carver k = {&g->mem, 0, 0};
  carve_all(g, &k);
  if (k.failed) {
    errmsg(err, errlen, "internal error: the model arena was sized too small");
    gan_destroy(g);
    return NULL;
  }
  rng_seed(&g->noise, cfg->seed, 1);
  rng_seed(&g->data, cfg->seed, 2);
  rng init;
  rng_seed(&init, cfg->seed, 3);
  const g_tensors *gt = &g->gt;
  const d_tensors *dt = &g->dt;
  const int up = cfg->g_resize ? 9 : 16;
  float *P = g->G.p, *Q = g->D.p;
  init_weight(&init, P + gt->w0, L * S7 * C2);
  init_weight(&init, P + gt->w1, up * C1 * C2);
  init_weight(&init, P + gt->w2, up * C1);
  init_weight(&init, Q + dt->w1, 16 * C1);
  init_weight(&init, Q + dt->w2, 16 * C1 * C2);
  init_weight(&init, Q + dt->w4, g->F);
  init_weight(&init, Q + dt->w3, deep ? 9 * C2 * C2 : 0); /* drawn last: the compact D's draws stay as they were */
  fill(P + gt->gamma0, C2, 1.0f), fill(P + gt->gamma1, C1, 1.0f);
  if (cfg->d_batchnorm) fill(Q + dt->gamma2, C2, 1.0f), fill(Q + dt->gamma3, deep ? C2 : 0, 1.0f);
  reset_running(g->run, C2, C1, cfg->d_batchnorm ? (deep ? 2 : 1) : 0);
  if (g->ema) memcpy(g->ema, g->G.p, sizeof(float) * g->G.n);
  g->ema_run_at = -1;
  return g;
}

void gan_destroy(gan *g) {
  if (!g) return;
  arena_free(&g->mem);
  free(g);
}

const gan_config *gan_get_config(const gan *g) { return &g->c; }

int gan_retune(gan *g, const gan_config *c, char *err, size_t errlen) {
  if (gan_config_check(c, err, errlen)) return -1;
  int n;
  const gan_setting *t = gan_settings(&n);
  for (int i = 0; i < n; i++) {
    if (t[i].live) continue;
    const double from = gan_setting_get(&g->c, &t[i]), to = gan_setting_get(c, &t[i]);
    if (from != to)
      return errmsg(err, errlen, "%s shapes the model (%g, asked %g): build a new model to change it", t[i].name, from, to);
  }
  g->c = *c;
  return 0;
}
long gan_iterations(const gan *g) { return g->iterations; }
long gan_skipped_total(const gan *g) { return g->skipped; }

/* ---- batch norm, shared by both networks ---- */

/* Train (batch statistics; the running ones in run move by momentum) when momentum > 0,
 * else inference with the running statistics. run holds mean [C] then var [C]. */
static void bn_forward(float *out, const bn_slots *s, float *run, const float *x,
                       const float *gamma, const float *beta, int rows, int C, float momentum) {
  if (momentum > 0)
    batchnorm_forward_train(out, s->xhat, s->mean, s->invstd, run, run + C, x, gamma, beta,
                            rows, C, momentum, BN_EPS);
  else
    batchnorm_forward_infer(out, x, gamma, beta, run, run + C, rows, C, BN_EPS);
}

/* ---- the generator ---- */

/* Each up layer is described by the convolution its transposed convolution transposes. */
static void shapes_g(const gan *g, int n, conv_shape *s1, conv_shape *s2) {
  conv_shape_init(s1, n, 14, 14, g->C1, 4, 4, 2, 1); /* 14x14xC1 -> 7x7xC2 */
  conv_shape_init(s2, n, 28, 28, 1, 4, 4, 2, 1);     /* 28x28x1 -> 14x14xC1 */
}

/* G's up kernels as the transposed convolutions use them: P's own, or expanded from 3x3. */
static void g_up_kernels(gan *g, const float *P, const float **w1, const float **w2) {
  if (!g->c.g_resize) {
    *w1 = P + g->gt.w1, *w2 = P + g->gt.w2;
    return;
  }
  resize_conv2d_expand(g->w4a, P + g->gt.w1, g->C1, g->C2);
  resize_conv2d_expand(g->w4b, P + g->gt.w2, 1, g->C1);
  *w1 = g->w4a, *w2 = g->w4b;
}

/* G's forward pass with parameters P over n latent vectors. BN trains on the batch when
 * momentum > 0 (moving the running statistics in run by it), else infers from run. */
static void g_forward(gan *g, const float *P, const float *z, int n, float *run, float momentum) {
  const int C1 = g->C1, C2 = g->C2;
  const g_tensors *t = &g->gt;
  conv_shape s1, s2;
  shapes_g(g, n, &s1, &s2);
  const float *w1, *w2;
  g_up_kernels(g, P, &w1, &w2);
  dense_forward(g->h0, z, P + t->w0, P + t->b0, n, g->c.latent, S7 * C2);
  const float *a0 = g->h0, *a1;
  if (g->c.g_batchnorm)
    bn_forward(g->a0, &g->bn0, run, g->h0, P + t->gamma0, P + t->beta0, n * S7, C2, momentum), a0 = g->a0;
  relu_forward(g->r0, a0, n * S7 * C2);
  conv_transpose2d_forward(g->h1, g->r0, w1, P + t->b1, &s1, C2);
  a1 = g->h1;
  if (g->c.g_batchnorm)
    bn_forward(g->a1, &g->bn1, run + 2 * C2, g->h1, P + t->gamma1, P + t->beta1, n * S14, C1, momentum), a1 = g->a1;
  relu_forward(g->r1, a1, n * S14 * C1);
  conv_transpose2d_forward(g->h2, g->r1, w2, P + t->b2, &s2, C1);
  tanh_forward(g->fake, g->h2, n * PIXELS);
}

/* Back through ReLU(BN(h)), or ReLU(h) without batch norm: dh from dr, the gradient at
 * the ReLU's output r; da is scratch for the gradient between the two. */
static void relu_bn_backward(gan *g, float *dh, float *da, const float *dr, const float *r,
                             const bn_slots *s, const float *gamma, float *dgamma,
                             float *dbeta, int rows, int C) {
  const int n = rows * C;
  float *dpre = g->c.g_batchnorm ? da : dh;
  relu_backward(dpre, dr, r, n);
  if (!g->c.g_batchnorm) return;
  batchnorm_backward(dh, dgamma, dbeta, da, s->xhat, gamma, s->invstd, rows, C);
}

/* the gradient of an up layer's weights: straight into dw, or through the 4x4 kernel */
static void up_backward_weights(gan *g, float *dw, float *dw4, const float *dy, const float *x,
                                const conv_shape *s, int IC) {
  if (!g->c.g_resize) {
    conv_transpose2d_backward_weights(dw, dy, x, s, IC);
    return;
  }
  conv_transpose2d_backward_weights(dw4, dy, x, s, IC);
  resize_conv2d_fold(dw, dw4, s->C, IC);
}

/* G's parameter gradients from dL/d(fake) in g->dfake (batch B, after a training g_forward
 * with G's own parameters, which left the expanded kernels in place). */
static void g_backward(gan *g) {
  const int B = g->c.batch, C1 = g->C1, C2 = g->C2;
  const g_tensors *t = &g->gt;
  const float *P = g->G.p;
  float *dP = g->G.g;
  conv_shape s1, s2;
  shapes_g(g, B, &s1, &s2);
  const float *w1 = g->c.g_resize ? g->w4a : P + t->w1, *w2 = g->c.g_resize ? g->w4b : P + t->w2;
  float *dh2 = g->ddin; /* free during the G backward: D's input gradient is consumed */
  zero_grads(&g->g_grads);
  nn_zero(dh2, B * PIXELS);
  tanh_backward(dh2, g->dfake, g->fake, B * PIXELS);
  up_backward_weights(g, dP + t->w2, g->dw4b, dh2, g->r1, &s2, C1);
  bias_backward(dP + t->b2, dh2, B * PIXELS, 1);
  conv_transpose2d_backward_data(g->dr1, dh2, w2, &s2, C1);
  relu_bn_backward(g, g->dh1, g->da1, g->dr1, g->r1, &g->bn1, P + t->gamma1, dP + t->gamma1,
                   dP + t->beta1, B * S14, C1);
  up_backward_weights(g, dP + t->w1, g->dw4a, g->dh1, g->r0, &s1, C2);
  bias_backward(dP + t->b1, g->dh1, B * S14, C1);
  conv_transpose2d_backward_data(g->dr0, g->dh1, w1, &s1, C2);
  relu_bn_backward(g, g->dh0, g->da0, g->dr0, g->r0, &g->bn0, P + t->gamma0, dP + t->gamma0,
                   dP + t->beta0, B * S7, C2);
  dense_backward(NULL, dP + t->w0, dP + t->b0, g->dh0, g->z, P + t->w0, B, g->c.latent, S7 * C2);
}

/* ---- the discriminator ---- */

static void shapes_d(const gan *g, int n, conv_shape *s1, conv_shape *s2, conv_shape *s3) {
  conv_shape_init(s1, n, 28, 28, 1, 4, 4, 2, 1);
  conv_shape_init(s2, n, 14, 14, g->C1, 4, 4, 2, 1);
  conv_shape_init(s3, n, 7, 7, g->C2, 3, 3, 1, 1);
}

/* The standard deviation over the batch of feature f of x[B, F] (with 1e-8 under the
 * root), and its mean in *mu: the minibatch std-dev feature and its gradient. */
static double batch_sd(const float *x, int B, int F, int f, double *mu) {
  double s = 0.0, ss = 0.0;
  for (int n = 0; n < B; n++) s += x[(size_t)n * F + f];
  *mu = s / B;
  for (int n = 0; n < B; n++) {
    const double d = x[(size_t)n * F + f] - *mu;
    ss += d * d;
  }
  return sqrt(ss / B + 1e-8);
}

/* D's last convolution's activations: l3 in the deep D, l2 in the compact one */
static const float *d_last(const gan *g) { return g->c.d_layers == 3 ? g->l3 : g->l2; }

/* conv -> [BN] -> LeakyReLU at 7x7 over the s->N images: y = conv(x), bn_out, act; BN
 * trains on the batch when momentum > 0, else infers from run. Returns the LeakyReLU input. */
static const float *d_conv_block(gan *g, float *c, float *nb, float *l, const float *x,
                                 const float *w, const float *b, const conv_shape *s,
                                 const bn_slots *slots, float *run, const float *gamma,
                                 const float *beta, float momentum) {
  const int B = s->N, C2 = g->C2;
  conv2d_forward(c, x, w, b, s, C2);
  const float *pre = c;
  if (g->c.d_batchnorm) {
    bn_forward(nb, slots, run, c, gamma, beta, B * S7, C2, momentum);
    pre = nb;
  }
  leaky_relu_forward(l, pre, B * S7 * C2, LEAK);
  return pre;
}

/* D's scores of the B images in x (B <= batch), copied to din. Training (train 1): instance
 * noise is added, and BN, when D has it, normalises over this batch (each of D's passes sees
 * a batch of real or of fake images) and moves the running statistics. Inference (train 0):
 * no noise, BN from the running statistics; nothing of the training state moves. */
static void d_forward_n(gan *g, const float *x, int B, int train) {
  const int C1 = g->C1, C2 = g->C2, F2 = S7 * C2;
  const d_tensors *t = &g->dt;
  const float *Q = g->D.p;
  float *drun = g->run + g->run_g;
  const float momentum = train ? BN_MOMENTUM : 0.0f;
  conv_shape s1, s2, s3;
  shapes_d(g, B, &s1, &s2, &s3);
  memcpy(g->din, x, sizeof(float) * B * PIXELS);
  if (train && g->c.instance_noise > 0)
    for (int i = 0; i < B * PIXELS; i++) g->din[i] += g->c.instance_noise * rng_normal(&g->noise);
  conv2d_forward(g->c1, g->din, Q + t->w1, Q + t->b1, &s1, C1);
  leaky_relu_forward(g->l1, g->c1, B * S14 * C1, LEAK);
  d_conv_block(g, g->c2, g->n2, g->l2, g->l1, Q + t->w2, Q + t->b2, &s2, &g->bn2, drun,
               Q + t->gamma2, Q + t->beta2, momentum);
  if (g->c.d_layers == 3)
    d_conv_block(g, g->c3, g->n3, g->l3, g->l2, Q + t->w3, Q + t->b3, &s3, &g->bn3, drun + 2 * C2,
                 Q + t->gamma3, Q + t->beta3, momentum);
  const float *last = d_last(g);
  for (int n = 0; n < B; n++) memcpy(g->feat + (size_t)n * g->F, last + (size_t)n * F2, sizeof(float) * F2);
  if (g->c.mbstd) { /* per channel, the mean over positions of the batch standard deviation */
    for (int c = 0; c < C2; c++) {
      double total = 0.0, mu;
      for (int p = 0; p < S7; p++) total += batch_sd(last, B, F2, p * C2 + c, &mu);
      for (int n = 0; n < B; n++) g->feat[(size_t)n * g->F + F2 + c] = (float)(total / S7);
    }
  }
  dense_forward(g->logit, g->feat, Q + t->w4, Q + t->b4, B, g->F, 1);
}

static void d_forward(gan *g, const float *x) { d_forward_n(g, x, g->c.batch, 1); }

/* Back through LeakyReLU(BN(conv(x))) at 7x7 from dl (the gradient at its output): the
 * weight gradients when dQ is given, and dx += the gradient at its input. dn, dc: scratch. */
static void d_conv_block_backward(gan *g, float *dx, float *dn, float *dc, const float *dl,
                                  const float *c, const float *nb, const float *x, int w, int b,
                                  int gamma, int beta, const bn_slots *slots,
                                  const conv_shape *s, float *dQ) {
  const int B = g->c.batch, C2 = g->C2, n = B * S7 * C2;
  const float *Q = g->D.p;
  leaky_relu_backward(dn, dl, g->c.d_batchnorm ? nb : c, n, LEAK);
  float *dconv = dn;
  if (g->c.d_batchnorm) { /* in the G step BN's parameter gradients land in D.g unused (the
                             D step clears it first) */
    batchnorm_backward(dc, g->D.g + gamma, g->D.g + beta, dn, slots->xhat, Q + gamma,
                       slots->invstd, B * S7, C2);
    dconv = dc;
  }
  if (dQ) {
    conv2d_backward_weights(dQ + w, dconv, x, s, C2);
    bias_backward(dQ + b, dconv, B * S7, C2);
  }
  conv2d_backward_data(dx, dconv, Q + w, s, C2);
}

/* Backward from g->dlogit: D's parameter gradients (accumulated) in the D step; only
 * dL/d(input), in g->ddin, in the G step (D's weight gradients would be thrown away). */
enum { D_PARAMS, D_INPUT };
static void d_backward(gan *g, int want) {
  const int B = g->c.batch, C1 = g->C1, C2 = g->C2, F2 = S7 * C2;
  const d_tensors *t = &g->dt;
  const float *Q = g->D.p;
  float *dQ = want == D_PARAMS ? g->D.g : NULL;
  conv_shape s1, s2, s3;
  shapes_d(g, B, &s1, &s2, &s3);
  const float *last = d_last(g);
  zero_grads(&g->d_grads);
  dense_backward(g->dfeat, dQ ? dQ + t->w4 : NULL, dQ ? dQ + t->b4 : NULL, g->dlogit, g->feat,
                 Q + t->w4, B, g->F, 1);
  for (int n = 0; n < B; n++) memcpy(g->dlast + (size_t)n * F2, g->dfeat + (size_t)n * g->F, sizeof(float) * F2);
  if (g->c.mbstd) { /* through mean_p sqrt(var_n + eps): d/dx[n,p,c] = (x - mu) / (B S7 sd_pc) */
    for (int c = 0; c < C2; c++) {
      double dm = 0.0;
      for (int n = 0; n < B; n++) dm += g->dfeat[(size_t)n * g->F + F2 + c];
      for (int p = 0; p < S7; p++) {
        const int f = p * C2 + c;
        double mu;
        const double k = dm / ((double)S7 * B * batch_sd(last, B, F2, f, &mu));
        for (int n = 0; n < B; n++) g->dlast[(size_t)n * F2 + f] += (float)(k * (last[(size_t)n * F2 + f] - mu));
      }
    }
  }
  const float *dl2 = g->dlast;
  if (g->c.d_layers == 3) {
    d_conv_block_backward(g, g->dl2, g->dn3, g->dc3, g->dlast, g->c3, g->n3, g->l2, t->w3, t->b3,
                          t->gamma3, t->beta3, &g->bn3, &s3, dQ);
    dl2 = g->dl2;
  }
  d_conv_block_backward(g, g->dl1, g->dn2, g->dc2, dl2, g->c2, g->n2, g->l1, t->w2, t->b2,
                        t->gamma2, t->beta2, &g->bn2, &s2, dQ);
  leaky_relu_backward(g->dc1, g->dl1, g->c1, B * S14 * C1, LEAK);
  if (dQ) {
    conv2d_backward_weights(dQ + t->w1, g->dc1, g->din, &s1, C1);
    bias_backward(dQ + t->b1, g->dc1, B * S14, C1);
  } else {
    conv2d_backward_data(g->ddin, g->dc1, Q + t->w1, &s1, C1);
  }
}

static float mean_sigmoid(const float *z, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += sigmoidf_stable(z[i]);
  return (float)(s / n);
}

static float mean_of(const float *z, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += z[i];
  return (float)(s / n);
}

/* ---- steps ---- */

static void sample_real(gan *g, const idx_dataset *data) {
  const int B = g->c.batch, px = data->rows * data->cols;
  for (int n = 0; n < B; n++) {
    const uint8_t *img = data->images + (size_t)(rng_u32(&g->data) % (uint32_t)data->n) * px;
    for (int i = 0; i < PIXELS; i++) g->real[(size_t)n * PIXELS + i] = img[i] * (2.0f / 255.0f) - 1.0f;
  }
}

/* Saves (restore 0) or restores (1) the BN running statistics: a step's forward passes
 * move them, so a discarded step must put them back or its NaNs would reach every sample. */
static void running_stats(gan *g, int restore) {
  if (restore) memcpy(g->run, g->run_saved, sizeof(float) * g->run_n);
  else memcpy(g->run_saved, g->run, sizeof(float) * g->run_n);
}

/* counters stop at GAN_MAX_STEPS, so a saved state always loads and never overflows */
static long count_up(long n) { return n < GAN_MAX_STEPS ? n + 1 : GAN_MAX_STEPS; }

/* Applies an update if the loss, the gradient, the BN running statistics the step moved
 * and the updated weights and moments are all finite; otherwise counts a bad step and
 * undoes the step's effect on the running statistics. So the state stays finite: a finite
 * but huge gradient whose square overflows in Adam is refused too. */
static int finite_update(gan *g, params *ps, float loss, float lr, float b1, float b2,
                         float *norm, gan_stats *st) {
  const double ss = nn_sumsq(ps->g, ps->n);
  *norm = (float)sqrt(ss);
  const int t = (int)count_up(ps->t);
  if (!isfinite(loss) || !isfinite(ss) || !nn_all_finite(g->run, g->run_n) ||
      adam_update_finite(ps->p, ps->g, ps->m, ps->v, ps->n, lr, b1, b2, 1e-8f, t)) {
    running_stats(g, 1);
    g->skipped = count_up(g->skipped);
    st->skipped++;
    return ++g->bad_in_row >= GAN_MAX_BAD_STEPS ? -1 : 0;
  }
  g->bad_in_row = 0;
  ps->t = t;
  return 0;
}

int gan_step_d(gan *g, const idx_dataset *data, gan_stats *st) {
  const int B = g->c.batch;
  running_stats(g, 0);
  nn_zero(g->D.g, g->D.n);
  sample_real(g, data);
  d_forward(g, g->real);
  nn_zero(g->dlogit, B);
  float loss = gan_d_loss_part(g->c.loss, g->logit, B, 1, g->c.real_label, g->dlogit);
  st->d_real = mean_sigmoid(g->logit, B);
  st->score_real = mean_of(g->logit, B);
  d_backward(g, D_PARAMS);
  rng_fill_normal(&g->noise, g->z, B * g->c.latent, 0.0f, 1.0f);
  g_forward(g, g->G.p, g->z, B, g->run, BN_MOMENTUM);
  d_forward(g, g->fake);
  nn_zero(g->dlogit, B);
  loss += gan_d_loss_part(g->c.loss, g->logit, B, 0, g->c.real_label, g->dlogit);
  st->d_fake = mean_sigmoid(g->logit, B);
  st->score_fake = mean_of(g->logit, B);
  d_backward(g, D_PARAMS);
  st->loss_d = loss;
  const float lr_d = g->iterations < g->c.warmup ? g->c.lr_g : g->c.lr_d;
  if (finite_update(g, &g->D, loss, lr_d, g->c.beta1_d, g->c.beta2_d, &st->grad_norm_d, st))
    return -1;
  if (g->c.loss == GAN_LOSS_WGAN) /* keep the critic Lipschitz by clipping every weight */
    for (int i = 0; i < g->D.n; i++)
      g->D.p[i] = fminf(fmaxf(g->D.p[i], -g->c.clip), g->c.clip);
  return 0;
}

/* The moving average of G's weights after an update. Its decay ramps up from 0.1 to ema
 * over the first steps, so the average forgets the random initialisation within a lesson. */
static void ema_update(gan *g) {
  if (!g->ema) return;
  const double t = (double)g->G.t, ramp = (1.0 + t) / (10.0 + t);
  const float d = (float)(ramp < g->c.ema ? ramp : g->c.ema);
  for (int i = 0; i < g->G.n; i++) { /* near FLT_MAX the rounded mix can overflow: keep it finite */
    const float e = d * g->ema[i] + (1.0f - d) * g->G.p[i];
    g->ema[i] = isfinite(e) ? e : g->G.p[i];
  }
  g->ema_updates++;
}

int gan_step_g(gan *g, gan_stats *st) {
  const int B = g->c.batch;
  running_stats(g, 0);
  rng_fill_normal(&g->noise, g->z, B * g->c.latent, 0.0f, 1.0f);
  g_forward(g, g->G.p, g->z, B, g->run, BN_MOMENTUM);
  d_forward(g, g->fake);
  nn_zero(g->dlogit, B);
  st->loss_g = gan_g_loss(g->c.loss, g->logit, B, g->dlogit);
  const float p = mean_sigmoid(g->logit, B);
  st->grad_minimax = p, st->grad_ns = 1.0f - p;
  d_backward(g, D_INPUT);
  memcpy(g->dfake, g->ddin, sizeof(float) * B * PIXELS);
  double sig = 0.0; /* mean per-sample gradient norm: B x the batch-mean gradient */
  for (int n = 0; n < B; n++) sig += sqrt(nn_sumsq(g->dfake + (size_t)n * PIXELS, PIXELS));
  st->g_signal = (float)sig;
  nn_zero(g->G.g, g->G.n);
  g_backward(g);
  const int r = finite_update(g, &g->G, st->loss_g, g->c.lr_g, g->c.beta1_g, g->c.beta2_g,
                              &st->grad_norm_g, st);
  if (!g->bad_in_row) ema_update(g); /* the update was applied */
  return r;
}

int gan_train_step(gan *g, const idx_dataset *data, gan_stats *st) {
  memset(st, 0, sizeof *st);
  gan_stats d = {0};
  const int d_steps = g->c.d_steps + (g->iterations == 0 ? g->c.d_head_start : 0);
  for (int k = 0; k < d_steps; k++) {
    memset(&d, 0, sizeof d);
    const int r = gan_step_d(g, data, &d);
    st->skipped += d.skipped;
    if (r) return -1;
  }
  st->loss_d = d.loss_d, st->d_real = d.d_real, st->d_fake = d.d_fake;
  st->score_real = d.score_real, st->score_fake = d.score_fake;
  st->grad_norm_d = d.grad_norm_d;
  gan_stats gs = {0};
  int r = 0;
  const int g_steps = g->iterations < g->c.warmup ? 1 : g->c.g_steps;
  for (int k = 0; k < g_steps && !r; k++) {
    memset(&gs, 0, sizeof gs);
    r = gan_step_g(g, &gs);
    st->skipped += gs.skipped;
  }
  st->loss_g = gs.loss_g, st->grad_norm_g = gs.grad_norm_g, st->g_signal = gs.g_signal;
  st->grad_ns = gs.grad_ns, st->grad_minimax = gs.grad_minimax;
  g->iterations = count_up(g->iterations);
  return r;
}

/* The averaged weights' own BN statistics, measured on STANDING latent vectors fixed by the
 * seed (the trained G's running statistics belong to other weights). Cached until G's
 * average moves again. */
static void ema_running_stats(gan *g) {
  if (g->ema_run_at == g->ema_updates) return;
  const int B = g->c.batch, L = g->c.latent, batches = (STANDING + B - 1) / B;
  rng r;
  rng_seed(&r, g->c.seed, 4);
  for (int k = 0; k < batches; k++) { /* momentum 1/(k+1): the running value is the plain mean */
    rng_fill_normal(&r, g->z, B * L, 0.0f, 1.0f);
    g_forward(g, g->ema, g->z, B, g->ema_run, 1.0f / (float)(k + 1));
  }
  g->ema_run_at = g->ema_updates;
}

void gan_generate(gan *g, const float *z, int n, float *out) {
  const int B = g->c.batch;
  const float *P = g->G.p;
  float *run = g->run;
  if (g->ema) {
    if (g->c.g_batchnorm) ema_running_stats(g);
    P = g->ema, run = g->ema_run;
  }
  for (int i = 0; i < n; i += B) {
    const int m = n - i < B ? n - i : B;
    g_forward(g, P, z + (size_t)i * g->c.latent, m, run, 0.0f);
    memcpy(out + (size_t)i * PIXELS, g->fake, sizeof(float) * (size_t)m * PIXELS);
  }
}

void gan_discriminate(gan *g, const float *images, int n, float *scores) {
  const int B = g->c.batch;
  for (int i = 0; i < n; i += B) {
    const int m = n - i < B ? n - i : B;
    d_forward_n(g, images + (size_t)i * PIXELS, m, 0);
    memcpy(scores + i, g->logit, sizeof(float) * (size_t)m);
  }
}

/* ---- state for checkpoints: counters, random streams, G and D (values and Adam
 * moments), BN running statistics, then G's average when ema > 0. Written field by field
 * (no struct padding), in the byte order of the machine: wasm and x86 are both
 * little-endian. The compact model's state is laid out as before these options existed. */

static uint8_t *put(uint8_t *dst, const void *src, size_t bytes) {
  memcpy(dst, src, bytes);
  return dst + bytes;
}
static const uint8_t *get(void *dst, const uint8_t *src, size_t bytes) {
  memcpy(dst, src, bytes);
  return src + bytes;
}

enum { RNG_BYTES = 8 + 8 + 4 + 4, COUNTER_BYTES = 8 + 8 + 4 + 4 + 2 * RNG_BYTES };

static uint8_t *put_rng(uint8_t *dst, const rng *r) {
  int32_t spare = r->has_spare;
  dst = put(dst, &r->state, 8), dst = put(dst, &r->inc, 8);
  dst = put(dst, &spare, 4);
  return put(dst, &r->spare, 4);
}
static const uint8_t *get_rng(rng *r, const uint8_t *src) {
  int32_t spare;
  src = get(&r->state, src, 8), src = get(&r->inc, src, 8);
  src = get(&spare, src, 4);
  r->has_spare = spare != 0;
  return get(&r->spare, src, 4);
}

size_t gan_state_size(const gan *g) { return COUNTER_BYTES + sizeof(float) * state_floats(g); }

size_t gan_state_size_for(const gan_config *c) {
  if (gan_config_check(c, NULL, 0)) return 0;
  gan shape = {0};
  shape_model(&shape, c);
  return gan_state_size(&shape);
}

/* The first float of n at src that is not finite, or (nonneg) negative; -1 when none. */
static long bad_float(const uint8_t *src, size_t n, int nonneg) {
  for (size_t i = 0; i < n; i++) {
    float x;
    memcpy(&x, src + 4 * i, 4);
    if (!isfinite(x) || (nonneg && x < 0)) return (long)i;
  }
  return -1;
}

static int check_counter(int64_t v, const char *what, char *err, size_t errlen) {
  if (v < 0 || v > GAN_MAX_STEPS)
    return errmsg(err, errlen, "%s is %lld, not in 0..%d", what, (long long)v, GAN_MAX_STEPS);
  return 0;
}

static int check_rng(const uint8_t *src, const char *what, char *err, size_t errlen) {
  uint64_t inc;
  int32_t has_spare;
  float spare;
  memcpy(&inc, src + 8, 8), memcpy(&has_spare, src + 16, 4), memcpy(&spare, src + 20, 4);
  if (!(inc & 1) || (has_spare & ~1) || !isfinite(spare))
    return errmsg(err, errlen, "the %s random stream is not one this core writes", what);
  return 0;
}

int gan_state_check(const gan_config *c, const uint8_t *src, size_t len, char *err, size_t errlen) {
  char why[160];
  if (gan_config_check(c, why, sizeof why)) return errmsg(err, errlen, "configuration invalid: %s", why);
  gan shape = {0};
  shape_model(&shape, c);
  if (len != gan_state_size(&shape))
    return errmsg(err, errlen, "state has %zu bytes, its configuration needs %zu", len, gan_state_size(&shape));
  int64_t it, sk;
  int32_t gt, dt;
  memcpy(&it, src, 8), memcpy(&sk, src + 8, 8), memcpy(&gt, src + 16, 4), memcpy(&dt, src + 20, 4);
  if (check_counter(it, "the iteration count", err, errlen) || check_counter(sk, "the skipped count", err, errlen) ||
      check_counter(gt, "G's Adam step count", err, errlen) || check_counter(dt, "D's Adam step count", err, errlen) ||
      check_rng(src + 24, "noise", err, errlen) || check_rng(src + 24 + RNG_BYTES, "data", err, errlen))
    return -1;
  /* the blocks in the order gan_state_save writes them */
  const struct { const char *what; size_t n; int nonneg; } blocks[] = {
      {"G's weight", (size_t)shape.G.n, 0}, {"G's Adam first moment", (size_t)shape.G.n, 0},
      {"G's Adam second moment", (size_t)shape.G.n, 1}, {"D's weight", (size_t)shape.D.n, 0},
      {"D's Adam first moment", (size_t)shape.D.n, 0}, {"D's Adam second moment", (size_t)shape.D.n, 1},
  };
  const uint8_t *p = src + COUNTER_BYTES;
  for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; p += 4 * blocks[b].n, b++) {
    const long i = bad_float(p, blocks[b].n, blocks[b].nonneg);
    if (i >= 0) return errmsg(err, errlen, "%s %ld is %s", blocks[b].what, i, blocks[b].nonneg ? "negative or not finite" : "not finite");
  }
  /* running statistics: mean [C] then variance [C] per batch-normalised layer */
  static const char *const RUN_NAMES[] = {"G's first", "G's second", "D's first", "D's second"};
  const int chans[4] = {shape.C2, shape.C1, shape.C2, shape.C2};
  for (int l = 0, at = 0; at < shape.run_n; at += 2 * chans[l], l++) {
    long i = bad_float(p + 4 * (size_t)at, (size_t)chans[l], 0);
    if (i >= 0) return errmsg(err, errlen, "%s batch-norm running mean %ld is not finite", RUN_NAMES[l], i);
    i = bad_float(p + 4 * (size_t)(at + chans[l]), (size_t)chans[l], 1);
    if (i >= 0) return errmsg(err, errlen, "%s batch-norm running variance %ld is negative or not finite", RUN_NAMES[l], i);
  }
  p += 4 * (size_t)shape.run_n;
  if (c->ema > 0) {
    const long i = bad_float(p, (size_t)shape.G.n, 0);
    if (i >= 0) return errmsg(err, errlen, "G's averaged weight %ld is not finite", i);
  }
  return 0;
}

void gan_state_save(const gan *g, uint8_t *dst) {
  int64_t it = g->iterations, sk = g->skipped;
  int32_t gt = g->G.t, dt = g->D.t;
  dst = put(dst, &it, 8), dst = put(dst, &sk, 8), dst = put(dst, &gt, 4), dst = put(dst, &dt, 4);
  dst = put_rng(dst, &g->noise), dst = put_rng(dst, &g->data);
  const params *nets[2] = {&g->G, &g->D};
  for (int i = 0; i < 2; i++) {
    dst = put(dst, nets[i]->p, sizeof(float) * nets[i]->n);
    dst = put(dst, nets[i]->m, sizeof(float) * nets[i]->n);
    dst = put(dst, nets[i]->v, sizeof(float) * nets[i]->n);
  }
  dst = put(dst, g->run, sizeof(float) * g->run_n);
  if (g->ema) put(dst, g->ema, sizeof(float) * g->G.n);
}

void gan_state_load(gan *g, const uint8_t *src) {
  int64_t it, sk;
  int32_t gt, dt;
  src = get(&it, src, 8), src = get(&sk, src, 8), src = get(&gt, src, 4), src = get(&dt, src, 4);
  g->iterations = it, g->skipped = sk, g->G.t = gt, g->D.t = dt, g->bad_in_row = 0;
  src = get_rng(&g->noise, src), src = get_rng(&g->data, src);
  params *nets[2] = {&g->G, &g->D};
  for (int i = 0; i < 2; i++) {
    src = get(nets[i]->p, src, sizeof(float) * nets[i]->n);
    src = get(nets[i]->m, src, sizeof(float) * nets[i]->n);
    src = get(nets[i]->v, src, sizeof(float) * nets[i]->n);
  }
  src = get(g->run, src, sizeof(float) * g->run_n);
  if (g->ema) get(g->ema, src, sizeof(float) * g->G.n);
  g->ema_run_at = -1;
}
