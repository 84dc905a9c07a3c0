/* dense.h - fully connected layer.
 *
 *   y[N, O] = x[N, I] . w[I, O] + b[O]
 *
 * Backward accumulates: dx += dy . w^T, dw += x^T . dy, db += column sums of dy.
 * Any of dx, dw, db may be NULL when that gradient is not wanted. */
#ifndef NN_DENSE_H
#define NN_DENSE_H

void dense_forward(float *y, const float *x, const float *w, const float *b, int N, int I, int O);
void dense_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                    const float *w, int N, int I, int O);

/* References over sgemm_ref. */
void dense_forward_ref(float *y, const float *x, const float *w, const float *b, int N, int I,
                       int O);
void dense_backward_ref(float *dx, float *dw, float *db, const float *dy, const float *x,
                        const float *w, int N, int I, int O);

#endif
