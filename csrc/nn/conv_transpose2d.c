/* conv_transpose2d.c - the transposed convolution as the same GEMMs in another order:
 * forward = conv2d backward-data, backward-data = conv2d forward (darknet's observation),
 * each an implicit GEMM (no col buffer).
 * Its direct references live beside conv2d's in conv2d.c, sharing the tap walk. */
#include "conv_transpose2d.h"

#include <string.h>

#include "conv2d.h"
#include "sgemm.h"

/* y[rows, C] = b broadcast over rows (zeros without a bias): the GEMM then adds into y. */
static void fill_bias(float *y, const float *b, int rows, int C) {
  const size_t n = (size_t)rows * C;
  if (!b) {
    memset(y, 0, sizeof(float) * n);
  } else if (C == 1) { /* one channel, one value: the generator's output layer */
    for (size_t i = 0; i < n; i++) y[i] = b[0];
  } else {
    for (int r = 0; r < rows; r++) memcpy(y + (size_t)r * C, b, sizeof(float) * C);
  }
}

void conv_transpose2d_forward(float *y, const float *x, const float *w, const float *b,
                              const conv_shape *s, int IC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  sgemm_matrix_a a = {0, IC, x};
  im2col_view v = {s, NULL, y};
  sgemm_lowering l = {sgemm_pack_matrix_a, &a, col2im_store, &v, s->OH * s->OW};
  fill_bias(y, b, s->N * s->H * s->W, s->C);
  sgemm_lowered(&l, 1, M, K, IC, w, IC, NULL, 0.0f, NULL, 0);
}

void conv_transpose2d_backward_data(float *dx, const float *dy, const float *w,
                                    const conv_shape *s, int IC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  im2col_view v = {s, dy, NULL};
  sgemm_lowering l = {im2col_pack_rows, &v, NULL, NULL, 0};
  sgemm_lowered(&l, 0, M, IC, K, w, IC, NULL, 1.0f, dx, IC);
}

void conv_transpose2d_backward_weights(float *dw, const float *dy, const float *x,
                                       const conv_shape *s, int IC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  im2col_view v = {s, dy, NULL};
  sgemm_lowering l = {im2col_pack_cols, &v, NULL, NULL, 0};
  sgemm_lowered(&l, 0, K, IC, M, x, IC, NULL, 1.0f, dw, IC);
}
