/* api_kernels.c - the kernels one by one through the C ABI (sgemm, the convolutions and
 * their transposes, dense, batch norm, activations, losses, optimisers) and scratch arenas:
 * what the tests and the benchmark reach the kernels by, against their scalar references.
 * Built into the test build (build/gan-full.wasm) and the native library, not into the
 * page's build/gan.wasm: the page trains through the GAN calls of api_gan.c only. */
#include <stdint.h>
#include <stdlib.h>

#include "api_internal.h"
#include "nn/nn.h"

static int positive(int64_t v) { return v > 0 ? GP_OK : GP_ERR_SIZE; }

/* product of sizes, or -1 past MAX_FLOATS */
static int64_t prod(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return -1;
  if (a != 0 && b > MAX_FLOATS / a) return -1;
  return a * b;
}
static int64_t prod3(int64_t a, int64_t b, int64_t c) {
  int64_t ab = prod(a, b);
  return ab < 0 ? -1 : prod(ab, c);
}
static int fits(int64_t n) { return n < 0 ? GP_ERR_OVERFLOW : GP_OK; }

/* ---- scratch arenas ---- */

static arena arenas[API_MAX_HANDLES];
static uint32_t arena_gens[API_MAX_HANDLES]; /* handle_make */

static arena *arena_of(int h) {
  const int i = handle_slot(h, arena_gens, API_MAX_HANDLES);
  return i >= 0 && arenas[i].base ? &arenas[i] : NULL;
}

GP_API int gp_arena_create(double bytes) {
  api_enter();
  if (!(bytes >= 1.0) || bytes > (double)MAX_FLOATS * sizeof(float))
    return api_fail(GP_ERR_SIZE, "arena size out of 1 byte..1 GiB");
  for (int i = 0; i < API_MAX_HANDLES; i++)
    if (!arenas[i].base) {
      if (arena_init(&arenas[i], (size_t)bytes)) return api_fail(GP_ERR_NOMEM, "out of memory for the arena");
      if (api_region_add(arenas[i].base, arenas[i].cap, REGION_ARENA)) {
        arena_free(&arenas[i]);
        return api_fail(GP_ERR_NOMEM, "too many live buffers");
      }
      return handle_make(i, arena_gens[i]);
    }
  return api_fail(GP_ERR_NOMEM, "too many live arenas (%d)", API_MAX_HANDLES);
}

GP_API float *gp_arena_floats(int h, int n_floats) {
  api_enter();
  arena *a = arena_of(h);
  if (!a) {
    api_dead_handle(h, "arena");
    return NULL;
  }
  float *p = n_floats > 0 ? arena_floats(a, (size_t)n_floats) : NULL;
  if (!p) api_fail(GP_ERR_SIZE, "%d floats do not fit what is left of the arena", n_floats);
  return p;
}

GP_API double gp_arena_left(int h) {
  api_enter();
  arena *a = arena_of(h);
  return a ? (double)arena_left(a) : (double)api_dead_handle(h, "arena");
}

GP_API int gp_arena_destroy(int h) {
  api_enter();
  arena *a = arena_of(h);
  if (!a) return api_dead_handle(h, "arena");
  api_region_remove(a->base, REGION_ARENA);
  arena_free(a);
  arena_gens[a - arenas]++;
  return GP_OK;
}

/* ---- kernels ---- */

static int check_impl(int impl) { return impl == GP_FAST || impl == GP_REF ? GP_OK : GP_ERR_ARG; }

/* A row-major matrix of `rows` x `cols` with row stride ld needs (rows-1)*ld + cols floats. */
static int check_mat(const float *p, int rows, int cols, int ld) {
  if (ld < cols) return GP_ERR_SIZE;
  int64_t span = prod(rows - 1, ld);
  if (span < 0 || span + cols > MAX_FLOATS) return GP_ERR_OVERFLOW;
  return api_check_floats(p, span + cols);
}

GP_API int gp_sgemm(int impl, int ta, int tb, int M, int N, int K, const float *A, int lda,
                    const float *B, int ldb, float beta, float *C, int ldc) {
  api_enter();
  CHECK(check_impl(impl));
  if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1)) return api_fail(GP_ERR_ARG, "ta and tb must be 0 or 1");
  CHECK(positive(M));
  CHECK(positive(N));
  CHECK(positive(K));
  CHECK(check_mat(A, ta ? K : M, ta ? M : K, lda));
  CHECK(check_mat(B, tb ? N : K, tb ? K : N, ldb));
  CHECK(check_mat(C, M, N, ldc));
  (impl == GP_FAST ? sgemm : sgemm_ref)(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
  return GP_OK;
}

GP_API int gp_conv_out_size(int in, int k, int s, int p) {
  api_enter();
  if (in <= 0 || k <= 0 || s <= 0 || p < 0 || in > (1 << 20) || k > (1 << 20) || p > (1 << 20))
    return api_status(GP_ERR_SIZE);
  if (in + 2 * p < k) return api_status(GP_ERR_SHAPE);
  return (in + 2 * p - k) / s + 1;
}

/* Validates a geometry and fills s. Besides the positive sizes, every tensor the conv
 * touches must have a float count that fits. */
static int shape_of(conv_shape *s, int N, int H, int W, int C, int KH, int KW, int S, int P) {
  CHECK(positive(N));
  CHECK(positive(C));
  int oh = gp_conv_out_size(H, KH, S, P), ow = gp_conv_out_size(W, KW, S, P);
  if (oh < 0) return oh;
  if (ow < 0) return ow;
  CHECK(fits(prod3(N, prod(H, W), C)));
  CHECK(fits(prod3(N, prod(oh, ow), prod3(KH, KW, C))));
  conv_shape_init(s, N, H, W, C, KH, KW, S, P);
  return GP_OK;
}

GP_API int gp_conv_col_floats(int N, int H, int W, int C, int KH, int KW, int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(shape_of(&s, N, H, W, C, KH, KW, S, P));
  return (int)conv_col_size(&s);
}

static int64_t in_floats(const conv_shape *s) { return (int64_t)s->N * s->H * s->W * s->C; }
static int64_t out_pixels(const conv_shape *s) { return (int64_t)s->N * s->OH * s->OW; }
static int64_t w_rows(const conv_shape *s) { return (int64_t)s->KH * s->KW * s->C; }

GP_API int gp_im2col(float *col, const float *x, int N, int H, int W, int C, int KH, int KW,
                     int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(shape_of(&s, N, H, W, C, KH, KW, S, P));
  CHECK(api_check_floats(col, (int64_t)conv_col_size(&s)));
  CHECK(api_check_floats(x, in_floats(&s)));
  im2col(col, x, &s);
  return GP_OK;
}

GP_API int gp_col2im(float *dx, const float *col, int N, int H, int W, int C, int KH, int KW,
                     int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(shape_of(&s, N, H, W, C, KH, KW, S, P));
  CHECK(api_check_floats(col, (int64_t)conv_col_size(&s)));
  CHECK(api_check_floats(dx, in_floats(&s)));
  col2im(dx, col, &s);
  return GP_OK;
}

/* The checks shared by all six conv passes. `chans` is OC for conv2d, IC for the
 * transposed one: the channel count of the convolution's output side. */
static int conv_args(conv_shape *s, int impl, int N, int H, int W, int C, int chans, int KH,
                     int KW, int S, int P) {
  CHECK(check_impl(impl));
  CHECK(positive(chans));
  CHECK(shape_of(s, N, H, W, C, KH, KW, S, P));
  CHECK(fits(prod(out_pixels(s), chans)));
  return fits(prod(w_rows(s), chans));
}

GP_API int gp_conv2d_forward(int impl, float *y, const float *x, const float *w,
                             const float *b, int N, int H, int W, int C, int OC, int KH, int KW,
                             int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(conv_args(&s, impl, N, H, W, C, OC, KH, KW, S, P));
  CHECK(api_check_floats(y, out_pixels(&s) * OC));
  CHECK(api_check_floats(x, in_floats(&s)));
  CHECK(api_check_floats(w, w_rows(&s) * OC));
  if (b) CHECK(api_check_floats(b, OC));
  if (impl == GP_FAST) conv2d_forward(y, x, w, b, &s, OC);
  else conv2d_forward_ref(y, x, w, b, &s, OC);
  return GP_OK;
}

GP_API int gp_conv2d_backward_data(int impl, float *dx, const float *dy,
                                   const float *w, int N, int H, int W, int C, int OC, int KH,
                                   int KW, int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(conv_args(&s, impl, N, H, W, C, OC, KH, KW, S, P));
  CHECK(api_check_floats(dx, in_floats(&s)));
  CHECK(api_check_floats(dy, out_pixels(&s) * OC));
  CHECK(api_check_floats(w, w_rows(&s) * OC));
  if (impl == GP_FAST) conv2d_backward_data(dx, dy, w, &s, OC);
  else conv2d_backward_data_ref(dx, dy, w, &s, OC);
  return GP_OK;
}

GP_API int gp_conv2d_backward_weights(int impl, float *dw, const float *dy,
                                      const float *x, int N, int H, int W, int C, int OC,
                                      int KH, int KW, int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(conv_args(&s, impl, N, H, W, C, OC, KH, KW, S, P));
  CHECK(api_check_floats(dw, w_rows(&s) * OC));
  CHECK(api_check_floats(dy, out_pixels(&s) * OC));
  CHECK(api_check_floats(x, in_floats(&s)));
  if (impl == GP_FAST) conv2d_backward_weights(dw, dy, x, &s, OC);
  else conv2d_backward_weights_ref(dw, dy, x, &s, OC);
  return GP_OK;
}

GP_API int gp_conv_transpose2d_forward(int impl, float *y, const float *x,
                                       const float *w, const float *b, int N, int H, int W,
                                       int C, int IC, int KH, int KW, int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(conv_args(&s, impl, N, H, W, C, IC, KH, KW, S, P));
  CHECK(api_check_floats(y, in_floats(&s)));
  CHECK(api_check_floats(x, out_pixels(&s) * IC));
  CHECK(api_check_floats(w, w_rows(&s) * IC));
  if (b) CHECK(api_check_floats(b, C));
  if (impl == GP_FAST) conv_transpose2d_forward(y, x, w, b, &s, IC);
  else conv_transpose2d_forward_ref(y, x, w, b, &s, IC);
  return GP_OK;
}

GP_API int gp_conv_transpose2d_backward_data(int impl, float *dx, const float *dy,
                                             const float *w, int N, int H, int W, int C, int IC,
                                             int KH, int KW, int S, int P) {
  api_enter();
  conv_shape s;
  CHECK(conv_args(&s, impl, N, H, W, C, IC, KH, KW, S, P));
  CHECK(api_check_floats(dx, out_pixels(&s) * IC));
  CHECK(api_check_floats(dy, in_floats(&s)));
  CHECK(api_check_floats(w, w_rows(&s) * IC));
  if (impl == GP_FAST) conv_transpose2d_backward_data(dx, dy, w, &s, IC);
  else conv_transpose2d_backward_data_ref(dx, dy, w, &s, IC);
  return GP_OK;
}

GP_API int gp_conv_transpose2d_backward_weights(int impl, float *dw, const float *dy, const float *x, int N, int H,
                                                int W, int C, int IC, int KH, int KW, int S,
                                                int P) {
  api_enter();
  conv_shape s;
  CHECK(conv_args(&s, impl, N, H, W, C, IC, KH, KW, S, P));
  CHECK(api_check_floats(dw, w_rows(&s) * IC));
  CHECK(api_check_floats(dy, in_floats(&s)));
  CHECK(api_check_floats(x, out_pixels(&s) * IC));
  if (impl == GP_FAST) conv_transpose2d_backward_weights(dw, dy, x, &s, IC);
  else conv_transpose2d_backward_weights_ref(dw, dy, x, &s, IC);
  return GP_OK;
}

GP_API int gp_bias_backward(float *db, const float *dy, int rows, int C) {
  api_enter();
  CHECK(positive(rows));
  CHECK(positive(C));
  CHECK(fits(prod(rows, C)));
  CHECK(api_check_floats(db, C));
  CHECK(api_check_floats(dy, (int64_t)rows * C));
  bias_backward(db, dy, rows, C);
  return GP_OK;
}

static int dense_args(int impl, int N, int I, int O) {
  CHECK(check_impl(impl));
  CHECK(positive(N));
  CHECK(positive(I));
  CHECK(positive(O));
  CHECK(fits(prod(N, I)));
  CHECK(fits(prod(N, O)));
  return fits(prod(I, O));
}

GP_API int gp_dense_forward(int impl, float *y, const float *x, const float *w, const float *b,
                            int N, int I, int O) {
  api_enter();
  CHECK(dense_args(impl, N, I, O));
  CHECK(api_check_floats(y, (int64_t)N * O));
  CHECK(api_check_floats(x, (int64_t)N * I));
  CHECK(api_check_floats(w, (int64_t)I * O));
  if (b) CHECK(api_check_floats(b, O));
  (impl == GP_FAST ? dense_forward : dense_forward_ref)(y, x, w, b, N, I, O);
  return GP_OK;
}

GP_API int gp_dense_backward(int impl, float *dx, float *dw, float *db, const float *dy,
                             const float *x, const float *w, int N, int I, int O) {
  api_enter();
  CHECK(dense_args(impl, N, I, O));
  if (!dx && !dw && !db) return api_fail(GP_ERR_NULL, "dx, dw and db are all null");
  CHECK(api_check_floats(dy, (int64_t)N * O));
  if (dx) {
    CHECK(api_check_floats(dx, (int64_t)N * I));
    CHECK(api_check_floats(w, (int64_t)I * O));
  }
  if (dw) {
    CHECK(api_check_floats(dw, (int64_t)I * O));
    CHECK(api_check_floats(x, (int64_t)N * I));
  }
  if (db) CHECK(api_check_floats(db, O));
  (impl == GP_FAST ? dense_backward : dense_backward_ref)(dx, dw, db, dy, x, w, N, I, O);
  return GP_OK;
}

static int bn_args(int rows, int C) {
  CHECK(positive(rows));
  CHECK(positive(C));
  if (C > BATCHNORM_MAX_C) return GP_ERR_SIZE;
  return fits(prod(rows, C));
}

GP_API int gp_batchnorm_forward_train(float *y, float *xhat, float *mean, float *invstd,
                                      float *run_mean, float *run_var, const float *x,
                                      const float *gamma, const float *beta, int rows, int C,
                                      float momentum, float eps) {
  api_enter();
  CHECK(bn_args(rows, C));
  if (!(momentum >= 0.0f && momentum <= 1.0f) || !(eps > 0.0f))
    return api_fail(GP_ERR_ARG, "momentum must be in [0, 1] and eps > 0");
  const int64_t n = (int64_t)rows * C;
  CHECK(api_check_floats(y, n));
  CHECK(api_check_floats(xhat, n));
  CHECK(api_check_floats(x, n));
  const float *per_c[] = {mean, invstd, run_mean, run_var, gamma, beta};
  for (int i = 0; i < 6; i++) CHECK(api_check_floats(per_c[i], C));
  batchnorm_forward_train(y, xhat, mean, invstd, run_mean, run_var, x, gamma, beta, rows, C,
                          momentum, eps);
  return GP_OK;
}

GP_API int gp_batchnorm_forward_infer(float *y, const float *x, const float *gamma,
                                      const float *beta, const float *run_mean,
                                      const float *run_var, int rows, int C, float eps) {
  api_enter();
  CHECK(bn_args(rows, C));
  if (!(eps > 0.0f)) return api_fail(GP_ERR_ARG, "eps must be > 0");
  CHECK(api_check_floats(y, (int64_t)rows * C));
  CHECK(api_check_floats(x, (int64_t)rows * C));
  const float *per_c[] = {gamma, beta, run_mean, run_var};
  for (int i = 0; i < 4; i++) CHECK(api_check_floats(per_c[i], C));
  batchnorm_forward_infer(y, x, gamma, beta, run_mean, run_var, rows, C, eps);
  return GP_OK;
}

GP_API int gp_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                                 const float *xhat, const float *gamma, const float *invstd,
                                 int rows, int C) {
  api_enter();
  CHECK(bn_args(rows, C));
  const int64_t n = (int64_t)rows * C;
  CHECK(api_check_floats(dx, n));
  CHECK(api_check_floats(dy, n));
  CHECK(api_check_floats(xhat, n));
  const float *per_c[] = {dgamma, dbeta, gamma, invstd};
  for (int i = 0; i < 4; i++) CHECK(api_check_floats(per_c[i], C));
  batchnorm_backward(dx, dgamma, dbeta, dy, xhat, gamma, invstd, rows, C);
  return GP_OK;
}

static int elementwise_args(int impl, int kind, int n) {
  CHECK(check_impl(impl));
  if (kind < GP_RELU || kind > GP_SIGMOID) return GP_ERR_ARG;
  return positive(n);
}

GP_API int gp_activation_forward(int impl, int kind, float *y, const float *x, int n, float slope) {
  api_enter();
  CHECK(elementwise_args(impl, kind, n));
  CHECK(api_check_floats(y, n));
  CHECK(api_check_floats(x, n));
  const int ref = impl == GP_REF;
  switch (kind) {
    case GP_RELU: (ref ? relu_forward_ref : relu_forward)(y, x, n); break;
    case GP_LEAKY_RELU: (ref ? leaky_relu_forward_ref : leaky_relu_forward)(y, x, n, slope); break;
    case GP_TANH: tanh_forward(y, x, n); break;
    default: sigmoid_forward(y, x, n); break;
  }
  return GP_OK;
}

GP_API int gp_activation_backward(int impl, int kind, float *dx, const float *dy, const float *xy,
                                  int n, float slope) {
  api_enter();
  CHECK(elementwise_args(impl, kind, n));
  CHECK(api_check_floats(dx, n));
  CHECK(api_check_floats(dy, n));
  CHECK(api_check_floats(xy, n));
  const int ref = impl == GP_REF;
  switch (kind) {
    case GP_RELU: (ref ? relu_backward_ref : relu_backward)(dx, dy, xy, n); break;
    case GP_LEAKY_RELU:
      (ref ? leaky_relu_backward_ref : leaky_relu_backward)(dx, dy, xy, n, slope);
      break;
    case GP_TANH: (ref ? tanh_backward_ref : tanh_backward)(dx, dy, xy, n); break;
    default: (ref ? sigmoid_backward_ref : sigmoid_backward)(dx, dy, xy, n); break;
  }
  return GP_OK;
}

static int pair_args(const float *out, const float *a, const float *b, int n) {
  CHECK(positive(n));
  CHECK(api_check_floats(out, n));
  CHECK(api_check_floats(a, n));
  return api_check_floats(b, n);
}

GP_API int gp_bce_with_logits(float *loss, const float *z, const float *t, int n) {
  api_enter();
  CHECK(api_check_floats(loss, 1));
  CHECK(pair_args(z, z, t, n));
  *loss = bce_with_logits_forward(z, t, n);
  return GP_OK;
}

GP_API int gp_bce_with_logits_backward(float *dz, const float *z, const float *t, int n, float scale) {
  api_enter();
  CHECK(pair_args(dz, z, t, n));
  bce_with_logits_backward(dz, z, t, n, scale);
  return GP_OK;
}

GP_API int gp_mse(float *loss, const float *p, const float *t, int n) {
  api_enter();
  CHECK(api_check_floats(loss, 1));
  CHECK(pair_args(p, p, t, n));
  *loss = mse_forward(p, t, n);
  return GP_OK;
}

GP_API int gp_mse_backward(float *dp, const float *p, const float *t, int n, float scale) {
  api_enter();
  CHECK(pair_args(dp, p, t, n));
  mse_backward(dp, p, t, n, scale);
  return GP_OK;
}

GP_API int gp_adam_update(float *p, const float *g, float *m, float *v, int n, float lr,
                          float beta1, float beta2, float eps, int t) {
  api_enter();
  CHECK(pair_args(p, g, m, n));
  CHECK(api_check_floats(v, n));
  if (t < 1 || !(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f) ||
      !(eps > 0.0f) || !(lr >= 0.0f))
    return api_fail(GP_ERR_ARG, "needs t >= 1, betas in [0, 1), eps > 0, lr >= 0");
  adam_update(p, g, m, v, n, lr, beta1, beta2, eps, t);
  return GP_OK;
}

GP_API int gp_sgd_update(float *p, const float *g, int n, float lr) {
  api_enter();
  CHECK(pair_args(p, g, g, n));
  if (!(lr >= 0.0f)) return api_fail(GP_ERR_ARG, "lr must be >= 0");
  sgd_update(p, g, n, lr);
  return GP_OK;
}

