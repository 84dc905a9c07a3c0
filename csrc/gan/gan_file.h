/* gan_file.h - a model as a checkpoint file (the container is io/checkpoint.h): the
 * configuration block is the settings table walked in order (gan/settings.c), the state
 * block gan_state_save's bytes. A file is checked whole (container, configuration, state)
 * before any model is built, so a refused file never allocates a model and never touches
 * the caller's. */
#ifndef GAN_GAN_FILE_H
#define GAN_GAN_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "gan.h"

/* The format version this build writes: the newest `since` in the settings table. Every
 * earlier version still loads, its missing settings at the values its models had. */
int checkpoint_version(void);
/* The configuration block's bytes in a file of version v (0 for a version this build does
 * not know). */
size_t checkpoint_config_bytes(uint32_t v);

size_t checkpoint_size(const gan *g);
void checkpoint_write(const gan *g, uint8_t *dst);
/* A new model restored from buf, or NULL with the reason in err. */
gan *checkpoint_read(const uint8_t *buf, size_t len, char *err, size_t errlen);

#endif
