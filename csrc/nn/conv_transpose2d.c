/* conv_transpose2d.c - the transposed convolution as the same GEMMs in another order:
 * forward = conv2d backward-data, backward-data = conv2d forward (darknet's observation).
 * Its direct references live beside conv2d's in conv2d.c, sharing the tap walk. */
#include "conv_transpose2d.h"

#include <string.h>

#include "conv2d.h"
#include "sgemm.h"

void conv_transpose2d_forward(float *y, float *col, const float *x, const float *w,
                              const float *b, const conv_shape *s, int IC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  sgemm(0, 1, M, K, IC, x, IC, w, IC, 0.0f, col, K);
  memset(y, 0, sizeof(float) * (size_t)s->N * s->H * s->W * s->C);
  col2im(y, col, s);
  if (b) bias_forward(y, b, s->N * s->H * s->W, s->C);
}

void conv_transpose2d_backward_data(float *dx, float *col, const float *dy, const float *w,
                                    const conv_shape *s, int IC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  im2col(col, dy, s);
  sgemm(0, 0, M, IC, K, col, K, w, IC, 1.0f, dx, IC);
}

void conv_transpose2d_backward_weights(float *dw, float *col, const float *dy, const float *x,
                                       const conv_shape *s, int IC) {
  const int M = s->N * s->OH * s->OW, K = s->KH * s->KW * s->C;
  im2col(col, dy, s);
  sgemm(1, 0, K, IC, M, col, K, x, IC, 1.0f, dw, IC);
}
