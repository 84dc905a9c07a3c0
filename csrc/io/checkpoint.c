/* checkpoint.c - see checkpoint.h. */
#include "checkpoint.h"

#include <string.h>

#include "errmsg.h"

static const char MAGIC[8] = {'G', 'A', 'N', 'P', 'L', 'A', 'Y', '1'};

/* header bytes before the state, for a configuration of cfg_bytes */
static size_t head_bytes(size_t cfg_bytes) { return CHECKPOINT_PREFIX + cfg_bytes + CHECKPOINT_STATE_FIELD; }

size_t checkpoint_file_bytes(size_t config_bytes, size_t state_bytes) {
  return head_bytes(config_bytes) + state_bytes + CHECKPOINT_CRC;
}

uint8_t *checkpoint_begin(uint8_t *dst, uint32_t version, const uint8_t *config, size_t config_bytes,
                          size_t state_bytes) {
  const uint32_t cfg = (uint32_t)config_bytes;
  const uint64_t state = state_bytes;
  memcpy(dst, MAGIC, 8);
  memcpy(dst + 8, &version, 4);
  memcpy(dst + 12, &cfg, 4);
  memcpy(dst + CHECKPOINT_PREFIX, config, config_bytes);
  memcpy(dst + CHECKPOINT_PREFIX + config_bytes, &state, 8);
  return dst + head_bytes(config_bytes);
}

void checkpoint_seal(uint8_t *dst, size_t file_bytes) {
  const uint32_t crc = crc32_bytes(dst, file_bytes - CHECKPOINT_CRC);
  memcpy(dst + file_bytes - CHECKPOINT_CRC, &crc, 4);
}

int checkpoint_parse(checkpoint_parts *out, const uint8_t *buf, size_t len, uint32_t newest,
                     size_t (*config_bytes)(uint32_t version), char *err, size_t errlen) {
  if (!buf || len == 0) return errmsg(err, errlen, "checkpoint file is empty");
  /* what the file is comes first, then whether it is whole */
  if (memcmp(buf, MAGIC, len < 8 ? len : 8)) return errmsg(err, errlen, "not a gan-playground checkpoint");
  if (len < head_bytes(config_bytes(1)) + CHECKPOINT_CRC) return errmsg(err, errlen, "checkpoint truncated (%zu bytes)", len);
  uint32_t version, cfg_bytes, crc;
  uint64_t state_bytes;
  memcpy(&version, buf + 8, 4);
  memcpy(&cfg_bytes, buf + 12, 4);
  if (version < 1 || version > newest)
    return errmsg(err, errlen, "checkpoint format version %u (this build reads 1 to %u)", version, newest);
  const size_t want_cfg = config_bytes(version), head = head_bytes(want_cfg);
  if (cfg_bytes != want_cfg)
    return errmsg(err, errlen, "checkpoint configuration has %u bytes, version %u has %zu", cfg_bytes, version, want_cfg);
  if (len < head + CHECKPOINT_CRC) return errmsg(err, errlen, "checkpoint truncated (%zu bytes)", len);
  memcpy(&state_bytes, buf + CHECKPOINT_PREFIX + cfg_bytes, 8);
  if (state_bytes != len - head - CHECKPOINT_CRC)
    return errmsg(err, errlen, "checkpoint truncated or padded (%zu bytes around a state of %llu)", len,
                  (unsigned long long)state_bytes);
  memcpy(&crc, buf + len - CHECKPOINT_CRC, 4);
  if (crc != crc32_bytes(buf, len - CHECKPOINT_CRC)) return errmsg(err, errlen, "checkpoint corrupted (checksum mismatch)");
  *out = (checkpoint_parts){version, buf + CHECKPOINT_PREFIX, want_cfg, buf + head, (size_t)state_bytes};
  return 0;
}
