/* optim.c - Adam (Kingma & Ba, with bias correction) and SGD. */
#include "optim.h"

#include <math.h>
#include <string.h>

#include "parallel.h"

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

/* The checked update over the threads: each checks its run of the parameters, then (when
 * every run is finite) each updates its run. */
typedef struct {
  float *p, *m, *v;
  const float *g;
  int n;
  float beta1, beta2, eps, step, vscale;
  int apply;                         /* 0: the dry run, 1: the update */
  unsigned char bad[PAR_MAX_THREADS]; /* the dry run's verdict, per thread */
} adam_job;

enum { SHARE_MIN = 1 << 14 }; /* parameters below which one thread does it all */

static void adam_share(void *ctx, int t, int T) {
  adam_job *a = ctx;
  int lo, hi;
  par_share(a->n, 4, t, T, &lo, &hi);
  for (int i = lo; i < hi; i++) {
    if (a->apply) {
      adam_one(a->p + i, a->m + i, a->v + i, a->g[i], a->beta1, a->beta2, a->eps, a->step, a->vscale);
      continue;
    }
    /* a dry run first: a finite gradient can still overflow g*g or the weight in float */
    float pi = a->p[i], mi = a->m[i], vi = a->v[i];
    adam_one(&pi, &mi, &vi, a->g[i], a->beta1, a->beta2, a->eps, a->step, a->vscale);
    if (!isfinite(pi) || !isfinite(mi) || !isfinite(vi)) {
      a->bad[t] = 1;
      return;
    }
  }
}

static void adam_pass(adam_job *a) {
  if (a->n < SHARE_MIN) adam_share(a, 0, 1);
  else par_run(adam_share, a);
}

int adam_update_finite(float *p, const float *g, float *m, float *v, int n, float lr,
                       float beta1, float beta2, float eps, int t) {
  adam_job a = {.p = p, .m = m, .v = v, .g = g, .n = n, .beta1 = beta1, .beta2 = beta2, .eps = eps};
  adam_scales(lr, beta1, beta2, t, &a.step, &a.vscale);
  adam_pass(&a);
  for (int k = 0; k < PAR_MAX_THREADS; k++)
    if (a.bad[k]) return -1;
  a.apply = 1;
  adam_pass(&a);
  return 0;
}

void sgd_update(float *p, const float *g, int n, float lr) {
  for (int i = 0; i < n; i++) p[i] -= lr * g[i];
}

static void zero_span(void *ctx, int lo, int hi) {
  memset((float *)ctx + lo, 0, sizeof(float) * (size_t)(hi - lo));
}

void nn_zero(float *x, int n) {
  par_range(zero_span, x, n, 16, SHARE_MIN);
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
