/* gan_file.c - see gan_file.h. */
#include "gan_file.h"

#include <string.h>

#include "../io/checkpoint.h"
#include "../io/errmsg.h"
#include "settings.h"

int checkpoint_version(void) { return gan_settings_version(); }

/* Each setting of version v as one 32-bit field: the whole-number ones in table order,
 * then the float ones in table order. */
size_t checkpoint_config_bytes(uint32_t v) {
  if (v < 1 || v > (uint32_t)checkpoint_version()) return 0;
  int n, fields = 0;
  const gan_setting *t = gan_settings(&n);
  for (int i = 0; i < n; i++) fields += t[i].since <= (int)v;
  return 4 * (size_t)fields;
}

/* Walks version v's fields in file order, calling visit for each with its slot in the
 * block (the ints come first, then the floats). */
static void walk(uint32_t v, void (*visit)(const gan_setting *s, size_t at, void *ctx), void *ctx) {
  int n;
  const gan_setting *t = gan_settings(&n);
  size_t at = 0;
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++)
      if (t[i].since <= (int)v && (t[i].type == GAN_SETTING_FLOAT) == pass) visit(&t[i], 4 * at++, ctx);
}

typedef struct {
  gan_config *c;
  const gan_config *src;
  uint8_t *dst;
  const uint8_t *bytes;
} walker;

static void put_field(const gan_setting *s, size_t at, void *ctx) {
  walker *w = ctx;
  const double v = gan_setting_get(w->src, s);
  if (s->type == GAN_SETTING_FLOAT) {
    const float f = (float)v;
    memcpy(w->dst + at, &f, 4);
  } else {
    /* the seed is stored as its 32 bits, the others fit an int32 */
    const uint32_t u = s->type == GAN_SETTING_U32 ? (uint32_t)v : (uint32_t)(int32_t)v;
    memcpy(w->dst + at, &u, 4);
  }
}

static void get_field(const gan_setting *s, size_t at, void *ctx) {
  walker *w = ctx;
  if (s->type == GAN_SETTING_FLOAT) {
    float f;
    memcpy(&f, w->bytes + at, 4);
    gan_setting_put(w->c, s, f);
  } else {
    uint32_t u;
    memcpy(&u, w->bytes + at, 4);
    gan_setting_put(w->c, s, s->type == GAN_SETTING_U32 ? (double)u : (double)(int32_t)u);
  }
}

/* The configuration of a version-v block: the settings it lacks at the values the models
 * of that version had. */
static void config_read(gan_config *c, const uint8_t *block, uint32_t v) {
  int n;
  const gan_setting *t = gan_settings(&n);
  gan_config_default(c);
  for (int i = 0; i < n; i++)
    if (t[i].since > (int)v) gan_setting_put(c, &t[i], t[i].before);
  walker w = {.c = c, .bytes = block};
  walk(v, get_field, &w);
}

size_t checkpoint_size(const gan *g) {
  return checkpoint_file_bytes(checkpoint_config_bytes((uint32_t)checkpoint_version()), gan_state_size(g));
}

void checkpoint_write(const gan *g, uint8_t *dst) {
  const uint32_t v = (uint32_t)checkpoint_version();
  const size_t cfg_bytes = checkpoint_config_bytes(v), state_bytes = gan_state_size(g);
  uint8_t cfg[4 * GAN_MAX_SETTINGS];
  walker w = {.src = gan_get_config(g), .dst = cfg};
  walk(v, put_field, &w);
  uint8_t *state = checkpoint_begin(dst, v, cfg, cfg_bytes, state_bytes);
  gan_state_save(g, state);
  checkpoint_seal(dst, checkpoint_file_bytes(cfg_bytes, state_bytes));
}

gan *checkpoint_read(const uint8_t *buf, size_t len, char *err, size_t errlen) {
  checkpoint_parts parts;
  if (checkpoint_parse(&parts, buf, len, (uint32_t)checkpoint_version(), checkpoint_config_bytes, err, errlen)) return NULL;
  gan_config c;
  config_read(&c, parts.config, parts.version);
  char why[200];
  if (gan_config_check(&c, why, sizeof why)) return errmsg(err, errlen, "checkpoint configuration invalid: %s", why), NULL;
  /* the state's size against its configuration, and its contents, before the model exists */
  if (gan_state_check(&c, parts.state, parts.state_bytes, why, sizeof why))
    return errmsg(err, errlen, "checkpoint state invalid: %s", why), NULL;
  gan *g = gan_create(&c, why, sizeof why);
  if (!g) return errmsg(err, errlen, "%s", why), NULL;
  gan_state_load(g, parts.state);
  return g;
}
