/* optim.c - Adam (Kingma & Ba, with bias correction) and SGD. */
#include "optim.h"

#include <math.h>
#include <string.h>

/* Both bias corrections folded into the step size, lr sqrt(1-b2^t) / (1-b1^t), as a step
 * and a scale of v. t < 1 never comes from a step count; it takes the first step's
 * correction rather than dividing by zero (t = 0) or going negative (t < 0). */
static void adam_scales(float lr, float beta1, float beta2, int t, float *step, float *vscale) {
  if (t < 1) t = 1;
  const double c1 = 1.0 - pow(beta1, t), c2 = 1.0 - pow(beta2, t);
  *step = (float)(lr / c1), *vscale = (float)(1.0 / c2);
}

/* One element's update: the one expression both entry points use, so the checked update
 * writes exactly what it checked. */
static inline void adam_one(float *p, float *m, float *v, float g, float beta1, float beta2,
                            float eps, float step, float vscale) {
  *m = beta1 * *m + (1.0f - beta1) * g;
  *v = beta2 * *v + (1.0f - beta2) * g * g;
  *p -= step * *m / (sqrtf(*v * vscale) + eps);
}

void adam_update(float *p, const float *g, float *m, float *v, int n, float lr, float beta1,
                 float beta2, float eps, int t) {
  float step, vscale;
  adam_scales(lr, beta1, beta2, t, &step, &vscale);
  for (int i = 0; i < n; i++) adam_one(p + i, m + i, v + i, g[i], beta1, beta2, eps, step, vscale);
}

int adam_update_finite(float *p, const float *g, float *m, float *v, int n, float lr,
                       float beta1, float beta2, float eps, int t) {
  float step, vscale;
  adam_scales(lr, beta1, beta2, t, &step, &vscale);
  /* a dry run first: a finite gradient can still overflow g*g or the weight in float */
  for (int i = 0; i < n; i++) {
    float pi = p[i], mi = m[i], vi = v[i];
    adam_one(&pi, &mi, &vi, g[i], beta1, beta2, eps, step, vscale);
    if (!isfinite(pi) || !isfinite(mi) || !isfinite(vi)) return -1;
  }
  for (int i = 0; i < n; i++) adam_one(p + i, m + i, v + i, g[i], beta1, beta2, eps, step, vscale);
  return 0;
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
