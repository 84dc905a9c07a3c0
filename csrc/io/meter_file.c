/* meter_file.c - see meter_file.h. */
#include "meter_file.h"

#include <string.h>

#include "crc.h"
#include "errmsg.h"

static const char MAGIC[8] = {'G', 'A', 'N', 'M', 'E', 'T', 'R', '1'};

size_t meter_file_bytes(size_t n) {
  if (n > (SIZE_MAX - METER_FILE_HEAD - METER_FILE_CRC) / sizeof(float)) return 0;
  return METER_FILE_HEAD + sizeof(float) * n + METER_FILE_CRC;
}

void meter_file_write(uint8_t *dst, uint32_t version, const float *floats, size_t n) {
  const size_t body = sizeof(float) * n;
  memcpy(dst, MAGIC, 8);
  memcpy(dst + 8, &version, 4);
  memcpy(dst + METER_FILE_HEAD, floats, body);
  const uint32_t crc = crc32_bytes(dst, METER_FILE_HEAD + body);
  memcpy(dst + METER_FILE_HEAD + body, &crc, 4);
}

int meter_file_parse(meter_file_parts *out, const uint8_t *buf, size_t len, uint32_t version, size_t count,
                     char *err, size_t errlen) {
  if (!buf || len == 0) return errmsg(err, errlen, "mode meter weights file is empty");
  /* What the file is comes first, so an old meter is named as such, not as a size mismatch. */
  if (memcmp(buf, MAGIC, len < 8 ? len : 8)) return errmsg(err, errlen, "not mode meter weights");
  if (len < METER_FILE_HEAD) return errmsg(err, errlen, "mode meter weights truncated (%zu bytes)", len);
  uint32_t got, crc;
  memcpy(&got, buf + 8, 4);
  if (got != version)
    return errmsg(err, errlen, "mode meter weights version %u unsupported (this build reads version %u: run make data)",
                  got, version);
  const size_t want = meter_file_bytes(count);
  if (want == 0) return errmsg(err, errlen, "mode meter weights of %zu floats cannot be addressed", count);
  if (len != want) return errmsg(err, errlen, "mode meter weights have %zu bytes, expected %zu", len, want);
  memcpy(&crc, buf + len - METER_FILE_CRC, 4);
  if (crc != crc32_bytes(buf, len - METER_FILE_CRC))
    return errmsg(err, errlen, "mode meter weights corrupted (checksum mismatch)");
  *out = (meter_file_parts){got, buf + METER_FILE_HEAD, count};
  return 0;
}
