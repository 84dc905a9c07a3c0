/* presets.h - named configurations, each set up to show one lesson of the course. */
#ifndef GAN_PRESETS_H
#define GAN_PRESETS_H

#include "gan.h"

typedef struct {
  const char *name;
  const char *lesson_en, *lesson_fr; /* one sentence each, shown by the CLI and the page */
  void (*apply)(gan_config *c);      /* changes the defaults; the seed is left alone */
} gan_preset;

/* The table of presets and its length. */
const gan_preset *gan_presets(int *count);
/* The preset of that name, or NULL. */
const gan_preset *gan_preset_find(const char *name);

#endif
