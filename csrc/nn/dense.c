/* dense.c - the fully connected layer is three GEMMs. */
#include "dense.h"

#include "conv2d.h"
#include "sgemm.h"

typedef void gemm_fn(int, int, int, int, int, const float *, int, const float *, int, float,
                     float *, int);

static void forward(gemm_fn *gemm, float *y, const float *x, const float *w, const float *b,
                    int N, int I, int O) {
  gemm(0, 0, N, O, I, x, I, w, O, 0.0f, y, O);
  if (b) bias_forward(y, b, N, O);
}

static void backward(gemm_fn *gemm, float *dx, float *dw, float *db, const float *dy,
                     const float *x, const float *w, int N, int I, int O) {
  if (dx) gemm(0, 1, N, I, O, dy, O, w, O, 1.0f, dx, I);
  if (dw) gemm(1, 0, I, O, N, x, I, dy, O, 1.0f, dw, O);
  if (db) bias_backward(db, dy, N, O);
}

void dense_forward(float *y, const float *x, const float *w, const float *b, int N, int I, int O) {
  forward(sgemm, y, x, w, b, N, I, O);
}
void dense_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                    const float *w, int N, int I, int O) {
  backward(sgemm, dx, dw, db, dy, x, w, N, I, O);
}
void dense_forward_ref(float *y, const float *x, const float *w, const float *b, int N, int I,
                       int O) {
  forward(sgemm_ref, y, x, w, b, N, I, O);
}
void dense_backward_ref(float *dx, float *dw, float *db, const float *dy, const float *x,
                        const float *w, int N, int I, int O) {
  backward(sgemm_ref, dx, dw, db, dy, x, w, N, I, O);
}
