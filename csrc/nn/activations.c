/* activations.c - SIMD128 bodies with scalar tails, and their scalar references.
 * tanh and sigmoid forward stay scalar (libm): they are a small share of a step. */
#include "activations.h"

#include <math.h>

#include "simd.h"

float sigmoidf_stable(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

void relu_forward(float *y, const float *x, int n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_max(wasm_v128_load(x + i), zero));
  relu_forward_ref(y + i, x + i, n - i);
}

void relu_backward(float *dx, const float *dy, const float *y, int n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t pass = wasm_f32x4_gt(wasm_v128_load(y + i), zero);
    v128_t g = wasm_v128_and(wasm_v128_load(dy + i), pass);
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  relu_backward_ref(dx + i, dy + i, y + i, n - i);
}

void leaky_relu_forward(float *y, const float *x, int n, float slope) {
  const v128_t zero = wasm_f32x4_splat(0.0f), s = wasm_f32x4_splat(slope);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    wasm_v128_store(y + i, wasm_v128_bitselect(v, wasm_f32x4_mul(v, s), wasm_f32x4_gt(v, zero)));
  }
  leaky_relu_forward_ref(y + i, x + i, n - i, slope);
}

void leaky_relu_backward(float *dx, const float *dy, const float *x, int n, float slope) {
  const v128_t zero = wasm_f32x4_splat(0.0f), s = wasm_f32x4_splat(slope);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t g = wasm_v128_load(dy + i);
    g = wasm_v128_bitselect(g, wasm_f32x4_mul(g, s), wasm_f32x4_gt(wasm_v128_load(x + i), zero));
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  leaky_relu_backward_ref(dx + i, dy + i, x + i, n - i, slope);
}

void tanh_forward(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

void tanh_backward(float *dx, const float *dy, const float *y, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(y + i);
    v128_t g = wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_f32x4_sub(one, wasm_f32x4_mul(v, v)));
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  tanh_backward_ref(dx + i, dy + i, y + i, n - i);
}

void sigmoid_forward(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = sigmoidf_stable(x[i]);
}

void sigmoid_backward(float *dx, const float *dy, const float *y, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(y + i);
    v128_t g = wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_f32x4_mul(v, wasm_f32x4_sub(one, v)));
    wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
  }
  sigmoid_backward_ref(dx + i, dy + i, y + i, n - i);
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
