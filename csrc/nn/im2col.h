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

/* Implicit lowering (sgemm_lowered, sgemm.h): the same GEMMs without the col matrix.
 * Panels are packed straight from the image and finished tiles are scattered straight
 * back into one, so a small-channel layer does not stream a large col buffer through
 * memory twice. ctx is an im2col_view. */
typedef struct {
  const conv_shape *s;
  const float *x; /* the image packers read */
  float *dx;      /* the image col2im_store adds into */
} im2col_view;

/* op(A) = col: rows are output pixels, the reduction runs over the receptive field. */
void im2col_pack_rows(float *dst, const void *ctx, int i0, int mc, int k0, int kc);
/* op(A) = col^T: rows are receptive-field entries, the reduction runs over pixels. */
void im2col_pack_cols(float *dst, const void *ctx, int i0, int mc, int k0, int kc);
/* dx += col2im(strip): strip rows are output pixels, its columns field entries. */
void col2im_store(void *ctx, const float *strip, int ld, int i, int j, int mr, int nr);

#endif
