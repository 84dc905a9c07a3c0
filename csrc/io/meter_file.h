/* meter_file.h - the mode meter's weights file as bytes: a run of 32-bit floats in a
 * checked container. What the floats are, and how many a version holds, is gan/'s business
 * (gan/meter.c); this layer knows only where they are and whether the file is whole:
 *
 *   "GANMETR1"  magic (8 bytes)
 *   u32         format version
 *   f32 x n     the floats (the file holds no count: the version says how many)
 *   u32         CRC-32 of every byte before it
 *
 * Little-endian throughout. Parsing checks magic, version, size and checksum in place,
 * allocating nothing. */
#ifndef IO_METER_FILE_H
#define IO_METER_FILE_H

#include <stddef.h>
#include <stdint.h>

/* bytes before the floats, and after them */
enum { METER_FILE_HEAD = 8 + 4, METER_FILE_CRC = 4 };

/* The file size for n floats, or 0 when n floats cannot fit a size_t. */
size_t meter_file_bytes(size_t n);
/* Writes the whole file for the n floats at floats into dst (meter_file_bytes(n) bytes). */
void meter_file_write(uint8_t *dst, uint32_t version, const float *floats, size_t n);

typedef struct {
  uint32_t version;
  const uint8_t *floats; /* count little-endian floats, 4-byte aligned only if buf is */
  size_t count;
} meter_file_parts;

/* The floats of a whole, uncorrupted file of version `version` (the one version this
 * build reads), which holds `count` of them; or -1 with the reason in err. */
int meter_file_parse(meter_file_parts *out, const uint8_t *buf, size_t len, uint32_t version, size_t count,
                     char *err, size_t errlen);

#endif
