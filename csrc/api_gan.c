/* api_gan.c - the GAN half of the C ABI: datasets, configurations, models, checkpoints,
 * PNG grids. Handles are small positive integers; a failure returns a negative status and
 * leaves its reason in gp_last_error(). A failed call changes nothing it was given: a
 * checkpoint that does not load leaves every model as it was. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "gan/gan.h"
#include "gan/meter.h"
#include "gan/presets.h"
#include "io/checkpoint.h"
#include "io/idx.h"
#include "io/png.h"

static char last_error[256] = "";

static int fail(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return status;
}

GP_API const char *gp_last_error(void) { return last_error; }

GP_API uint8_t *gp_alloc_bytes(int n) {
  if (n <= 0) return NULL;
  uint8_t *p = calloc((size_t)n, 1);
  if (p && api_region_add(p, (size_t)n, REGION_BYTES)) {
    free(p);
    return NULL;
  }
  return p;
}

GP_API int gp_free_bytes(uint8_t *p) {
  if (!p) return GP_ERR_NULL;
  CHECK(api_region_remove(p, REGION_BYTES));
  free(p);
  return GP_OK;
}

/* ---- handle tables ---- */

enum { MAX_SLOTS = 32 };
static idx_dataset *datasets[MAX_SLOTS];
static gan_config *configs[MAX_SLOTS];
static gan *gans[MAX_SLOTS];
static meter *meters[MAX_SLOTS];

/* first free slot of a table as a handle, or GP_ERR_NOMEM */
static int free_slot(void **table) {
  for (int i = 0; i < MAX_SLOTS; i++)
    if (!table[i]) return i + 1;
  return fail(GP_ERR_NOMEM, "too many live handles");
}

static void *lookup(void **table, int h) { return h >= 1 && h <= MAX_SLOTS ? table[h - 1] : NULL; }

#define LOOKUP(type, var, table, h)                                        \
  type *var = lookup((void **)(table), (h));                               \
  if (!var) return fail((h) == 0 ? GP_ERR_NULL : GP_ERR_HANDLE, "not a live %s handle", #type)

/* ---- datasets: the caller's IDX buffers stay allocated while the dataset lives ---- */

static int dataset_create(const uint8_t *images, int images_len, const uint8_t *labels, int labels_len,
                          int classes, int only_label) {
  int s = api_check_bytes(images, images_len);
  if (s) return fail(s, "images: not a live buffer of that length");
  if ((s = api_check_bytes(labels, labels_len))) return fail(s, "labels: not a live buffer of that length");
  int h = free_slot((void **)datasets);
  if (h < 0) return h;
  idx_dataset d;
  char why[200];
  if (idx_dataset_parse(&d, images, (size_t)images_len, labels, (size_t)labels_len, classes, why, sizeof why))
    return fail(GP_ERR_ARG, "%s", why);
  if (d.rows != 28 || d.cols != 28) return fail(GP_ERR_SHAPE, "images are not 28x28");
  for (int i = 0; only_label >= 0 && i < d.n; i++)
    if (d.labels[i] != only_label) return fail(GP_ERR_ARG, "labels: label %d at index %d is not %d", d.labels[i], i, only_label);
  if (!(datasets[h - 1] = malloc(sizeof d))) return fail(GP_ERR_NOMEM, "out of memory");
  *datasets[h - 1] = d;
  return h;
}

GP_API int gp_dataset_create(const uint8_t *images, int images_len, const uint8_t *labels,
                             int labels_len) {
  return dataset_create(images, images_len, labels, labels_len, METER_DIGITS, -1);
}

/* A mode meter's negatives: images that are no class, every label METER_NOT (10). */
GP_API int gp_negatives_create(const uint8_t *images, int images_len, const uint8_t *labels,
                               int labels_len) {
  return dataset_create(images, images_len, labels, labels_len, METER_CLASSES, METER_NOT);
}

GP_API int gp_dataset_count(int h) {
  LOOKUP(idx_dataset, d, datasets, h);
  return d->n;
}

GP_API int gp_dataset_destroy(int h) {
  LOOKUP(idx_dataset, d, datasets, h);
  free(d);
  datasets[h - 1] = NULL;
  return GP_OK;
}

/* ---- configurations: defaults, then one setting at a time by name ---- */

GP_API int gp_config_create(void) {
  int h = free_slot((void **)configs);
  if (h < 0) return h;
  if (!(configs[h - 1] = malloc(sizeof(gan_config)))) return fail(GP_ERR_NOMEM, "out of memory");
  gan_config_default(configs[h - 1]);
  return h;
}

GP_API int gp_config_destroy(int h) {
  LOOKUP(gan_config, c, configs, h);
  free(c);
  configs[h - 1] = NULL;
  return GP_OK;
}

typedef struct {
  const char *name;
  size_t offset;
  int is_int;
} setting;

#define INT_SETTING(f) {#f, offsetof(gan_config, f), 1}
#define FLOAT_SETTING(f) {#f, offsetof(gan_config, f), 0}
static const setting SETTINGS[] = {
    INT_SETTING(latent), INT_SETTING(width), INT_SETTING(batch), INT_SETTING(d_steps),
    INT_SETTING(g_batchnorm), INT_SETTING(mbstd), INT_SETTING(loss), INT_SETTING(seed),
    FLOAT_SETTING(lr_g), FLOAT_SETTING(lr_d), FLOAT_SETTING(beta1_g), FLOAT_SETTING(beta2_g),
    FLOAT_SETTING(beta1_d), FLOAT_SETTING(beta2_d), FLOAT_SETTING(real_label),
    FLOAT_SETTING(instance_noise), FLOAT_SETTING(clip), INT_SETTING(g_resize),
    INT_SETTING(d_batchnorm), INT_SETTING(d_layers), INT_SETTING(g_steps),
    INT_SETTING(d_head_start), FLOAT_SETTING(ema), INT_SETTING(warmup),
};

/* Sets one field; the whole configuration is checked when a model is built from it. */
GP_API int gp_config_set(int h, const char *name, double value) {
  LOOKUP(gan_config, c, configs, h);
  if (!name) return fail(GP_ERR_NULL, "setting name is null");
  for (size_t i = 0; i < sizeof SETTINGS / sizeof SETTINGS[0]; i++) {
    if (strcmp(SETTINGS[i].name, name)) continue;
    char *field = (char *)c + SETTINGS[i].offset;
    if (SETTINGS[i].is_int) {
      if (!(value >= -2147483648.0 && value <= 4294967295.0) || value != (double)(long long)value)
        return fail(GP_ERR_ARG, "setting %s takes a whole number", name);
      if (!strcmp(name, "seed")) *(uint32_t *)field = (uint32_t)(long long)value;
      else *(int *)field = (int)value;
    } else {
      *(float *)field = (float)value;
    }
    return GP_OK;
  }
  return fail(GP_ERR_ARG, "unknown setting '%s'", name);
}

/* Applies a named preset to a configuration (on top of whatever it holds; call it first
 * and set individual values after). */
GP_API int gp_config_preset(int h, const char *name) {
  LOOKUP(gan_config, c, configs, h);
  const gan_preset *p = gan_preset_find(name);
  if (!p) return fail(GP_ERR_ARG, "unknown preset '%s'", name ? name : "(null)");
  p->apply(c);
  return GP_OK;
}

GP_API int gp_preset_count(void) {
  int n;
  gan_presets(&n);
  return n;
}

/* what: 0 the name, 1 the lesson in English, 2 in French; NULL past the table */
GP_API const char *gp_preset_text(int i, int what) {
  int n;
  const gan_preset *p = gan_presets(&n);
  if (i < 0 || i >= n || what < 0 || what > 2) return NULL;
  return what == 0 ? p[i].name : what == 1 ? p[i].lesson_en : p[i].lesson_fr;
}

static double setting_get(const gan_config *c, const char *name) {
  if (!name) return NAN;
  for (size_t i = 0; i < sizeof SETTINGS / sizeof SETTINGS[0]; i++) {
    if (strcmp(SETTINGS[i].name, name)) continue;
    const char *field = (const char *)c + SETTINGS[i].offset;
    if (!strcmp(name, "seed")) return *(const uint32_t *)field;
    return SETTINGS[i].is_int ? *(const int *)field : *(const float *)field;
  }
  return NAN;
}

/* A configuration's value by name (NaN for an unknown name or handle): what a preset sets. */
GP_API double gp_config_get(int h, const char *name) {
  gan_config *c = lookup((void **)configs, h);
  return c ? setting_get(c, name) : NAN;
}

/* A model's configuration value by name (NaN for an unknown name or handle). */
GP_API double gp_gan_config_get(int h, const char *name) {
  gan *g = lookup((void **)gans, h);
  return g ? setting_get(gan_get_config(g), name) : NAN;
}

GP_API int gp_config_check(int h) {
  LOOKUP(gan_config, c, configs, h);
  return gan_config_check(c, last_error, sizeof last_error) ? GP_ERR_ARG : GP_OK;
}

/* ---- models ---- */

static int adopt(gan *g) {
  int h = free_slot((void **)gans);
  if (h < 0) {
    gan_destroy(g);
    return h;
  }
  gans[h - 1] = g;
  return h;
}

GP_API int gp_gan_create(int config) {
  LOOKUP(gan_config, c, configs, config);
  if (gan_config_check(c, last_error, sizeof last_error)) return GP_ERR_ARG;
  gan *g = gan_create(c, last_error, sizeof last_error);
  return g ? adopt(g) : GP_ERR_NOMEM;
}

GP_API int gp_gan_destroy(int h) {
  LOOKUP(gan, g, gans, h);
  gan_destroy(g);
  gans[h - 1] = NULL;
  return GP_OK;
}

/* stats: GP_STATS floats in this order (api.h) */
static void put_stats(float *out, const gan *g, const gan_stats *st) {
  const float v[GP_STATS] = {st->loss_d, st->loss_g, st->d_real, st->d_fake, st->grad_norm_g,
                             st->grad_norm_d, st->g_signal, (float)st->skipped,
                             (float)gan_iterations(g), (float)gan_skipped_total(g),
                             st->score_real, st->score_fake, st->grad_ns, st->grad_minimax};
  memcpy(out, v, sizeof v);
}

static int step_result(int r, float *stats, const gan *g, const gan_stats *st) {
  put_stats(stats, g, st);
  if (r) {
    snprintf(last_error, sizeof last_error,
             "training stopped: %d updates in a row had a non-finite loss or gradient "
             "(lower the learning rates); the model keeps its last finite weights",
             GAN_MAX_BAD_STEPS);
    return GP_ERR_NONFINITE;
  }
  return GP_OK;
}

GP_API int gp_gan_train_step(int h, int dataset, float *stats) {
  LOOKUP(gan, g, gans, h);
  LOOKUP(idx_dataset, d, datasets, dataset);
  CHECK(api_check_bytes(stats, GP_STATS * sizeof(float)));
  gan_stats st;
  return step_result(gan_train_step(g, d, &st), stats, g, &st);
}

GP_API int gp_gan_step_d(int h, int dataset, float *stats) {
  LOOKUP(gan, g, gans, h);
  LOOKUP(idx_dataset, d, datasets, dataset);
  CHECK(api_check_bytes(stats, GP_STATS * sizeof(float)));
  gan_stats st = {0};
  return step_result(gan_step_d(g, d, &st), stats, g, &st);
}

GP_API int gp_gan_step_g(int h, float *stats) {
  LOOKUP(gan, g, gans, h);
  CHECK(api_check_bytes(stats, GP_STATS * sizeof(float)));
  gan_stats st = {0};
  return step_result(gan_step_g(g, &st), stats, g, &st);
}

/* Live settings from a configuration (gan_retune): refused, changing nothing, when the
 * configuration differs in what shapes the model. */
GP_API int gp_gan_retune(int h, int config) {
  LOOKUP(gan, g, gans, h);
  LOOKUP(gan_config, c, configs, config);
  return gan_retune(g, c, last_error, sizeof last_error) ? GP_ERR_ARG : GP_OK;
}

/* Completed training iterations (the step a checkpoint resumes from). */
GP_API int gp_gan_iterations(int h) {
  LOOKUP(gan, g, gans, h);
  return (int)gan_iterations(g);
}

GP_API int gp_gan_latent(int h) {
  LOOKUP(gan, g, gans, h);
  return gan_get_config(g)->latent;
}

GP_API int gp_gan_generate(int h, const float *z, int n, float *out) {
  LOOKUP(gan, g, gans, h);
  if (n < 1 || n > 100000) return fail(GP_ERR_SIZE, "sample count out of 1..100000");
  const int L = gan_get_config(g)->latent;
  CHECK(api_check_bytes(z, (int64_t)n * L * sizeof(float)));
  CHECK(api_check_bytes(out, (int64_t)n * 784 * sizeof(float)));
  gan_generate(g, z, n, out);
  return GP_OK;
}

GP_API int gp_gan_checkpoint_size(int h) {
  LOOKUP(gan, g, gans, h);
  return (int)checkpoint_size(g);
}

GP_API int gp_gan_checkpoint_write(int h, uint8_t *dst, int len) {
  LOOKUP(gan, g, gans, h);
  if (len != (int)checkpoint_size(g)) return fail(GP_ERR_SIZE, "checkpoint buffer has the wrong size");
  CHECK(api_check_bytes(dst, len));
  checkpoint_write(g, dst);
  return GP_OK;
}

/* A new model from a checkpoint; existing models are untouched whatever happens. */
GP_API int gp_gan_checkpoint_read(const uint8_t *src, int len) {
  int s = api_check_bytes(src, len);
  if (s) return fail(s, "checkpoint: not a live buffer of that length");
  gan *g = checkpoint_read(src, (size_t)len, last_error, sizeof last_error);
  return g ? adopt(g) : GP_ERR_ARG;
}

/* ---- output ---- */

static uint8_t *png_last;
static int png_last_len;

GP_API int gp_png_grid(const float *images, int n, int cols, int scale) {
  if (n < 1 || n > 4096) return fail(GP_ERR_SIZE, "image count out of 1..4096");
  CHECK(api_check_bytes(images, (int64_t)n * 784 * sizeof(float)));
  png_free(png_last);
  png_last = png_grid(images, n, 28, cols, scale, &png_last_len);
  if (!png_last) return fail(GP_ERR_SIZE, "cannot lay out that grid");
  return png_last_len;
}

/* the bytes of the last gp_png_grid, valid until the next call */
GP_API const uint8_t *gp_png_data(void) { return png_last; }

GP_API int gp_to_bytes(const float *x, int n, uint8_t *out) {
  if (n < 1) return GP_ERR_SIZE;
  CHECK(api_check_bytes(x, (int64_t)n * sizeof(float)));
  CHECK(api_check_bytes(out, n));
  for (int i = 0; i < n; i++) out[i] = pixel_byte(x[i]);
  return GP_OK;
}

/* ---- the mode meter ---- */

GP_API int gp_meter_create(uint32_t seed) {
  int h = free_slot((void **)meters);
  if (h < 0) return h;
  meters[h - 1] = meter_create(seed, last_error, sizeof last_error);
  return meters[h - 1] ? h : GP_ERR_NOMEM;
}

GP_API int gp_meter_destroy(int h) {
  LOOKUP(meter, m, meters, h);
  meter_destroy(m);
  meters[h - 1] = NULL;
  return GP_OK;
}

/* one epoch over dataset and negatives (0: none); the mean training loss goes to *loss */
GP_API int gp_meter_train_epoch(int h, int dataset, int negatives, float lr, float *loss) {
  LOOKUP(meter, m, meters, h);
  LOOKUP(idx_dataset, d, datasets, dataset);
  idx_dataset *neg = NULL;
  if (negatives) {
    LOOKUP(idx_dataset, n, datasets, negatives);
    neg = n;
  }
  CHECK(api_check_bytes(loss, sizeof(float)));
  if (!(lr > 0 && lr < 1)) return fail(GP_ERR_ARG, "learning rate out of (0, 1)");
  if (neg && (int64_t)d->n + neg->n > INT32_MAX / 2) return fail(GP_ERR_SIZE, "too many images for one epoch");
  *loss = meter_train_epoch(m, d, neg, lr);
  return GP_OK;
}

GP_API int gp_meter_accuracy(int h, int dataset, float *accuracy) {
  LOOKUP(meter, m, meters, h);
  LOOKUP(idx_dataset, d, datasets, dataset);
  CHECK(api_check_bytes(accuracy, sizeof(float)));
  *accuracy = meter_accuracy(m, d);
  return GP_OK;
}

/* out: GP_METER_FLOATS floats: histogram[11], confident_histogram[11], coverage,
 * confident, junk, all_present, recognisable, digits (meter.h says what each means) */
static void reading_out(const meter_reading *r, float *out) {
  for (int c = 0; c < METER_CLASSES; c++) {
    out[c] = (float)r->histogram[c];
    out[METER_CLASSES + c] = (float)r->confident_histogram[c];
  }
  float *tail = out + 2 * METER_CLASSES;
  tail[0] = (float)r->coverage, tail[1] = r->confident, tail[2] = r->junk;
  tail[3] = (float)r->all_present, tail[4] = (float)r->recognisable, tail[5] = (float)r->digits;
}

GP_API int gp_meter_read(int h, const float *images, int n, float *out) {
  LOOKUP(meter, m, meters, h);
  if (n < 1 || n > 100000) return fail(GP_ERR_SIZE, "image count out of 1..100000");
  CHECK(api_check_bytes(images, (int64_t)n * 784 * sizeof(float)));
  CHECK(api_check_bytes(out, GP_METER_FLOATS * sizeof(float)));
  meter_reading r;
  meter_read(m, images, n, &r);
  reading_out(&r, out);
  return GP_OK;
}

/* The reading of n rows of 11 class probabilities: the meter's arithmetic on known inputs. */
GP_API int gp_meter_tally(const float *probs, int n, float *out) {
  if (n < 1 || n > 100000) return fail(GP_ERR_SIZE, "row count out of 1..100000");
  CHECK(api_check_bytes(probs, (int64_t)n * METER_CLASSES * sizeof(float)));
  CHECK(api_check_bytes(out, GP_METER_FLOATS * sizeof(float)));
  meter_reading r;
  meter_tally(probs, n, &r);
  reading_out(&r, out);
  return GP_OK;
}

/* The one reading rule, for every caller: GP_METER_RULE floats: samples per reading,
 * recognisable floor, top probability of a confident sample, confident share of the
 * time-to-digits rule, share a class needs to count in the coverage, classes (11). */
GP_API int gp_meter_rule(float *out) {
  CHECK(api_check_bytes(out, GP_METER_RULE * sizeof(float)));
  out[0] = METER_SAMPLES, out[1] = METER_FLOOR, out[2] = METER_TOP_PROB;
  out[3] = METER_DIGITS_CONFIDENT, out[4] = 1.0f / METER_SHARE_DIV, out[5] = METER_CLASSES;
  return GP_OK;
}

GP_API int gp_meter_size(int h) {
  LOOKUP(meter, m, meters, h);
  return (int)meter_size(m);
}

GP_API int gp_meter_save(int h, uint8_t *dst, int len) {
  LOOKUP(meter, m, meters, h);
  if (len != (int)meter_size(m)) return fail(GP_ERR_SIZE, "meter buffer has the wrong size");
  CHECK(api_check_bytes(dst, len));
  meter_save(m, dst);
  return GP_OK;
}

GP_API int gp_meter_load(int h, const uint8_t *src, int len) {
  LOOKUP(meter, m, meters, h);
  CHECK(api_check_bytes(src, len));
  return meter_load(m, src, (size_t)len, last_error, sizeof last_error) ? GP_ERR_ARG : GP_OK;
}
