/* im2col.h - the geometry of a 2-D convolution and the lowering that turns it into a GEMM.
 *
 * A convolution over x[N, H, W, C] with a KH x KW kernel, stride S and zero padding P has
 * output [N, OH, OW, OC] with OH = (H + 2P - KH) / S + 1 (likewise OW).
 * im2col writes col[N*OH*OW, KH*KW*C]: row (n, oh, ow) holds the receptive field of that
 * output pixel, ordered (kh, kw, c), zeros where it hangs over the padding. With weights
 * w[KH*KW*C, OC] the convolution is then the GEMM col . w. col2im is its adjoint: it
 * scatters each row back onto the pixels it came from, adding overlapping contributions. */
#ifndef NN_IM2COL_H
#define NN_IM2COL_H

#include <stddef.h>

typedef struct {
  int N, H, W, C;   /* input */
  int KH, KW, S, P; /* kernel, stride, padding (same stride and padding on both axes) */
  int OH, OW;       /* output, derived by conv_shape_init */
} conv_shape;

/* Fills s and derives OH, OW. Returns 0, or -1 if the sizes are not positive or the
 * kernel does not fit the padded input (checked again by api.c for its callers). */
int conv_shape_init(conv_shape *s, int N, int H, int W, int C, int KH, int KW, int S, int P);

/* Floats in one im2col matrix: N*OH*OW * KH*KW*C. */
size_t conv_col_size(const conv_shape *s);

void im2col(float *col, const float *x, const conv_shape *s);
/* dx += col2im(col) */
void col2im(float *dx, const float *col, const conv_shape *s);

#endif
