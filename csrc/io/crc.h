/* crc.h - CRC-32 as zlib and PNG compute it: the checksum of checkpoint and meter files. */
#ifndef IO_CRC_H
#define IO_CRC_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_bytes(const uint8_t *p, size_t n);

#endif
