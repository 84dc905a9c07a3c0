/* settings.h - the one table of the training settings, and of the statistics a step
 * reports. Everything else is derived from it: the defaults and the range checks here,
 * gan_retune's split between live settings and those that shape the model (gan.c), the
 * checkpoint's configuration block (io/checkpoint.c walks it), the ABI's set/get by name and
 * the schema it exports as JSON (api_gan.c), and from that JSON the page's controls, URL
 * parsing and bounds (web/state.js), the JS engine's keys (web/gan.js) and the CLI's flags
 * and usage (tools/train.mjs).
 *
 * Adding a setting: a field in gan_config (gan.h), a row in settings.c (its `since` the next
 * checkpoint version: the format version follows the table), its use in gan.c, and its
 * words in web/i18n.js if the page shows it. Adding a cost: its gan_loss_kind (gan.h), its
 * name in settings.c, its cases in losses.c (the build fails without them), its words in
 * web/i18n.js, and its D view in web/costs.js if its scores mean something new. */
#ifndef GAN_SETTINGS_H
#define GAN_SETTINGS_H

#include <stddef.h>

#include "gan.h"

typedef enum {
  GAN_SETTING_INT,   /* int */
  GAN_SETTING_BOOL,  /* int, 0 or 1 */
  GAN_SETTING_U32,   /* uint32_t (the seed) */
  GAN_SETTING_LOSS,  /* gan_loss_kind, by index; named by gan_loss_name */
  GAN_SETTING_FLOAT, /* float */
} gan_setting_type;

typedef struct {
  const char *name;      /* the key everywhere: ABI, URL, JSON; the CLI flag has dashes */
  gan_setting_type type;
  size_t offset;         /* in gan_config */
  double def, min, max;  /* gan_config_default's value; the bounds gan_config_check holds */
  int live;              /* 1: a running model takes it between steps (gan_retune); 0: it
                            shapes the model, and changing it means a new model */
  int since;             /* the checkpoint version that stores it */
  double before;         /* its value in files older than that: the model they were */
  const char *help;      /* one line for a usage text (English) */
} gan_setting;

/* at most this many settings (a checkpoint's configuration block is built on the stack) */
enum { GAN_MAX_SETTINGS = 64 };

/* The table, in checkpoint order (ints in table order, then floats in table order). */
const gan_setting *gan_settings(int *count);
/* NULL when the name is not a setting */
const gan_setting *gan_setting_find(const char *name);
/* A setting's value as a double (the loss as its index). */
double gan_setting_get(const gan_config *c, const gan_setting *s);
/* Stores v (already checked to suit the type: whole for all but floats). */
void gan_setting_put(gan_config *c, const gan_setting *s, double v);
/* 0 when v is a value of the type within the bounds, else -1 with the reason in err
 * (the setting named as its CLI flag, e.g. "lr-g -1 is not in 1e-07..1"). */
int gan_setting_check(const gan_setting *s, double v, char *err, size_t errlen);
/* The newest checkpoint version: the largest `since` in the table. */
int gan_settings_version(void);

/* The statistics of a step (gan_stats, plus the model's counters) in the ABI's order. */
typedef enum { GAN_STAT_FLOAT, GAN_STAT_INT, GAN_STAT_ITERATIONS, GAN_STAT_SKIPPED_TOTAL } gan_stat_kind;
typedef struct {
  const char *name;
  gan_stat_kind kind;
  size_t offset;         /* in gan_stats, for FLOAT and INT */
} gan_stat;
const gan_stat *gan_stat_table(int *count);

#endif
