/* batchnorm.h - batch normalisation over the channels of an NHWC tensor seen as
 * x[rows, C] (rows = N*H*W; a dense layer's output is the case H = W = 1).
 *
 * Training uses the batch statistics and updates running averages:
 *   run_mean = (1 - momentum) run_mean + momentum mean,
 *   run_var  = (1 - momentum) run_var  + momentum var * rows / (rows - 1)  (unbiased)
 * Inference uses the running averages. Forward saves xhat and invstd for backward.
 * Backward accumulates into dx, dgamma, dbeta. */
#ifndef NN_BATCHNORM_H
#define NN_BATCHNORM_H

/* Most channels one layer may have: per-channel sums live on the stack. */
#define BATCHNORM_MAX_C 1024

void batchnorm_forward_train(float *y, float *xhat, float *mean, float *invstd,
                             float *run_mean, float *run_var, const float *x,
                             const float *gamma, const float *beta, int rows, int C,
                             float momentum, float eps);
void batchnorm_forward_infer(float *y, const float *x, const float *gamma, const float *beta,
                             const float *run_mean, const float *run_var, int rows, int C,
                             float eps);
void batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                        const float *xhat, const float *gamma, const float *invstd, int rows,
                        int C);

#endif
