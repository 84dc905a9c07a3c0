/* resize_conv2d.c - see resize_conv2d.h. */
#include "resize_conv2d.h"

#include <string.h>

/* PHASE[k][d]: whether 3x3 tap d (offset d - 1) lands on 4x4 tap k. A transposed k4 s2 p1
 * convolution sends x[j] to y[2j - 1 + k]: y[2j] gets x[j] through k = 1 and x[j-1]
 * through k = 3; y[2j+1] gets x[j] through k = 2 and x[j+1] through k = 0. */
static const int PHASE[4][3] = {{0, 0, 1}, {0, 1, 1}, {1, 1, 0}, {1, 0, 0}};

int resize_conv2d_shape(conv_shape *s, int N, int H, int W, int C) {
  return conv_shape_init(s, N, 2 * H, 2 * W, C, 4, 4, 2, 1);
}

void resize_conv2d_expand(float *w4, const float *w3, int C, int IC) {
  const size_t plane = (size_t)C * IC; /* one tap's [C, IC] block */
  memset(w4, 0, sizeof(float) * 16 * plane);
  for (int ky = 0; ky < 4; ky++)
    for (int kx = 0; kx < 4; kx++) {
      float *dst = w4 + (size_t)(ky * 4 + kx) * plane;
      for (int dy = 0; dy < 3; dy++)
        for (int dx = 0; dx < 3; dx++) {
          if (!PHASE[ky][dy] || !PHASE[kx][dx]) continue;
          const float *src = w3 + (size_t)(dy * 3 + dx) * plane;
          for (size_t i = 0; i < plane; i++) dst[i] += src[i];
        }
    }
}

void resize_conv2d_fold(float *dw3, const float *dw4, int C, int IC) {
  const size_t plane = (size_t)C * IC;
  for (int dy = 0; dy < 3; dy++)
    for (int dx = 0; dx < 3; dx++) {
      float *dst = dw3 + (size_t)(dy * 3 + dx) * plane;
      for (int ky = 0; ky < 4; ky++)
        for (int kx = 0; kx < 4; kx++) {
          if (!PHASE[ky][dy] || !PHASE[kx][dx]) continue;
          const float *src = dw4 + (size_t)(ky * 4 + kx) * plane;
          for (size_t i = 0; i < plane; i++) dst[i] += src[i];
        }
    }
}

void resize_conv2d_forward_ref(float *y, const float *x, const float *w3, const float *b,
                               int N, int H, int W, int IC, int C) {
  const int OH = 2 * H, OW = 2 * W;
  for (int n = 0; n < N; n++)
    for (int oy = 0; oy < OH; oy++)
      for (int ox = 0; ox < OW; ox++)
        for (int c = 0; c < C; c++) {
          double acc = b ? b[c] : 0.0;
          for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++) {
              const int uy = oy + ky - 1, ux = ox + kx - 1; /* in the upsampled image */
              if (uy < 0 || uy >= OH || ux < 0 || ux >= OW) continue;
              const float *px = x + (((size_t)n * H + uy / 2) * W + ux / 2) * IC;
              const float *wk = w3 + ((size_t)(ky * 3 + kx) * C + c) * IC;
              for (int ic = 0; ic < IC; ic++) acc += (double)px[ic] * wk[ic];
            }
          y[(((size_t)n * OH + oy) * OW + ox) * C + c] = (float)acc;
        }
}
