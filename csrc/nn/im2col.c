/* im2col.c - lowering a convolution to a GEMM (NHWC: the C channels of a pixel are
 * contiguous, so each kernel tap copies or adds a run of C floats). */
#include "im2col.h"

#include <string.h>

#include "simd.h"

int conv_shape_init(conv_shape *s, int N, int H, int W, int C, int KH, int KW, int S, int P) {
  if (N <= 0 || H <= 0 || W <= 0 || C <= 0 || KH <= 0 || KW <= 0 || S <= 0 || P < 0) return -1;
  if (H + 2 * P < KH || W + 2 * P < KW) return -1;
  s->N = N; s->H = H; s->W = W; s->C = C;
  s->KH = KH; s->KW = KW; s->S = S; s->P = P;
  s->OH = (H + 2 * P - KH) / S + 1;
  s->OW = (W + 2 * P - KW) / S + 1;
  return 0;
}

size_t conv_col_size(const conv_shape *s) {
  return (size_t)s->N * s->OH * s->OW * s->KH * s->KW * s->C;
}

/* One receptive field: for each tap (kh, kw), C floats from the input or zeros. */
static void gather_row(float *dst, const float *img, const conv_shape *s, int ih0, int iw0) {
  const int C = s->C;
  for (int kh = 0; kh < s->KH; kh++) {
    int ih = ih0 + kh;
    if (ih < 0 || ih >= s->H) {
      memset(dst, 0, sizeof(float) * (size_t)C * s->KW);
      dst += (size_t)C * s->KW;
      continue;
    }
    const float *row = img + (size_t)ih * s->W * C;
    for (int kw = 0; kw < s->KW; kw++, dst += C) {
      int iw = iw0 + kw;
      if (iw < 0 || iw >= s->W) {
        memset(dst, 0, sizeof(float) * C);
      } else if (C == 1) {
        *dst = row[iw];
      } else {
        memcpy(dst, row + (size_t)iw * C, sizeof(float) * C);
      }
    }
  }
}

void im2col(float *col, const float *x, const conv_shape *s) {
  const size_t rowlen = (size_t)s->KH * s->KW * s->C;
  for (int n = 0; n < s->N; n++) {
    const float *img = x + (size_t)n * s->H * s->W * s->C;
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++, col += rowlen)
        gather_row(col, img, s, oh * s->S - s->P, ow * s->S - s->P);
  }
}

/* dst[0..n) += src[0..n) */
static void add_run(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

void col2im(float *dx, const float *col, const conv_shape *s) {
  const int C = s->C;
  for (int n = 0; n < s->N; n++) {
    float *img = dx + (size_t)n * s->H * s->W * C;
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++) {
        const int ih0 = oh * s->S - s->P, iw0 = ow * s->S - s->P;
        for (int kh = 0; kh < s->KH; kh++) {
          int ih = ih0 + kh;
          if (ih < 0 || ih >= s->H) {
            col += (size_t)C * s->KW;
            continue;
          }
          float *row = img + (size_t)ih * s->W * C;
          for (int kw = 0; kw < s->KW; kw++, col += C) {
            int iw = iw0 + kw;
            if (iw >= 0 && iw < s->W) add_run(row + (size_t)iw * C, col, C);
          }
        }
      }
  }
}
