/* gan.h - what makes the core a GAN: the compact DCGAN, its losses, one training step,
 * and the statistics the course talks about. Knows nothing of JavaScript (api.c does).
 *
 *   gan_config c;  gan_config_default(&c);  c.loss = GAN_LOSS_MINIMAX;
 *   gan *g = gan_create(&c, err, sizeof err);        // one arena, sized here, once
 *   for (...) gan_train_step(g, &mnist, &stats);     // d_steps D steps, then one G step
 *   gan_generate(g, z, n, images);                   // inference: running BN statistics
 *
 * Generator: z[latent] -> dense 7*7*C2 -> BN -> ReLU -> up C1 -> BN -> ReLU -> up 1 -> tanh,
 *            28x28 in [-1, 1]. Each "up" doubles the side: a transposed convolution
 *            (k4 s2 p1), or with g_resize a nearest resize then a 3x3 convolution (the same
 *            cost, no checkerboard; nn/resize_conv2d.h).
 * Discriminator: conv C1 (k4 s2 p1) -> LeakyReLU 0.2 -> conv C2 (k4 s2 p1) [-> BN]
 *            -> LeakyReLU 0.2 [-> conv C2 (k3 s1 p1) [-> BN] -> LeakyReLU 0.2 with d_layers 3]
 *            [-> C2 minibatch std-dev features] -> dense 1: a logit (a critic score for WGAN).
 * C1 = 32 * width, C2 = 64 * width. With ema > 0, samples come from a moving average of G's
 * weights (its batch norm statistics recomputed for those weights on fixed noise). */
#ifndef GAN_GAN_H
#define GAN_GAN_H

#include <stddef.h>
#include <stdint.h>

#include "../io/idx.h"

typedef enum {
  GAN_LOSS_NS,      /* G minimises -log D(G(z)): the non-saturating cost used in practice */
  GAN_LOSS_MINIMAX, /* G minimises log(1 - D(G(z))): the saturating cost of the minimax game */
  GAN_LOSS_LSGAN,   /* least squares on D's raw score */
  GAN_LOSS_HINGE,
  GAN_LOSS_WGAN,    /* Wasserstein critic with weight clipping */
  GAN_LOSS_COUNT
} gan_loss_kind;

const char *gan_loss_name(gan_loss_kind k);
/* -1 when the name is not a loss */
int gan_loss_from_name(const char *name);

typedef struct {
  int latent;          /* size of z */
  int width;           /* channel multiplier: 1 gives 32/64 channels */
  int batch;
  int d_steps;         /* D (critic) steps per G step */
  int g_batchnorm;     /* batch norm in G on/off */
  int mbstd;           /* minibatch std-dev features in D: per channel of its last conv */
  int g_resize;        /* G upsamples by nearest resize + 3x3 conv instead of transposed conv */
  int d_batchnorm;     /* batch norm in D after its second (and third) convolution */
  int d_layers;        /* D's convolutions: 2, or 3 with a 3x3 stride-1 one at 7x7 */
  int g_steps;         /* G steps per iteration (live) */
  int d_head_start;    /* D-only steps before the first G step (live, used at iteration 0) */
  int warmup;          /* first iterations trained at an even pace (live): one G step per
                          iteration and D at G's learning rate; g_steps and lr_d apply after */
  gan_loss_kind loss;
  float lr_g, lr_d, beta1_g, beta2_g, beta1_d, beta2_d;
  float real_label;     /* BCE/LSGAN target for real images: 1, or 0.9 for one-sided smoothing */
  float instance_noise; /* std of Gaussian noise added to every image D sees */
  float clip;           /* WGAN weight clipping bound */
  float ema;            /* decay of the moving average of G's weights the samples come
                           from; 0 samples the trained weights themselves */
  uint32_t seed;
} gan_config;

/* A model's arena (weights, moments, activations) may take this much: wasm32 memory ends
 * at 2 GB and the datasets and the meter need room too. */
enum { GAN_MAX_MODEL_MB = 1024 };

void gan_config_default(gan_config *c);
/* 0, or -1 with the first impossible setting named in err */
int gan_config_check(const gan_config *c, char *err, size_t errlen);

typedef struct {
  float loss_d, loss_g;
  float d_real, d_fake;  /* mean D(x), mean D(G(z)) as probabilities (sigmoid of the score) */
  float score_real, score_fake; /* mean raw scores (logits; the critic's scores for WGAN) */
  float grad_norm_g, grad_norm_d;
  float g_signal;        /* mean per-sample norm of dL_G/dG(z): what reaches the generator */
  /* the G step's gradient on D's logit per fake, mean size, for each of the two costs
   * whatever the chosen one: 1 - p (non-saturating), p (minimax), p = D(G(z)) */
  float grad_ns, grad_minimax;
  int skipped;           /* updates of this step discarded as non-finite */
} gan_stats;

typedef struct gan gan;

gan *gan_create(const gan_config *c, char *err, size_t errlen);
void gan_destroy(gan *g);
const gan_config *gan_get_config(const gan *g);
/* Takes the settings that do not shape the model (cost, learning rates, betas, D steps,
 * real label, instance noise, clip) from c between steps, so a lesson can change them
 * live. Returns -1 with the reason in err, changing nothing, when c is impossible or
 * differs in a setting the model was built with (latent, width, batch, batch norm in G,
 * std-dev features, seed). */
int gan_retune(gan *g, const gan_config *c, char *err, size_t errlen);

/* One D step, one G step, or the whole iteration: d_head_start extra D steps before the
 * very first one, then d_steps D steps and g_steps G steps.
 * A step whose loss or gradients are not finite, or whose update would leave a weight,
 * an Adam moment or a BN running statistic non-finite, changes nothing: its update is
 * discarded and counted, so the state stays finite. Returns 0, or -1 after
 * GAN_MAX_BAD_STEPS such steps in a row. */
enum { GAN_MAX_BAD_STEPS = 5 };
/* The step counters (iterations, skipped updates, Adam's t) stop here: a billion steps is
 * years of training, and a checkpoint claiming more is corrupt. */
enum { GAN_MAX_STEPS = 1000000000 };
int gan_step_d(gan *g, const idx_dataset *data, gan_stats *st);
int gan_step_g(gan *g, gan_stats *st);
int gan_train_step(gan *g, const idx_dataset *data, gan_stats *st);
long gan_iterations(const gan *g); /* completed gan_train_step calls */
long gan_skipped_total(const gan *g);

/* n images [n, 28, 28] in [-1, 1] from latent vectors z [n, latent], with BN running
 * statistics (inference), from the averaged weights when ema > 0. Deterministic; does
 * not touch the training state. */
void gan_generate(gan *g, const float *z, int n, float *out);

/* D's raw score (its logit; the critic's score for WGAN) of each of n images [n, 28, 28] in
 * [-1, 1], in inference: no instance noise, batch norm from its running statistics. With
 * minibatch std-dev features, they are measured over the images scored together: batch at
 * a time, in order (the last group may be smaller). Deterministic; does not touch the
 * training state (weights, moments, running statistics, random streams, counters). */
void gan_discriminate(gan *g, const float *images, int n, float *scores);

/* The parameters and optimiser state as one byte image, for checkpoints (gan/checkpoint).
 * gan_state_load trusts its bytes: a loader checks them first with gan_state_check. */
size_t gan_state_size(const gan *g);
void gan_state_save(const gan *g, uint8_t *dst);
void gan_state_load(gan *g, const uint8_t *src);

/* What a model of c would take, without building it (0 when c is impossible): its arena's
 * bytes and its state's, so a loader can weigh a file before it allocates anything. */
size_t gan_model_bytes(const gan_config *c);
size_t gan_state_size_for(const gan_config *c);
/* 0 when the len bytes at src are a state a model of c can resume from: the size its
 * configuration gives, counters in 0..GAN_MAX_STEPS, random streams as seeding makes
 * them, every weight, moment and running statistic finite, variances not negative.
 * Otherwise -1 with the first problem named in err. Allocates nothing. */
int gan_state_check(const gan_config *c, const uint8_t *src, size_t len, char *err, size_t errlen);

#endif
