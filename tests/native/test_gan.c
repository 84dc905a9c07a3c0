/* test_gan.c - the discriminator's gradients inside the GAN, against central finite
 * differences: dL_G/d(image) (what reaches the generator) and dL_D/d(weights), with and
 * without the minibatch std-dev features, for every cost. And the WGAN critic step keeps
 * every weight of D within the clip.
 *
 * gan.c is compiled into this test so its static forward and backward passes can be
 * driven directly; the archive's copy is then never linked. */
#include "../../csrc/gan/gan.c"

#include "check.h"

enum { B = 4 };

static float g_loss_at(gan *g, const float *x) {
  float dz[B] = {0};
  d_forward(g, x);
  return gan_g_loss(g->c.loss, g->logit, B, dz);
}

/* D's loss on a real batch and a fake one, as in gan_step_d */
static float d_loss_at(gan *g, const float *real, const float *fake) {
  float dz[B] = {0};
  d_forward(g, real);
  float l = gan_d_loss_part(g->c.loss, g->logit, B, 1, g->c.real_label, dz);
  d_forward(g, fake);
  return l + gan_d_loss_part(g->c.loss, g->logit, B, 0, g->c.real_label, dz);
}

/* relative error, with floor: below it a difference is float32 noise in the loss, not a
 * wrong gradient (a tenth of the gradient's root mean square over the whole array) */
static double rel_err(double a, double b, double floor) { return fabs(a - b) / fmax(floor, fabs(a) + fabs(b)); }

static double tenth_rms(const float *g, int n) { return 0.1 * sqrt(nn_sumsq(g, n) / n); }

/* Differences from the losses at x + STEPS[j] H. D is piecewise linear (LeakyReLU): where
 * the one-sided slopes on either side of x, or the central ones at h and h/2, disagree, a
 * kink lies within reach and the point says nothing about the backward pass, so it is
 * skipped; at the others the analytic gradient must match the central difference. */
enum { NSTEPS = 5 };
static const double STEPS[NSTEPS] = {1, -1, 0.5, -0.5, 0};
/* The step. Batch norm over a batch of 4 lets one input pixel move every unit of the deep D
 * a little, so LeakyReLU kinks lie thick around any point: there a shorter step is needed
 * (the differences were seen converging onto the analytic gradient as the step shrank). */
static double H = 1e-2;
typedef struct {
  double worst, floor;
  int compared;
} fd_result;

static void fd_compare(fd_result *res, double analytic, const double at[NSTEPS]) {
  const double wide = (at[0] - at[1]) / (2 * H), narrow = (at[2] - at[3]) / H;
  const double right = (at[2] - at[4]) / (H / 2), left = (at[4] - at[3]) / (H / 2);
  if (rel_err(wide, narrow, res->floor) > 5e-3 || rel_err(left, right, res->floor) > 2e-2) return;
  res->compared++;
  res->worst = fmax(res->worst, rel_err(analytic, narrow, res->floor));
}

static void check_gan(gan_loss_kind loss, int mbstd, int d_batchnorm, int d_layers) {
  gan_config c;
  gan_config_default(&c);
  c.batch = B, c.loss = loss, c.mbstd = mbstd, c.real_label = 0.9f, c.seed = 5;
  c.d_batchnorm = d_batchnorm, c.d_layers = d_layers;
  H = d_batchnorm && d_layers == 3 ? 2.5e-3 : 1e-2;
  /* and a few points keep a kink within even that step: a few percent there, where a
   * missing or wrong term gives errors of order one */
  const double tolerance = H < 1e-2 ? 5e-2 : 2e-2;
  char err[200];
  gan *g = gan_create(&c, err, sizeof err);
  CHECK_TRUE(g != NULL, "gan_create: %s", err);
  if (!g) return;
  /* weights large enough that every unit and the std-dev features matter */
  rng r;
  rng_seed(&r, 9, 1);
  for (int i = 0; i < g->D.n; i++) g->D.p[i] = 0.15f * rng_normal(&r);
  static float real[B * PIXELS], fake[B * PIXELS];
  for (int i = 0; i < B * PIXELS; i++) real[i] = 2.0f * rng_uniform(&r) - 1.0f;
  for (int i = 0; i < B * PIXELS; i++) fake[i] = 2.0f * rng_uniform(&r) - 1.0f;

  /* dL_G / d(fake), as the G step computes it */
  d_forward(g, fake);
  nn_zero(g->dlogit, B);
  gan_g_loss(loss, g->logit, B, g->dlogit);
  d_backward(g, D_INPUT);
  fd_result res = {0, tenth_rms(g->ddin, B * PIXELS), 0};
  for (int k = 0; k < (H < 1e-2 ? 72 : 24); k++) {
    const int i = (int)(rng_u32(&r) % (B * PIXELS));
    const float keep = fake[i];
    double at[NSTEPS];
    for (int j = 0; j < NSTEPS; j++) {
      fake[i] = keep + (float)(STEPS[j] * H);
      at[j] = g_loss_at(g, fake);
    }
    fake[i] = keep;
    fd_compare(&res, g->ddin[i], at);
  }
  CHECK_TRUE(res.compared >= 12 && res.worst < tolerance, "%s mbstd %d bn %d layers %d: dL_G/dx relative error %g over %d smooth points",
             gan_loss_name(loss), mbstd, d_batchnorm, d_layers, res.worst, res.compared);

  /* dL_D / d(D's weights), both halves accumulated, as the D step computes them; the
   * std-dev features' weights (the last F - F2 of the dense layer) are always among those checked */
  nn_zero(g->D.g, g->D.n);
  d_forward(g, real);
  nn_zero(g->dlogit, B);
  gan_d_loss_part(loss, g->logit, B, 1, c.real_label, g->dlogit);
  d_backward(g, D_PARAMS);
  d_forward(g, fake);
  nn_zero(g->dlogit, B);
  gan_d_loss_part(loss, g->logit, B, 0, c.real_label, g->dlogit);
  d_backward(g, D_PARAMS);
  res = (fd_result){0, tenth_rms(g->D.g, g->D.n), 0};
  for (int k = 0; k < (H < 1e-2 ? 80 : 32); k++) {
    const int i = k < 4 ? g->D.n - 2 - k : (int)(rng_u32(&r) % (uint32_t)g->D.n);
    const float keep = g->D.p[i];
    double at[NSTEPS];
    for (int j = 0; j < NSTEPS; j++) {
      g->D.p[i] = keep + (float)(STEPS[j] * H);
      at[j] = d_loss_at(g, real, fake);
    }
    g->D.p[i] = keep;
    fd_compare(&res, g->D.g[i], at);
  }
  CHECK_TRUE(res.compared >= 16 && res.worst < tolerance, "%s mbstd %d bn %d layers %d: dL_D/dw relative error %g over %d smooth points",
             gan_loss_name(loss), mbstd, d_batchnorm, d_layers, res.worst, res.compared);
  gan_destroy(g);
}

/* A WGAN D step on a small synthetic dataset: every weight of D ends within +-clip, even
 * those set far outside first; G is not touched. */
static void check_wgan_clip(void) {
  gan_config c;
  gan_config_default(&c);
  c.batch = B, c.loss = GAN_LOSS_WGAN, c.clip = 0.02f, c.lr_d = 0.05f;
  char err[200];
  gan *g = gan_create(&c, err, sizeof err);
  CHECK_TRUE(g != NULL, "gan_create: %s", err);
  if (!g) return;
  static uint8_t images[8 * PIXELS], labels[8];
  for (int i = 0; i < 8 * PIXELS; i++) images[i] = (uint8_t)(i * 37);
  idx_dataset d = {.images = images, .labels = labels, .n = 8, .rows = 28, .cols = 28};
  rng r;
  rng_seed(&r, 3, 1);
  for (int i = 0; i < g->D.n; i++) g->D.p[i] = rng_normal(&r);
  float *g_before = malloc(sizeof(float) * g->G.n);
  memcpy(g_before, g->G.p, sizeof(float) * g->G.n);
  gan_stats st = {0};
  CHECK_TRUE(gan_step_d(g, &d, &st) == 0, "WGAN D step failed");
  float most = 0.0f;
  for (int i = 0; i < g->D.n; i++) most = fmaxf(most, fabsf(g->D.p[i]));
  CHECK_TRUE(most <= c.clip, "WGAN: a weight of D is %g after the step, clip %g", most, c.clip);
  CHECK_TRUE(memcmp(g_before, g->G.p, sizeof(float) * g->G.n) == 0, "WGAN D step changed G");
  free(g_before);
  gan_destroy(g);
}

/* gan_retune: a model retuned to a setting steps exactly like one built with it; a change
 * of shape or an impossible value is refused by name and changes nothing. */
static void check_retune(void) {
  gan_config a, b;
  gan_config_default(&a);
  a.batch = B;
  b = a;
  b.lr_d = 1e-3f, b.loss = GAN_LOSS_MINIMAX, b.d_steps = 2;
  char err[200];
  gan *retuned = gan_create(&a, err, sizeof err), *built = gan_create(&b, err, sizeof err);
  CHECK_TRUE(retuned && built, "gan_create: %s", err);
  if (!retuned || !built) return gan_destroy(retuned), gan_destroy(built);
  CHECK_TRUE(gan_retune(retuned, &b, err, sizeof err) == 0, "retune refused live settings: %s", err);
  static uint8_t images[8 * PIXELS], labels[8];
  for (int i = 0; i < 8 * PIXELS; i++) images[i] = (uint8_t)(i * 13);
  idx_dataset d = {.images = images, .labels = labels, .n = 8, .rows = 28, .cols = 28};
  gan_stats s1, s2;
  CHECK_TRUE(gan_train_step(retuned, &d, &s1) == 0 && gan_train_step(built, &d, &s2) == 0, "step failed");
  CHECK_TRUE(memcmp(retuned->D.p, built->D.p, sizeof(float) * built->D.n) == 0 &&
                 memcmp(retuned->G.p, built->G.p, sizeof(float) * built->G.n) == 0,
             "a retuned model steps differently from one built with the same settings");
  gan_config shaped = b;
  shaped.batch = 2 * B;
  err[0] = 0;
  CHECK_TRUE(gan_retune(retuned, &shaped, err, sizeof err) == -1 && strstr(err, "batch"),
             "a change of batch was not refused by name: '%s'", err);
  gan_config bad = b;
  bad.lr_g = 5;
  CHECK_TRUE(gan_retune(retuned, &bad, err, sizeof err) == -1 && strstr(err, "lr-g"),
             "an impossible lr-g was not refused by name: '%s'", err);
  CHECK_TRUE(memcmp(gan_get_config(retuned), &b, sizeof b) == 0, "a refused retune changed the configuration");
  gan_destroy(retuned);
  gan_destroy(built);
}

/* G's parameter gradients against central finite differences of L = <fake, r>, through
 * the transposed-convolution and the resize-convolution up layers, with and without batch
 * norm (training mode: the batch's statistics). */
static void check_g_gradients(int g_resize, int g_batchnorm) {
  gan_config c;
  gan_config_default(&c);
  c.batch = B, c.latent = 8, c.g_resize = g_resize, c.g_batchnorm = g_batchnorm, c.seed = 7;
  H = 1e-2;
  char err[200];
  gan *g = gan_create(&c, err, sizeof err);
  CHECK_TRUE(g != NULL, "gan_create: %s", err);
  if (!g) return;
  rng r;
  rng_seed(&r, 11, 1);
  for (int i = 0; i < g->G.n; i++) g->G.p[i] += 0.1f * rng_normal(&r); /* away from the init */
  rng_fill_normal(&r, g->z, B * c.latent, 0, 1);
  static float weights[B * PIXELS];
  rng_fill_normal(&r, weights, B * PIXELS, 0, 1);
  g_forward(g, g->G.p, g->z, B, g->run, BN_MOMENTUM);
  memcpy(g->dfake, weights, sizeof weights);
  nn_zero(g->G.g, g->G.n);
  g_backward(g);
  float *analytic = malloc(sizeof(float) * g->G.n);
  memcpy(analytic, g->G.g, sizeof(float) * g->G.n);
  fd_result res = {0, tenth_rms(analytic, g->G.n), 0};
  const int picks[] = {g->gt.w1, g->gt.w1 + 5, g->gt.w2, g->gt.w2 + 3, g->gt.b2, g->gt.gamma1, g->gt.beta0, g->gt.w0};
  for (int k = 0; k < 40; k++) {
    const int i = k < 8 ? picks[k] : (int)(rng_u32(&r) % (uint32_t)g->G.n);
    const float keep = g->G.p[i];
    double at[NSTEPS];
    for (int j = 0; j < NSTEPS; j++) {
      g->G.p[i] = keep + (float)(STEPS[j] * H);
      g_forward(g, g->G.p, g->z, B, g->run, BN_MOMENTUM);
      double l = 0;
      for (int q = 0; q < B * PIXELS; q++) l += (double)g->fake[q] * weights[q];
      at[j] = l;
    }
    g->G.p[i] = keep;
    fd_compare(&res, analytic[i], at);
  }
  CHECK_TRUE(res.compared >= 20 && res.worst < 2e-2, "G resize %d bn %d: dL/dw relative error %g over %d smooth points",
             g_resize, g_batchnorm, res.worst, res.compared);
  free(analytic);
  gan_destroy(g);
}

/* The moving average of G: a model with ema samples from the average, whose batch norm
 * statistics are measured for it (the same bytes however often it samples), and the
 * checkpoint state carries the average (save then load gives the same samples). */
static void check_ema(void) {
  gan_config c;
  gan_config_default(&c);
  c.batch = B, c.ema = 0.9f, c.seed = 3;
  char err[200];
  gan *g = gan_create(&c, err, sizeof err);
  CHECK_TRUE(g != NULL, "gan_create: %s", err);
  if (!g) return;
  static uint8_t images[8 * PIXELS], labels[8];
  for (int i = 0; i < 8 * PIXELS; i++) images[i] = (uint8_t)(i * 29);
  idx_dataset d = {.images = images, .labels = labels, .n = 8, .rows = 28, .cols = 28};
  gan_stats st;
  for (int k = 0; k < 5; k++) CHECK_TRUE(gan_train_step(g, &d, &st) == 0, "step %d", k);
  static float z[6 * 64], a[6 * PIXELS], b[6 * PIXELS], live[6 * PIXELS];
  rng r;
  rng_seed(&r, 5, 5);
  rng_fill_normal(&r, z, 6 * 64, 0, 1);
  gan_generate(g, z, 6, a);
  gan_generate(g, z, 6, b);
  CHECK_TRUE(memcmp(a, b, sizeof a) == 0, "sampling twice from the average differs");
  float *saved = g->ema; /* the trained weights' own samples differ from the average's */
  g->ema = NULL;
  gan_generate(g, z, 6, live);
  g->ema = saved;
  CHECK_TRUE(memcmp(a, live, sizeof a) != 0, "samples come from the trained weights, not their average");
  uint8_t *state = malloc(gan_state_size(g));
  gan_state_save(g, state);
  gan *h = gan_create(&c, err, sizeof err);
  gan_state_load(h, state);
  gan_generate(h, z, 6, b);
  CHECK_TRUE(memcmp(a, b, sizeof a) == 0, "a reloaded average samples differently");
  free(state);
  gan_destroy(g);
  gan_destroy(h);
}

/* D in inference (gan_discriminate): with batch norm and instance noise in training, it
 * reads the running statistics and draws no noise, so each image's score is its own
 * (alone or among others, in groups of the batch), the same twice, and the state (weights,
 * moments, running statistics, random streams, counters) keeps every byte. */
static void check_discriminate(void) {
  gan_config c;
  gan_config_default(&c);
  c.batch = B, c.d_batchnorm = 1, c.d_layers = 3, c.mbstd = 0, c.instance_noise = 0.1f, c.seed = 4;
  char err[200];
  gan *g = gan_create(&c, err, sizeof err);
  CHECK_TRUE(g != NULL, "gan_create: %s", err);
  if (!g) return;
  static uint8_t images[8 * PIXELS], labels[8];
  for (int i = 0; i < 8 * PIXELS; i++) images[i] = (uint8_t)(i * 31);
  idx_dataset d = {.images = images, .labels = labels, .n = 8, .rows = 28, .cols = 28};
  gan_stats st;
  for (int k = 0; k < 5; k++) CHECK_TRUE(gan_train_step(g, &d, &st) == 0, "step %d", k);
  const size_t n = gan_state_size(g);
  uint8_t *before = malloc(n), *after = malloc(n);
  gan_state_save(g, before);
  enum { N = 6 };
  static float x[N * PIXELS];
  rng r;
  rng_seed(&r, 9, 9);
  rng_fill_uniform(&r, x, N * PIXELS, -1, 1);
  float s1[N], s2[N], one;
  gan_discriminate(g, x, N, s1);
  gan_discriminate(g, x, N, s2);
  CHECK_TRUE(memcmp(s1, s2, sizeof s1) == 0, "scoring twice differs");
  for (int i = 0; i < N; i++) {
    gan_discriminate(g, x + i * PIXELS, 1, &one);
    CHECK_TRUE(fabsf(one - s1[i]) <= 1e-5f * fmaxf(1, fabsf(s1[i])), "image %d: %g alone, %g among others", i, one, s1[i]);
    CHECK_TRUE(isfinite(s1[i]), "score %d not finite", i);
  }
  gan_state_save(g, after);
  CHECK_TRUE(memcmp(before, after, n) == 0, "gan_discriminate changed the training state");
  free(before);
  free(after);
  gan_destroy(g);
}

int main(void) {
  check_discriminate();
  check_retune();
  check_wgan_clip();
  check_ema();
  for (int resize = 0; resize <= 1; resize++)
    for (int bn = 0; bn <= 1; bn++) check_g_gradients(resize, bn);
  for (int loss = 0; loss < GAN_LOSS_COUNT; loss++)
    for (int mbstd = 0; mbstd <= 1; mbstd++) check_gan((gan_loss_kind)loss, mbstd, 0, 2);
  for (int mbstd = 0; mbstd <= 1; mbstd++) {
    check_gan(GAN_LOSS_NS, mbstd, 1, 2);
    check_gan(GAN_LOSS_NS, mbstd, 1, 3);
    check_gan(GAN_LOSS_WGAN, mbstd, 0, 3);
    check_gan(GAN_LOSS_LSGAN, mbstd, 1, 3);
  }
  return check_finish();
}
