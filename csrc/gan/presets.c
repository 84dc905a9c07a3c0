/* presets.c - the course's lessons as configurations. Each starts from gan_config_default
 * (the DCGAN paper's recipe: the non-saturating cost, Adam 2e-4 / 0.5 for both networks,
 * batch 64, the compact model) and changes what its lesson is about. */
#include "presets.h"

#include <string.h>

/* The recipe most lessons build on, chosen by quality per second of training on MNIST
 * (README, "How good the samples get"): Adam 1e-3 for both networks, batch 32, batch norm
 * in D, and G upsampling by resize + 3x3 convolution (no checkerboard on Fashion-MNIST). */
static void fast(gan_config *c) {
  c->batch = 32;
  c->lr_g = c->lr_d = 1e-3f;
  c->d_batchnorm = 1;
  c->g_resize = 1;
}

/* The default: the fast recipe with a deeper D (a third, 3x3 stride-1 convolution at 7x7,
 * with batch norm) and samples from a moving average of G's weights. 1.7x the compact
 * model's cost per image, but the compact recipes level off near 60% confident digits by
 * the meter where this one passes 65% by 256,000 images: better per second of training
 * from about two minutes on (README, "How good the samples get"). */
static void balanced(gan_config *c) {
  fast(c);
  c->d_layers = 3;
  c->ema = 0.999f;
}

static void classic(gan_config *c) { (void)c; }

/* The saturating cost, after a head start of 300 D-only steps, with G at 1e-4 (at 1e-3 or
 * 2e-4, Adam's normalised steps let G escape within a few iterations, and the regime the
 * lesson is about never shows): D rejects the fakes from the first step,
 * where the minimax cost's gradient p = D(G(z)) is tiny. No batch norm in D, so D can be
 * sure of itself. */
static void minimax(gan_config *c) {
  fast(c);
  c->loss = GAN_LOSS_MINIMAX;
  c->d_batchnorm = 0;
  c->lr_g = 1e-4f;
  c->d_head_start = 300;
}

/* The saturating cost with a discriminator that learns five times faster than G and takes
 * five steps per G step: D(G(z)) goes to 0 and log(1 - D(G(z))) goes flat. */
static void strong_d(gan_config *c) {
  fast(c);
  c->loss = GAN_LOSS_MINIMAX;
  c->lr_g = 2e-4f;
  c->d_steps = 5;
}

/* G learns digits for 400 iterations at the even pace, then takes five steps for each of
 * D's and D learns five times slower: G moves every sample onto the digit D currently
 * accepts best, D learns to reject it, G jumps to another. D has no batch norm, so
 * nothing in it sees that a batch holds one digit only. */
static void mode_collapse(gan_config *c) {
  fast(c);
  c->d_batchnorm = 0;
  c->warmup = 400;
  c->g_steps = 5;
  c->lr_d = 2e-4f;
}

/* The same race with D given one minibatch standard-deviation feature per channel: a
 * batch of one repeated digit has no spread, so D sees the collapse and rejects it. */
static void collapse_remedy(gan_config *c) {
  mode_collapse(c);
  c->mbstd = 1;
}

/* The other costs, everything else as fast. */
static void lsgan(gan_config *c) {
  fast(c);
  c->loss = GAN_LOSS_LSGAN;
}

static void hinge(gan_config *c) {
  fast(c);
  c->loss = GAN_LOSS_HINGE;
}

/* The Wasserstein critic with weights clipped to +-0.01, as in the WGAN paper, but two
 * critic steps per G step and Adam (0.5, 0.9) at 2e-4 instead of five steps of RMSProp at
 * 5e-5: the paper's pace gives no digits within a lesson's few thousand steps here. The
 * critic has no batch norm (its scores must not depend on the batch). */
static void wgan(gan_config *c) {
  c->loss = GAN_LOSS_WGAN;
  c->clip = 0.02f; /* 0.01 left seed 2 at 4 classes after 1000 steps; 0.02: 7-8 classes, 35-42% */
  c->d_steps = 2;
  c->beta2_g = c->beta2_d = 0.9f;
  c->g_resize = 1;
}

static const gan_preset PRESETS[] = {
    {"balanced", "G and D learn at the same pace with the non-saturating cost; D has a third convolution and the samples come from a moving average of G's weights: digits of every class appear within a few minutes.",
     "G et D apprennent au même rythme avec le coût non saturant ; D a une troisième convolution et les échantillons viennent d’une moyenne glissante des poids de G : des chiffres de toutes les classes apparaissent en quelques minutes.",
     balanced},
    {"fast", "The compact model at the even pace: D with two convolutions, no moving average. 1.7 times faster per step than balanced, the first digits come sooner, but they stop improving near 60% clear digits. The lessons below build on it.",
     "Le modèle compact au même rythme : D à deux convolutions, sans moyenne glissante. 1,7 fois plus rapide par pas que balanced, les premiers chiffres viennent plus tôt, mais ils cessent de s’améliorer vers 60 % de chiffres nets. Les leçons suivantes partent de lui.",
     fast},
    {"minimax", "The saturating cost of the original minimax game, after 300 steps of D alone (a head start) and with G learning at 1e-4: while D rejects the fakes, the minimax gradient D(G(z)) is tiny where the non-saturating one, 1 - D(G(z)), would stay near 1, and G learns slowly.",
     "Le coût saturant du jeu minimax d’origine, après 300 pas de D seul (une longueur d’avance) et avec G qui apprend à 1e-4 : tant que D rejette les faux, le gradient minimax D(G(z)) est minuscule, alors que le gradient non saturant, 1 - D(G(z)), resterait proche de 1, et G apprend lentement.",
     minimax},
    {"strong-d", "D far stronger than G with the saturating cost (five D steps per G step, learning five times faster): D(G(z)) falls to 0, the gradient reaching G vanishes and the samples stay poor.",
     "D bien plus fort que G avec le coût saturant (cinq pas de D par pas de G, et un apprentissage cinq fois plus rapide) : D(G(z)) tombe à 0, le gradient qui atteint G s’évanouit et les échantillons restent mauvais.",
     strong_d},
    {"mode-collapse", "After 400 steps at the even pace, G takes five steps for each step of D and D learns five times slower: G puts every sample on the one or two digits D accepts best, D learns to reject them, and G jumps to others.",
     "Après 400 pas équilibrés, G fait cinq pas pour chaque pas de D, et D apprend cinq fois plus lentement : G met tous ses échantillons sur le ou les deux chiffres que D accepte le mieux, D apprend à les rejeter, et G saute vers d’autres.",
     mode_collapse},
    {"collapse-remedy", "The same race as mode-collapse, but D also sees the spread of each batch (minibatch standard deviation): a batch of one repeated digit is easy to reject, so G keeps every class.",
     "La même course que mode-collapse, mais D voit aussi la dispersion de chaque lot (écart-type sur le mini-lot) : un lot où le même chiffre se répète est facile à rejeter, donc G garde toutes les classes.",
     collapse_remedy},
    {"lsgan", "Least squares instead of cross-entropy: D's raw score is pulled towards 1 for real images and 0 for fakes, and fakes far from the real ones are penalised quadratically.",
     "Les moindres carrés au lieu de l’entropie croisée : le score brut de D est tiré vers 1 pour les vraies images et vers 0 pour les fausses, et les faux éloignés des vrais sont pénalisés quadratiquement.",
     lsgan},
    {"hinge", "The hinge cost: D only pushes its raw scores until real ones pass +1 and fake ones fall below -1, then stops; G raises D's score of its fakes.",
     "Le coût charnière : D ne pousse ses scores bruts que jusqu’à ce que les vrais dépassent +1 et que les faux passent sous -1, puis s’arrête ; G relève le score de ses faux.",
     hinge},
    {"wgan", "The Wasserstein critic: D gives unbounded scores, its weights are clipped and it takes two steps per G step; the gap between its mean scores of real and fake images estimates how far apart they are and shrinks as G improves.",
     "Le critique de Wasserstein : D donne des scores non bornés, ses poids sont écrêtés et il fait deux pas par pas de G ; l’écart entre ses scores moyens des vraies et des fausses images estime leur distance et diminue à mesure que G progresse.",
     wgan},
    {"classic", "The DCGAN paper's recipe, this playground's first default: Adam 2e-4, batch 64, no batch norm in D. Digits come, but several times more slowly than with balanced.",
     "La recette de l’article DCGAN, le premier réglage par défaut de ce terrain de jeu : Adam 2e-4, lots de 64, pas de normalisation par lot dans D. Les chiffres viennent, mais plusieurs fois plus lentement qu’avec balanced.",
     classic},
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
