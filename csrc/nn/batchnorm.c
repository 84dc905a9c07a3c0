/* batchnorm.c - per-channel statistics in double (two passes: mean, then centred
 * variance), elementwise work in float with channels innermost so it vectorises. */
#include "batchnorm.h"

#include <math.h>
#include <stdlib.h>

enum { MAX_C = BATCHNORM_MAX_C };

void batchnorm_forward_train(float *y, float *xhat, float *mean, float *invstd,
                             float *run_mean, float *run_var, const float *x,
                             const float *gamma, const float *beta, int rows, int C,
                             float momentum, float eps) {
  double acc[MAX_C];
  if (C > MAX_C) abort();
  for (int c = 0; c < C; c++) acc[c] = 0.0;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) acc[c] += x[(size_t)r * C + c];
  for (int c = 0; c < C; c++) mean[c] = (float)(acc[c] / rows), acc[c] = 0.0;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      double d = (double)x[(size_t)r * C + c] - mean[c];
      acc[c] += d * d;
    }
  for (int c = 0; c < C; c++) {
    double var = acc[c] / rows;
    invstd[c] = (float)(1.0 / sqrt(var + eps));
    double unbiased = rows > 1 ? var * rows / (rows - 1) : var;
    run_mean[c] = (1.0f - momentum) * run_mean[c] + momentum * mean[c];
    run_var[c] = (float)((1.0 - momentum) * run_var[c] + momentum * unbiased);
  }
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      size_t i = (size_t)r * C + c;
      float h = (x[i] - mean[c]) * invstd[c];
      xhat[i] = h;
      y[i] = gamma[c] * h + beta[c];
    }
}

void batchnorm_forward_infer(float *y, const float *x, const float *gamma, const float *beta,
                             const float *run_mean, const float *run_var, int rows, int C,
                             float eps) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      size_t i = (size_t)r * C + c;
      y[i] = gamma[c] * (x[i] - run_mean[c]) / sqrtf(run_var[c] + eps) + beta[c];
    }
}

void batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                        const float *xhat, const float *gamma, const float *invstd, int rows,
                        int C) {
  double sum_dy[MAX_C], sum_dy_xhat[MAX_C];
  if (C > MAX_C) abort();
  for (int c = 0; c < C; c++) sum_dy[c] = sum_dy_xhat[c] = 0.0;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      size_t i = (size_t)r * C + c;
      sum_dy[c] += dy[i];
      sum_dy_xhat[c] += (double)dy[i] * xhat[i];
    }
  for (int c = 0; c < C; c++) {
    dbeta[c] += (float)sum_dy[c];
    dgamma[c] += (float)sum_dy_xhat[c];
  }
  /* dx = gamma invstd / rows * (rows dy - sum(dy) - xhat sum(dy xhat)) */
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      size_t i = (size_t)r * C + c;
      float k = gamma[c] * invstd[c] / rows;
      dx[i] += k * ((float)rows * dy[i] - (float)sum_dy[c] - xhat[i] * (float)sum_dy_xhat[c]);
    }
}
