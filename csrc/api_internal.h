/* api_internal.h - what the files of the C ABI (api.c, api_gan.c) share: the export
 * marker, the last error, generation-tagged handles, the live-region registry that bounds
 * every buffer argument, and CHECK. */
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

/* The last error belongs to the last call (SQLite's sqlite3_errmsg): every entry point
 * calls api_enter() first, which clears it, and every failure leaves its own reason. */
void api_enter(void);
/* sets the reason (printf-style) and returns status */
int api_fail(int status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* names the input a failure is about (a call's own numbering, 0 for none) */
void api_blame(int input);
/* status, leaving gp_strerror(status) as the reason unless a deeper check set one */
int api_status(int status);
/* the buffer api_fail writes, for the core's functions that take (char *err, size_t len) */
char *api_error_buffer(void);
size_t api_error_size(void);

/* GP_OK if [p, p + n floats) lies inside one live region */
int api_check_floats(const float *p, int64_t n);
/* the failure for handle h that names no live object of its kind (GP_ERR_NULL for 0) */
int api_dead_handle(int h, const char *kind);
/* live random streams and arenas at once, each */
enum { API_MAX_HANDLES = 64 };

/* The statuses (api.h) by name, with what gp_strerror says of each: the schema's list. */
typedef struct {
  int code;
  const char *name, *text;
} api_status_name;
const api_status_name *api_statuses(int *count);

/* A failed check returns its status with a reason (the check's own, or the status's). */
#define CHECK(expr)                          \
  do {                                       \
    int status_ = (expr);                    \
    if (status_) return api_status(status_); \
  } while (0)

/* Handles are generation-tagged: slot + 1 in the low HANDLE_SLOT_BITS, the slot's
 * generation above. Destroying bumps the generation, so an old handle never names the
 * object that later reuses its slot; a handle stays positive and fits an int. */
enum { HANDLE_SLOT_BITS = 8, HANDLE_GEN_MASK = 0x7fffff };
static inline int handle_make(int slot, uint32_t gen) {
  return (int)(((gen & HANDLE_GEN_MASK) << HANDLE_SLOT_BITS) | (uint32_t)(slot + 1));
}
/* the slot h names in a table of n with these generations, or -1 (live-ness is the
 * caller's to check: the slot may be empty) */
static inline int handle_slot(int h, const uint32_t *gens, int n) {
  if (h <= 0) return -1;
  const int slot = (h & ((1 << HANDLE_SLOT_BITS) - 1)) - 1;
  if (slot < 0 || slot >= n) return -1;
  return ((uint32_t)h >> HANDLE_SLOT_BITS) == (gens[slot] & HANDLE_GEN_MASK) ? slot : -1;
}

/* Who handed a region out: only its owner's release call may remove it (gp_free must
 * not free an arena through its first carve). */
enum { REGION_FLOATS, REGION_BYTES, REGION_ARENA };
int api_region_add(const void *p, size_t bytes, int owner);
int api_region_remove(const void *p, int owner);
/* GP_OK if [p, p + bytes) lies inside one live region, else GP_ERR_NULL/OVERFLOW/BOUNDS */
int api_check_bytes(const void *p, int64_t bytes);

#endif
