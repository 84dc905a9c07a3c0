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

/* Largest buffer the API deals in: 2^30 floats (4 GiB would not fit wasm32 anyway). */
#define MAX_FLOATS ((int64_t)1 << 30)

#define CHECK(expr)              \
  do {                           \
    int status_ = (expr);        \
    if (status_) return status_; \
  } while (0)

int api_region_add(const void *p, size_t bytes);
int api_region_remove(const void *p);
/* GP_OK if [p, p + bytes) lies inside one live region, else GP_ERR_NULL/OVERFLOW/BOUNDS */
int api_check_bytes(const void *p, int64_t bytes);

#endif
