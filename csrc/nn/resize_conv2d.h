/* resize_conv2d.h - checkerboard-free 2x upsampling: nearest-neighbour resize to twice the
 * size, then a 3x3 convolution (stride 1, padding 1), NHWC.
 *
 *   y[N, 2H, 2W, C] = conv3x3(upsample2x(x[N, H, W, IC]), w) + b[C]
 *
 * Computed at the cost of a k4 s2 p1 transposed convolution, because it is one: each of the
 * four output phases reads a 2x2 window of x, and its 2x2 taps are sums of the 3x3 weights
 * (per axis, phase 0 takes {w[-1], w[0] + w[1]}, phase 1 takes {w[-1] + w[0], w[1]}). Both
 * phases' taps sum to the same total, so unlike a free 4x4 kernel the layer cannot paint a
 * 2-pixel grid. The 4x4 kernel is expanded from the 3x3 one before the transposed
 * convolution, and its gradient folded back.
 *
 * Weights w[9*C, IC] are laid out like a transposed convolution's, ((ky*3 + kx)*C + c)*IC
 * + ic, with ky, kx the 3x3 taps at offsets -1, 0, 1. The transposed convolution is
 * described by the convolution it transposes (conv_transpose2d.h): resize_conv2d_shape. */
#ifndef NN_RESIZE_CONV2D_H
#define NN_RESIZE_CONV2D_H

#include "im2col.h"

/* The k4 s2 p1 shape of the equivalent transposed convolution, output [N, 2H, 2W, C]. */
int resize_conv2d_shape(conv_shape *s, int N, int H, int W, int C);
/* w4[16*C, IC] = the 4x4 kernel equivalent to w3[9*C, IC] */
void resize_conv2d_expand(float *w4, const float *w3, int C, int IC);
/* dw3 += the gradient of w3 given the gradient dw4 of the expanded kernel (the adjoint) */
void resize_conv2d_fold(float *dw3, const float *dw4, int C, int IC);

/* The algorithmic definition: an explicit nearest upsample, then a direct 3x3 convolution.
 * x[N, H, W, IC] -> y[N, 2H, 2W, C]; b may be NULL. */
void resize_conv2d_forward_ref(float *y, const float *x, const float *w3, const float *b,
                               int N, int H, int W, int IC, int C);

#endif
