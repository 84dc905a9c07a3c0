/* api_internal.h - what the files of the C ABI (api.c, api_gan.c) share: the export
 * marker, the live-region registry that bounds every buffer argument, and CHECK. */
#ifndef GP_API_INTERNAL_H
#define GP_API_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define GP_API EMSCRIPTEN_KEEPALIVE
#else
#define GP_API
#endif

/* Largest buffer the API deals in: 2^28 floats (1 GiB), so a byte count always fits
 * wasm32's 32-bit size_t (2^30 floats would wrap to 0 there). */
#define MAX_FLOATS ((int64_t)1 << 28)

#define CHECK(expr)              \
  do {                           \
    int status_ = (expr);        \
    if (status_) return status_; \
  } while (0)

/* Who handed a region out: only its owner's release call may remove it (gp_free must
 * not free an arena through its first carve). */
enum { REGION_FLOATS, REGION_BYTES, REGION_ARENA };
int api_region_add(const void *p, size_t bytes, int owner);
int api_region_remove(const void *p, int owner);
/* GP_OK if [p, p + bytes) lies inside one live region, else GP_ERR_NULL/OVERFLOW/BOUNDS */
int api_check_bytes(const void *p, int64_t bytes);

#endif
