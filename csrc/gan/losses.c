/* losses.c - each GAN cost as a small function of D's scores.
 *
 * d_loss_part: one half of D's loss (on the real or on the fake batch), returning its
 * mean and accumulating d/dz into dz. g_loss: G's loss on D's scores of its fakes.
 * Each switch names every cost and has no default: a new cost in gan_loss_kind that
 * lacks a case here stops the build (-Wswitch), never falls silently into another's. */
#include "losses.h"

#include <math.h>

#include "../nn/nn.h"

static double softplus(double z) { return (z > 0 ? z : 0) + log1p(exp(-fabs(z))); }

float gan_d_loss_part(gan_loss_kind k, const float *z, int n, int real, float real_label,
                      float *dz) {
  const float t = real ? real_label : 0.0f;
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    const double zi = z[i];
    double l = 0, d = 0;
    switch (k) {
      case GAN_LOSS_NS:
      case GAN_LOSS_MINIMAX: /* binary cross-entropy on the logit, target t */
        l = softplus(zi) - zi * t;
        d = sigmoidf_stable(z[i]) - t;
        break;
      case GAN_LOSS_LSGAN:
        l = 0.5 * (zi - t) * (zi - t);
        d = zi - t;
        break;
      case GAN_LOSS_HINGE:
        if (real) l = zi < 1 ? 1 - zi : 0, d = zi < 1 ? -1 : 0;
        else l = zi > -1 ? 1 + zi : 0, d = zi > -1 ? 1 : 0;
        break;
      case GAN_LOSS_WGAN: /* critic: maximise score(real) - score(fake) */
        l = real ? -zi : zi;
        d = real ? -1 : 1;
        break;
      case GAN_LOSS_COUNT: /* not a cost: gan_config_check refuses it */
        break;
    }
    s += l;
    dz[i] += (float)(d / n);
  }
  return (float)(s / n);
}

float gan_g_loss(gan_loss_kind k, const float *z, int n, float *dz) {
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    const double zi = z[i];
    double l = 0, d = 0;
    switch (k) {
      case GAN_LOSS_NS: /* -log D(G(z)) = softplus(-z) */
        l = softplus(-zi);
        d = sigmoidf_stable(z[i]) - 1.0;
        break;
      case GAN_LOSS_MINIMAX: /* log(1 - D(G(z))) = -softplus(z): flat when D rejects fakes */
        l = -softplus(zi);
        d = -sigmoidf_stable(z[i]);
        break;
      case GAN_LOSS_LSGAN:
        l = 0.5 * (zi - 1) * (zi - 1);
        d = zi - 1;
        break;
      case GAN_LOSS_HINGE:
      case GAN_LOSS_WGAN: /* raise the critic's score of the fakes */
        l = -zi;
        d = -1;
        break;
      case GAN_LOSS_COUNT: /* not a cost: gan_config_check refuses it */
        break;
    }
    s += l;
    dz[i] += (float)(d / n);
  }
  return (float)(s / n);
}
