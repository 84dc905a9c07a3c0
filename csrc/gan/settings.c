/* settings.c - see settings.h. */
#include "settings.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../io/errmsg.h"

/* The costs by name (gan_loss_kind's order): the names links, the CLI and checkpoints' readers use. */
static const char *const LOSS_NAMES[GAN_LOSS_COUNT] = {"ns", "minimax", "lsgan", "hinge", "wgan"};

const char *gan_loss_name(gan_loss_kind k) {
  return k >= 0 && k < GAN_LOSS_COUNT ? LOSS_NAMES[k] : "?";
}

int gan_loss_from_name(const char *name) {
  for (int k = 0; k < GAN_LOSS_COUNT; k++)
    if (name && !strcmp(name, LOSS_NAMES[k])) return k;
  return -1;
}

#define AT(f) offsetof(gan_config, f)

/* name, type, offset, default, min, max, live, since (checkpoint version), before, help */
static const gan_setting SETTINGS[] = {
    {"latent", GAN_SETTING_INT, AT(latent), 64, 1, 1024, 0, 1, 0, "size of the noise vector z"},
    {"width", GAN_SETTING_INT, AT(width), 1, 1, 4, 0, 1, 0, "channel multiplier: 1 gives 32 and 64 channels"},
    {"batch", GAN_SETTING_INT, AT(batch), 64, 2, 1024, 0, 1, 0, "images per step"},
    {"d_steps", GAN_SETTING_INT, AT(d_steps), 1, 1, 100, 1, 1, 0, "D (critic) steps per G step"},
    {"g_batchnorm", GAN_SETTING_BOOL, AT(g_batchnorm), 1, 0, 1, 0, 1, 0, "batch norm in G"},
    {"mbstd", GAN_SETTING_BOOL, AT(mbstd), 0, 0, 1, 0, 1, 0, "minibatch std-dev features in D (against collapse)"},
    {"loss", GAN_SETTING_LOSS, AT(loss), GAN_LOSS_NS, 0, GAN_LOSS_COUNT - 1, 1, 1, 0, "the cost"},
    {"seed", GAN_SETTING_U32, AT(seed), 1, 0, 4294967295.0, 0, 1, 0, "seed of the weights, the noise and the batches"},
    {"lr_g", GAN_SETTING_FLOAT, AT(lr_g), 2e-4, 1e-7, 1, 1, 1, 0, "G's Adam learning rate"},
    {"lr_d", GAN_SETTING_FLOAT, AT(lr_d), 2e-4, 1e-7, 1, 1, 1, 0, "D's Adam learning rate"},
    {"beta1_g", GAN_SETTING_FLOAT, AT(beta1_g), 0.5, 0, 0.999, 1, 1, 0, "G's Adam beta1"},
    {"beta2_g", GAN_SETTING_FLOAT, AT(beta2_g), 0.999, 0, 0.99999, 1, 1, 0, "G's Adam beta2"},
    {"beta1_d", GAN_SETTING_FLOAT, AT(beta1_d), 0.5, 0, 0.999, 1, 1, 0, "D's Adam beta1"},
    {"beta2_d", GAN_SETTING_FLOAT, AT(beta2_d), 0.999, 0, 0.99999, 1, 1, 0, "D's Adam beta2"},
    {"real_label", GAN_SETTING_FLOAT, AT(real_label), 1, 0.5, 1, 1, 1, 0, "D's target for real images (0.9: one-sided label smoothing)"},
    {"instance_noise", GAN_SETTING_FLOAT, AT(instance_noise), 0, 0, 2, 1, 1, 0, "std-dev of the noise added to every image D sees"},
    {"clip", GAN_SETTING_FLOAT, AT(clip), 0.01, 1e-4, 10, 1, 1, 0, "WGAN: the critic's weights are clipped to +-clip"},
    {"g_resize", GAN_SETTING_BOOL, AT(g_resize), 0, 0, 1, 0, 2, 0, "G upsamples by resize and 3x3 convolution, not transposed convolution"},
    {"d_batchnorm", GAN_SETTING_BOOL, AT(d_batchnorm), 0, 0, 1, 0, 2, 0, "batch norm in D after its second (and third) convolution"},
    {"d_layers", GAN_SETTING_INT, AT(d_layers), 2, 2, 3, 0, 2, 2, "D's convolutions: 2, or 3 with a 3x3 one at 7x7"},
    {"g_steps", GAN_SETTING_INT, AT(g_steps), 1, 1, 100, 1, 2, 1, "G steps per iteration"},
    {"d_head_start", GAN_SETTING_INT, AT(d_head_start), 0, 0, 100000, 1, 2, 0, "D-only steps before the first G step"},
    {"ema", GAN_SETTING_FLOAT, AT(ema), 0, 0, 0.9999, 0, 2, 0, "decay of the moving average of G's weights the samples come from (0: off)"},
    {"warmup", GAN_SETTING_INT, AT(warmup), 0, 0, 1000000, 1, 2, 0, "first iterations at an even pace (one G step, D at G's rate)"},
};
enum { N_SETTINGS = sizeof SETTINGS / sizeof SETTINGS[0] };
_Static_assert((int)N_SETTINGS <= (int)GAN_MAX_SETTINGS, "raise GAN_MAX_SETTINGS");

const gan_setting *gan_settings(int *count) {
  *count = N_SETTINGS;
  return SETTINGS;
}

const gan_setting *gan_setting_find(const char *name) {
  if (!name) return NULL;
  for (int i = 0; i < N_SETTINGS; i++)
    if (!strcmp(SETTINGS[i].name, name)) return &SETTINGS[i];
  return NULL;
}

double gan_setting_get(const gan_config *c, const gan_setting *s) {
  const char *f = (const char *)c + s->offset;
  switch (s->type) {
    case GAN_SETTING_INT:
    case GAN_SETTING_BOOL: return *(const int *)f;
    case GAN_SETTING_U32: return *(const uint32_t *)f;
    case GAN_SETTING_LOSS: return (int)*(const gan_loss_kind *)f;
    case GAN_SETTING_FLOAT: return *(const float *)f;
  }
  return NAN;
}

void gan_setting_put(gan_config *c, const gan_setting *s, double v) {
  char *f = (char *)c + s->offset;
  switch (s->type) {
    case GAN_SETTING_INT:
    case GAN_SETTING_BOOL: *(int *)f = (int)v; return;
    case GAN_SETTING_U32: *(uint32_t *)f = (uint32_t)(long long)v; return;
    case GAN_SETTING_LOSS: *(gan_loss_kind *)f = (gan_loss_kind)(int)v; return;
    case GAN_SETTING_FLOAT: *(float *)f = (float)v; return;
  }
}

int gan_setting_check(const gan_setting *s, double v, char *err, size_t errlen) {
  char flag[32];
  size_t i = 0;
  for (; s->name[i] && i + 1 < sizeof flag; i++) flag[i] = s->name[i] == '_' ? '-' : s->name[i];
  flag[i] = 0;
  if (s->type == GAN_SETTING_FLOAT) {
    /* a float setting holds a float: its bounds are compared as the field will hold them */
    const float f = (float)v;
    if (!(f >= (float)s->min && f <= (float)s->max))
      return errmsg(err, errlen, "%s %g is not in %g..%g", flag, v, s->min, s->max);
    return 0;
  }
  if (!(v >= s->min && v <= s->max) || v != floor(v)) {
    if (s->type == GAN_SETTING_BOOL) return errmsg(err, errlen, "%s %g is not 0 or 1", flag, v);
    if (s->type == GAN_SETTING_LOSS) return errmsg(err, errlen, "unknown loss %g", v);
    if (v != floor(v)) return errmsg(err, errlen, "%s %g is not a whole number", flag, v);
    return errmsg(err, errlen, "%s %.0f is not in %.0f..%.0f", flag, v, s->min, s->max);
  }
  return 0;
}

int gan_settings_version(void) {
  int v = 1;
  for (int i = 0; i < N_SETTINGS; i++)
    if (SETTINGS[i].since > v) v = SETTINGS[i].since;
  return v;
}

void gan_config_default(gan_config *c) {
  memset(c, 0, sizeof *c);
  for (int i = 0; i < N_SETTINGS; i++) gan_setting_put(c, &SETTINGS[i], SETTINGS[i].def);
}

#define STAT(f) #f, GAN_STAT_FLOAT, offsetof(gan_stats, f)
static const gan_stat STATS[] = {
    {STAT(loss_d)},      {STAT(loss_g)},      {STAT(d_real)},
    {STAT(d_fake)},      {STAT(grad_norm_g)}, {STAT(grad_norm_d)},
    {STAT(g_signal)},    {"skipped", GAN_STAT_INT, offsetof(gan_stats, skipped)},
    {"iterations", GAN_STAT_ITERATIONS, 0},   {"skipped_total", GAN_STAT_SKIPPED_TOTAL, 0},
    {STAT(score_real)},  {STAT(score_fake)},  {STAT(grad_ns)},
    {STAT(grad_minimax)},
};

const gan_stat *gan_stat_table(int *count) {
  *count = sizeof STATS / sizeof STATS[0];
  return STATS;
}
