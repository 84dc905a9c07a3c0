/* conv2d.c - convolution as im2col + sgemm, and its direct reference. */
#include "conv2d.h"

#include "sgemm.h"
#include "simd.h"

void bias_forward(float *y, const float *b, int rows, int OC) {
  for (int r = 0; r < rows; r++, y += OC) {
    int c = 0;
    for (; c + 4 <= OC; c += 4)
      wasm_v128_store(y + c, wasm_f32x4_add(wasm_v128_load(y + c), wasm_v128_load(b + c)));
    for (; c < OC; c++) y[c] += b[c];
  }
}

void bias_backward(float *db, const float *dy, int rows, int OC) {
  for (int r = 0; r < rows; r++, dy += OC) {
    int c = 0;
    for (; c + 4 <= OC; c += 4)
      wasm_v128_store(db + c, wasm_f32x4_add(wasm_v128_load(db + c), wasm_v128_load(dy + c)));
    for (; c < OC; c++) db[c] += dy[c];
  }
}

/* All three passes are implicit GEMMs (sgemm_lowered): no col buffer is built. */

void conv2d_forward(float *y, const float *x, const float *w, const float *b,
                    const conv_shape *s, int OC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  im2col_view v = {s, x, NULL};
  sgemm_lowering l = {im2col_pack_rows, &v, NULL, NULL, 0};
  sgemm_lowered(&l, 0, M, OC, K, w, OC, b, 0.0f, y, OC);
}

void conv2d_backward_data(float *dx, const float *dy, const float *w, const conv_shape *s,
                          int OC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  sgemm_matrix_a a = {0, OC, dy};
  im2col_view v = {s, NULL, dx};
  sgemm_lowering l = {sgemm_pack_matrix_a, &a, col2im_store, &v, s->OH * s->OW};
  sgemm_lowered(&l, 1, M, K, OC, w, OC, NULL, 0.0f, NULL, 0);
}

void conv2d_backward_weights(float *dw, const float *dy, const float *x, const conv_shape *s,
                             int OC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  im2col_view v = {s, x, NULL};
  sgemm_lowering l = {im2col_pack_cols, &v, NULL, NULL, 0};
  sgemm_lowered(&l, 0, K, OC, M, dy, OC, NULL, 1.0f, dw, OC);
}

/* The reference visits every (output pixel, kernel tap) pair that lands inside the input
 * and hands the input pixel index and weight row to the operation. */
#define FOR_EACH_TAP(s, BODY)                                                         \
  for (int n = 0; n < (s)->N; n++)                                                    \
    for (int oh = 0; oh < (s)->OH; oh++)                                              \
      for (int ow = 0; ow < (s)->OW; ow++)                                            \
        for (int kh = 0; kh < (s)->KH; kh++)                                          \
          for (int kw = 0; kw < (s)->KW; kw++) {                                      \
            int ih = oh * (s)->S - (s)->P + kh, iw = ow * (s)->S - (s)->P + kw;       \
            if (ih < 0 || ih >= (s)->H || iw < 0 || iw >= (s)->W) continue;           \
            size_t opix = ((size_t)n * (s)->OH + oh) * (s)->OW + ow;                  \
            size_t ipix = ((size_t)n * (s)->H + ih) * (s)->W + iw;                    \
            size_t wrow = ((size_t)kh * (s)->KW + kw) * (s)->C;                       \
            BODY                                                                      \
          }

void conv2d_forward_ref(float *y, const float *x, const float *w, const float *b,
                        const conv_shape *s, int OC) {
  const size_t rows = (size_t)s->N * s->OH * s->OW;
  for (size_t r = 0; r < rows; r++)
    for (int oc = 0; oc < OC; oc++) y[r * OC + oc] = b ? b[oc] : 0.0f;
  FOR_EACH_TAP(s, {
    for (int c = 0; c < s->C; c++)
      for (int oc = 0; oc < OC; oc++)
        y[opix * OC + oc] += x[ipix * s->C + c] * w[(wrow + c) * OC + oc];
  })
}

void conv2d_backward_data_ref(float *dx, const float *dy, const float *w, const conv_shape *s,
                              int OC) {
  FOR_EACH_TAP(s, {
    for (int c = 0; c < s->C; c++)
      for (int oc = 0; oc < OC; oc++)
        dx[ipix * s->C + c] += dy[opix * OC + oc] * w[(wrow + c) * OC + oc];
  })
}

void conv2d_backward_weights_ref(float *dw, const float *dy, const float *x,
                                 const conv_shape *s, int OC) {
  FOR_EACH_TAP(s, {
    for (int c = 0; c < s->C; c++)
      for (int oc = 0; oc < OC; oc++)
        dw[(wrow + c) * OC + oc] += x[ipix * s->C + c] * dy[opix * OC + oc];
  })
}

/* The transposed convolution's references reuse the same tap walk with x and y swapped:
 * y-space is the walk's input side, x-space its output side. */
#include "conv_transpose2d.h"

void conv_transpose2d_forward_ref(float *y, const float *x, const float *w, const float *b,
                                  const conv_shape *s, int IC) {
  const size_t pixels = (size_t)s->N * s->H * s->W;
  for (size_t p = 0; p < pixels; p++)
    for (int c = 0; c < s->C; c++) y[p * s->C + c] = b ? b[c] : 0.0f;
  FOR_EACH_TAP(s, {
    for (int c = 0; c < s->C; c++)
      for (int ic = 0; ic < IC; ic++)
        y[ipix * s->C + c] += x[opix * IC + ic] * w[(wrow + c) * IC + ic];
  })
}

void conv_transpose2d_backward_data_ref(float *dx, const float *dy, const float *w,
                                        const conv_shape *s, int IC) {
  FOR_EACH_TAP(s, {
    for (int c = 0; c < s->C; c++)
      for (int ic = 0; ic < IC; ic++)
        dx[opix * IC + ic] += dy[ipix * s->C + c] * w[(wrow + c) * IC + ic];
  })
}

void conv_transpose2d_backward_weights_ref(float *dw, const float *dy, const float *x,
                                           const conv_shape *s, int IC) {
  FOR_EACH_TAP(s, {
    for (int c = 0; c < s->C; c++)
      for (int ic = 0; ic < IC; ic++)
        dw[(wrow + c) * IC + ic] += dy[ipix * s->C + c] * x[opix * IC + ic];
  })
}
