/* checkpoint.c - see checkpoint.h. */
#include "checkpoint.h"

#include "errmsg.h"

#include <stdio.h>
#include <string.h>

static const char MAGIC[8] = {'G', 'A', 'N', 'P', 'L', 'A', 'Y', '1'};

/* The configuration as a fixed list of 32-bit fields: ints, then floats. Version 1 had the
 * first 8 ints and 9 floats; version 2 appended the rest. A version 1 file reads with the
 * later settings off, which is the model it was. */
enum { CFG_INTS = 14, CFG_FLOATS = 10, CFG_BYTES = 4 * (CFG_INTS + CFG_FLOATS) };
enum { V1_INTS = 8, V1_FLOATS = 9, V1_CFG_BYTES = 4 * (V1_INTS + V1_FLOATS) };

static void config_put(uint8_t *dst, const gan_config *c) {
  const int32_t ints[CFG_INTS] = {c->latent, c->width, c->batch, c->d_steps, c->g_batchnorm,
                                  c->mbstd, (int32_t)c->loss, (int32_t)c->seed, c->g_resize,
                                  c->d_batchnorm, c->d_layers, c->g_steps, c->d_head_start,
                                  c->warmup};
  const float floats[CFG_FLOATS] = {c->lr_g, c->lr_d, c->beta1_g, c->beta2_g, c->beta1_d,
                                    c->beta2_d, c->real_label, c->instance_noise, c->clip,
                                    c->ema};
  memcpy(dst, ints, sizeof ints);
  memcpy(dst + sizeof ints, floats, sizeof floats);
}

/* n_ints and n_floats: how many the file's version has; the others keep their values */
static void config_get(gan_config *c, const uint8_t *src, int n_ints, int n_floats) {
  int32_t ints[CFG_INTS] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0};
  float floats[CFG_FLOATS] = {0};
  memcpy(ints, src, 4 * (size_t)n_ints);
  memcpy(floats, src + 4 * (size_t)n_ints, 4 * (size_t)n_floats);
  c->latent = ints[0], c->width = ints[1], c->batch = ints[2], c->d_steps = ints[3];
  c->g_batchnorm = ints[4], c->mbstd = ints[5], c->loss = (gan_loss_kind)ints[6];
  c->seed = (uint32_t)ints[7];
  c->g_resize = ints[8], c->d_batchnorm = ints[9], c->d_layers = ints[10];
  c->g_steps = ints[11], c->d_head_start = ints[12], c->warmup = ints[13];
  c->lr_g = floats[0], c->lr_d = floats[1], c->beta1_g = floats[2], c->beta2_g = floats[3];
  c->beta1_d = floats[4], c->beta2_d = floats[5], c->real_label = floats[6];
  c->instance_noise = floats[7], c->clip = floats[8], c->ema = floats[9];
}

/* header bytes before the state, for a configuration of cfg_bytes */
static size_t head_bytes(size_t cfg_bytes) { return 8 + 4 + 4 + cfg_bytes + 8; }
enum { HEAD = 8 + 4 + 4 + CFG_BYTES + 8 };

size_t checkpoint_size(const gan *g) { return HEAD + gan_state_size(g) + 4; }

void checkpoint_write(const gan *g, uint8_t *dst) {
  uint8_t *p = dst;
  const uint32_t version = CHECKPOINT_VERSION, cfg_bytes = CFG_BYTES;
  const uint64_t state_bytes = gan_state_size(g);
  memcpy(p, MAGIC, 8), p += 8;
  memcpy(p, &version, 4), p += 4;
  memcpy(p, &cfg_bytes, 4), p += 4;
  config_put(p, gan_get_config(g)), p += CFG_BYTES;
  memcpy(p, &state_bytes, 8), p += 8;
  gan_state_save(g, p), p += state_bytes;
  const uint32_t crc = crc32_bytes(dst, (size_t)(p - dst));
  memcpy(p, &crc, 4);
}

/* Every check reads the bytes in place; only a file that passes them all gets a model, so a
 * small file can never make the core allocate for a model its bytes do not hold. */
gan *checkpoint_read(const uint8_t *buf, size_t len, char *err, size_t errlen) {
  if (!buf || len == 0) return errmsg(err, errlen, "checkpoint file is empty"), NULL;
  /* what the file is comes first, then whether it is whole */
  if (memcmp(buf, MAGIC, len < 8 ? len : 8)) return errmsg(err, errlen, "not a gan-playground checkpoint"), NULL;
  if (len < head_bytes(V1_CFG_BYTES) + 4) return errmsg(err, errlen, "checkpoint truncated (%zu bytes)", len), NULL;
  uint32_t version, cfg_bytes, crc;
  uint64_t state_bytes;
  memcpy(&version, buf + 8, 4);
  memcpy(&cfg_bytes, buf + 12, 4);
  if (version != 1 && version != CHECKPOINT_VERSION)
    return errmsg(err, errlen, "checkpoint format version %u (this build reads 1 and %d)", version, CHECKPOINT_VERSION), NULL;
  const size_t want_cfg = version == 1 ? V1_CFG_BYTES : CFG_BYTES, head = head_bytes(want_cfg);
  if (cfg_bytes != want_cfg)
    return errmsg(err, errlen, "checkpoint configuration has %u bytes, version %u has %zu", cfg_bytes, version, want_cfg), NULL;
  if (len < head + 4) return errmsg(err, errlen, "checkpoint truncated (%zu bytes)", len), NULL;
  memcpy(&state_bytes, buf + 16 + cfg_bytes, 8);
  if (state_bytes != len - head - 4)
    return errmsg(err, errlen, "checkpoint truncated or padded (%zu bytes around a state of %llu)", len,
                  (unsigned long long)state_bytes), NULL;
  memcpy(&crc, buf + len - 4, 4);
  if (crc != crc32_bytes(buf, len - 4)) return errmsg(err, errlen, "checkpoint corrupted (checksum mismatch)"), NULL;
  gan_config c;
  gan_config_default(&c);
  if (version == 1) config_get(&c, buf + 16, V1_INTS, V1_FLOATS);
  else config_get(&c, buf + 16, CFG_INTS, CFG_FLOATS);
  char why[200];
  if (gan_config_check(&c, why, sizeof why)) return errmsg(err, errlen, "checkpoint configuration invalid: %s", why), NULL;
  /* the state's size against its configuration, and its contents, before the model exists */
  if (gan_state_check(&c, buf + head, (size_t)state_bytes, why, sizeof why))
    return errmsg(err, errlen, "checkpoint state invalid: %s", why), NULL;
  gan *g = gan_create(&c, why, sizeof why);
  if (!g) return errmsg(err, errlen, "%s", why), NULL;
  gan_state_load(g, buf + head);
  return g;
}
