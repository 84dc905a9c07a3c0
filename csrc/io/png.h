/* png.h - sample grids as PNG bytes (stb_image_write, from Debian's libstb-dev).
 * Pixels follow MNIST: -1 (background) -> 0 (black), +1 (ink) -> 255 (white). */
#ifndef IO_PNG_H
#define IO_PNG_H

#include <stdint.h>

/* n images of side x side floats in [-1, 1], laid out cols per row with a 1-pixel gap
 * (before scaling) and each pixel drawn scale x scale. Returns malloc'd PNG bytes and
 * their count in *len (free with png_free), or NULL on bad sizes or no memory. */
uint8_t *png_grid(const float *images, int n, int side, int cols, int scale, int *len);
/* A grey image of w x h bytes (row-major, 0 black) as PNG bytes, as png_grid returns them;
 * NULL past 16384 pixels a side or 64 M pixels. */
uint8_t *png_gray(const uint8_t *px, int w, int h, int *len);
void png_free(uint8_t *p);

/* floats in [-1, 1] to MNIST bytes, rounding, clamping (also used for IDX samples) */
uint8_t pixel_byte(float v);

#endif
