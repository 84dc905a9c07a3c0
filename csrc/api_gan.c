/* api_gan.c - the GAN half of the C ABI: datasets, configurations, models, checkpoints,
 * PNG grids. Handles are positive integers tagged with their slot's generation (a
 * destroyed handle never names a later object); a failure returns a negative status and
 * leaves its reason in gp_last_error(), which every call clears on entry. A failed call
 * changes nothing it was given: a checkpoint that does not load leaves every model as it
 * was. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "gan/gan.h"
#include "gan/meter.h"
#include "gan/presets.h"
#include "gan/settings.h"
#include "gan/gan_file.h"
#include "io/idx.h"
#include "io/png.h"

#define fail api_fail
/* the core's (char *err, size_t len) arguments write the last error directly */
#define ERRBUF api_error_buffer(), api_error_size()

GP_API uint8_t *gp_alloc_bytes(int n) {
  api_enter();
  if (n <= 0) {
    fail(GP_ERR_SIZE, "%d bytes: a buffer needs at least one", n);
    return NULL;
  }
  uint8_t *p = calloc((size_t)n, 1);
  if (!p) fail(GP_ERR_NOMEM, "out of memory for %d bytes", n);
  else if (api_region_add(p, (size_t)n, REGION_BYTES)) {
    free(p);
    fail(GP_ERR_NOMEM, "too many live buffers");
    return NULL;
  }
  return p;
}

GP_API int gp_free_bytes(uint8_t *p) {
  api_enter();
  if (!p) return fail(GP_ERR_NULL, "null pointer");
  if (api_region_remove(p, REGION_BYTES)) return fail(GP_ERR_BOUNDS, "not a live buffer from gp_alloc_bytes");
  free(p);
  return GP_OK;
}

/* ---- handle tables ---- */

enum { MAX_SLOTS = 32 };
/* a table of one kind of object: the live ones and each slot's generation (handle_make) */
typedef struct {
  void *items[MAX_SLOTS];
  uint32_t gens[MAX_SLOTS];
  const char *kind;
} table;
static table datasets = {.kind = "dataset"}, configs = {.kind = "config"}, gans = {.kind = "gan"},
             meters = {.kind = "meter"};

/* first free slot of a table, or GP_ERR_NOMEM */
static int free_slot(table *t) {
  for (int i = 0; i < MAX_SLOTS; i++)
    if (!t->items[i]) return i;
  return fail(GP_ERR_NOMEM, "too many live %s handles (%d)", t->kind, MAX_SLOTS);
}

/* stores a live object in slot i; returns its handle */
static int put(table *t, int i, void *item) {
  t->items[i] = item;
  return handle_make(i, t->gens[i]);
}

static void *lookup(const table *t, int h) {
  const int i = handle_slot(h, t->gens, MAX_SLOTS);
  return i >= 0 ? t->items[i] : NULL;
}

/* empties the slot of a live handle; the generation moves on so the handle dies with it */
static void release(table *t, int h) {
  const int i = handle_slot(h, t->gens, MAX_SLOTS);
  t->items[i] = NULL;
  t->gens[i]++;
}

#define LOOKUP(type, var, t, h)                                                         \
  type *var = lookup(&(t), (h));                                                        \
  if (!var)                                                                             \
  return (h) == 0 ? fail(GP_ERR_NULL, "no %s handle (0: never made, or destroyed)", (t).kind) \
                  : fail(GP_ERR_HANDLE, "not a live %s handle (never made, or destroyed)", (t).kind)

/* ---- datasets: the caller's IDX buffers stay allocated while the dataset lives ---- */

/* Each file is parsed on its own first, so a failure names the input at fault
 * (gp_last_error_input: 1 images, 2 labels, 0 both) without prefixing the reason. */
static int dataset_create(const uint8_t *images, int images_len, const uint8_t *labels, int labels_len,
                          int classes, int only_label) {
  const uint8_t *bufs[2] = {images, labels};
  const int lens[2] = {images_len, labels_len}, ndims[2] = {3, 1};
  idx_view v[2];
  char why[160];
  for (int k = 0; k < 2; k++) {
    api_blame(k + 1);
    if (lens[k] == 0) return fail(GP_ERR_SIZE, "empty");
    int s = api_check_bytes(bufs[k], lens[k]);
    if (s) return fail(s, "not a live buffer of that length");
    if (idx_parse(&v[k], bufs[k], (size_t)lens[k], why, sizeof why)) return fail(GP_ERR_ARG, "%s", why);
    if (v[k].ndim != ndims[k])
      return fail(GP_ERR_ARG, "%d dimensions, expected %d (%s)", v[k].ndim, ndims[k],
                  k ? "an IDX1 label file" : "an IDX3 image file: n, rows, cols");
  }
  for (size_t i = 0; i < v[1].count; i++) {
    if (v[1].data[i] >= classes)
      return fail(GP_ERR_ARG, "label %d at index %zu is not a class 0..%d", v[1].data[i], i, classes - 1);
    if (only_label >= 0 && v[1].data[i] != only_label)
      return fail(GP_ERR_ARG, "label %d at index %zu is not %d", v[1].data[i], i, only_label);
  }
  api_blame(1);
  if (v[0].dims[1] != 28 || v[0].dims[2] != 28)
    return fail(GP_ERR_SHAPE, "images are %ux%u, not 28x28", v[0].dims[1], v[0].dims[2]);
  api_blame(0);
  int slot = free_slot(&datasets);
  if (slot < 0) return slot;
  idx_dataset d;
  if (idx_dataset_parse(&d, images, (size_t)images_len, labels, (size_t)labels_len, classes, ERRBUF))
    return api_status(GP_ERR_ARG);
  idx_dataset *kept = malloc(sizeof d);
  if (!kept) return fail(GP_ERR_NOMEM, "out of memory");
  *kept = d;
  return put(&datasets, slot, kept);
}

GP_API int gp_dataset_create(const uint8_t *images, int images_len, const uint8_t *labels,
                             int labels_len) {
  api_enter();
  return dataset_create(images, images_len, labels, labels_len, METER_DIGITS, -1);
}

/* A mode meter's negatives: images that are no class, every label METER_NOT (10). */
GP_API int gp_negatives_create(const uint8_t *images, int images_len, const uint8_t *labels,
                               int labels_len) {
  api_enter();
  return dataset_create(images, images_len, labels, labels_len, METER_CLASSES, METER_NOT);
}

/* GAN_MAX_BAD_STEPS: non-finite updates in a row before a step returns GP_ERR_NONFINITE */
GP_API int gp_gan_max_bad_steps(void) { return GAN_MAX_BAD_STEPS; }

GP_API int gp_dataset_count(int h) {
  api_enter();
  LOOKUP(idx_dataset, d, datasets, h);
  return d->n;
}

GP_API int gp_dataset_destroy(int h) {
  api_enter();
  LOOKUP(idx_dataset, d, datasets, h);
  free(d);
  release(&datasets, h);
  return GP_OK;
}

/* ---- configurations: defaults, then one setting at a time by name ---- */

GP_API int gp_config_create(void) {
  api_enter();
  int slot = free_slot(&configs);
  if (slot < 0) return slot;
  gan_config *c = malloc(sizeof(gan_config));
  if (!c) return fail(GP_ERR_NOMEM, "out of memory");
  gan_config_default(c);
  return put(&configs, slot, c);
}

GP_API int gp_config_destroy(int h) {
  api_enter();
  LOOKUP(gan_config, c, configs, h);
  free(c);
  release(&configs, h);
  return GP_OK;
}

/* Sets one field (the table's type: a whole number for all but the floats); the whole
 * configuration is checked when a model is built from it. */
GP_API int gp_config_set(int h, const char *name, double value) {
  api_enter();
  LOOKUP(gan_config, c, configs, h);
  if (!name) return fail(GP_ERR_NULL, "setting name is null");
  const gan_setting *s = gan_setting_find(name);
  if (!s) return fail(GP_ERR_ARG, "unknown setting '%s'", name);
  if (s->type != GAN_SETTING_FLOAT) {
    if (value != floor(value)) return fail(GP_ERR_ARG, "setting %s takes a whole number", name);
    /* a value its field cannot hold is refused here, with the bounds (a seed of -1 would wrap) */
    const double lo = s->type == GAN_SETTING_U32 ? 0 : -2147483648.0, hi = s->type == GAN_SETTING_U32 ? 4294967295.0 : 2147483647.0;
    if (!(value >= lo && value <= hi)) {
      gan_setting_check(s, value, ERRBUF);
      return api_status(GP_ERR_ARG);
    }
  }
  gan_setting_put(c, s, value);
  return GP_OK;
}

/* Applies a named preset to a configuration (on top of whatever it holds; call it first
 * and set individual values after). */
GP_API int gp_config_preset(int h, const char *name) {
  api_enter();
  LOOKUP(gan_config, c, configs, h);
  const gan_preset *p = gan_preset_find(name);
  if (!p) return fail(GP_ERR_ARG, "unknown preset '%s'", name ? name : "(null)");
  p->apply(c);
  return GP_OK;
}

GP_API int gp_preset_count(void) {
  api_enter();
  int n;
  gan_presets(&n);
  return n;
}

/* what: 0 the name, 1 the lesson in English, 2 in French; NULL past the table */
GP_API const char *gp_preset_text(int i, int what) {
  api_enter();
  int n;
  const gan_preset *p = gan_presets(&n);
  if (i < 0 || i >= n || what < 0 || what > 2) return NULL;
  return what == 0 ? p[i].name : what == 1 ? p[i].lesson_en : p[i].lesson_fr;
}

static double setting_get(const gan_config *c, const char *name) {
  const gan_setting *s = gan_setting_find(name);
  return s ? gan_setting_get(c, s) : NAN;
}

/* A configuration's value by name (NaN for an unknown name or handle): what a preset sets. */
GP_API double gp_config_get(int h, const char *name) {
  api_enter();
  gan_config *c = lookup(&configs, h);
  return c ? setting_get(c, name) : NAN;
}

/* A model's configuration value by name (NaN for an unknown name or handle). */
GP_API double gp_gan_config_get(int h, const char *name) {
  api_enter();
  gan *g = lookup(&gans, h);
  return g ? setting_get(gan_get_config(g), name) : NAN;
}

GP_API int gp_config_check(int h) {
  api_enter();
  LOOKUP(gan_config, c, configs, h);
  return gan_config_check(c, ERRBUF) ? api_status(GP_ERR_ARG) : GP_OK;
}

/* ---- models ---- */

static int adopt(gan *g) {
  int slot = free_slot(&gans);
  if (slot < 0) {
    gan_destroy(g);
    return slot;
  }
  return put(&gans, slot, g);
}

GP_API int gp_gan_create(int config) {
  api_enter();
  LOOKUP(gan_config, c, configs, config);
  if (gan_config_check(c, ERRBUF)) return api_status(GP_ERR_ARG);
  gan *g = gan_create(c, ERRBUF);
  return g ? adopt(g) : api_status(GP_ERR_NOMEM);
}

GP_API int gp_gan_destroy(int h) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  gan_destroy(g);
  release(&gans, h);
  return GP_OK;
}

/* ---- the schema: the core's tables as JSON, for the layers above ---- */

typedef struct {
  char *p;
  size_t len, cap;
} json_buf;

static void add(json_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(json_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n > 0) b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap - 1;
}

/* a number as JSON: whole ones exactly, others with the digits that read back as themselves */
static void add_number(json_buf *b, double v) {
  if (v == floor(v) && fabs(v) < 1e15) add(b, "%.0f", v);
  else add(b, "%.9g", v);
}

static const char *const TYPE_NAMES[] = {
    [GAN_SETTING_INT] = "int", [GAN_SETTING_BOOL] = "bool", [GAN_SETTING_U32] = "int",
    [GAN_SETTING_LOSS] = "loss", [GAN_SETTING_FLOAT] = "float"};

static void build_schema(json_buf *b) {
  int n;
  const gan_setting *t = gan_settings(&n);
  add(b, "{\"checkpoint_version\":%d,\"max_bad_steps\":%d,\"settings\":[", gan_settings_version(), GAN_MAX_BAD_STEPS);
  for (int i = 0; i < n; i++) {
    add(b, "%s{\"name\":\"%s\",\"type\":\"%s\",\"default\":", i ? "," : "", t[i].name, TYPE_NAMES[t[i].type]);
    add_number(b, t[i].def);
    add(b, ",\"min\":");
    add_number(b, t[i].min);
    add(b, ",\"max\":");
    add_number(b, t[i].max);
    add(b, ",\"live\":%s,\"help\":\"%s\"}", t[i].live ? "true" : "false", t[i].help);
  }
  add(b, "],\"losses\":[");
  for (int k = 0; k < GAN_LOSS_COUNT; k++) add(b, "%s\"%s\"", k ? "," : "", gan_loss_name((gan_loss_kind)k));
  add(b, "],\"stats\":[");
  const gan_stat *st = gan_stat_table(&n);
  for (int i = 0; i < n; i++) add(b, "%s\"%s\"", i ? "," : "", st[i].name);
  add(b, "],\"status\":{");
  const api_status_name *sn = api_statuses(&n);
  for (int i = 0; i < n; i++) add(b, "%s\"%s\":%d", i ? "," : "", sn[i].name, sn[i].code);
  add(b, "}}");
}

/* The texts in the tables hold no quote or backslash (settings.c), so they go in as they are. */
GP_API const char *gp_schema_json(void) {
  api_enter();
  static char text[16384];
  if (!text[0]) {
    json_buf b = {text, 0, sizeof text};
    build_schema(&b);
  }
  return text;
}

GP_API int gp_stats_count(void) {
  int n;
  gan_stat_table(&n);
  return n;
}

/* stats: GP_STATS floats in the order of gan_stat_table (gan/settings.c) */
static void put_stats(float *out, const gan *g, const gan_stats *st) {
  int n;
  const gan_stat *t = gan_stat_table(&n);
  for (int i = 0; i < n; i++) {
    const char *f = (const char *)st + t[i].offset;
    switch (t[i].kind) {
      case GAN_STAT_FLOAT: out[i] = *(const float *)f; break;
      case GAN_STAT_INT: out[i] = (float)*(const int *)f; break;
      case GAN_STAT_ITERATIONS: out[i] = (float)gan_iterations(g); break;
      case GAN_STAT_SKIPPED_TOTAL: out[i] = (float)gan_skipped_total(g); break;
    }
  }
}

static int step_result(int r, float *stats, const gan *g, const gan_stats *st) {
  put_stats(stats, g, st);
  if (r)
    return fail(GP_ERR_NONFINITE,
                "training stopped: %d updates in a row had a non-finite loss or gradient "
                "(lower the learning rates); the model keeps its last finite weights",
                GAN_MAX_BAD_STEPS);
  return GP_OK;
}

GP_API int gp_gan_train_step(int h, int dataset, float *stats) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  LOOKUP(idx_dataset, d, datasets, dataset);
  CHECK(api_check_bytes(stats, (size_t)gp_stats_count() * sizeof(float)));
  gan_stats st;
  return step_result(gan_train_step(g, d, &st), stats, g, &st);
}

GP_API int gp_gan_step_d(int h, int dataset, float *stats) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  LOOKUP(idx_dataset, d, datasets, dataset);
  CHECK(api_check_bytes(stats, (size_t)gp_stats_count() * sizeof(float)));
  gan_stats st = {0};
  return step_result(gan_step_d(g, d, &st), stats, g, &st);
}

GP_API int gp_gan_step_g(int h, float *stats) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  CHECK(api_check_bytes(stats, (size_t)gp_stats_count() * sizeof(float)));
  gan_stats st = {0};
  return step_result(gan_step_g(g, &st), stats, g, &st);
}

/* Live settings from a configuration (gan_retune): refused, changing nothing, when the
 * configuration differs in what shapes the model. */
GP_API int gp_gan_retune(int h, int config) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  LOOKUP(gan_config, c, configs, config);
  return gan_retune(g, c, ERRBUF) ? api_status(GP_ERR_ARG) : GP_OK;
}

/* Completed training iterations (the step a checkpoint resumes from). */
GP_API int gp_gan_iterations(int h) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  return (int)gan_iterations(g);
}

GP_API int gp_gan_latent(int h) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  return gan_get_config(g)->latent;
}

GP_API int gp_gan_generate(int h, const float *z, int n, float *out) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  if (n < 1 || n > 100000) return fail(GP_ERR_SIZE, "sample count out of 1..100000");
  const int L = gan_get_config(g)->latent;
  CHECK(api_check_bytes(z, (int64_t)n * L * sizeof(float)));
  CHECK(api_check_bytes(out, (int64_t)n * 784 * sizeof(float)));
  gan_generate(g, z, n, out);
  return GP_OK;
}

/* D's raw scores of n images in inference (gan_discriminate): the training state is untouched. */
GP_API int gp_gan_discriminate(int h, const float *images, int n, float *scores) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  if (n < 1 || n > 100000) return fail(GP_ERR_SIZE, "image count out of 1..100000");
  CHECK(api_check_bytes(images, (int64_t)n * 784 * sizeof(float)));
  CHECK(api_check_bytes(scores, (int64_t)n * sizeof(float)));
  gan_discriminate(g, images, n, scores);
  return GP_OK;
}

GP_API int gp_gan_checkpoint_size(int h) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  return (int)checkpoint_size(g);
}

GP_API int gp_gan_checkpoint_write(int h, uint8_t *dst, int len) {
  api_enter();
  LOOKUP(gan, g, gans, h);
  if (len != (int)checkpoint_size(g)) return fail(GP_ERR_SIZE, "checkpoint buffer has the wrong size");
  CHECK(api_check_bytes(dst, len));
  checkpoint_write(g, dst);
  return GP_OK;
}

/* A new model from a checkpoint; existing models are untouched whatever happens. */
GP_API int gp_gan_checkpoint_read(const uint8_t *src, int len) {
  api_enter();
  if (len == 0) return fail(GP_ERR_SIZE, "empty: not a checkpoint");
  int s = api_check_bytes(src, len);
  if (s) return fail(s, "checkpoint: not a live buffer of that length");
  gan *g = checkpoint_read(src, (size_t)len, ERRBUF);
  return g ? adopt(g) : api_status(GP_ERR_ARG);
}

/* ---- output ---- */

static uint8_t *png_last;
static int png_last_len;

GP_API int gp_png_grid(const float *images, int n, int cols, int scale) {
  api_enter();
  if (n < 1 || n > 4096) return fail(GP_ERR_SIZE, "image count out of 1..4096");
  CHECK(api_check_bytes(images, (int64_t)n * 784 * sizeof(float)));
  png_free(png_last);
  png_last = png_grid(images, n, 28, cols, scale, &png_last_len);
  if (!png_last) return fail(GP_ERR_SIZE, "cannot lay out that grid");
  return png_last_len;
}

/* A grey image (w x h bytes, 0 black) as PNG: a composed picture such as the progress
 * filmstrip. Returns the byte count; the bytes are at gp_png_data. */
GP_API int gp_png_gray(const uint8_t *pixels, int w, int h) {
  api_enter();
  if (w < 1 || h < 1 || w > 16384 || h > 16384 || (int64_t)w * h > ((int64_t)64 << 20))
    return fail(GP_ERR_SIZE, "%d x %d pixels: a side is out of 1..16384 or the image past 64 M pixels", w, h);
  CHECK(api_check_bytes(pixels, (int64_t)w * h));
  png_free(png_last);
  png_last = png_gray(pixels, w, h, &png_last_len);
  if (!png_last) return fail(GP_ERR_NOMEM, "out of memory for the PNG");
  return png_last_len;
}

/* the bytes of the last gp_png_grid or gp_png_gray, valid until the next call */
GP_API const uint8_t *gp_png_data(void) { return png_last; }

GP_API int gp_to_bytes(const float *x, int n, uint8_t *out) {
  api_enter();
  if (n < 1) return fail(GP_ERR_SIZE, "byte count must be at least 1");
  CHECK(api_check_bytes(x, (int64_t)n * sizeof(float)));
  CHECK(api_check_bytes(out, n));
  for (int i = 0; i < n; i++) out[i] = pixel_byte(x[i]);
  return GP_OK;
}

/* ---- the mode meter ---- */

GP_API int gp_meter_create(uint32_t seed) {
  api_enter();
  int slot = free_slot(&meters);
  if (slot < 0) return slot;
  meter *m = meter_create(seed, ERRBUF);
  return m ? put(&meters, slot, m) : api_status(GP_ERR_NOMEM);
}

GP_API int gp_meter_destroy(int h) {
  api_enter();
  LOOKUP(meter, m, meters, h);
  meter_destroy(m);
  release(&meters, h);
  return GP_OK;
}

/* one epoch over dataset and negatives (0: none); the mean training loss goes to *loss */
GP_API int gp_meter_train_epoch(int h, int dataset, int negatives, float lr, float *loss) {
  api_enter();
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
  api_enter();
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
  api_enter();
  LOOKUP(meter, m, meters, h);
  if (n < 1 || n > 100000) return fail(GP_ERR_SIZE, "image count out of 1..100000");
  CHECK(api_check_bytes(images, (int64_t)n * 784 * sizeof(float)));
  CHECK(api_check_bytes(out, GP_METER_FLOATS * sizeof(float)));
  meter_reading r;
  meter_read(m, images, n, &r);
  reading_out(&r, out);
  return GP_OK;
}

/* The penultimate activations of n images: GP_METER_FEATURES floats an image into out. */
_Static_assert((int)GP_METER_FEATURES == (int)METER_FEATURES, "api.h's feature count is meter.h's");
GP_API int gp_meter_features(int h, const float *images, int n, float *out) {
  api_enter();
  LOOKUP(meter, m, meters, h);
  if (n < 1 || n > 10000) return fail(GP_ERR_SIZE, "image count out of 1..10000");
  CHECK(api_check_bytes(images, (int64_t)n * 784 * sizeof(float)));
  CHECK(api_check_bytes(out, (int64_t)n * METER_FEATURES * sizeof(float)));
  meter_features(m, images, n, out);
  return GP_OK;
}

/* The reading of n rows of 11 class probabilities: the meter's arithmetic on known inputs. */
GP_API int gp_meter_tally(const float *probs, int n, float *out) {
  api_enter();
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
  api_enter();
  CHECK(api_check_bytes(out, GP_METER_RULE * sizeof(float)));
  out[0] = METER_SAMPLES, out[1] = METER_FLOOR, out[2] = METER_TOP_PROB;
  out[3] = METER_DIGITS_CONFIDENT, out[4] = 1.0f / METER_SHARE_DIV, out[5] = METER_CLASSES;
  return GP_OK;
}

GP_API int gp_meter_size(int h) {
  api_enter();
  LOOKUP(meter, m, meters, h);
  return (int)meter_size(m);
}

GP_API int gp_meter_save(int h, uint8_t *dst, int len) {
  api_enter();
  LOOKUP(meter, m, meters, h);
  if (len != (int)meter_size(m)) return fail(GP_ERR_SIZE, "meter buffer has the wrong size");
  CHECK(api_check_bytes(dst, len));
  meter_save(m, dst);
  return GP_OK;
}

/* The checks of gp_meter_load without a meter, allocating nothing: a caller refuses a bad
 * file before it makes the meter the file would fill. */
GP_API int gp_meter_check(const uint8_t *src, int len) {
  api_enter();
  if (len == 0) return fail(GP_ERR_SIZE, "empty: not mode meter weights");
  CHECK(api_check_bytes(src, len));
  return meter_check(src, (size_t)len, ERRBUF) ? api_status(GP_ERR_ARG) : GP_OK;
}

GP_API int gp_meter_load(int h, const uint8_t *src, int len) {
  api_enter();
  LOOKUP(meter, m, meters, h);
  if (len == 0) return fail(GP_ERR_SIZE, "empty: not mode meter weights");
  CHECK(api_check_bytes(src, len));
  return meter_load(m, src, (size_t)len, ERRBUF) ? api_status(GP_ERR_ARG) : GP_OK;
}
