/* optim.h - parameter updates and the small vector helpers training needs. */
#ifndef NN_OPTIM_H
#define NN_OPTIM_H

/* Adam with bias correction; t is the 1-based step count after this update. */
void adam_update(float *p, const float *g, float *m, float *v, int n, float lr, float beta1,
                 float beta2, float eps, int t);
/* adam_update only if every updated weight and moment is finite: 0 after updating, or -1
 * with nothing changed (a finite gradient can still overflow in the update). */
int adam_update_finite(float *p, const float *g, float *m, float *v, int n, float lr,
                       float beta1, float beta2, float eps, int t);
/* p -= lr g */
void sgd_update(float *p, const float *g, int n, float lr);
void nn_zero(float *x, int n);
/* sum of squares, in double (gradient norms, tests) */
double nn_sumsq(const float *x, int n);
/* 1 if every element is finite */
int nn_all_finite(const float *x, int n);

#endif
