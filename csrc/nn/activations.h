/* activations.h - elementwise nonlinearities over n floats.
 * Forward writes y (it may alias x). Backward accumulates dx += dy * f'(.), taking
 * whichever of x or y determines the derivative. */
#ifndef NN_ACTIVATIONS_H
#define NN_ACTIVATIONS_H

void relu_forward(float *y, const float *x, int n);
void relu_backward(float *dx, const float *dy, const float *y, int n);
void leaky_relu_forward(float *y, const float *x, int n, float slope);
void leaky_relu_backward(float *dx, const float *dy, const float *x, int n, float slope);
void tanh_forward(float *y, const float *x, int n);
void tanh_backward(float *dx, const float *dy, const float *y, int n);
/* sigmoid written to stay finite for any x */
void sigmoid_forward(float *y, const float *x, int n);
void sigmoid_backward(float *dx, const float *dy, const float *y, int n);

/* Scalar references of the SIMD kernels. */
void relu_forward_ref(float *y, const float *x, int n);
void relu_backward_ref(float *dx, const float *dy, const float *y, int n);
void leaky_relu_forward_ref(float *y, const float *x, int n, float slope);
void leaky_relu_backward_ref(float *dx, const float *dy, const float *x, int n, float slope);
void tanh_backward_ref(float *dx, const float *dy, const float *y, int n);
void sigmoid_backward_ref(float *dx, const float *dy, const float *y, int n);

/* One shared scalar sigmoid, stable for any x. */
float sigmoidf_stable(float x);

#endif
