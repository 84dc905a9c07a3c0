/* optim.c - Adam (Kingma & Ba, with bias correction) and SGD. */
#include "optim.h"

#include <math.h>
#include <string.h>

void adam_update(float *p, const float *g, float *m, float *v, int n, float lr, float beta1,
                 float beta2, float eps, int t) {
  /* fold both bias corrections into the step size: lr sqrt(1-b2^t) / (1-b1^t) */
  const double c1 = 1.0 - pow(beta1, t), c2 = 1.0 - pow(beta2, t);
  const float step = (float)(lr / c1), vscale = (float)(1.0 / c2);
  for (int i = 0; i < n; i++) {
    m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
    v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
    p[i] -= step * m[i] / (sqrtf(v[i] * vscale) + eps);
  }
}

void sgd_update(float *p, const float *g, int n, float lr) {
  for (int i = 0; i < n; i++) p[i] -= lr * g[i];
}

void nn_zero(float *x, int n) {
  if (n > 0) memset(x, 0, sizeof(float) * (size_t)n);
}

double nn_sumsq(const float *x, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
  return s;
}

int nn_all_finite(const float *x, int n) {
  for (int i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}
