/* presets.c - the course's lessons as configurations. Each starts from the defaults
 * (gan_config_default: the non-saturating cost, Adam 2e-4 / 0.5 for both networks). */
#include "presets.h"

#include <string.h>

static void balanced(gan_config *c) { (void)c; }

static void minimax(gan_config *c) { c->loss = GAN_LOSS_MINIMAX; }

/* The saturating cost with a discriminator that learns five times faster and takes five
 * steps per G step: D(G(z)) goes to 0 and log(1 - D(G(z))) goes flat. */
static void strong_d(gan_config *c) {
  c->loss = GAN_LOSS_MINIMAX;
  c->lr_d = 1e-3f;
  c->d_steps = 5;
}

/* Adam with momentum 0.9 for both networks (DCGAN's paper lowered it to 0.5 for a reason):
 * G overshoots onto whichever digit D currently accepts, then D catches up and G jumps to
 * another: the samples collapse onto one or two digits and the chase is visible. */
static void mode_collapse(gan_config *c) { c->beta1_g = c->beta1_d = 0.9f; }

/* The other costs, everything else as balanced. */
static void lsgan(gan_config *c) { c->loss = GAN_LOSS_LSGAN; }

static void hinge(gan_config *c) { c->loss = GAN_LOSS_HINGE; }

/* The Wasserstein critic with weights clipped to +-0.01, as in the WGAN paper, but two
 * critic steps per G step and Adam (0.5, 0.9) at 2e-4 instead of five steps of RMSProp at
 * 5e-5: the paper's pace gives no digits within a lesson's few thousand steps here. */
static void wgan(gan_config *c) {
  c->loss = GAN_LOSS_WGAN;
  c->clip = 0.01f;
  c->d_steps = 2;
  c->beta2_g = c->beta2_d = 0.9f;
}

static const gan_preset PRESETS[] = {
    {"balanced", "G and D learn at the same pace with the non-saturating cost: digits of every class appear.",
     "G et D apprennent au même rythme avec le coût non saturant : des chiffres de toutes les classes apparaissent.",
     balanced},
    {"minimax", "The saturating cost of the original minimax game: while D easily rejects the fakes, the gradient reaching G is weak.",
     "Le coût saturant du jeu minimax d'origine : tant que D rejette facilement les faux, le gradient qui atteint G est faible.",
     minimax},
    {"strong-d", "D far stronger than G with the saturating cost: D(G(z)) falls to 0, the gradient reaching G vanishes and the samples stay poor.",
     "D bien plus fort que G avec le coût saturant : D(G(z)) tombe à 0, le gradient qui atteint G s'évanouit et les échantillons restent mauvais.",
     strong_d},
    {"mode-collapse", "Adam with momentum 0.9 instead of 0.5: G collapses onto one or two digits, D learns to reject them, and G jumps to others.",
     "Adam avec un moment de 0,9 au lieu de 0,5 : G s'effondre sur un ou deux chiffres, D apprend à les rejeter et G saute vers d'autres.",
     mode_collapse},
    {"lsgan", "Least squares instead of cross-entropy: D's score is pulled towards 1 for real and 0 for fake, and fakes far from the real ones are penalised quadratically.",
     "Les moindres carrés au lieu de l'entropie croisée : le score de D est tiré vers 1 pour les vrais et 0 pour les faux, et les faux loin des vrais sont pénalisés quadratiquement.",
     lsgan},
    {"hinge", "The hinge cost: D only pushes scores until real ones pass +1 and fake ones fall below -1, then stops; G raises D's score of its fakes.",
     "Le coût charnière : D ne pousse les scores que jusqu'à ce que les vrais dépassent +1 et les faux passent sous -1 ; G relève le score de ses faux.",
     hinge},
    {"wgan", "The Wasserstein critic: D gives unbounded scores, its weights are clipped and it takes two steps per G step; the gap between its scores of real and fake images estimates how far apart they are and shrinks as G improves.",
     "Le critique de Wasserstein : D donne des scores non bornés, ses poids sont écrêtés et il fait deux pas par pas de G ; l'écart entre ses scores des vraies et des fausses images estime leur distance et diminue à mesure que G progresse.",
     wgan},
};

const gan_preset *gan_presets(int *count) {
  *count = (int)(sizeof PRESETS / sizeof PRESETS[0]);
  return PRESETS;
}

const gan_preset *gan_preset_find(const char *name) {
  for (size_t i = 0; i < sizeof PRESETS / sizeof PRESETS[0]; i++)
    if (name && !strcmp(PRESETS[i].name, name)) return &PRESETS[i];
  return NULL;
}
