/* checkpoint.h - everything needed to resume training or to sample, as one byte image:
 *
 *   "GANPLAY1"  magic (8 bytes)
 *   u32         format version (CHECKPOINT_VERSION)
 *   u32         config bytes, then the configuration, field by field
 *   u64         state bytes, then the model state (gan_state_save: counters, random
 *               streams, parameters, Adam moments, batch-norm statistics)
 *   u32         CRC-32 of every byte before it
 *
 * Little-endian throughout. Reading validates magic, version, sizes, the configuration
 * and the checksum before it builds anything, so a truncated, foreign or corrupted file
 * is refused with a reason and the caller's model is never touched. */
#ifndef IO_CHECKPOINT_H
#define IO_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "../gan/gan.h"

/* Version 2 added the model options (resize-convolution G, batch norm and a third
 * convolution in D, the moving average of G, G steps, D's head start); version 1 files
 * still load. */
enum { CHECKPOINT_VERSION = 2 };

size_t checkpoint_size(const gan *g);
void checkpoint_write(const gan *g, uint8_t *dst);
/* A new model restored from buf, or NULL with the reason in err. */
gan *checkpoint_read(const uint8_t *buf, size_t len, char *err, size_t errlen);

/* CRC-32 of n bytes, as zlib computes it (crc.c) */
uint32_t crc32_bytes(const uint8_t *p, size_t n);

#endif
