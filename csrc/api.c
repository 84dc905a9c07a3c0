/* api.c - the flat C ABI for JavaScript (see api.h): statuses and the last error, the live-region registry every buffer argument is checked against, buffers, random streams. The kernels one by one are in api_kernels.c (test build), the GAN in api_gan.c. */
#include "api.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "api_internal.h"
#include "nn/nn.h"
#include "nn/parallel.h"

#define GP_VERSION 1

static const api_status_name STATUSES[] = {
    {GP_OK, "OK", "ok"},
    {GP_ERR_NULL, "ERR_NULL", "a required pointer or handle is null"},
    {GP_ERR_SIZE, "ERR_SIZE", "a size is zero, negative or out of range"},
    {GP_ERR_OVERFLOW, "ERR_OVERFLOW", "the sizes given overflow the address space"},
    {GP_ERR_SHAPE, "ERR_SHAPE", "impossible geometry: the kernel does not fit the padded input"},
    {GP_ERR_BOUNDS, "ERR_BOUNDS", "a buffer is not a live allocation or is too small for the sizes given"},
    {GP_ERR_NOMEM, "ERR_NOMEM", "out of memory"},
    {GP_ERR_HANDLE, "ERR_HANDLE", "not a live handle"},
    {GP_ERR_ARG, "ERR_ARG", "an option is outside its allowed values"},
    {GP_ERR_NONFINITE, "ERR_NONFINITE", "training stopped on non-finite updates"},
};

const api_status_name *api_statuses(int *count) {
  *count = sizeof STATUSES / sizeof STATUSES[0];
  return STATUSES;
}

GP_API const char *gp_strerror(int status) {
  for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++)
    if (STATUSES[i].code == status) return STATUSES[i].text;
  return "unknown status";
}

GP_API int gp_version(void) { return GP_VERSION; }

/* ---- threads ---- */

GP_API int gp_threads_set(int threads) {
  api_enter();
  if (threads < 1 || threads > PAR_MAX_THREADS)
    return api_fail(GP_ERR_ARG, "threads must be 1..%d, not %d", PAR_MAX_THREADS, threads);
  if (!par_supported() && threads > 1)
    return api_fail(GP_ERR_ARG, "this is the single-threaded build of the core: %d threads asked", threads);
  if (par_capacity() > 1 && threads > par_capacity())
    return api_fail(GP_ERR_ARG, "the pool was started with %d threads: %d asked (load the core again to use more)",
                    par_capacity(), threads);
  if (sgemm_set_threads(threads)) return api_fail(GP_ERR_NOMEM, "cannot start %d threads", threads);
  return GP_OK;
}

GP_API int gp_threads(void) { return par_threads(); }
GP_API int gp_threads_supported(void) { return par_supported(); }

/* ---- the last error: the reason of the last call's failure, "" after a success ---- */

static char last_error[256] = "";
static int last_input; /* which input the failure blames (api_blame), 0 for none */

void api_enter(void) {
  last_error[0] = '\0';
  last_input = 0;
}

void api_blame(int input) { last_input = input; }

int api_fail(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return status;
}

int api_status(int status) {
  if (status < 0 && !last_error[0]) api_fail(status, "%s", gp_strerror(status));
  return status;
}

char *api_error_buffer(void) { return last_error; }
size_t api_error_size(void) { return sizeof last_error; }

GP_API const char *gp_last_error(void) { return last_error; }
GP_API int gp_last_error_input(void) { return last_input; }

/* ---- live regions: every buffer the API hands out, so kernels can check extents ---- */

enum { MAX_REGIONS = 4096 };
static struct {
  uintptr_t lo, hi;
  int owner;
} regions[MAX_REGIONS];
static int n_regions;

int api_region_add(const void *p, size_t bytes, int owner) {
  if (n_regions == MAX_REGIONS) return GP_ERR_NOMEM;
  regions[n_regions].lo = (uintptr_t)p;
  regions[n_regions].hi = (uintptr_t)p + bytes;
  regions[n_regions].owner = owner;
  n_regions++;
  return GP_OK;
}

int api_region_remove(const void *p, int owner) {
  for (int i = 0; i < n_regions; i++)
    if (regions[i].lo == (uintptr_t)p && regions[i].owner == owner) {
      regions[i] = regions[--n_regions];
      return GP_OK;
    }
  return GP_ERR_BOUNDS;
}

int api_check_bytes(const void *p, int64_t bytes) {
  if (!p) return GP_ERR_NULL;
  if (bytes <= 0 || bytes > MAX_FLOATS * (int64_t)sizeof(float)) return GP_ERR_OVERFLOW;
  uintptr_t lo = (uintptr_t)p;
  for (int i = 0; i < n_regions; i++)
    if (lo >= regions[i].lo && lo < regions[i].hi)
      return (uint64_t)(regions[i].hi - lo) >= (uint64_t)bytes ? GP_OK : GP_ERR_BOUNDS;
  return GP_ERR_BOUNDS;
}

/* GP_OK if [p, p + n floats) lies inside one live region. */
int api_check_floats(const float *p, int64_t n) {
  if (n <= 0 || n > MAX_FLOATS) return p ? GP_ERR_OVERFLOW : GP_ERR_NULL;
  return api_check_bytes(p, n * (int64_t)sizeof(float));
}

GP_API float *gp_alloc(int n_floats) {
  api_enter();
  if (n_floats <= 0 || n_floats > MAX_FLOATS) {
    api_fail(GP_ERR_SIZE, "%d floats is out of 1..2^28", n_floats);
    return NULL;
  }
  float *p = aligned_alloc(16, ((size_t)n_floats * sizeof(float) + 15) & ~(size_t)15);
  if (!p) {
    api_fail(GP_ERR_NOMEM, "out of memory for %d floats", n_floats);
    return NULL;
  }
  for (int i = 0; i < n_floats; i++) p[i] = 0.0f;
  if (api_region_add(p, (size_t)n_floats * sizeof(float), REGION_FLOATS)) {
    free(p);
    api_fail(GP_ERR_NOMEM, "too many live buffers");
    return NULL;
  }
  return p;
}

GP_API int gp_free(float *p) {
  api_enter();
  if (!p) return api_fail(GP_ERR_NULL, "null pointer");
  if (api_region_remove(p, REGION_FLOATS)) return api_fail(GP_ERR_BOUNDS, "not a live buffer from gp_alloc");
  free(p);
  return GP_OK;
}

/* ---- handles ---- */

static rng *rngs[API_MAX_HANDLES];
static uint32_t rng_gens[API_MAX_HANDLES]; /* handle_make */

static rng *rng_of(int h) {
  const int i = handle_slot(h, rng_gens, API_MAX_HANDLES);
  return i >= 0 ? rngs[i] : NULL;
}
int api_dead_handle(int h, const char *kind) {
  return h == 0 ? api_fail(GP_ERR_NULL, "no %s handle (0)", kind)
                : api_fail(GP_ERR_HANDLE, "not a live %s handle (never made, or destroyed)", kind);
}

GP_API int gp_rng_create(uint32_t seed_lo, uint32_t seed_hi) {
  api_enter();
  for (int i = 0; i < API_MAX_HANDLES; i++)
    if (!rngs[i]) {
      rngs[i] = malloc(sizeof(rng));
      if (!rngs[i]) return api_fail(GP_ERR_NOMEM, "out of memory for a random stream");
      rng_seed(rngs[i], ((uint64_t)seed_hi << 32) | seed_lo, 0);
      return handle_make(i, rng_gens[i]);
    }
  return api_fail(GP_ERR_NOMEM, "too many live random streams (%d)", API_MAX_HANDLES);
}

static int rng_fill_check(int h, const float *out, int n, rng **r) {
  *r = rng_of(h);
  if (!*r) return api_dead_handle(h, "random stream");
  if (n <= 0) return GP_ERR_SIZE;
  return api_check_floats(out, n);
}

GP_API int gp_rng_normal(int h, float *out, int n, float mean, float std) {
  api_enter();
  rng *r;
  CHECK(rng_fill_check(h, out, n, &r));
  rng_fill_normal(r, out, n, mean, std);
  return GP_OK;
}

GP_API int gp_rng_uniform(int h, float *out, int n, float lo, float hi) {
  api_enter();
  rng *r;
  CHECK(rng_fill_check(h, out, n, &r));
  rng_fill_uniform(r, out, n, lo, hi);
  return GP_OK;
}

GP_API int gp_rng_destroy(int h) {
  api_enter();
  rng *r = rng_of(h);
  if (!r) return api_dead_handle(h, "random stream");
  const int i = handle_slot(h, rng_gens, API_MAX_HANDLES);
  free(r);
  rngs[i] = NULL;
  rng_gens[i]++;
  return GP_OK;
}
