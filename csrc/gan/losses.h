/* losses.h - the GAN costs (see losses.c). */
#ifndef GAN_LOSSES_H
#define GAN_LOSSES_H

#include "gan.h"

float gan_d_loss_part(gan_loss_kind k, const float *z, int n, int real, float real_label,
                      float *dz);
float gan_g_loss(gan_loss_kind k, const float *z, int n, float *dz);

#endif
