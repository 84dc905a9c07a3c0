/* png.c - see png.h. stb_image_write is compiled here, its warnings silenced: it is
 * the system's code, not ours. */
#include "png.h"

#include <stdlib.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>
#pragma GCC diagnostic pop

uint8_t pixel_byte(float v) {
  const float b = (v + 1.0f) * 127.5f + 0.5f;
  if (!(b > 0.0f)) return 0; /* NaN shows as background rather than undefined */
  return b >= 255.0f ? 255 : (uint8_t)b;
}

uint8_t *png_grid(const float *images, int n, int side, int cols, int scale, int *len) {
  if (!images || n < 1 || side < 1 || side > 1024 || cols < 1 || scale < 1 || scale > 16 || !len)
    return NULL;
  if (cols > n) cols = n;
  const int rows = (n + cols - 1) / cols, cell = side + 1;
  const int w = (cols * cell + 1) * scale, h = (rows * cell + 1) * scale;
  if ((long long)w * h > 64LL << 20) return NULL;
  uint8_t *px = calloc((size_t)w * h, 1);
  if (!px) return NULL;
  for (int k = 0; k < n; k++) {
    const int x0 = (k % cols * cell + 1) * scale, y0 = (k / cols * cell + 1) * scale;
    for (int y = 0; y < side * scale; y++)
      for (int x = 0; x < side * scale; x++)
        px[(size_t)(y0 + y) * w + x0 + x] = pixel_byte(images[(size_t)k * side * side + (y / scale) * side + x / scale]);
  }
  uint8_t *png = stbi_write_png_to_mem(px, w, w, h, 1, len);
  free(px);
  return png;
}

uint8_t *png_gray(const uint8_t *px, int w, int h, int *len) {
  if (!px || w < 1 || h < 1 || w > 16384 || h > 16384 || (long long)w * h > 64LL << 20 || !len) return NULL;
  return stbi_write_png_to_mem(px, w, w, h, 1, len);
}

void png_free(uint8_t *p) { STBIW_FREE(p); }
