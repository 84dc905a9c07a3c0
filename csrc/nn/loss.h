/* loss.h - losses over n predictions, each returning the mean and, in backward,
 * accumulating scale * d(mean)/d(prediction) (scale lets a caller weight or negate one
 * term of a larger objective without another pass).
 *
 * Binary cross-entropy is taken on logits z with targets t in [0, 1]:
 *   l(z, t) = max(z, 0) - z t + log(1 + exp(-|z|))
 * which equals -t log s(z) - (1 - t) log(1 - s(z)) but stays finite and exact for any z
 * (no log of 0, no exp overflow). Its gradient is s(z) - t. */
#ifndef NN_LOSS_H
#define NN_LOSS_H

#include <stdint.h>

float bce_with_logits_forward(const float *z, const float *t, int n);
void bce_with_logits_backward(float *dz, const float *z, const float *t, int n, float scale);

/* mean of (p - t)^2 */
float mse_forward(const float *p, const float *t, int n);
void mse_backward(float *dp, const float *p, const float *t, int n, float scale);

/* Softmax cross-entropy over n rows of `classes` logits with integer labels: returns the
 * mean loss, writes the probabilities (needed by backward) to probs. Stable for any
 * logits (the row maximum is subtracted before exponentiating). */
float softmax_xent_forward(float *probs, const float *logits, const uint8_t *labels, int n,
                           int classes);
/* dlogits += scale * (probs - onehot(labels)) / n */
void softmax_xent_backward(float *dlogits, const float *probs, const uint8_t *labels, int n,
                           int classes, float scale);

#endif
