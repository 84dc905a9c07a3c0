/* batchnorm.c - per-channel statistics in double (two passes: mean, then centred
 * variance), elementwise work in float with channels innermost so it vectorises. */
#include "batchnorm.h"

#include <math.h>
#include <stdlib.h>

#include "parallel.h"

enum { MAX_C = BATCHNORM_MAX_C };

/* The threads share the channels: each channel's sums are taken whole by one thread in
 * row order, the same values as one thread. */
enum { SHARE_MIN_ELEMENTS = 1 << 14 };

/* par_range's min_n over C channels: share them only when the layer is big enough */
static int channels_to_share(int rows, int C) {
  return (long long)rows * C >= SHARE_MIN_ELEMENTS ? 1 : C + 1;
}

typedef struct {
  float *y, *xhat, *mean, *invstd, *run_mean, *run_var, *dx, *dgamma, *dbeta;
  const float *x, *dy, *gamma, *beta, *saved_xhat, *saved_invstd; /* backward reads these */
  int rows, C;
  float momentum, eps;
} bn_args;

static void forward_train_channels(void *ctx, int c0, int c1) {
  const bn_args *a = ctx;
  const int rows = a->rows, C = a->C;
  const float *x = a->x;
  double acc[MAX_C];
  for (int c = c0; c < c1; c++) acc[c] = 0.0;
  for (int r = 0; r < rows; r++)
    for (int c = c0; c < c1; c++) acc[c] += x[(size_t)r * C + c];
  for (int c = c0; c < c1; c++) a->mean[c] = (float)(acc[c] / rows), acc[c] = 0.0;
  for (int r = 0; r < rows; r++)
    for (int c = c0; c < c1; c++) {
      double d = (double)x[(size_t)r * C + c] - a->mean[c];
      acc[c] += d * d;
    }
  for (int c = c0; c < c1; c++) {
    double var = acc[c] / rows;
    a->invstd[c] = (float)(1.0 / sqrt(var + a->eps));
    double unbiased = rows > 1 ? var * rows / (rows - 1) : var;
    a->run_mean[c] = (1.0f - a->momentum) * a->run_mean[c] + a->momentum * a->mean[c];
    a->run_var[c] = (float)((1.0 - a->momentum) * a->run_var[c] + a->momentum * unbiased);
  }
  for (int r = 0; r < rows; r++)
    for (int c = c0; c < c1; c++) {
      size_t i = (size_t)r * C + c;
      float h = (x[i] - a->mean[c]) * a->invstd[c];
      a->xhat[i] = h;
      a->y[i] = a->gamma[c] * h + a->beta[c];
    }
}

void batchnorm_forward_train(float *y, float *xhat, float *mean, float *invstd,
                             float *run_mean, float *run_var, const float *x,
                             const float *gamma, const float *beta, int rows, int C,
                             float momentum, float eps) {
  if (C > MAX_C) abort();
  bn_args a = {.y = y, .xhat = xhat, .mean = mean, .invstd = invstd, .run_mean = run_mean,
               .run_var = run_var, .x = x, .gamma = gamma, .beta = beta, .rows = rows, .C = C,
               .momentum = momentum, .eps = eps};
  par_range(forward_train_channels, &a, C, 1, channels_to_share(rows, C));
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

static void backward_channels(void *ctx, int c0, int c1) {
  const bn_args *a = ctx;
  const int rows = a->rows, C = a->C;
  const float *dy = a->dy, *xhat = a->saved_xhat;
  double sum_dy[MAX_C], sum_dy_xhat[MAX_C];
  for (int c = c0; c < c1; c++) sum_dy[c] = sum_dy_xhat[c] = 0.0;
  for (int r = 0; r < rows; r++)
    for (int c = c0; c < c1; c++) {
      size_t i = (size_t)r * C + c;
      sum_dy[c] += dy[i];
      sum_dy_xhat[c] += (double)dy[i] * xhat[i];
    }
  for (int c = c0; c < c1; c++) {
    a->dbeta[c] += (float)sum_dy[c];
    a->dgamma[c] += (float)sum_dy_xhat[c];
  }
  /* dx = gamma invstd / rows * (rows dy - sum(dy) - xhat sum(dy xhat)) */
  for (int r = 0; r < rows; r++)
    for (int c = c0; c < c1; c++) {
      size_t i = (size_t)r * C + c;
      float k = a->gamma[c] * a->saved_invstd[c] / rows;
      a->dx[i] += k * ((float)rows * dy[i] - (float)sum_dy[c] - xhat[i] * (float)sum_dy_xhat[c]);
    }
}

void batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                        const float *xhat, const float *gamma, const float *invstd, int rows,
                        int C) {
  if (C > MAX_C) abort();
  bn_args a = {.dx = dx, .dgamma = dgamma, .dbeta = dbeta, .dy = dy, .saved_xhat = xhat,
               .gamma = gamma, .saved_invstd = invstd, .rows = rows, .C = C};
  par_range(backward_channels, &a, C, 1, channels_to_share(rows, C));
}
