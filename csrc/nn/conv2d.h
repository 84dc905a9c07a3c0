/* conv2d.h - 2-D convolution, NHWC, as im2col + GEMM.
 *
 *   y[N, OH, OW, OC] = conv(x[N, H, W, C], w[KH, KW, C, OC]) + b[OC]
 *
 * The geometry is a conv_shape (im2col.h). Weights are [KH*KW*C, OC] row-major, the right
 * operand of the GEMM col . w. The col matrix is never materialised: the GEMMs pack their
 * panels straight from the image and scatter results straight back (implicit im2col), so
 * no scratch is needed. Backward functions accumulate (+=) into dx, dw, db. */
#ifndef NN_CONV2D_H
#define NN_CONV2D_H

#include "im2col.h"

/* b may be NULL (no bias). */
void conv2d_forward(float *y, const float *x, const float *w, const float *b,
                    const conv_shape *s, int OC);
/* dx += dL/dx  (the GEMM dy . w^T, each tile added back through col2im) */
void conv2d_backward_data(float *dx, const float *dy, const float *w, const conv_shape *s,
                          int OC);
/* dw += dL/dw  (col^T . dy, col packed from x) */
void conv2d_backward_weights(float *dw, const float *dy, const float *x, const conv_shape *s,
                             int OC);
/* db[OC] += column sums of dy[rows, OC]; shared by every layer with a per-channel bias. */
void bias_backward(float *db, const float *dy, int rows, int OC);
/* y[rows, OC] += b[OC] */
void bias_forward(float *y, const float *b, int rows, int OC);

/* Direct seven-loop references, the algorithmic definition (no im2col, no GEMM). */
void conv2d_forward_ref(float *y, const float *x, const float *w, const float *b,
                        const conv_shape *s, int OC);
void conv2d_backward_data_ref(float *dx, const float *dy, const float *w, const conv_shape *s,
                              int OC);
void conv2d_backward_weights_ref(float *dw, const float *dy, const float *x,
                                 const conv_shape *s, int OC);

#endif
