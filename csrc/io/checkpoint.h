/* checkpoint.h - the checkpoint file as bytes: a configuration block and a state block in a
 * checked container. What the blocks mean is gan/'s business (gan/gan_file.h); this layer
 * knows only where they are and whether the file is whole:
 *
 *   "GANPLAY1"  magic (8 bytes)
 *   u32         format version
 *   u32         config bytes, then the configuration (32-bit fields, gan/settings.c's order)
 *   u64         state bytes, then the model state
 *   u32         CRC-32 of every byte before it
 *
 * Little-endian throughout. Parsing checks magic, version, sizes and checksum in place,
 * allocating nothing, so a small file can never make its reader allocate for a model its
 * bytes do not hold. */
#ifndef IO_CHECKPOINT_H
#define IO_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "crc.h"

/* bytes before the configuration, and between it and the state */
enum { CHECKPOINT_PREFIX = 8 + 4 + 4, CHECKPOINT_STATE_FIELD = 8, CHECKPOINT_CRC = 4 };

size_t checkpoint_file_bytes(size_t config_bytes, size_t state_bytes);
/* Writes the header and the configuration at dst; returns where the state_bytes of state
 * go. Then checkpoint_seal(dst, file_bytes) appends the checksum. */
uint8_t *checkpoint_begin(uint8_t *dst, uint32_t version, const uint8_t *config, size_t config_bytes,
                          size_t state_bytes);
void checkpoint_seal(uint8_t *dst, size_t file_bytes);

typedef struct {
  uint32_t version;
  const uint8_t *config;
  size_t config_bytes;
  const uint8_t *state;
  size_t state_bytes;
} checkpoint_parts;

/* The blocks of a whole, uncorrupted file of a version this build reads, or -1 with the
 * reason in err. config_bytes(v) is the configuration size of version v (newest is the
 * latest version read; every version from 1 up to it is). */
int checkpoint_parse(checkpoint_parts *out, const uint8_t *buf, size_t len, uint32_t newest,
                     size_t (*config_bytes)(uint32_t version), char *err, size_t errlen);

#endif
