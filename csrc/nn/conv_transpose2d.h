/* conv_transpose2d.h - transposed ("fractionally strided") convolution, NHWC.
 *
 * A transposed convolution is the adjoint of a convolution: its forward is that
 * convolution's backward-data and its backward-data is that convolution's forward. So it
 * is described by the conv_shape s of the convolution it transposes, which maps
 * y-space [N, s.H, s.W, s.C] to x-space [N, s.OH, s.OW, IC]:
 *
 *   y[N, s.H, s.W, s.C] = conv_transpose(x[N, s.OH, s.OW, IC], w[KH, KW, s.C, IC]) + b[s.C]
 *
 * e.g. the generator's 7x7x64 -> 14x14x32 layer (k4 s2 p1) uses s = (N, 14, 14, 32, 4, 4,
 * 2, 1), whose OH = OW = 7, and IC = 64. Weights are [KH*KW*s.C, IC], the layout of that
 * convolution's weights. No scratch is needed (implicit GEMMs). Backward accumulates. */
#ifndef NN_CONV_TRANSPOSE2D_H
#define NN_CONV_TRANSPOSE2D_H

#include "im2col.h"

void conv_transpose2d_forward(float *y, const float *x, const float *w, const float *b,
                              const conv_shape *s, int IC);
void conv_transpose2d_backward_data(float *dx, const float *dy, const float *w,
                                    const conv_shape *s, int IC);
void conv_transpose2d_backward_weights(float *dw, const float *dy, const float *x,
                                       const conv_shape *s, int IC);

/* Direct scatter-loop references. */
void conv_transpose2d_forward_ref(float *y, const float *x, const float *w, const float *b,
                                  const conv_shape *s, int IC);
void conv_transpose2d_backward_data_ref(float *dx, const float *dy, const float *w,
                                        const conv_shape *s, int IC);
void conv_transpose2d_backward_weights_ref(float *dw, const float *dy, const float *x,
                                           const conv_shape *s, int IC);

#endif
