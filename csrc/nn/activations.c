/* activations.c - SIMD128 bodies with scalar tails, and their scalar references.
 * tanh and sigmoid forward stay scalar (libm): they are a small share of a step. */
#include "activations.h"

#include <math.h>

#include "parallel.h"
#include "simd.h"

/* Each kernel's body (NAME_run) works on any run of elements; the entry points share the
 * elements among the threads in runs of whole vectors, which gives the same values as one
 * run. */
enum { SHARE_MIN = 1 << 14 }; /* elements below which one thread does it all */

/* What the entry points hand to par_range: a body and its arguments. A forward body reads
 * one input (x), a backward body two (dy and x or y); the leaky ReLU's also a slope. */
typedef struct {
  void (*fwd)(float *, const float *, int);
  void (*bwd)(float *, const float *, const float *, int);
  void (*fwd_slope)(float *, const float *, int, float);
  void (*bwd_slope)(float *, const float *, const float *, int, float);
  float *out;
  const float *a, *b;
  float slope;
} ew_args;

float sigmoidf_stable(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

static void relu_forward_run(float *y, const float *x, int n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_max(wasm_v128_load(x + i), zero));
  relu_forward_ref(y + i, x + i, n - i);
}

static void relu_backward_run(float *dx, const float *dy, const float *y, int n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t pass = wasm_f32x4_gt(wasm_v128_load(y + i), zero);
    v128_t g = wasm_v128_and(wasm_v128_load(dy + i), pass);
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  relu_backward_ref(dx + i, dy + i, y + i, n - i);
}

static void leaky_relu_forward_run(float *y, const float *x, int n, float slope) {
  const v128_t zero = wasm_f32x4_splat(0.0f), s = wasm_f32x4_splat(slope);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    wasm_v128_store(y + i, wasm_v128_bitselect(v, wasm_f32x4_mul(v, s), wasm_f32x4_gt(v, zero)));
  }
  leaky_relu_forward_ref(y + i, x + i, n - i, slope);
}

static void leaky_relu_backward_run(float *dx, const float *dy, const float *x, int n, float slope) {
  const v128_t zero = wasm_f32x4_splat(0.0f), s = wasm_f32x4_splat(slope);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t g = wasm_v128_load(dy + i);
    g = wasm_v128_bitselect(g, wasm_f32x4_mul(g, s), wasm_f32x4_gt(wasm_v128_load(x + i), zero));
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  leaky_relu_backward_ref(dx + i, dy + i, x + i, n - i, slope);
}

static void tanh_forward_run(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

static void tanh_backward_run(float *dx, const float *dy, const float *y, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(y + i);
    v128_t g = wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_f32x4_sub(one, wasm_f32x4_mul(v, v)));
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  tanh_backward_ref(dx + i, dy + i, y + i, n - i);
}

static void sigmoid_forward_run(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = sigmoidf_stable(x[i]);
}

static void sigmoid_backward_run(float *dx, const float *dy, const float *y, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(y + i);
    v128_t g = wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_f32x4_mul(v, wasm_f32x4_sub(one, v)));
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  sigmoid_backward_ref(dx + i, dy + i, y + i, n - i);
}

/* The body on elements [lo, hi): the same values as on the whole run, whole vectors apart. */
static void ew_span(void *ctx, int lo, int hi) {
  const ew_args *e = ctx;
  if (e->fwd) e->fwd(e->out + lo, e->a + lo, hi - lo);
  else if (e->bwd) e->bwd(e->out + lo, e->a + lo, e->b + lo, hi - lo);
  else if (e->fwd_slope) e->fwd_slope(e->out + lo, e->a + lo, hi - lo, e->slope);
  else e->bwd_slope(e->out + lo, e->a + lo, e->b + lo, hi - lo, e->slope);
}

static void share(ew_args e, int n) { par_range(ew_span, &e, n, 4, SHARE_MIN); }

void relu_forward(float *y, const float *x, int n) { share((ew_args){.fwd = relu_forward_run, .out = y, .a = x}, n); }
void relu_backward(float *dx, const float *dy, const float *y, int n) {
  share((ew_args){.bwd = relu_backward_run, .out = dx, .a = dy, .b = y}, n);
}
void leaky_relu_forward(float *y, const float *x, int n, float slope) {
  share((ew_args){.fwd_slope = leaky_relu_forward_run, .out = y, .a = x, .slope = slope}, n);
}
void leaky_relu_backward(float *dx, const float *dy, const float *x, int n, float slope) {
  share((ew_args){.bwd_slope = leaky_relu_backward_run, .out = dx, .a = dy, .b = x, .slope = slope}, n);
}
void tanh_forward(float *y, const float *x, int n) { share((ew_args){.fwd = tanh_forward_run, .out = y, .a = x}, n); }
void tanh_backward(float *dx, const float *dy, const float *y, int n) {
  share((ew_args){.bwd = tanh_backward_run, .out = dx, .a = dy, .b = y}, n);
}
void sigmoid_forward(float *y, const float *x, int n) {
  share((ew_args){.fwd = sigmoid_forward_run, .out = y, .a = x}, n);
}
void sigmoid_backward(float *dx, const float *dy, const float *y, int n) {
  share((ew_args){.bwd = sigmoid_backward_run, .out = dx, .a = dy, .b = y}, n);
}

/* NaN passes through, as it does through the SIMD max, so a non-finite step stays visible. */
void relu_forward_ref(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = x[i] > 0.0f || isnan(x[i]) ? x[i] : 0.0f;
}
void relu_backward_ref(float *dx, const float *dy, const float *y, int n) {
  for (int i = 0; i < n; i++) dx[i] += y[i] > 0.0f ? dy[i] : 0.0f;
}
void leaky_relu_forward_ref(float *y, const float *x, int n, float slope) {
  for (int i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : x[i] * slope;
}
void leaky_relu_backward_ref(float *dx, const float *dy, const float *x, int n, float slope) {
  for (int i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : dy[i] * slope;
}
void tanh_backward_ref(float *dx, const float *dy, const float *y, int n) {
  for (int i = 0; i < n; i++) dx[i] += dy[i] * (1.0f - y[i] * y[i]);
}
void sigmoid_backward_ref(float *dx, const float *dy, const float *y, int n) {
  for (int i = 0; i < n; i++) dx[i] += dy[i] * (y[i] * (1.0f - y[i]));
}
