/* loss.c - losses, summed in double so the mean of a large batch keeps its digits. */
#include "loss.h"

#include <math.h>
#include <stddef.h>

#include "activations.h"

float bce_with_logits_forward(const float *z, const float *t, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    double zi = z[i];
    s += (zi > 0.0 ? zi : 0.0) - zi * t[i] + log1p(exp(-fabs(zi)));
  }
  return n > 0 ? (float)(s / n) : 0.0f;
}

void bce_with_logits_backward(float *dz, const float *z, const float *t, int n, float scale) {
  const float k = scale / (float)n;
  for (int i = 0; i < n; i++) dz[i] += k * (sigmoidf_stable(z[i]) - t[i]);
}

float mse_forward(const float *p, const float *t, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    double d = (double)p[i] - t[i];
    s += d * d;
  }
  return n > 0 ? (float)(s / n) : 0.0f;
}

void mse_backward(float *dp, const float *p, const float *t, int n, float scale) {
  const float k = 2.0f * scale / (float)n;
  for (int i = 0; i < n; i++) dp[i] += k * (p[i] - t[i]);
}

float softmax_xent_forward(float *probs, const float *logits, const uint8_t *labels, int n,
                           int classes) {
  double loss = 0.0;
  for (int i = 0; i < n; i++) {
    const float *z = logits + (size_t)i * classes;
    float *p = probs + (size_t)i * classes;
    float top = z[0];
    for (int c = 1; c < classes; c++) top = z[c] > top ? z[c] : top;
    double sum = 0.0;
    for (int c = 0; c < classes; c++) sum += p[c] = expf(z[c] - top);
    for (int c = 0; c < classes; c++) p[c] = (float)(p[c] / sum);
    loss += log(sum) - (z[labels[i]] - top);
  }
  return n > 0 ? (float)(loss / n) : 0.0f;
}

void softmax_xent_backward(float *dlogits, const float *probs, const uint8_t *labels, int n,
                           int classes, float scale) {
  const float k = scale / (float)n;
  for (int i = 0; i < n; i++)
    for (int c = 0; c < classes; c++) {
      const size_t j = (size_t)i * classes + c;
      dlogits[j] += k * (probs[j] - (c == labels[i] ? 1.0f : 0.0f));
    }
}
